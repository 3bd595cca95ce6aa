package render_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/render"
	"github.com/tandemdev/tandem/render/build"
	"github.com/tandemdev/tandem/render/internal/rendertest"
)

func TestComponentsAreListedInEveryOverlay(t *testing.T) {
	t.Parallel()
	platform := manifest.Files{
		"components/pools/kustomization.yaml": []byte("apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n- target: {kind: Deployment}\n  patch: |-\n    - op: add\n      path: /spec/template/spec/priorityClassName\n      value: shop\n"),
		"components/README.md":                []byte("platform notes, not a component\n"),
	}
	c, files := rendertest.Render(t, "testdata/minimal.tandem.yaml", platform)
	if !strings.Contains(string(files["overlays/prod/kustomization.yaml"]), "components:\n- ../../components/pools\n") {
		t.Errorf("overlay does not include the component:\n%s", files["overlays/prod/kustomization.yaml"])
	}
	built, err := build.Overlay(c, files.Merge(platform), "prod")
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
	files, err := render.Render(render.Input{Catalogue: c, ProjectDir: "..", RepoPath: "deploy"})
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
