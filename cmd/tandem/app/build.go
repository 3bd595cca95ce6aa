package app

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

func buildCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:        "build",
		Usage:       "print the manifests of an environment",
		ArgsUsage:   "ENV",
		Description: description("build"),
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
