package render

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/manifest"
)

func TestStalePatchesNameFileLineAndTarget(t *testing.T) {
	t.Parallel()
	platform := manifest.Files{
		"overlays/prod/patches/ok.yaml": []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 5\n"),
		"overlays/prod/patches/two.yaml": []byte("# first document is fine\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n" +
			"---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  labels: {a: b}\n  name: wbe\n"),
		"overlays/prod/patches/ops.yaml": []byte("- op: replace\n  path: /spec/replicas\n  value: 3\n"),
	}
	c, files := renderFixture(t, "testdata/minimal.tandem.yaml", platform)
	stale, err := StalePatches(c, files.Merge(platform), "prod")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"overlays/prod/patches/ops.yaml:1: not a strategic merge patch (it needs kind and metadata.name), so it cannot say what it patches in prod",
		"overlays/prod/patches/two.yaml:11: patches Deployment wbe, which prod no longer has; was it renamed or removed from the catalogue? (deployments in prod: web, worker)",
	}
	var got []string
	for _, s := range stale {
		got = append(got, s.Error())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stale patches (-want +got):\n%s", diff)
	}

	_, err = Build(c, files.Merge(platform), "prod")
	if !errors.Is(err, ErrStalePatch) || !strings.Contains(err.Error(), want[1]) {
		t.Errorf("Build with a stale patch: %v", err)
	}
}

func TestComponentsAreListedInEveryOverlay(t *testing.T) {
	t.Parallel()
	platform := manifest.Files{
		"components/pools/kustomization.yaml": []byte("apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n- target: {kind: Deployment}\n  patch: |-\n    - op: add\n      path: /spec/template/spec/priorityClassName\n      value: shop\n"),
		"components/README.md":                []byte("platform notes, not a component\n"),
	}
	c, files := renderFixture(t, "testdata/minimal.tandem.yaml", platform)
	if !strings.Contains(string(files["overlays/prod/kustomization.yaml"]), "components:\n- ../../components/pools\n") {
		t.Errorf("overlay does not include the component:\n%s", files["overlays/prod/kustomization.yaml"])
	}
	built, err := Build(c, files.Merge(platform), "prod")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(string(built), "priorityClassName: shop") != 2 {
		t.Errorf("the component did not apply to both Deployments:\n%s", built)
	}
}

func TestCodeOwnersFragment(t *testing.T) {
	t.Parallel()
	c, err := catalogue.Parse(fsys.OS{}, "tandem.yaml", []byte("name: shop\nowners: {generated: ['@org/devs'], platform: ['@org/platform', ops@example.com]}\nservices: {web: {image: web:1.0}}\n"))
	if err != nil {
		t.Fatal(err)
	}
	files, err := Render(Input{Catalogue: c, ProjectDir: "..", RepoPath: "deploy"})
	if err != nil {
		t.Fatal(err)
	}
	want := manifest.Header + `# Who reviews the rendered tree; append this to CODEOWNERS.
# Generated: change tandem.yaml and run tandem render instead of editing.
/deploy/ @org/devs
# The platform team's patches and components.
/deploy/overlays/*/patches/ @org/platform ops@example.com
/deploy/components/ @org/platform ops@example.com
`
	if diff := cmp.Diff(want, string(files[manifest.CodeOwnersFile])); diff != "" {
		t.Errorf("CODEOWNERS fragment (-want +got):\n%s", diff)
	}
}
