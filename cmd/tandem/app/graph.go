package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/tandemdev/tandem/graph"
	"github.com/urfave/cli/v2"
)

func graphCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:  "graph",
		Usage: "draw the service graph: services by domain, resources, public entry points",
		Description: `Prints the catalogue's service graph: services clustered by domain,
backing resources as cylinders (an owned one in its owner's domain), an
arrow for each uses edge, and the outside pointing at the services with
public ports. DOT (for Graphviz) by default; mermaid for Markdown pages
that draw Mermaid; svg runs Graphviz's dot, which must be installed.

Examples:
   tandem graph | dot -Tpng > graph.png
   tandem graph --format mermaid
   tandem graph --format svg > graph.svg`,
		Flags: []cli.Flag{fileFlag(),
			&cli.StringFlag{Name: "format", Value: "dot", Usage: "`FORMAT` of the picture: dot, mermaid or svg"}},
		Action: action(func(c *cli.Context) error {
			if c.Args().Present() {
				return usageErrorf("graph takes no arguments, got %q", c.Args().Slice())
			}
			format := c.String("format")
			if format != "dot" && format != "mermaid" && format != "svg" {
				return usageErrorf("--format %s: choose dot, mermaid or svg", format)
			}
			p, err := open(c)
			if err != nil {
				return err
			}
			cat := p.Catalogue
			var out []byte
			switch format {
			case "mermaid":
				out = graph.Mermaid(cat)
			case "svg":
				if out, err = svg(c.Context, graph.Dot(cat)); err != nil {
					return err
				}
			default:
				out = graph.Dot(cat)
			}
			_, err = streams.Out.Write(out)
			return err
		}),
	}
}

// svg draws DOT with Graphviz.
func svg(ctx context.Context, dot []byte) ([]byte, error) {
	bin, err := exec.LookPath("dot")
	if err != nil {
		return nil, errors.New("--format svg needs Graphviz's dot, which is not on PATH: install graphviz (apt-get install graphviz, brew install graphviz), or print DOT with --format dot")
	}
	cmd := exec.CommandContext(ctx, bin, "-Tsvg")
	cmd.Stdin = bytes.NewReader(dot)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("dot -Tsvg: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}
