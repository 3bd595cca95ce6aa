package app

import (
	"github.com/urfave/cli/v2"
)

func graphCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:        "graph",
		Usage:       "draw the service graph: services by domain, resources, public entry points",
		Description: description("graph"),
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
			out, err := p.Graph(c.Context, format)
			if err != nil {
				return err
			}
			_, err = streams.Out.Write(out)
			return err
		}),
	}
}
