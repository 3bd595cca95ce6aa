package build

import (
	"bytes"
	"fmt"
	"maps"
	"path"
	"runtime"
	"slices"
	"sort"
	"strings"

	yaml3 "go.yaml.in/yaml/v3"
	"golang.org/x/sync/errgroup"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/resource"
	kusttypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/resid"
	"sigs.k8s.io/yaml"

	"github.com/tandemdev/tandem/internal/safe"
	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/render/internal/yamldoc"
)

// kustomize's build is quadratic in the resources of one build: every
// append looks the new resource's id up among all before it. An overlay
// whose top kustomization only sets a namespace, lists folders and applies
// patches that each target one of those folders' resources gives the same
// output when each folder (a unit: one service, or the config) is built
// alone with that namespace and its patches, and the results are merged in
// kustomize's legacy order. planSplit plans that, or says why not where a
// tree is not of that shape, and buildExplained then runs one whole build.

// splitPlan is a split build of one overlay.
type splitPlan struct {
	env       string
	namespace string
	units     []*unit
	owner     map[string]*unit // "Kind/name" → the unit whose resources hold it
}

type unit struct {
	entry string // the resources entry of the overlay, e.g. services/orders
	files manifest.Files
	// resources are the files its kustomizations list as resources.
	resources []string
	patches   []string // platform patches applied in this unit, in overlay order
}

// splittableKinds are the kinds a unit may hold. They refer to other
// objects by name alone, within their namespace, so with nothing renamed
// kustomize's name reference fix-up, which runs across the whole build,
// changes none of them; kinds whose references carry a namespace (RBAC
// bindings, webhooks, API services, nodes, ...) and anything unknown make
// the overlay build whole.
var splittableKinds = map[string]bool{
	"ServiceAccount": true, "ConfigMap": true, "Secret": true, "Service": true,
	"Deployment": true, "StatefulSet": true, "Job": true, "CronJob": true,
	"PodDisruptionBudget": true, "HorizontalPodAutoscaler": true, "NetworkPolicy": true, "Ingress": true,
}

// unitFields are what a unit's kustomizations may set: none renames
// anything, generates objects or reaches across units.
var unitFields = map[string]bool{"apiVersion": true, "kind": true, "resources": true, "patches": true, "images": true}

// planSplit returns how to build env's overlay unit by unit, or why it
// must be built whole; its error is a panic of a worker.
func planSplit(files manifest.Files, env string) (*splitPlan, string, error) {
	overlay := manifest.OverlayDir(env)
	data, ok := files[path.Join(overlay, manifest.Kustomization)]
	if !ok {
		return nil, "the overlay has no kustomization.yaml", nil
	}
	var fields map[string]any
	if err := yaml.Unmarshal(data, &fields); err != nil {
		return nil, fmt.Sprintf("its kustomization does not parse: %v", err), nil
	}
	for _, field := range slices.Sorted(maps.Keys(fields)) {
		switch field {
		case "apiVersion", "kind", "namespace", "resources", "patches":
		case "components":
			return nil, "components apply across services", nil
		default:
			return nil, fmt.Sprintf("its kustomization sets %s, which applies across services", field), nil
		}
	}
	var root kusttypes.Kustomization
	if err := yaml.UnmarshalStrict(data, &root); err != nil {
		return nil, fmt.Sprintf("its kustomization does not parse: %v", err), nil
	}
	if len(root.Resources) < 2 {
		return nil, "it has fewer than two units", nil
	}

	plan := &splitPlan{env: env}
	for _, entry := range root.Resources {
		dir := path.Clean(path.Join(overlay, entry))
		if _, ok := files[path.Join(dir, manifest.Kustomization)]; !ok {
			return nil, fmt.Sprintf("resource %s is not a folder with a kustomization.yaml", entry), nil
		}
		plan.units = append(plan.units, &unit{entry: entry, files: manifest.Files{}})
	}
	// Reading the units' files is a tenth of a build: done on every core,
	// then judged in the overlay's order, so the reason given is stable.
	paths := files.Paths()
	scans := make([]unitScan, len(plan.units))
	err := safe.Each(len(plan.units), func(i int) { scans[i] = scanUnit(files, paths, overlay, plan.units[i]) })
	if err != nil {
		return nil, "", err
	}
	owner := map[string]*unit{} // "Kind/name" → the unit holding it
	for i, u := range plan.units {
		if scans[i].reason != "" {
			return nil, scans[i].reason, nil
		}
		for _, d := range scans[i].docs {
			if !splittableKinds[d.Kind] {
				return nil, fmt.Sprintf("%s holds a %s, which may refer to objects of other units", d.file, d.Kind), nil
			}
			key := d.Kind + "/" + d.Name
			if other := owner[key]; other != nil && other != u {
				return nil, fmt.Sprintf("%s %s is in both %s and %s", d.Kind, d.Name, other.entry, u.entry), nil
			}
			owner[key] = u
		}
	}

	for _, p := range root.Patches {
		if p.Path == "" || p.Patch != "" || p.Target != nil || p.Options != nil {
			return nil, "a patch has a target, options or inline content", nil
		}
		file := path.Clean(path.Join(overlay, p.Path))
		content, ok := files[file]
		if !ok {
			return nil, fmt.Sprintf("patch %s does not exist", p.Path), nil
		}
		docs, err := yamldoc.Parse(content)
		if err != nil || len(docs) == 0 {
			return nil, fmt.Sprintf("patch %s does not parse", p.Path), nil
		}
		// kustomize applies the documents of a patch file one by one, in
		// order; each unit gets the file with the documents that target it.
		var targets []*unit
		byUnit := map[*unit][]*yaml3.Node{}
		for _, d := range docs {
			t := yamldoc.TargetOf(d)
			u := owner[t.Kind+"/"+t.Name]
			if u == nil {
				return nil, fmt.Sprintf("patch %s targets %s %s, which no unit holds", p.Path, t.Kind, t.Name), nil
			}
			if byUnit[u] == nil {
				targets = append(targets, u)
			}
			byUnit[u] = append(byUnit[u], d)
		}
		for _, u := range targets {
			u.patches = append(u.patches, p.Path)
			u.files[file] = content
			if len(targets) > 1 {
				part, err := encodeDocuments(byUnit[u])
				if err != nil {
					return nil, fmt.Sprintf("patch %s: %v", p.Path, err), nil
				}
				u.files[file] = part
			}
		}
	}

	plan.namespace = root.Namespace
	plan.owner = owner
	return plan, "", nil
}

// unitScan is what scanUnit read of a unit: its resource documents, or
// why the overlay cannot be split.
type unitScan struct {
	docs   []scannedDoc
	reason string
}

type scannedDoc struct {
	yamldoc.Target
	file string
}

// scanUnit gathers a unit's files and reads the kind and name of each of
// its resources.
func scanUnit(files manifest.Files, paths []string, overlay string, u *unit) unitScan {
	resources, reason := gather(files, paths, path.Clean(path.Join(overlay, u.entry)), u.files, map[string]bool{})
	if reason != "" {
		return unitScan{reason: reason}
	}
	u.resources = resources
	var scan unitScan
	for _, p := range resources {
		docs, ok := generatedTargets(u.files[p])
		if !ok {
			var err error
			if docs, err = yamldoc.Targets(u.files[p]); err != nil {
				return unitScan{reason: fmt.Sprintf("%s does not parse: %v", p, err)}
			}
		}
		for _, d := range docs {
			scan.docs = append(scan.docs, scannedDoc{d, p})
		}
	}
	return scan
}

// generatedTargets reads kind and metadata.name of each document of a
// file tandem printed, from the lines its printer writes them on ("kind:"
// at the start of a line, "  name:" in "metadata:"), without parsing the
// YAML, which was a fifth of a render. ok is false for any other file,
// and for a document whose lines are not of that shape.
func generatedTargets(data []byte) (targets []yamldoc.Target, ok bool) {
	if !manifest.Generated(data) {
		return nil, false
	}
	var t yamldoc.Target
	inMetadata, empty := false, true
	finish := func() bool {
		if empty {
			return true
		}
		if t.Kind == "" || t.Name == "" {
			return false
		}
		targets = append(targets, t)
		t, inMetadata, empty = yamldoc.Target{}, false, true
		return true
	}
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case line == "---":
			if !finish() {
				return nil, false
			}
			continue
		case strings.HasPrefix(line, "..."), strings.HasPrefix(line, "%"):
			return nil, false // markers tandem's printer does not write
		}
		empty = false
		if line[0] != ' ' {
			inMetadata = line == "metadata:"
		}
		if kind, found := strings.CutPrefix(line, "kind: "); found {
			if t.Kind != "" || !plainName(kind) {
				return nil, false
			}
			t.Kind = kind
		}
		if name, found := strings.CutPrefix(line, "  name: "); found && inMetadata {
			if t.Name != "" || !plainName(name) {
				return nil, false
			}
			t.Name = name
		}
	}
	return targets, finish()
}

// plainName: a word YAML reads as the same string, whatever it is.
func plainName(s string) bool {
	if s == "" || !('a' <= s[0] && s[0] <= 'z' || 'A' <= s[0] && s[0] <= 'Z') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.') {
			return false
		}
	}
	switch strings.ToLower(s) {
	case "y", "yes", "n", "no", "true", "false", "on", "off", "null":
		return false
	}
	return true
}

// resourceNames indexes the resources of the plan's units by kind and
// name, as their files name them: what one build holds when no unit
// renames anything, as tandem's never do.
func (p *splitPlan) resourceNames() map[string]map[string]bool {
	have := map[string]map[string]bool{}
	for key := range p.owner {
		kind, name, _ := strings.Cut(key, "/")
		if have[kind] == nil {
			have[kind] = map[string]bool{}
		}
		have[kind][name] = true
	}
	return have
}

// gather copies into out every file below dir and, following the
// resources and components of the kustomizations found there, below the
// folders they name; it returns the files listed as resources. A file it
// misses makes the unit's build fail, and buildExplained falls back to a
// whole one: a miss costs time, never correctness.
func gather(files manifest.Files, sorted []string, dir string, out manifest.Files, seen map[string]bool) ([]string, string) {
	if seen[dir] {
		return nil, ""
	}
	seen[dir] = true
	prefix := dir + "/"
	for i := sort.SearchStrings(sorted, prefix); i < len(sorted) && strings.HasPrefix(sorted[i], prefix); i++ {
		out[sorted[i]] = files[sorted[i]]
	}
	data, ok := files[path.Join(dir, manifest.Kustomization)]
	if !ok {
		return nil, fmt.Sprintf("%s has no kustomization.yaml", dir)
	}
	var fields map[string]any
	if err := yaml.Unmarshal(data, &fields); err != nil {
		return nil, fmt.Sprintf("%s/%s does not parse: %v", dir, manifest.Kustomization, err)
	}
	for _, field := range slices.Sorted(maps.Keys(fields)) {
		if !unitFields[field] {
			return nil, fmt.Sprintf("%s/%s sets %s", dir, manifest.Kustomization, field)
		}
	}
	var k kusttypes.Kustomization
	if err := yaml.Unmarshal(data, &k); err != nil {
		return nil, fmt.Sprintf("%s/%s does not parse: %v", dir, manifest.Kustomization, err)
	}
	var resources []string
	for _, ref := range k.Resources {
		target := path.Clean(path.Join(dir, ref))
		if content, ok := files[target]; ok {
			out[target] = content
			resources = append(resources, target)
			continue
		}
		more, reason := gather(files, sorted, target, out, seen)
		if reason != "" {
			return nil, reason
		}
		resources = append(resources, more...)
	}
	return resources, ""
}

func encodeDocuments(docs []*yaml3.Node) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml3.NewEncoder(&buf)
	for _, d := range docs {
		if err := enc.Encode(d); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), enc.Close()
}

// built is one resource of a unit's output: its id, its legacy sort key
// and its YAML, all made in the unit's worker.
type built struct {
	id   resid.ResId
	key  string
	yaml []byte
}

// build runs the units on every core and merges their resources in
// kustomize's legacy order, as one build would print them.
func (p *splitPlan) build() ([]byte, error) {
	results := make([][]built, len(p.units))
	errs := make([]error, len(p.units))
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, u := range p.units {
		safe.Go(&g, func() error {
			results[i], errs[i] = p.buildUnit(u)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	var all []built
	size := 0
	for i, err := range errs {
		if err != nil {
			return nil, fmt.Errorf("unit %s: %w", p.units[i].entry, err)
		}
		all = append(all, results[i]...)
		for _, b := range results[i] {
			size += len(b.yaml) + len("---\n")
		}
	}
	seen := make(map[resid.ResId]bool, len(all))
	for _, b := range all {
		if seen[b.id] {
			return nil, fmt.Errorf("%s is in two units", b.id)
		}
		seen[b.id] = true
	}
	sort.Sort(legacyOrder(all))
	out := make([]byte, 0, size)
	for i, b := range all {
		if i > 0 {
			out = append(out, "---\n"...)
		}
		out = append(out, b.yaml...)
	}
	return out, nil
}

// buildUnit builds one unit, with the overlay's namespace and the
// platform patches that target it, and encodes its resources as kustomize
// prints them.
func (p *splitPlan) buildUnit(u *unit) ([]built, error) {
	k := manifest.NewKustomization()
	k.Namespace = p.namespace
	k.Resources = []string{u.entry}
	for _, patch := range u.patches {
		k.Patches = append(k.Patches, kusttypes.Patch{Path: patch})
	}
	root, err := manifest.Encode(k)
	if err != nil {
		return nil, err
	}
	files := manifest.Files{path.Join(manifest.OverlayDir(p.env), manifest.Kustomization): root}
	resources, err := buildUnitResources(files.Merge(u.files), p.env)
	if err != nil {
		return nil, err
	}
	out := make([]built, len(resources))
	for i, r := range resources {
		y, err := resourceYAML(r)
		if err != nil {
			return nil, err
		}
		id := r.CurId()
		out[i] = built{id: id, key: legacyIDKey(id), yaml: y}
	}
	return out, nil
}

// resourceYAML is what r.AsYAML prints, at a fraction of the cost (see
// YAMLFromNode and YAMLFromJSON).
func resourceYAML(r *resource.Resource) ([]byte, error) {
	if y, ok, err := manifest.YAMLFromNode(r.YNode()); ok || err != nil {
		return y, err
	}
	j, err := r.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return manifest.YAMLFromJSON(j)
}

func buildUnitResources(files manifest.Files, env string) ([]*resource.Resource, error) {
	fs := filesys.MakeFsInMemory()
	for p, content := range files {
		if err := fs.WriteFile("/"+p, content); err != nil {
			return nil, err
		}
	}
	opts := krusty.MakeDefaultOptions()
	opts.Reorder = krusty.ReorderOptionNone // the merge sorts
	m, err := krusty.MakeKustomizer(opts).Run(fs, path.Join("/", manifest.OverlayDir(env)))
	if err != nil {
		return nil, err
	}
	return m.Resources(), nil
}

// legacyOrder orders resources as kustomize's legacy order does
// (api/internal/builtins/SortOrderTransformer.go, whose lists it copies
// because they are internal): kinds in a fixed order first and last,
// then by group, version and kind, then by namespace and name. A test
// compares it with kustomize's own sort.
type legacyOrder []built

var (
	legacyOrderFirst = []string{
		"Namespace", "ResourceQuota", "StorageClass", "CustomResourceDefinition", "ServiceAccount",
		"PodSecurityPolicy", "Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding", "ConfigMap",
		"Secret", "Endpoints", "Service", "LimitRange", "PriorityClass", "PersistentVolume",
		"PersistentVolumeClaim", "Deployment", "StatefulSet", "CronJob", "PodDisruptionBudget",
	}
	legacyOrderLast = []string{"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"}
	legacyTypeOrder = func() map[string]int {
		m := map[string]int{}
		for i, n := range legacyOrderFirst {
			m[n] = -len(legacyOrderFirst) + i
		}
		for i, n := range legacyOrderLast {
			m[n] = 1 + i
		}
		return m
	}()
)

func (s legacyOrder) Len() int      { return len(s) }
func (s legacyOrder) Swap(i, j int) { s[i], s[j] = s[j], s[i] }

func (s legacyOrder) Less(i, j int) bool {
	a, b := s[i].id.Gvk, s[j].id.Gvk
	if !a.Equals(b) {
		oa, ob := legacyTypeOrder[a.Kind], legacyTypeOrder[b.Kind]
		if oa != ob {
			return oa < ob
		}
		if a.Kind == "Namespace" && b.Kind == "Namespace" && (a.Group == "" || b.Group == "") {
			return legacyGVKKey(a) > legacyGVKKey(b)
		}
		return legacyGVKKey(a) < legacyGVKKey(b)
	}
	return s[i].key < s[j].key
}

func legacyGVKKey(g resid.Gvk) string {
	return orDefault(g.Group, "~G") + "_" + orDefault(g.Version, "~V") + "_" + orDefault(g.Kind, "~K")
}

func legacyIDKey(id resid.ResId) string {
	return id.Gvk.String() + "|" + orDefault(id.Namespace, "~X") + "|" + orDefault(id.Name, "~N")
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
