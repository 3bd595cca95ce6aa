package importer_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/project"
)

// TestRealWorldImportsBuildForClusters takes each real-world Compose file
// the way a team meeting tandem would: import, render, check. The check
// must find nothing, with staging and prod both building into valid
// objects, and in staging every service and resource a service reaches
// by name must have its Service.
func TestRealWorldImportsBuildForClusters(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("testdata/realworld/*/compose.yaml")
	if len(files) < 30 {
		t.Fatalf("want at least 30 real-world Compose files, have %d", len(files))
	}
	for _, file := range files {
		name := filepath.Base(filepath.Dir(file))
		if name == "nginx-proxy-separate-containers" {
			continue // compose-go refuses it (see notCompose)
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), name)
			if err := os.CopyFS(dir, os.DirFS(filepath.Dir(file))); err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			catalogueFile := filepath.Join(dir, "tandem.yaml")
			if _, err := project.Import(ctx, fsys.OS{}, project.ImportOptions{ComposeFile: filepath.Join(dir, "compose.yaml"), Out: catalogueFile}); err != nil {
				t.Fatal(err)
			}
			p, err := project.Open(fsys.OS{}, project.Options{File: catalogueFile, Out: filepath.Join(dir, "deploy")})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := p.Render(); err != nil {
				t.Fatal(err)
			}
			report, err := p.Check(ctx, project.CheckOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range report.Findings {
				t.Errorf("check: %s %s:%d: %s", f.Check, f.File, f.Line, f.Message)
			}
			if want := []string{"prod", "staging"}; !slices.Equal(p.Catalogue.DeployEnvironments(), want) {
				t.Errorf("cluster environments %v, want %v", p.Catalogue.DeployEnvironments(), want)
			}
			services := kubernetesServices(t, p, "staging")
			for _, sname := range p.Catalogue.ServiceNames() {
				for _, used := range p.Catalogue.Services[sname].UsedNames() {
					if u := p.Catalogue.Services[used]; (u == nil || len(u.Ports) > 0) && !services[used] {
						t.Errorf("staging has no Service %s, which %s reaches by name", used, sname)
					}
				}
			}
		})
	}
}

// kubernetesServices lists the Services env's build holds.
func kubernetesServices(t *testing.T, p *project.Project, env string) map[string]bool {
	t.Helper()
	built, _, err := p.Build(env)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	decoder := yaml.NewDecoder(bytes.NewReader(built))
	for {
		var object struct {
			Kind     string `yaml:"kind"`
			Metadata struct {
				Name string `yaml:"name"`
			} `yaml:"metadata"`
		}
		if err := decoder.Decode(&object); errors.Is(err, io.EOF) {
			return out
		} else if err != nil {
			t.Fatal(err)
		}
		if object.Kind == "Service" {
			out[object.Metadata.Name] = true
		}
	}
}
