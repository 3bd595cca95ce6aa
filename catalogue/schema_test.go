package catalogue

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	yamlv3 "go.yaml.in/yaml/v3"
	"sigs.k8s.io/yaml"

	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/internal/golden"
)

// TestSchemaAndReferenceAreCurrent: the committed schema and field
// reference are what the Go types give.
func TestSchemaAndReferenceAreCurrent(t *testing.T) {
	t.Parallel()
	schema, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "../docs/tandem.schema.json", schema)
	golden.Check(t, "../docs/catalogue.md", Reference())
}

// TestSchemaNeedsADescriptionForEveryField: a field added without a doc
// tag stops the schema, and so this test.
func TestSchemaNeedsADescriptionForEveryField(t *testing.T) {
	t.Parallel()
	type undocumented struct {
		Name  string `yaml:"name" doc:"Documented."`
		Extra int    `yaml:"extra"`
	}
	_, err := schemaOf(reflect.TypeOf(undocumented{}), "")
	if err == nil || !strings.Contains(err.Error(), "undocumented.Extra has no doc tag") {
		t.Errorf("got %v", err)
	}
}

func compiledSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	data, err := JSONSchema()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(SchemaID, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(SchemaID)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validateYAML(t *testing.T, s *jsonschema.Schema, data []byte) error {
	t.Helper()
	// The loader's reading, YAML 1.2 line breaks included, then to JSON.
	root, err := parseYAML(data)
	if err != nil {
		t.Fatal(err)
	}
	text, err := yamlv3.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(text)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		t.Fatal(err)
	}
	return s.Validate(doc)
}

// TestExamplesMatchTheSchema validates every catalogue that loads, the
// examples, the fixtures and the README's, against the schema, and shows
// that it rejects what the loader rejects for being unknown.
func TestExamplesMatchTheSchema(t *testing.T) {
	t.Parallel()
	s := compiledSchema(t)
	files, _ := filepath.Glob("../examples/*/tandem.yaml")
	fixtures, _ := filepath.Glob("../render/testdata/*.tandem.yaml")
	valid, _ := filepath.Glob("testdata/valid-*.yaml")
	included, _ := filepath.Glob("testdata/valid-include*/*.yaml")
	files = append(append(append(files, fixtures...), valid...), included...)
	if len(files) < 6 {
		t.Fatalf("only %d catalogues found", len(files))
	}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if err := validateYAML(t, s, data); err != nil {
			t.Errorf("%s does not match the schema: %v", file, err)
		}
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(readme), "```yaml\n")
	block, _, _ := strings.Cut(rest, "```")
	if err := validateYAML(t, s, []byte(block)); err != nil {
		t.Errorf("the README's catalogue does not match the schema: %v", err)
	}

	// Null means the default to the loader, so the schema takes it too.
	nulls := "name: shop\nenvironments: {dev: ~, prod: {replicas: ~}}\nservices:\n  web: {image: web:1.0, env: {EMPTY: ~}, health: ~}\n"
	if _, err := Parse(fsys.OS{}, "nulls.yaml", []byte(nulls)); err != nil {
		t.Fatalf("the loader rejects %q: %v", nulls, err)
	}
	if err := validateYAML(t, s, []byte(nulls)); err != nil {
		t.Errorf("the schema rejects nulls the loader accepts: %v", err)
	}
	for _, bad := range []string{
		"name: shop\nservices: {web: {image: web:1.0, prots: []}}\n",
		"name: shop\nresources: {db: {kind: postgress}}\nservices: {web: {image: web:1.0}}\n",
		"name: shop\nservices: {Web: {image: web:1.0}}\n",
		"name: shop\nservices: {web: {image: web:1.0, env: {1BAD: x}}}\n",
		// Out of the ranges the loader holds integers to.
		"name: shop\nservices: {web: {image: web:1.0, ports: [{name: http, port: 70000}]}}\n",
		"name: shop\nservices: {web: {image: web:1.0, ports: [{name: http, port: 80, public: true, hostPort: 0}]}}\n",
		"name: shop\nservices: {web: {image: web:1.0, replicas: -1}}\n",
		"name: shop\nservices: {web: {image: web:1.0, health: {tcp: true, timeoutSeconds: 3601}}}\n",
	} {
		if err := validateYAML(t, s, []byte(bad)); err == nil {
			t.Errorf("the schema accepts %q", bad)
		}
	}
	// The same at the ends of the ranges, which the schema takes.
	for _, edge := range []string{
		"name: shop\nservices: {web: {image: web:1.0, ports: [{name: http, port: 65535}]}}\n",
		"name: shop\nservices: {web: {image: web:1.0, ports: [{name: http, port: 80, public: true, hostPort: 1}]}}\n",
		"name: shop\nservices: {web: {image: web:1.0, replicas: 0}}\n",
		"name: shop\nservices: {web: {image: web:1.0, health: {tcp: true, timeoutSeconds: 3600}}}\n",
	} {
		if err := validateYAML(t, s, []byte(edge)); err != nil {
			t.Errorf("the schema rejects %q: %v", edge, err)
		}
	}
}
