package project_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
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

// TestDeletingAnyShopEdgeIsAFinding is issue #18's criterion: deleting
// any one uses edge makes check report a finding that names both
// services, since in a cluster the default-deny NetworkPolicy would
// block what still works in dev.
func TestDeletingAnyShopEdgeIsAFinding(t *testing.T) {
	t.Parallel()
	if got := usesFindings(t, shopWithSources(t)); len(got) != 0 {
		t.Fatalf("the shop as committed: %q", got)
	}
	text, err := os.ReadFile("../examples/shop/tandem.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := catalogue.Parse(fsys.OS{}, "tandem.yaml", text)
	if err != nil {
		t.Fatal(err)
	}
	for _, service := range c.ServiceNames() {
		for _, used := range c.Services[service].UsedNames() {
			t.Run(service+"-"+used, func(t *testing.T) {
				t.Parallel()
				h := shopWithSources(t)
				h.write("tandem.yaml", withoutEdge(t, string(text), service, used))
				got := usesFindings(t, h)
				if !slices.ContainsFunc(got, func(f string) bool {
					return strings.Contains(f, service+" reads ") && strings.Contains(f, "address of "+used+",") && strings.Contains(f, "add "+used+" to services."+service+".uses")
				}) {
					t.Errorf("no finding names %s and %s: %q", service, used, got)
				}
			})
		}
	}
}

// withoutEdge deletes used from the flow list `uses: [...]` of service.
func withoutEdge(t *testing.T, text, service, used string) string {
	t.Helper()
	block := regexp.MustCompile(`(?m)^  ` + regexp.QuoteMeta(service) + `:\n(?:    .*\n|\n)*`)
	loc := block.FindStringIndex(text)
	if loc == nil {
		t.Fatalf("no service %s", service)
	}
	uses := regexp.MustCompile(`(?m)^    uses: \[(.*)\]$`)
	edited := uses.ReplaceAllStringFunc(text[loc[0]:loc[1]], func(line string) string {
		names := strings.Split(uses.FindStringSubmatch(line)[1], ", ")
		return "    uses: [" + strings.Join(slices.DeleteFunc(names, func(n string) bool { return n == used }), ", ") + "]"
	})
	if edited == text[loc[0]:loc[1]] {
		t.Fatalf("services.%s.uses has no %s", service, used)
	}
	return text[:loc[0]] + edited + text[loc[1]:]
}
