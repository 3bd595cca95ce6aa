package app

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/render"
)

type setImageOptions struct {
	assignments []string
	env, file   string
}

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
			return runSetImage(streams.Out, setImageOptions{assignments: c.Args().Slice(), env: c.String("env"), file: c.String("file")})
		}),
	}
}

func runSetImage(out io.Writer, o setImageOptions) error {
	data, err := catalogue.ReadFile(fsys.OS{}, o.file)
	if err != nil {
		return err
	}
	info, err := os.Stat(o.file)
	if err != nil {
		return err
	}
	var done []string
	for _, a := range o.assignments {
		service, image, ok := strings.Cut(a, "=")
		if !ok || service == "" || image == "" {
			return usageErrorf("%q is not SERVICE=IMAGE", a)
		}
		data, err = catalogue.SetImage(fsys.OS{}, o.file, data, service, o.env, image)
		if err != nil {
			return fmt.Errorf("%s: %w", o.file, err)
		}
		where := "every environment"
		if o.env != "" {
			where = o.env
		}
		done = append(done, fmt.Sprintf("%s: image in %s is now %s", service, where, image))
	}
	target := o.file
	if real, err := filepath.EvalSymlinks(o.file); err == nil {
		target = real // keep a linked catalogue a link
	}
	if err := render.WriteFileAtomic(target, data, info.Mode().Perm()); err != nil {
		return err
	}
	for _, line := range done {
		fmt.Fprintln(out, line)
	}
	fmt.Fprintln(out, "run tandem render to update the rendered tree")
	return nil
}
