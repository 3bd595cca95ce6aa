package overlays

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	kusttypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/resid"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/objects"
)

const (
	deploymentPatch = "deployment-patch.yaml"
	servicePatch    = "service-patch.yaml"
	policyPatch     = "networkpolicy-patch.yaml"
	jobPatch        = "job-patch.yaml"
	configPatch     = "patch.yaml"
	// resourcesFile holds the objects an environment adds to a service or
	// a backing resource, in one file so that a large system does not
	// render (and kustomize does not read) a file per object.
	resourcesFile = "resources.yaml"
)

// Render returns the overlay of env. platformPatches names the files in the
// environment's patches folder, relative to it, which the overlay applies
// after tandem's own patches; components are the platform's component
// folders, relative to the output folder, which every overlay includes.
func Render(c *catalogue.Catalogue, env string, platformPatches, components []string) (manifest.Files, error) {
	var files manifest.Batch
	dir := manifest.OverlayDir(env)
	root := manifest.NewKustomization()
	root.Namespace = c.Namespace(env)

	if len(c.Config) > 0 {
		configDir := renderConfig(&files, c, env)
		root.Resources = append(root.Resources, manifest.Rel(dir, configDir))
	}

	base := map[string]*catalogue.Workload{}
	for _, w := range c.Resolve("") {
		base[w.Name] = w
	}
	root.Resources = append(root.Resources, manifest.Rel(dir, manifest.BaseNetworkDir()))
	users := c.Users(env)
	for _, name := range c.ResourceNames() {
		if unit := renderResource(&files, c, env, name, users[name]); unit != "" {
			root.Resources = append(root.Resources, manifest.Rel(dir, unit))
		}
	}
	baseUsers := c.Users("")
	for _, w := range c.Resolve(env) {
		renderService(&files, c, base[w.Name], w)
		renderUsersPolicy(&files, c, w, baseUsers[w.Name], users[w.Name])
		root.Resources = append(root.Resources, manifest.Rel(dir, manifest.OverlayServiceDir(env, w.Name)))
	}

	for _, component := range components {
		root.Components = append(root.Components, manifest.Rel(dir, component))
	}
	patches := append([]string(nil), platformPatches...)
	sort.Strings(patches)
	for _, p := range patches {
		root.Patches = append(root.Patches, kusttypes.Patch{Path: path.Join(manifest.PatchesDir, p)})
	}
	files.Add(path.Join(dir, manifest.Kustomization), root)
	return files.Files()
}

// renderConfig returns the folder the overlay takes its ConfigMaps from:
// the base's, or a folder of its own when the environment overrides values.
func renderConfig(files *manifest.Batch, c *catalogue.Catalogue, env string) string {
	e := c.Environments[env]
	if e == nil || len(e.Config) == 0 {
		return manifest.BaseConfigDir()
	}
	dir := manifest.OverlayConfigDir(env)
	k := manifest.NewKustomization()
	k.Resources = []string{manifest.Rel(dir, manifest.BaseConfigDir())}
	var patches []any
	for _, group := range c.ConfigNames() {
		values, ok := e.Config[group]
		if !ok {
			continue
		}
		patch := objects.ConfigMap(c, group, values)
		// A patch finds its target by name; the labels are the base's.
		patch.Labels = nil
		patches = append(patches, patch)
	}
	k.Patches = []kusttypes.Patch{{Path: configPatch}}
	files.Add(path.Join(dir, configPatch), patches...)
	files.Add(path.Join(dir, manifest.Kustomization), k)
	return dir
}

// renderService writes the patches of a service in env and the objects
// only an environment adds to it.
func renderService(files *manifest.Batch, c *catalogue.Catalogue, base, w *catalogue.Workload) {
	dir := manifest.OverlayServiceDir(w.Env, w.Name)
	k := manifest.NewKustomization()
	k.Resources = []string{manifest.Rel(dir, manifest.BaseServiceDir(w.Name))}
	if w.Image != base.Image {
		k.Images = []kusttypes.Image{imageChange(base.Image, w.Image)}
	}
	if w.Service.OneShot {
		k.Patches = []kusttypes.Patch{{Path: jobPatch}, versionPatch(objects.OneShot(c, w))}
		files.Add(path.Join(dir, jobPatch), objects.OneShotPatch(w, changedEnv(base, w)))
		files.Add(path.Join(dir, manifest.Kustomization), k)
		return
	}
	k.Patches = []kusttypes.Patch{{Path: deploymentPatch}}
	if users, baseUsers := c.Users(w.Env)[w.Name], c.Users("")[w.Name]; len(baseUsers) > 0 && !slices.Equal(users, baseUsers) {
		k.Patches = append(k.Patches, kusttypes.Patch{Path: policyPatch})
	}
	files.Add(path.Join(dir, deploymentPatch), objects.DeploymentPatch(w, changedEnv(base, w)))
	// The Service differs from the base's in its type, or in node ports
	// the base leaves unpinned.
	if patch := objects.ServicePatch(w); w.ServiceType != base.ServiceType || len(patch.Spec.Ports) > 0 {
		k.Patches = append(k.Patches, kusttypes.Patch{Path: servicePatch})
		files.Add(path.Join(dir, servicePatch), patch)
	}

	if added := serviceObjects(c, base, w); len(added) > 0 {
		files.Add(path.Join(dir, resourcesFile), added...)
		k.Resources = append(k.Resources, resourcesFile)
	}
	for _, name := range w.Service.JobNames() {
		if job, ok := objects.Job(c, w, name, w.Image).(*batchv1.Job); ok {
			k.Patches = append(k.Patches, versionPatch(job))
		}
	}
	files.Add(path.Join(dir, manifest.Kustomization), k)
}

// versionPatch renames a Job to its version's name (objects.VersionedName)
// after the patches and the image setting it is written with, from the
// Job as the environment runs it. Patches that follow, the platform's,
// still find it by the name it is written with, as kustomize matches a
// resource's first name too.
func versionPatch(job *batchv1.Job) kusttypes.Patch {
	return kusttypes.Patch{
		Target:  &kusttypes.Selector{ResId: resid.ResId{Gvk: resid.Gvk{Group: "batch", Version: "v1", Kind: "Job"}, Name: job.Name}},
		Patch:   fmt.Sprintf(`[{"op": "replace", "path": "/metadata/name", "value": %q}]`, objects.VersionedName(job)),
		Options: &kusttypes.PatchArgs{AllowNameChange: true},
	}
}

// renderUsersPolicy narrows the base's NetworkPolicy of a service to its
// users in the environment, when a user of some cluster is not in this
// one: a load generator of staging is let in nowhere in prod. The patch
// lists every rule, since a strategic merge replaces the list whole; with
// no user left, it deletes the policy and the namespace's deny-all holds.
func renderUsersPolicy(files *manifest.Batch, c *catalogue.Catalogue, w *catalogue.Workload, baseUsers, users []string) {
	if w.Service.OneShot || len(baseUsers) == 0 || slices.Equal(baseUsers, users) {
		return
	}
	var patch any = map[string]any{
		"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
		"metadata": map[string]any{"name": w.Name},
		"$patch":   "delete",
	}
	if len(users) > 0 {
		np := objects.UsersPolicy(c, w.Name, users, w.Ports)
		// A patch finds its target by name; the labels are the base's.
		np.Labels = nil
		patch = np
	}
	dir := manifest.OverlayServiceDir(w.Env, w.Name)
	files.Add(path.Join(dir, policyPatch), patch)
}

// changedEnv lists the container env entries that differ from the base.
// A variable the base lists as an entry but the environment takes from a
// config group is listed with its value, because an entry in the base would
// otherwise win over the ConfigMap.
//
// A strategic merge puts the patch's entries first and the base's others
// after them, so where a variable refers to another ($(NAME)), which
// Kubernetes fills in only from entries listed before, a patch that
// changes anything lists every entry, in an order that works.
func changedEnv(base, w *catalogue.Workload) []catalogue.EnvVar {
	var changed, entries []catalogue.EnvVar
	references := false
	for _, v := range w.Vars {
		was, inBase := base.Var(v.Name)
		entryInBase := inBase && was.Origin.Level != catalogue.LevelConfigGroup
		if v.Origin.Level == catalogue.LevelConfigGroup && !entryInBase {
			continue // carried by the ConfigMap
		}
		entries = append(entries, v)
		references = references || len(catalogue.References(v.Value)) > 0
		if !inBase || was != v {
			changed = append(changed, v)
		}
	}
	if references && len(changed) > 0 {
		return entries
	}
	return changed
}

// imageChange rewrites the base image to the environment's reference.
func imageChange(from, to string) kusttypes.Image {
	fromName, _, _ := splitImage(from)
	toName, tag, digest := splitImage(to)
	img := kusttypes.Image{Name: fromName, NewTag: tag, Digest: digest}
	if toName != fromName {
		img.NewName = toName
	}
	return img
}

// splitImage splits name[:tag][@digest].
func splitImage(ref string) (name, tag, digest string) {
	name, digest, _ = strings.Cut(ref, "@")
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		name, tag = name[:i], name[i+1:]
	}
	return name, tag, digest
}

// serviceObjects are what an environment adds to a service's base: a
// disruption budget where more than one pod runs, an autoscaler, the
// service's jobs, and its public route.
func serviceObjects(c *catalogue.Catalogue, base, w *catalogue.Workload) []any {
	var out []any
	if w.Scaled() {
		out = append(out, objects.DisruptionBudget(c, w))
	}
	if w.Autoscale != nil {
		out = append(out, objects.Autoscaler(c, w))
	}
	for _, name := range w.Service.JobNames() {
		// The base's image, so that the overlay's image setting rewrites
		// the job exactly like the Deployment.
		out = append(out, objects.Job(c, w, name, base.Image))
	}
	if w.External() {
		out = append(out, objects.ExternalPolicy(c, w.Name, catalogue.PublicPorts(w.Ports)))
	}
	if e := c.Environments[w.Env]; e != nil && e.Ingress != nil {
		if routed := catalogue.RoutedPorts(w.Ports); len(routed) > 0 {
			out = append(out, objects.Ingress(c, w.Name, e.Ingress, routed),
				objects.IngressControllerPolicy(c, w.Name, e.Ingress.ControllerNamespaceOrDefault(), routed))
		}
	}
	return out
}

// renderResource writes what env needs of a backing resource and returns
// its folder, or "" when the resource is a managed service without a
// declared endpoint: then its users' connection Secret is all there is.
func renderResource(files *manifest.Batch, c *catalogue.Catalogue, env, name string, users []string) string {
	r := c.Resources[name]
	var objs []any
	switch {
	case r.RunsInCluster(env):
		objs = objects.InClusterResource(c, env, name, users)
	case r.Endpoints[env] != "":
		objs = []any{objects.ExternalService(c, name, r.Endpoints[env])}
	default:
		return ""
	}
	dir := manifest.OverlayResourceDir(env, name)
	files.Add(path.Join(dir, resourcesFile), objs...)
	k := manifest.NewKustomization()
	k.Resources = []string{resourcesFile}
	files.Add(path.Join(dir, manifest.Kustomization), k)
	return dir
}
