package importer

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	composecli "github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/compose"
	"github.com/tandemdev/tandem/internal/golden"
)

// load reads a fixture's Compose file as tandem import does.
func load(t *testing.T, dir string) *types.Project {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	options, err := composecli.NewProjectOptions([]string{filepath.Join(abs, "docker-compose.yml")},
		composecli.WithWorkingDirectory(abs), composecli.WithEnvFiles(), composecli.WithDotEnv,
		composecli.WithProfiles([]string{"*"}), composecli.WithName(filepath.Base(abs)))
	if err != nil {
		t.Fatal(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return project
}

// TestImport imports each realistic Compose file, compares the catalogue
// and the report with their golden files, and checks the round trip: the
// catalogue loads, and the Compose file tandem renders from it has the
// original's services, ports, variables and dependencies.
func TestImport(t *testing.T) {
	t.Parallel()
	fixtures, _ := filepath.Glob("testdata/*/docker-compose.yml")
	if len(fixtures) < 5 {
		t.Fatalf("want at least five fixtures, have %d", len(fixtures))
	}
	for _, file := range fixtures {
		dir := filepath.Dir(file)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			original := load(t, dir)
			abs, _ := filepath.Abs(dir)
			result, err := Import(original, Options{CatalogueDir: abs})
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join(dir, "tandem.yaml.golden"), result.Catalogue)
			golden.Check(t, filepath.Join(dir, "report.golden"), []byte(strings.Join(result.Report, "\n")+"\n"))
			c, err := catalogue.Parse(filepath.Join(abs, "tandem.yaml"), result.Catalogue)
			if err != nil {
				t.Fatalf("the imported catalogue does not load:\n%v", err)
			}
			noSecretValues(t, c, result)
			rendered, err := compose.Render(c, compose.Options{ProjectDir: "."})
			if err != nil {
				t.Fatal(err)
			}
			roundTrip(t, original, rendered, result)
		})
	}
}

// noSecretValues: no variable of the catalogue, nor anything kept under
// x-unmapped, holds a secret's value.
func noSecretValues(t *testing.T, c *catalogue.Catalogue, result *Result) {
	t.Helper()
	var values []string
	for _, group := range c.Config {
		values = append(values, slices.Collect(maps.Values(group))...)
	}
	for _, s := range c.Services {
		values = append(values, slices.Collect(maps.Values(s.Env))...)
	}
	var raw map[string]any
	if err := yaml.Unmarshal(result.Catalogue, &raw); err != nil {
		t.Fatal(err)
	}
	var walk func(any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			for _, e := range v {
				walk(e)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		case string:
			values = append(values, v)
		}
	}
	walk(raw["x-unmapped"])
	for name, secret := range result.Secrets {
		for _, v := range values {
			if strings.Contains(v, secret) {
				t.Errorf("the catalogue holds the value of secret %s in %q", name, v)
			}
		}
	}
}

// roundTrip compares, with compose-go, the original project and the one
// tandem renders from the import.
func roundTrip(t *testing.T, original *types.Project, rendered []byte, result *Result) {
	t.Helper()
	back, err := compose.LoadStrict(original.Name, rendered)
	if err != nil {
		t.Fatalf("the rendered Compose file does not load: %v", err)
	}
	for _, name := range original.ServiceNames() {
		was := original.Services[name]
		now, ok := back.Services[name]
		if !ok {
			t.Errorf("service %s is gone", name)
			continue
		}
		if _, isResource := resourceKind(was.Image); isResource {
			continue // tandem runs it its own way; the report says how
		}
		if got, want := published(now), published(was); !slices.Equal(got, want) {
			t.Errorf("%s: published ports %v, want %v", name, got, want)
		}
		if got, want := sortedKeys(now.DependsOn), sortedKeys(was.DependsOn); !slices.Equal(got, want) {
			t.Errorf("%s: depends_on %v, want %v", name, got, want)
		}
		for key, value := range was.Environment {
			if value == nil {
				continue
			}
			got := now.Environment[key]
			switch {
			case got == nil:
				t.Errorf("%s: %s is gone", name, key)
			case strings.HasPrefix(*got, "${"+key+":?"):
				if result.Secrets[key] != *value {
					t.Errorf("%s: secret %s has dev value %q, want %q", name, key, result.Secrets[key], *value)
				}
			case strings.ReplaceAll(*got, "$$", "$") != *value:
				t.Errorf("%s: %s=%q, want %q", name, key, *got, *value)
			}
		}
	}
}

func published(s types.ServiceConfig) []string {
	var out []string
	for _, p := range s.Ports {
		if p.Published != "" {
			out = append(out, fmt.Sprintf("%s:%d", p.Published, p.Target))
		}
	}
	slices.Sort(out)
	return out
}
