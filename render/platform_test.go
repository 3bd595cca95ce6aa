package render_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/render"
	"github.com/tandemdev/tandem/render/build"
	"github.com/tandemdev/tandem/render/internal/rendertest"
	"github.com/tandemdev/tandem/render/stale"
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

// TestPlatformPatchesFindVersionedJobs: a Job's name ends in its
// version, which changes with every image; the platform's patches name
// it as written, before the version, and still apply.
func TestPlatformPatchesFindVersionedJobs(t *testing.T) {
	t.Parallel()
	patch := func(name string) string {
		return "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: " + name + "\nspec:\n  template:\n    spec:\n      nodeSelector: {pool: batch}\n"
	}
	patches := manifest.Files{"overlays/prod/patches/jobs.yaml": []byte(patch("api-migrate") + "---\n" + patch("warmer"))}
	// A component makes the overlay build in one piece, which reads the
	// names from the build rather than from the files.
	component := manifest.Files{"components/pools/kustomization.yaml": []byte("apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonAnnotations: {team: platform}\n")}
	for _, tc := range []struct {
		name     string
		platform manifest.Files
		how      string
	}{
		{"split", patches, "units, each built alone"},
		{"whole", patches.Merge(component), "one kustomize build"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, files := rendertest.Render(t, "testdata/perenv.tandem.yaml", tc.platform)
			stalePatches, err := stale.Patches(c, files.Merge(tc.platform), "prod")
			if err != nil || len(stalePatches) > 0 {
				t.Fatalf("stale patches: %v %v", stalePatches, err)
			}
			built, how, err := build.OverlayExplained(c, files.Merge(tc.platform), "prod")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(how, tc.how) {
				t.Fatalf("built as %q, want %q", how, tc.how)
			}
			for _, name := range []string{"api-migrate", "warmer"} {
				// Each document on its own, so that one Job's patch cannot
				// stand in for another's.
				versioned := regexp.MustCompile(`(?m)^kind: Job\n(?s:.*)^  name: ` + name + `-[0-9a-f]{8}\n`)
				var job string
				for _, doc := range strings.Split(string(built), "\n---\n") {
					if versioned.MatchString(doc) {
						job = doc
					}
				}
				if job == "" {
					t.Errorf("no Job %s-HASH in the build", name)
					continue
				}
				if !strings.Contains(job, "nodeSelector:\n        pool: batch") {
					t.Errorf("the platform's patch did not reach %s:\n%s", name, job)
				}
			}
		})
	}
}
