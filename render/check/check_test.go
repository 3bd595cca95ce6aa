package check

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/render"
	"github.com/tandemdev/tandem/render/internal/rendertest"
)

func TestCheckFindings(t *testing.T) {
	t.Parallel()
	c, files := rendertest.Render(t, "../testdata/minimal.tandem.yaml", nil)
	if got, _ := Run(c, files, nil, files, "deploy"); len(got) != 0 {
		t.Fatalf("fresh tree has findings: %+v", got)
	}
	onDisk := files.Merge(manifest.Files{"base/services/gone/deployment.yaml": manifest.WithHeader([]byte("x\n"))})
	delete(onDisk, "compose.yaml")
	onDisk["overlays/prod/services/worker/deployment-patch.yaml"] = []byte(strings.Replace(string(onDisk["overlays/prod/services/worker/deployment-patch.yaml"]), "replicas: 2", "replicas: 1", 1))
	var got []string
	findings, _ := Run(c, files, nil, onDisk, "deploy")
	for _, f := range findings {
		got = append(got, f.Check+" "+f.File+": "+f.Message)
		if !strings.Contains(f.Diff, "--- a/"+f.File) {
			t.Errorf("%s: diff does not name the file:\n%s", f.File, f.Diff)
		}
	}
	want := []string{
		"drift deploy/base/services/gone/deployment.yaml: no longer rendered; run tandem render to remove it",
		"drift deploy/compose.yaml: missing (or lost its generated header); run tandem render",
		"drift deploy/overlays/prod/services/worker/deployment-patch.yaml: differs from what tandem render writes; run tandem render",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestCheckReportsConfigKeysAnEnvironmentAdds(t *testing.T) {
	t.Parallel()
	c, err := catalogue.Parse(fsys.OS{}, "tandem.yaml", []byte(`name: shop
environments: {prod: {config: {obs: {LOG_LEVL: warn}}}}
config: {obs: {LOG_LEVEL: info}}
services: {web: {image: web:1.0, config: [obs]}}
`))
	if err != nil {
		t.Fatal(err)
	}
	files, err := render.Render(render.Input{Catalogue: c, ProjectDir: ".."})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := Run(c, files, nil, files, "deploy")
	if len(got) != 1 || got[0].Message != "environments.prod.config.obs.LOG_LEVL: config group obs has no key LOG_LEVL (did you mean LOG_LEVEL?), so prod adds a variable instead of changing one" {
		t.Errorf("findings: %+v", got)
	}
}

// TestCheckValidatesWhatPlatformPatchesMake: a platform patch that builds
// but makes an object the API would reject is a finding of check.
func TestCheckValidatesWhatPlatformPatchesMake(t *testing.T) {
	t.Parallel()
	platform := manifest.Files{"overlays/prod/patches/typo.yaml": []byte(
		"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: worker\nspec:\n  template:\n    spec:\n      nodeSelecter:\n        pool: batch\n")}
	c, files := rendertest.Render(t, "../testdata/minimal.tandem.yaml", platform)
	var got []string
	findings, _ := Run(c, files, platform, files, "deploy")
	for _, f := range findings {
		got = append(got, f.Check+": "+f.Message)
	}
	want := []string{`invalid: prod: Deployment worker does not decode strictly as apps/v1 Deployment: error unmarshaling JSON: while decoding JSON: json: unknown field "nodeSelecter"`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}
