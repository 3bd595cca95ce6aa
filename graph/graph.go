// Package graph draws a catalogue's service graph: services clustered by
// domain, backing resources as cylinders (an owned one inside its owner's
// domain), a uses edge from each service to what it uses, and the outside
// world pointing at the public entry points. Dot writes Graphviz DOT,
// Mermaid a Mermaid flowchart; both are pure and deterministic.
package graph

import (
	"fmt"
	"sort"
	"strings"

	"github.com/tandemdev/tandem/catalogue"
)

// outside is the node that stands for the world beyond the system; the
// space keeps it apart from every service name.
const outside = "the outside"

// node is one service or resource, placed in a domain ("" for none).
type node struct {
	name, domain string
	resource     bool
	public       bool
	label        string
}

// layout collects the nodes by domain, sorted, and the edges, by service
// and then in uses order.
func layout(c *catalogue.Catalogue) (domains map[string][]node, edges [][2]string, public []string) {
	domains = map[string][]node{}
	for _, name := range c.ServiceNames() {
		s := c.Services[name]
		n := node{name: name, domain: s.Domain, public: len(s.PublicPorts()) > 0, label: name}
		domains[s.Domain] = append(domains[s.Domain], n)
		if n.public {
			public = append(public, name)
		}
		for _, used := range s.UsedNames() {
			edges = append(edges, [2]string{name, used})
		}
	}
	for _, name := range c.ResourceNames() {
		r := c.Resources[name]
		domain := ""
		if owner := c.Services[r.Owner]; owner != nil {
			domain = owner.Domain
		}
		domains[domain] = append(domains[domain], node{name: name, domain: domain, resource: true, label: name + "\n" + r.Kind})
	}
	for _, nodes := range domains {
		sort.Slice(nodes, func(i, j int) bool { return nodes[i].name < nodes[j].name })
	}
	return domains, edges, public
}

func sortedDomains(domains map[string][]node) []string {
	out := make([]string, 0, len(domains))
	for d := range domains {
		out = append(out, d)
	}
	sort.Strings(out)
	return out
}

// Dot is the graph in Graphviz DOT.
func Dot(c *catalogue.Catalogue) []byte {
	domains, edges, public := layout(c)
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %q {\n", c.Name)
	b.WriteString("  rankdir=LR;\n  graph [fontname=\"Helvetica\"];\n  node [shape=box, style=\"rounded,filled\", fillcolor=\"#eef3fb\", fontname=\"Helvetica\"];\n  edge [color=\"#555555\"];\n")
	if len(public) > 0 {
		fmt.Fprintf(&b, "  %q [shape=doublecircle, fillcolor=\"#ffffff\", label=\"outside\"];\n", outside)
	}
	for _, domain := range sortedDomains(domains) {
		indent := "  "
		if domain != "" {
			fmt.Fprintf(&b, "  subgraph %q {\n    label=%q;\n    style=\"rounded,dashed\";\n", "cluster_"+domain, domain)
			indent = "    "
		}
		for _, n := range domains[domain] {
			switch {
			case n.resource:
				fmt.Fprintf(&b, "%s%q [shape=cylinder, fillcolor=\"#fdf2e3\", label=%q];\n", indent, n.name, n.label)
			case n.public:
				fmt.Fprintf(&b, "%s%q [penwidth=2];\n", indent, n.name)
			default:
				fmt.Fprintf(&b, "%s%q;\n", indent, n.name)
			}
		}
		if domain != "" {
			b.WriteString("  }\n")
		}
	}
	for _, name := range public {
		fmt.Fprintf(&b, "  %q -> %q [style=bold];\n", outside, name)
	}
	for _, e := range edges {
		fmt.Fprintf(&b, "  %q -> %q;\n", e[0], e[1])
	}
	b.WriteString("}\n")
	return []byte(b.String())
}

// Mermaid is the graph as a Mermaid flowchart, which GitHub and many
// wikis draw in a Markdown code block.
func Mermaid(c *catalogue.Catalogue) []byte {
	domains, edges, public := layout(c)
	// Mermaid ids may not contain '-' (names never contain '_'); the
	// prefixes keep services, domains and the outside apart.
	id := func(name string) string { return "n_" + strings.ReplaceAll(name, "-", "_") }
	domainID := func(name string) string { return "d_" + strings.ReplaceAll(name, "-", "_") }
	const outsideID = "world"
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	if len(public) > 0 {
		fmt.Fprintf(&b, "  %s((outside))\n", outsideID)
	}
	for _, domain := range sortedDomains(domains) {
		indent := "  "
		if domain != "" {
			fmt.Fprintf(&b, "  subgraph %s [%s]\n", domainID(domain), domain)
			indent = "    "
		}
		for _, n := range domains[domain] {
			if n.resource {
				fmt.Fprintf(&b, "%s%s[(\"%s\")]\n", indent, id(n.name), strings.ReplaceAll(n.label, "\n", "<br>"))
			} else {
				fmt.Fprintf(&b, "%s%s[\"%s\"]\n", indent, id(n.name), n.name)
			}
		}
		if domain != "" {
			b.WriteString("  end\n")
		}
	}
	for _, name := range public {
		fmt.Fprintf(&b, "  %s ==> %s\n", outsideID, id(name))
	}
	for _, e := range edges {
		fmt.Fprintf(&b, "  %s --> %s\n", id(e[0]), id(e[1]))
	}
	return []byte(b.String())
}
