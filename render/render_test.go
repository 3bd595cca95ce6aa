package render_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/compose"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/internal/golden"
	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/render/build"
	"github.com/tandemdev/tandem/render/internal/rendertest"
	"github.com/tandemdev/tandem/render/tree"
	"github.com/tandemdev/tandem/render/validate"
)

// TestGolden renders each fixture and builds each of its environments;
// every build must also pass validate.Manifests, and the Compose file
// compose-go's whole loader.
func TestGolden(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"addresses", "health", "minimal", "perenv", "podsettings", "production", "volumes"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			c, files := rendertest.Render(t, "testdata/"+name+".tandem.yaml", nil)
			golden.Check(t, "testdata/"+name+".golden", golden.Flatten(files))
			if _, err := compose.LoadStrict(c.Name, files[manifest.ComposeFile]); err != nil {
				t.Errorf("compose-go's loader rejects the Compose file: %v", err)
			}
			for _, env := range c.DeployEnvironments() {
				built, err := build.Overlay(c, files, env)
				if err != nil {
					t.Fatal(err)
				}
				golden.Check(t, "testdata/"+name+"."+env+".golden", built)
				for _, err := range validate.Manifests(built) {
					t.Errorf("%s: %v", env, err)
				}
			}
		})
	}
}

// TestExamples renders every example and compares it with the tree
// committed beside it, which is what users see in the repository.
func TestExamples(t *testing.T) {
	t.Parallel()
	catalogues, _ := filepath.Glob("../examples/*/tandem.yaml")
	if len(catalogues) == 0 {
		t.Fatal("no examples")
	}
	for _, file := range catalogues {
		dir := filepath.Join(filepath.Dir(file), "deploy")
		owner := tree.Owner{Catalogue: file, Adopt: true}
		t.Run(filepath.Base(filepath.Dir(file)), func(t *testing.T) {
			t.Parallel()
			c, err := catalogue.Load(fsys.OS{}, file)
			if err != nil {
				t.Fatal(err)
			}
			platform, err := tree.ReadPlatform(fsys.OS{}, dir, c.DeployEnvironments())
			if err != nil {
				t.Fatal(err)
			}
			_, files := rendertest.Render(t, file, platform)
			if _, err := compose.LoadStrict(c.Name, files[manifest.ComposeFile]); err != nil {
				t.Errorf("compose-go's loader rejects the example's Compose file: %v", err)
			}
			if golden.Updating() {
				if _, err := tree.Write(fsys.OS{}, dir, files, owner); err != nil {
					t.Fatal(err)
				}
				return
			}
			for _, p := range files.Paths() {
				golden.Check(t, filepath.Join(dir, p), files[p])
			}
			golden.Check(t, filepath.Join(dir, tree.RecordFile), tree.Record(fsys.OS{}, dir, owner, files))
			onDisk, err := tree.ReadGenerated(fsys.OS{}, dir, owner)
			if err != nil {
				t.Fatal(err)
			}
			for p := range onDisk {
				if _, ok := files[p]; !ok {
					t.Errorf("%s is on disk but no longer rendered; run with -update", p)
				}
			}
		})
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	t.Parallel()
	_, first := rendertest.Render(t, "../examples/shop/tandem.yaml", nil)
	for range 5 {
		_, again := rendertest.Render(t, "../examples/shop/tandem.yaml", nil)
		if !bytes.Equal(golden.Flatten(first), golden.Flatten(again)) {
			t.Fatal("two renders of the same catalogue differ")
		}
	}
}

func TestEveryGeneratedFileHasTheHeader(t *testing.T) {
	t.Parallel()
	_, files := rendertest.Render(t, "../examples/shop/tandem.yaml", nil)
	for _, p := range files.Paths() {
		if !manifest.Generated(files[p]) {
			t.Errorf("%s lacks the generated header", p)
		}
	}
}

// TestEveryServiceAppearsInBothOutputs guards against a renderer that
// silently drops an entry of the catalogue.
func TestEveryServiceAppearsInBothOutputs(t *testing.T) {
	t.Parallel()
	c, files := rendertest.Render(t, "../examples/shop/tandem.yaml", nil)
	composeFile := string(files[manifest.ComposeFile])
	for _, name := range append(c.ServiceNames(), c.ResourceNames()...) {
		if !strings.Contains(composeFile, "\n  "+name+":\n") {
			t.Errorf("compose.yaml has no service %s", name)
		}
	}
	for _, env := range c.DeployEnvironments() {
		built, err := build.Overlay(c, files, env)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range c.ServiceNames() {
			if !strings.Contains(string(built), "kind: Deployment\nmetadata:\n  labels:\n    app.kubernetes.io/managed-by: tandem\n    app.kubernetes.io/name: "+name+"\n") {
				t.Errorf("%s manifests have no Deployment %s", env, name)
			}
		}
		for _, name := range c.ResourceNames() {
			if !strings.Contains(string(built), "name: "+catalogue.ConnectionSecretName(name)+"\n") {
				t.Errorf("%s manifests never reference the connection Secret of %s", env, name)
			}
		}
	}
}

func TestBuildAppliesPlatformPatches(t *testing.T) {
	t.Parallel()
	patch := []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      nodeSelector:\n        pool: frontend\n")
	platform := manifest.Files{"overlays/prod/patches/web-pool.yaml": patch}
	c, files := rendertest.Render(t, "testdata/minimal.tandem.yaml", platform)
	if !strings.Contains(string(files["overlays/prod/kustomization.yaml"]), "- path: patches/web-pool.yaml\n") {
		t.Errorf("overlay does not list the platform patch:\n%s", files["overlays/prod/kustomization.yaml"])
	}
	if _, ok := files["overlays/prod/patches/web-pool.yaml"]; ok {
		t.Error("Render returned the platform's patch as a generated file")
	}
	built, err := build.Overlay(c, files.Merge(platform), "prod")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(built), "nodeSelector:\n        pool: frontend\n") {
		t.Errorf("built manifests lack the platform patch:\n%s", built)
	}
}

// TestPolicyOfUsersOfSomeClusters: a service whose only user is a
// staging load generator keeps the NetworkPolicy letting it in there; in
// prod the overlay deletes it, so the namespace's deny-all holds.
func TestPolicyOfUsersOfSomeClusters(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "tandem.yaml")
	text := `name: shop
environments: {staging: {}, prod: {}}
services:
  api: {image: "api:1.0", ports: [{name: http, port: 8080}]}
  loadgen: {image: "loadgen:1.0", environments: [dev, staging], uses: [api]}
`
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	c, files := rendertest.Render(t, file, nil)
	for env, want := range map[string]bool{"staging": true, "prod": false} {
		built, err := build.Overlay(c, files, env)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(string(built), "kind: NetworkPolicy\nmetadata:\n  labels:\n    app.kubernetes.io/managed-by: tandem\n    app.kubernetes.io/name: api\n"); got != want {
			t.Errorf("%s: api's NetworkPolicy present %v, want %v:\n%s", env, got, want, built)
		}
		if got := strings.Contains(string(built), "name: loadgen"); got != want {
			t.Errorf("%s: loadgen present %v, want %v", env, got, want)
		}
	}
}
