package importer_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/project"
)

// TestRealWorldImportsBuildForClusters takes each real-world Compose file
// the way a team meeting tandem would: import, render, check. The check
// must find nothing, with staging and prod both building into valid
// objects, and in staging every service and resource a service reaches
// by name must have its Service, every service but a profile's tool its
// workload, and every one that listens its Service.
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
			objects := kubernetesObjects(t, p, "staging")
			services := objects["Service"]
			for _, sname := range p.Catalogue.ServiceNames() {
				for _, used := range p.Catalogue.Services[sname].UsedNames() {
					if u := p.Catalogue.Services[used]; (u == nil || len(u.Ports) > 0) && !services[used] {
						t.Errorf("staging has no Service %s, which %s reaches by name", used, sname)
					}
				}
			}
			// Every original service runs in staging (a profile's tools
			// aside, which are dev's), and one that listens has its
			// Service.
			for _, sname := range p.Catalogue.ServiceNames() {
				s := p.Catalogue.Services[sname]
				switch {
				case !s.In("staging"):
					if !slices.Equal(s.Environments, []string{"dev"}) {
						t.Errorf("services.%s is in %v, not staging", sname, s.Environments)
					}
				case s.OneShot:
					if !hasPrefixed(objects["Job"], sname+"-") {
						t.Errorf("staging has no Job for the one-shot service %s", sname)
					}
				case !objects["Deployment"][sname]:
					t.Errorf("staging has no Deployment %s", sname)
				case len(s.Ports) > 0 && !services[sname]:
					t.Errorf("staging has no Service %s, which listens", sname)
				}
			}
			for _, rname := range p.Catalogue.ResourceNames() {
				if r := p.Catalogue.Resources[rname]; (r.RunsInCluster("staging") && !objects["StatefulSet"][rname]) || !services[rname] {
					t.Errorf("staging does not run resource %s, or it has no Service", rname)
				}
			}
		})
	}
}

// kubernetesObjects lists the names of the objects env's build holds, by
// kind.
func kubernetesObjects(t *testing.T, p *project.Project, env string) map[string]map[string]bool {
	t.Helper()
	built, _, err := p.Build(env)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]bool{}
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
		if out[object.Kind] == nil {
			out[object.Kind] = map[string]bool{}
		}
		out[object.Kind][object.Metadata.Name] = true
	}
}

func hasPrefixed(names map[string]bool, prefix string) bool {
	for name := range names {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}
