package app

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/project"
)

func setImageCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:      "set-image",
		Usage:     "set the image of services in the catalogue (the CI image bump)",
		ArgsUsage: "SERVICE=IMAGE[:TAG|@DIGEST]...",
		Description: `Edits the catalogue in place: with --env, services.SERVICE.overrides.ENV.image;
without, services.SERVICE.image (for prebuilt images only). Only those
values change, or the lines added for them; comments, order and formatting
stay as written. All assignments apply, or none. Run 'tandem render'
afterwards to update the rendered tree.

Example:
   tandem set-image orders=registry.example.com/shop/orders:1.4.3 --env prod
   tandem set-image orders=ghcr.io/shop/orders@sha256:... cart=ghcr.io/shop/cart:2.0.1 --env staging`,
		Flags: []cli.Flag{fileFlag(), &cli.StringFlag{Name: "env", Usage: "the `ENV`ironment to pin the image in"}},
		Action: action(func(c *cli.Context) error {
			if c.NArg() == 0 {
				return usageErrorf("set-image takes SERVICE=IMAGE arguments, e.g. tandem set-image orders=registry.example.com/shop/orders:1.4.3 --env prod")
			}
			done, err := project.SetImage(fsys.OS{}, c.String("file"), c.String("env"), c.Args().Slice())
			if err != nil {
				return err
			}
			for _, line := range done {
				fmt.Fprintln(streams.Out, line)
			}
			fmt.Fprintln(streams.Out, "run tandem render to update the rendered tree")
			return nil
		}),
	}
}
