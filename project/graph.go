package project

import (
	"context"

	"github.com/tandemdev/tandem/graph"
)

// Graph draws the service graph as DOT, Mermaid or, with Graphviz, SVG.
func (p *Project) Graph(ctx context.Context, format string) ([]byte, error) {
	switch format {
	case "mermaid":
		return graph.Mermaid(p.Catalogue), nil
	case "svg":
		return graph.SVG(ctx, graph.Dot(p.Catalogue))
	default:
		return graph.Dot(p.Catalogue), nil
	}
}
