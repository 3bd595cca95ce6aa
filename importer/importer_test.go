package importer

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	composecli "github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/compose"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/internal/golden"
)

// load reads a fixture's Compose file as tandem import does; the project
// is named after the fixture's folder where the file names none.
func load(t *testing.T, dir string) *types.Project {
	t.Helper()
	project, err := loadFile(dir, "docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	return project
}

func loadFile(dir, file string) (*types.Project, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	options, err := composecli.NewProjectOptions([]string{filepath.Join(abs, file)},
		composecli.WithWorkingDirectory(abs), composecli.WithEnvFiles(), composecli.WithDotEnv,
		composecli.WithProfiles([]string{"*"}))
	if err != nil {
		return nil, err
	}
	return options.LoadProject(context.Background())
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
			c, err := catalogue.Parse(fsys.OS{}, filepath.Join(abs, "tandem.yaml"), result.Catalogue)
			if err != nil {
				t.Fatalf("the imported catalogue does not load:\n%v", err)
			}
			noSecretValues(t, result)
			rendered, err := compose.Render(c, compose.Options{ProjectDir: "."})
			if err != nil {
				t.Fatal(err)
			}
			roundTrip(t, original, rendered, result, abs)
		})
	}
}

// noSecretValues: no value anywhere in the catalogue holds a secret's
// value, but for the fields whose values are names or paths (a password
// may be "postgres" and the kind postgres, or grafana and the path
// /etc/grafana), and users' and databases' names that equal one.
func noSecretValues(t *testing.T, result *Result) {
	t.Helper()
	var raw map[string]any
	if err := yaml.Unmarshal(result.Catalogue, &raw); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{"kind": true, "version": true, "user": true, "database": true, "name": true, "image": true, "build": true, "owner": true, "uses": true, "registry": true}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, e := range v {
				walk(k, e)
			}
		case []any:
			for _, e := range v {
				walk(key, e)
			}
		case string:
			for name, secret := range result.Secrets {
				// A user's or database's name that equals a secret
				// (MYSQL_USER: wordpress, with the password wordpress) is
				// a name, which import must leave as it is.
				if v == secret && namesAUserOrDatabase(key) {
					continue
				}
				if len(secret) >= 6 && !names[key] && !nameFields[key] && !pathFields[key] && strings.Contains(v, secret) {
					t.Errorf("the catalogue holds the value of secret %s at %s: %q", name, key, v)
				}
			}
		}
	}
	walk("", raw)
}

// roundTrip compares, with compose-go, the original project and the one
// tandem renders from the import (see losses): every difference must be
// one the import's report lists.
func roundTrip(t *testing.T, original *types.Project, rendered []byte, result *Result, dir string) {
	t.Helper()
	back, err := compose.LoadStrict(original.Name, rendered)
	if err != nil {
		t.Fatalf("the rendered Compose file does not load: %v", err)
	}
	for _, l := range losses(original, back, dir, result.Secrets) {
		if !reported(l, result.Report) {
			t.Errorf("%s %s %s: %s, and the report does not say so", l.service, l.field, l.item, l.detail)
		}
	}
}

// pathFields hold paths: a volume's, and Compose's short mount syntax
// kept under x-unmapped.
var pathFields = map[string]bool{"path": true, "source": true, "config": true, "volumes": true, "build": true}
