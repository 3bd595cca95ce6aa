package graph

import (
	"strings"
	"testing"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/internal/golden"
)

func shop(t *testing.T) *catalogue.Catalogue {
	t.Helper()
	c, err := catalogue.Load(fsys.OS{}, "../examples/shop/tandem.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestGolden(t *testing.T) {
	t.Parallel()
	c := shop(t)
	golden.Check(t, "testdata/shop.dot", Dot(c))
	golden.Check(t, "testdata/shop.mmd", Mermaid(c))
}

// TestEveryNodeAndEdge: each service and resource is drawn once, each uses
// edge once, and the outside points at the public services only.
func TestEveryNodeAndEdge(t *testing.T) {
	t.Parallel()
	c := shop(t)
	dot := string(Dot(c))
	for _, name := range append(c.ServiceNames(), c.ResourceNames()...) {
		if n := strings.Count(dot, "\n  \""+name+"\" [") + strings.Count(dot, "\n    \""+name+"\" [") + strings.Count(dot, "\n    \""+name+"\";") + strings.Count(dot, "\n  \""+name+"\";"); n != 1 {
			t.Errorf("%s is declared %d times", name, n)
		}
		s := c.Services[name]
		if s == nil {
			continue
		}
		for _, used := range s.UsedNames() {
			if n := strings.Count(dot, "\""+name+"\" -> \""+used+"\";"); n != 1 {
				t.Errorf("edge %s -> %s appears %d times", name, used, n)
			}
		}
	}
	if !strings.Contains(dot, "\"the outside\" -> \"bff\" [style=bold];") || strings.Count(dot, "\"the outside\" ->") != 1 {
		t.Errorf("the outside should point at bff only:\n%s", dot)
	}
	if !strings.Contains(dot, "subgraph \"cluster_ordering\"") || !strings.Contains(dot, "\"orders-db\" [shape=cylinder") {
		t.Errorf("no ordering cluster or cylinder:\n%s", dot)
	}
	if mermaid := string(Mermaid(c)); !strings.Contains(mermaid, "n_orders_db[(\"orders-db<br>postgres\")]") || !strings.Contains(mermaid, "world ==> n_bff") {
		t.Errorf("mermaid:\n%s", mermaid)
	}
}
