package project_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
	"go.yaml.in/yaml/v3"
)

// shopWithSources is the shop with its services' sources, which check
// reads for the address variables they use.
func shopWithSources(t *testing.T) *harness {
	t.Helper()
	h := shop(t)
	err := filepath.WalkDir("../examples/shop/services", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			if d != nil && d.Name() == "bin" {
				return fs.SkipDir // make images' binaries
			}
			return err
		}
		rel, _ := filepath.Rel("../examples/shop", p)
		h.copyFromDisk(p, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func usesFindings(t *testing.T, h *harness) []string {
	t.Helper()
	var out []string
	for _, f := range findingsOf(t, h) {
		if f.Check == "uses" {
			out = append(out, f.File+": "+f.Message)
		}
	}
	return out
}

// TestDeletingAnyEdgeIsAFinding is issue #18's criterion: deleting any
// one uses edge of the shop or of an example makes check report a finding
// that names both services, since in a cluster the default-deny
// NetworkPolicy would block what still works in dev. The shop's services
// are built from source, which check scans for the variables they read;
// the examples' run upstream's images, whose calls their catalogues list.
func TestDeletingAnyEdgeIsAFinding(t *testing.T) {
	t.Parallel()
	for _, example := range []struct {
		name string
		open func(t *testing.T) *harness
		// finding is how the finding names service and used.
		finding func(service, used string) string
	}{
		{"shop", shopWithSources, func(service, used string) string {
			return service + " reads .*, the address of " + used + ", .*add " + used + " to services." + service + ".uses"
		}},
		{"sockshop", example("sockshop"), callsFinding},
		{"teastore", example("teastore"), callsFinding},
	} {
		t.Run(example.name, func(t *testing.T) {
			t.Parallel()
			if got := usesFindings(t, example.open(t)); len(got) != 0 {
				t.Fatalf("as committed: %q", got)
			}
			text, err := os.ReadFile("../examples/" + example.name + "/tandem.yaml")
			if err != nil {
				t.Fatal(err)
			}
			c, err := catalogue.Parse(fsys.OS{}, "tandem.yaml", text)
			if err != nil {
				t.Fatal(err)
			}
			edges := 0
			for _, service := range c.ServiceNames() {
				for _, used := range c.Services[service].UsedNames() {
					edges++
					t.Run(service+"-"+used, func(t *testing.T) {
						t.Parallel()
						h := example.open(t)
						h.write("tandem.yaml", withoutEdge(t, text, service, used))
						got := usesFindings(t, h)
						want := regexp.MustCompile(example.finding(service, used))
						if !slices.ContainsFunc(got, want.MatchString) {
							t.Errorf("no finding names %s and %s: %q", service, used, got)
						}
					})
				}
			}
			if edges < 10 {
				t.Errorf("%d edges: the catalogue did not load as it is", edges)
			}
		})
	}
}

func callsFinding(service, used string) string {
	return `services\.` + service + `\.calls\[\d+\]: ` + service + " names " + used + " .* but " + service + " does not use " + used + ", .*add " + used + " to services." + service + ".uses"
}

// example is the example system named, as committed with its tree.
func example(name string) func(t *testing.T) *harness {
	return func(t *testing.T) *harness {
		t.Helper()
		h := newHarness(t, "/repo/examples/"+name)
		root := "../examples/" + name
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, _ := filepath.Rel(root, p)
			h.copyFromDisk(p, rel)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
}

// withoutEdge deletes used from the uses of service, in whichever style
// they are written; the rest of the catalogue keeps its anchors and
// merges.
func withoutEdge(t *testing.T, text []byte, service, used string) string {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(text, &doc); err != nil {
		t.Fatal(err)
	}
	uses := valueOf(valueOf(valueOf(doc.Content[0], "services"), service), "uses")
	if uses == nil {
		t.Fatalf("services.%s has no uses", service)
	}
	kept := slices.DeleteFunc(slices.Clone(uses.Content), func(n *yaml.Node) bool {
		if n.Kind == yaml.MappingNode {
			n = valueOf(n, "name")
		}
		return n != nil && n.Value == used
	})
	if len(kept) != len(uses.Content)-1 {
		t.Fatalf("services.%s.uses has no %s", service, used)
	}
	uses.Content = kept
	out, err := yaml.Marshal(&doc)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

// valueOf is the value of key in mapping, or nil.
func valueOf(mapping *yaml.Node, key string) *yaml.Node {
	if mapping == nil {
		return nil
	}
	for i := 0; i+1 < len(mapping.Content); i += 2 {
		if mapping.Content[i].Value == key {
			return mapping.Content[i+1]
		}
	}
	return nil
}
