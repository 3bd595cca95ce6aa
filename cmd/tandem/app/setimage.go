package app

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/project"
)

func setImageCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:        "set-image",
		Usage:       "set the image of services in the catalogue (the CI image bump)",
		ArgsUsage:   "SERVICE=IMAGE[:TAG|@DIGEST]...",
		Description: description("set-image"),
		Flags:       []cli.Flag{fileFlag(), &cli.StringFlag{Name: "env", Usage: "the `ENV`ironment to pin the image in"}},
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
