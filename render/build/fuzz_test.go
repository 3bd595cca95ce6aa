package build

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/compose"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/render"
)

// The fuzz targets check what is cheap to check, so that they fuzz
// (issue 19): an input that loads costs two renders and a Compose load
// (about 18 ms), not a render and two kustomize builds per environment
// (about 90 ms). Go's minimizer tries thousands of candidates of every
// new input, for up to a minute, and many of them load: make fuzz bounds
// it (FUZZMINIMIZETIME). What a build proves, that every environment
// builds and the split build equals one whole build, is TestCorpusBuilds'
// job, over the seeds and the committed corpus.

// fuzzCatalogue is the file a fuzzed catalogue is read as: beside render's
// fixtures, whose config volumes it finds there.
const fuzzCatalogue = "../testdata/tandem.yaml"

// seedGlobs are the catalogues FuzzRender starts from.
var seedGlobs = []string{"../testdata/*.tandem.yaml", "../../compose/testdata/*.tandem.yaml", "../../catalogue/testdata/valid-*.yaml", "../../examples/*/tandem.yaml"}

func seeds(t testing.TB) [][]byte {
	t.Helper()
	var out [][]byte
	for _, glob := range seedGlobs {
		paths, _ := filepath.Glob(glob)
		for _, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, data)
		}
	}
	return out
}

// FuzzRender: every catalogue that loads renders, the same bytes twice,
// into YAML files that parse and a Compose file that compose-go loads.
func FuzzRender(f *testing.F) {
	for _, data := range seeds(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) { renderChecked(t, data) })
}

// renderChecked renders a catalogue that loads and checks the cheap
// properties of the result; it returns the catalogue and its files, nil
// for one that does not load.
func renderChecked(t *testing.T, data []byte) (*catalogue.Catalogue, manifest.Files) {
	t.Helper()
	c, err := catalogue.Parse(fsys.OS{}, fuzzCatalogue, data)
	if err != nil {
		return nil, nil
	}
	in := render.Input{Catalogue: c, ProjectDir: ".."}
	files, err := render.Render(in)
	if err != nil {
		t.Fatalf("a valid catalogue does not render: %v\n%s", err, data)
	}
	again, err := render.Render(in)
	if err != nil {
		t.Fatalf("a second render fails: %v\n%s", err, data)
	}
	for _, p := range files.Paths() {
		if !bytes.Equal(files[p], again[p]) {
			t.Fatalf("two renders differ in %s\n%s", p, data)
		}
		if strings.HasSuffix(p, ".yaml") {
			var doc any
			for dec := yaml.NewDecoder(bytes.NewReader(files[p])); ; {
				if err := dec.Decode(&doc); err != nil {
					if !errors.Is(err, io.EOF) {
						t.Fatalf("%s is not YAML: %v\n%s", p, err, data)
					}
					break
				}
			}
		}
	}
	if len(files) != len(again) {
		t.Fatalf("two renders give %d and %d files\n%s", len(files), len(again), data)
	}
	if _, err := compose.LoadStrict(c.Name, files[manifest.ComposeFile]); err != nil {
		t.Fatalf("compose-go's loader rejects the rendered Compose file: %v\n%s", err, data)
	}
	return c, files
}

// buildChecked builds every environment of a catalogue that renders, unit
// by unit and whole: either failing, or the two differing, is a bug. It
// tells whether the catalogue loaded.
func buildChecked(t *testing.T, data []byte) bool {
	t.Helper()
	c, files := renderChecked(t, data)
	if c == nil {
		return false
	}
	for _, env := range c.DeployEnvironments() {
		got, err := Overlay(c, files, env)
		if err != nil {
			t.Fatalf("a valid catalogue does not build %s: %v\n%s", env, err, data)
		}
		if want, err := buildWhole(files, env); err != nil || string(got) != string(want) {
			t.Fatalf("the split build of %s differs from one build (%v)\n%s", env, err, data)
		}
	}
	return true
}

// TestCorpusBuilds builds, unit by unit and whole, every catalogue the
// fuzz targets start from and every input of their committed corpus.
func TestCorpusBuilds(t *testing.T) {
	t.Parallel()
	inputs := seeds(t)
	for _, data := range renderValuesSeeds {
		inputs = append(inputs, valuesCatalogue(data.name, data.key, data.value, data.port, data.image, data.env, data.domain, data.group, data.tag))
	}
	inputs = append(inputs, corpus(t, "testdata/fuzz/FuzzRender")...)
	if len(inputs) < 15 {
		t.Fatalf("%d inputs; the seeds are missing", len(inputs))
	}
	loaded := 0
	for _, data := range inputs {
		if buildChecked(t, data) {
			loaded++
		}
	}
	if loaded < 12 {
		t.Errorf("%d of %d inputs load; the seeds no longer reach the build", loaded, len(inputs))
	}
}

// corpus reads the []byte inputs of a fuzz target's committed corpus.
func corpus(t *testing.T, dir string) [][]byte {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(dir, "*"))
	var out [][]byte
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(data)), "\n")
		if len(lines) != 2 || lines[0] != "go test fuzz v1" {
			t.Fatalf("%s is not a corpus file of one value", p)
		}
		quoted, ok := strings.CutPrefix(lines[1], "[]byte(")
		value, err := strconv.Unquote(strings.TrimSuffix(quoted, ")"))
		if !ok || err != nil {
			t.Fatalf("%s: not a []byte: %v", p, err)
		}
		out = append(out, []byte(value))
	}
	return out
}

var renderValuesSeeds = []struct {
	name, key, value               string
	port                           int
	image, env, domain, group, tag string
}{
	{"web", "LOG_LEVEL", "info", 8080, "web:1.0", "prod", "storefront", "obs", "1.0"},
	{"a", "X", "costs $5 ${HOME} $(pwd)", 1, "localhost:5000/a/b@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "qa", "d", "g", "v1"},
	{"b-2", "_", "line one\nline two: 'quoted' \"double\"", 65535, "b:latest", "staging", "x-y", "config-group", "rc.1"},
}

// FuzzRenderValues builds valid-looking catalogues around fuzzed names and
// values, where byte-level mutation of YAML rarely reaches: env values
// with $, quotes or newlines, odd names, ports, images and environments.
func FuzzRenderValues(f *testing.F) {
	for _, s := range renderValuesSeeds {
		f.Add(s.name, s.key, s.value, s.port, s.image, s.env, s.domain, s.group, s.tag)
	}
	f.Fuzz(func(t *testing.T, name, key, value string, port int, image, env, domain, group, tag string) {
		if data := valuesCatalogue(name, key, value, port, image, env, domain, group, tag); data != nil {
			renderChecked(t, data)
		}
	})
}

// valuesCatalogue is FuzzRenderValues' catalogue, nil if it cannot be
// written as YAML.
func valuesCatalogue(name, key, value string, port int, image, env, domain, group, tag string) []byte {
	doc := map[string]any{
		"name":         "fuzz",
		"environments": map[string]any{env: map[string]any{"image": map[string]any{"tag": tag}, "config": map[string]any{group: map[string]any{key: value}}}},
		"config":       map[string]any{group: map[string]any{key: value}},
		"resources":    map[string]any{"db": map[string]any{"kind": "postgres", "owner": name}},
		"services": map[string]any{
			name: map[string]any{
				"build": "./" + name, "domain": domain, "config": []string{group},
				"ports":  []any{map[string]any{"name": "http", "port": port, "public": true}},
				"env":    map[string]any{key + "_2": value},
				"uses":   []string{"db", "other"},
				"health": map[string]any{"http": "/" + key},
			},
			"other": map[string]any{"image": image, "args": []string{value}, "overrides": map[string]any{env: map[string]any{"env": map[string]any{key: value}}}},
		},
	}
	data, err := yaml.Marshal(doc)
	if err != nil {
		return nil
	}
	return data
}
