package build

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/internal/safe"
	"github.com/tandemdev/tandem/internal/synth"
	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/render"
	"github.com/tandemdev/tandem/render/internal/rendertest"
	"github.com/tandemdev/tandem/render/internal/yamldoc"
)

// requireSameAsWhole builds env both ways and fails unless the split
// build ran and printed exactly what one kustomize build prints.
func requireSameAsWhole(t *testing.T, files manifest.Files, env string) {
	t.Helper()
	plan, reason, err := planSplit(files, env)
	if err != nil {
		t.Fatal(err)
	}
	if plan == nil {
		t.Fatalf("%s was not split: %s", env, reason)
	}
	split, err := plan.build()
	if err != nil {
		t.Fatalf("split build of %s: %v", env, err)
	}
	whole, err := buildWhole(files, env)
	if err != nil {
		t.Fatalf("whole build of %s: %v", env, err)
	}
	if diff := cmp.Diff(string(whole), string(split)); diff != "" {
		t.Errorf("%s: the split build differs from one kustomize build (-whole +split):\n%s", env, diff)
	}
}

func TestSplitBuildMatchesOneBuild(t *testing.T) {
	platform := manifest.Files{
		// Two documents for one service, one for the config, and one
		// service patched twice: order within a unit matters.
		"overlays/prod/patches/orders.yaml":      []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: orders\nspec:\n  template:\n    spec:\n      nodeSelector: {pool: ordering}\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: orders\n  annotations: {lb: internal}\n"),
		"overlays/prod/patches/orders-more.yaml": []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: orders\nspec:\n  template:\n    spec:\n      nodeSelector: {pool: big}\n"),
		"overlays/prod/patches/config.yaml":      []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: observability-config\ndata:\n  EXTRA: \"1\"\n"),
		// One file for three services and the config, whose documents
		// each unit applies in the file's order.
		"overlays/prod/patches/pools.yaml": []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cart\nspec:\n  template:\n    spec:\n      nodeSelector: {pool: small}\n" +
			"---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: orders\nspec:\n  replicas: 9\n" +
			"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: http-server-config\ndata:\n  HTTP_READ_TIMEOUT: 9s\n" +
			"---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: cart\nspec:\n  template:\n    spec:\n      nodeSelector: {pool: big}\n"),
	}
	c, files := rendertest.Render(t, "../../examples/shop/tandem.yaml", platform)
	for _, env := range c.DeployEnvironments() {
		requireSameAsWhole(t, files.Merge(platform), env)
	}
	built, err := build(files.Merge(platform), "prod")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"pool: big", "replicas: 9", "HTTP_READ_TIMEOUT: 9s", "EXTRA: \"1\""} {
		if !strings.Contains(string(built), want) {
			t.Errorf("a platform patch was not applied: no %q", want)
		}
	}

	synthetic, err := catalogue.Parse(fsys.OS{}, "tandem.yaml", synth.Catalogue(60))
	if err != nil {
		t.Fatal(err)
	}
	synthFiles, err := render.Render(render.Input{Catalogue: synthetic, ProjectDir: ".."})
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range synthetic.DeployEnvironments() {
		requireSameAsWhole(t, synthFiles, env)
	}
}

// TestSplitBuildFallsBack: trees whose build crosses units are built
// whole, with the reason, and still match kubectl's bytes (the e2e test
// checks those against kubectl itself).
func TestSplitBuildFallsBack(t *testing.T) {
	deployment := func(name string) string {
		return fmt.Sprintf("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: %s\nspec:\n  template:\n    spec:\n      nodeSelector: {pool: x}\n", name)
	}
	component := "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nlabels:\n- pairs: {team: shop}\n"
	binding := "apiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: read\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: view}\nsubjects:\n- {kind: ServiceAccount, name: orders}\n"
	for name, tc := range map[string]struct {
		platform manifest.Files
		edit     func(manifest.Files)
		reason   string
	}{
		"component": {
			platform: manifest.Files{"components/team/kustomization.yaml": []byte(component)},
			reason:   "components apply across services",
		},
		"a unit renames": {
			edit: func(f manifest.Files) {
				k := string(f["overlays/prod/services/orders/kustomization.yaml"])
				f["overlays/prod/services/orders/kustomization.yaml"] = []byte(k + "namePrefix: x-\n")
			},
			reason: "overlays/prod/services/orders/kustomization.yaml sets namePrefix",
		},
		"a unit generates": {
			edit: func(f manifest.Files) {
				k := string(f["base/services/cart/kustomization.yaml"])
				f["base/services/cart/kustomization.yaml"] = []byte(k + "configMapGenerator:\n- name: extra\n  literals: [A=1]\n")
			},
			reason: "base/services/cart/kustomization.yaml sets configMapGenerator",
		},
		"stale patch": {
			platform: manifest.Files{"overlays/prod/patches/gone.yaml": []byte(deployment("gone"))},
			reason:   "patch patches/gone.yaml targets Deployment gone, which no unit holds",
		},
		"a resource in two units": {
			edit: func(f manifest.Files) {
				f["base/services/cart/deployment.yaml"] = f["base/services/orders/deployment.yaml"]
			},
			reason: "Deployment orders is in both services/",
		},
		"a cross-referencing kind": {
			edit: func(f manifest.Files) {
				f["base/services/orders/binding.yaml"] = []byte(binding)
				k := string(f["base/services/orders/kustomization.yaml"])
				f["base/services/orders/kustomization.yaml"] = []byte(strings.Replace(k, "- service.yaml", "- service.yaml\n- binding.yaml", 1))
			},
			reason: "holds a RoleBinding, which may refer to objects of other units",
		},
	} {
		t.Run(name, func(t *testing.T) {
			_, files := rendertest.Render(t, "../../examples/shop/tandem.yaml", tc.platform)
			files = files.Merge(tc.platform)
			if tc.edit != nil {
				tc.edit(files)
			}
			plan, reason, err := planSplit(files, "prod")
			if err != nil {
				t.Fatal(err)
			}
			if plan != nil || !strings.Contains(reason, tc.reason) {
				t.Fatalf("planSplit: split %v, reason %q; want a whole build because %q", plan != nil, reason, tc.reason)
			}
			if _, how, _ := buildExplained(files, "prod"); how != "prod: one kustomize build, because "+reason {
				t.Errorf("explanation %q", how)
			}
		})
	}
}

// TestLegacySorterMatchesKustomize sorts kinds from both of kustomize's
// priority lists, unlisted kinds, two groups of Namespace, several
// versions and namespaces, and compares with kustomize's legacy order.
func TestLegacySorterMatchesKustomize(t *testing.T) {
	var docs []string
	add := func(apiVersion, kind, name, namespace string) {
		doc := fmt.Sprintf("apiVersion: %s\nkind: %s\nmetadata:\n  name: %s\n", apiVersion, kind, name)
		if namespace != "" {
			doc += "  namespace: " + namespace + "\n"
		}
		docs = append(docs, doc)
	}
	for i, kind := range append(append([]string{"Widget", "Gadget", "Pod", "Ingress"}, legacyOrderLast...), legacyOrderFirst...) {
		add("v1", kind, fmt.Sprintf("b-%d", i), "")
		add("example.com/v1", kind, "a", "ns-2")
		add("example.com/v2", kind, "a", "ns-1")
		add("apps/v1", kind, "z", "")
	}
	add("other.io/v1beta1", "Namespace", "x", "")
	files := manifest.Files{
		"all/resources.yaml":     []byte(strings.Join(docs, "---\n")),
		"all/kustomization.yaml": []byte("resources: [resources.yaml]\n"),
	}
	want, err := buildWhole(manifest.Files{
		"overlays/x/kustomization.yaml": []byte("resources: [../../all]\n"),
	}.Merge(files), "x")
	if err != nil {
		t.Fatal(err)
	}
	u := &unit{entry: "../../all", files: files}
	resources, err := buildUnitResources(files.Merge(manifest.Files{"overlays/x/kustomization.yaml": []byte("resources: [../../all]\n")}), "x")
	if err != nil {
		t.Fatal(err)
	}
	plan := &splitPlan{env: "x", units: []*unit{u}}
	got, err := plan.build()
	if err != nil {
		t.Fatal(err)
	}
	if len(resources) != len(docs) {
		t.Fatalf("%d resources built from %d documents", len(resources), len(docs))
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("legacy order (-kustomize +tandem):\n%s", diff)
	}
}

// TestResourceNamesFromFilesMatchABuild: stale patch detection reads the
// resources' names from the units' files instead of building; they must
// be the names a build holds, with the names renamed Jobs are written
// with, which patches find too.
func TestResourceNamesFromFilesMatchABuild(t *testing.T) {
	synthetic, err := catalogue.Parse(fsys.OS{}, "tandem.yaml", synth.Catalogue(40))
	if err != nil {
		t.Fatal(err)
	}
	shop, shopFiles := rendertest.Render(t, "../../examples/shop/tandem.yaml", nil)
	synthFiles, err := render.Render(render.Input{Catalogue: synthetic, ProjectDir: ".."})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		c     *catalogue.Catalogue
		files manifest.Files
	}{{shop, shopFiles}, {synthetic, synthFiles}} {
		for _, env := range tc.c.DeployEnvironments() {
			plan, reason, err := planSplit(tc.files, env)
			if err != nil {
				t.Fatal(err)
			}
			if plan == nil {
				t.Fatalf("%s: not split: %s", env, reason)
			}
			built, err := buildWhole(tc.files, env)
			if err != nil {
				t.Fatal(err)
			}
			want, err := resourceNames(built)
			if err != nil {
				t.Fatal(err)
			}
			renamed := renames(tc.files, env)
			if env == "prod" && len(renamed) == 0 && tc.c == shop {
				t.Errorf("%s: the shop's migrate Job is not renamed to its version", env)
			}
			if diff := cmp.Diff(withRenames(want, renamed), withRenames(plan.resourceNames(), renamed)); diff != "" {
				t.Errorf("%s %s (-build +files):\n%s", tc.c.Name, env, diff)
			}
		}
	}
}

// TestResourceYAMLMatchesKustomize: each resource a build prints, it
// prints as kustomize's own AsYAML does, mostly without kustomize's JSON
// round trip; values that round trip turns into other types (floats,
// octal and hexadecimal integers) are left to it.
func TestResourceYAMLMatchesKustomize(t *testing.T) {
	t.Parallel()
	tricky := manifest.Files{
		"overlays/prod/kustomization.yaml": []byte("resources: [tricky.yaml]\n"),
		"overlays/prod/tricky.yaml": []byte(`apiVersion: v1
kind: ConfigMap
metadata:
  name: tricky
  labels: &labels {app: tricky}
  annotations:
    <<: *labels
    when: 2001-12-14t21:59:43.10-05:00
data:
  quoted: "123"
  word: yes
  date: "2001-12-14"
  empty: ""
  multi: |
    two
    lines
---
apiVersion: v1
kind: ConfigMap
metadata: {name: plain, annotations: {port: "8080", on: "true", none: ~, n: 8080, b: false, big: 9223372036854775807}}
data:
  quoted: "123"
  word: yes
  empty: ""
  unicode: "é 日本 \u2028"
  multi: |
    two
    lines
  spaces: "  leading and trailing  "
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: numbers, creationTimestamp: null}
spec:
  replicas: 007
  template:
    spec:
      terminationGracePeriodSeconds: 0x1F
      containers: [{name: app, image: "app:1.0", resources: {limits: {cpu: 1.5}}, args: [True, ~, -0, 1e3]}]
`),
	}
	_, shop := rendertest.Render(t, "../../examples/shop/tandem.yaml", nil)
	_, production := rendertest.Render(t, "../testdata/production.tandem.yaml", nil)
	fast, total := 0, 0
	for name, files := range map[string]manifest.Files{"tricky": tricky, "shop": shop, "production": production} {
		resources, err := buildUnitResources(files, "prod")
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range resources {
			want, err := r.AsYAML()
			if err != nil {
				t.Fatal(err)
			}
			got, err := resourceYAML(r)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s %s (-AsYAML +resourceYAML):\n%s", name, r.CurId(), diff)
			}
			_, ok, _ := manifest.YAMLFromNode(r.YNode())
			if ok {
				fast++
			}
			// kustomize resolves anchors and merge keys itself; floats
			// and integers in other bases are the JSON round trip's.
			if want := map[string]bool{"plain": true, "numbers": false}; name == "tricky" && r.GetName() != "tricky" && ok != want[r.GetName()] {
				t.Errorf("%s: printed without the JSON round trip: %v, want %v", r.CurId(), ok, !ok)
			}
			total++
		}
	}
	if total < 50 || fast < total*9/10 {
		t.Errorf("printed %d of %d resources without the JSON round trip; want nine in ten of at least 50", fast, total)
	}
}

// TestGeneratedTargetsMatchParsing: what generatedTargets reads off the
// lines of every file tandem renders is what parsing it gives, and it
// reads nearly all of them.
func TestGeneratedTargetsMatchParsing(t *testing.T) {
	t.Parallel()
	_, shop := rendertest.Render(t, "../../examples/shop/tandem.yaml", nil)
	_, production := rendertest.Render(t, "../testdata/production.tandem.yaml", nil)
	c, err := catalogue.Parse(fsys.OS{}, "tandem.yaml", synth.Catalogue(30))
	if err != nil {
		t.Fatal(err)
	}
	synthetic, err := render.Render(render.Input{Catalogue: c, ProjectDir: "..", Platform: synth.PlatformPatches(30)})
	if err != nil {
		t.Fatal(err)
	}
	read, total := 0, 0
	for _, files := range []manifest.Files{shop, production, synthetic} {
		for _, p := range files.Paths() {
			if ext := path.Ext(p); ext != ".yaml" && ext != ".yml" || path.Base(p) == manifest.Kustomization {
				continue
			}
			total++
			want, err := yamldoc.Targets(files[p])
			if err != nil {
				t.Fatal(err)
			}
			got, ok := generatedTargets(files[p])
			if !ok {
				continue
			}
			read++
			for i := range want {
				want[i].Line = 0
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("%s (-parsed +read):\n%s", p, diff)
			}
		}
	}
	if total < 100 || read < total*9/10 {
		t.Errorf("read %d of %d files without parsing; want nine in ten of at least 100", read, total)
	}
	for _, file := range []string{
		"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",                                     // no header: someone else's
		manifest.Header + "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n",                    // flow style
		manifest.Header + "kind: ConfigMap\nmetadata:\n  name: \"true\"\n",                            // quoted
		manifest.Header + "kind: ConfigMap\nmetadata:\n  labels:\n    a: b\nspec:\n  name: x\n",       // no metadata.name
		manifest.Header + "kind: ConfigMap\nmetadata:\n  name: x\n---\nkind: Service\nmetadata: {}\n", // second without name
	} {
		if got, ok := generatedTargets([]byte(file)); ok {
			t.Errorf("generatedTargets(%q) = %v, want it left to the parser", file, got)
		}
	}
}

// TestSplitBuildPanicIsAnError: a panic in a unit's build, on a worker,
// is the build's error instead of the end of the process.
func TestSplitBuildPanicIsAnError(t *testing.T) {
	t.Parallel()
	plan := &splitPlan{env: "x", units: []*unit{nil}}
	_, err := plan.build()
	var panicked *safe.PanicError
	if !errors.As(err, &panicked) {
		t.Fatalf("build: %v, want the panic as an error", err)
	}
}
