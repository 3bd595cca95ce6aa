package app

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

func buildCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:      "build",
		Usage:     "print the manifests of an environment",
		ArgsUsage: "ENV",
		Description: `Renders the catalogue in memory, with the platform patches found under
DIR/overlays/ENV/patches/, and builds the environment's overlay with the
kustomize API. The output is exactly what 'kubectl kustomize DIR/overlays/ENV'
prints after 'tandem render'. Nothing is written.

Each service is built alone, on every core, and the results merged in
kustomize's order, where that gives the same bytes as one build; otherwise
(components, a patch that spans services, ...) the overlay is built whole.
--verbose says which, and why.

Example:
   tandem build prod -f tandem.yaml > prod.yaml`,
		Flags: []cli.Flag{fileFlag(), outFlag(),
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "say on standard error how the overlay was built"},
		},
		Action: action(func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageErrorf("build takes one environment, e.g. tandem build prod")
			}
			p, err := open(c)
			if err != nil {
				return err
			}
			manifests, how, err := p.Build(c.Args().First())
			if c.Bool("verbose") && how != "" {
				fmt.Fprintf(streams.Err, "tandem: %s\n", how)
			}
			if err != nil {
				return err
			}
			_, err = streams.Out.Write(manifests)
			return err
		}),
	}
}
