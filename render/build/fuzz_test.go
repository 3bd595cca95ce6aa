package build

import (
	"os"
	"path/filepath"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/compose"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/render"
)

// FuzzRender: every catalogue that loads must render (the Compose file
// loads with compose-go), and every environment must build with the
// kustomize API, without error or panic.
func FuzzRender(f *testing.F) {
	for _, glob := range []string{"../testdata/*.tandem.yaml", "../../compose/testdata/*.tandem.yaml", "../../catalogue/testdata/valid-*.yaml", "../../examples/*/tandem.yaml"} {
		paths, _ := filepath.Glob(glob)
		for _, p := range paths {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
	f.Fuzz(renderAndBuild)
}

// renderAndBuild renders a catalogue that loads and builds every
// environment; either failing is a bug.
func renderAndBuild(t *testing.T, data []byte) {
	c, err := catalogue.Parse(fsys.OS{}, "tandem.yaml", data)
	if err != nil {
		return
	}
	files, err := render.Render(render.Input{Catalogue: c, ProjectDir: ".."})
	if err != nil {
		t.Fatalf("a valid catalogue does not render: %v\n%s", err, data)
	}
	if _, err := compose.LoadStrict(c.Name, files[manifest.ComposeFile]); err != nil {
		t.Fatalf("compose-go's loader rejects the rendered Compose file: %v\n%s", err, data)
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
}

// FuzzRenderValues builds valid-looking catalogues around fuzzed names and
// values, where byte-level mutation of YAML rarely reaches: env values
// with $, quotes or newlines, odd names, ports, images and environments.
func FuzzRenderValues(f *testing.F) {
	f.Add("web", "LOG_LEVEL", "info", 8080, "web:1.0", "prod", "storefront", "obs", "1.0")
	f.Add("a", "X", "costs $5 ${HOME} $(pwd)", 1, "localhost:5000/a/b@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "qa", "d", "g", "v1")
	f.Add("b-2", "_", "line one\nline two: 'quoted' \"double\"", 65535, "b:latest", "staging", "x-y", "config-group", "rc.1")
	f.Fuzz(func(t *testing.T, name, key, value string, port int, image, env, domain, group, tag string) {
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
			return
		}
		renderAndBuild(t, data)
	})
}
