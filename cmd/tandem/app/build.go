package app

import (
	"io"

	"github.com/urfave/cli/v2"

	"github.com/tandemdev/tandem/render"
)

type buildOptions struct {
	env, file, out string
}

func buildCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:      "build",
		Usage:     "print the manifests of an environment",
		ArgsUsage: "ENV",
		Description: `Renders the catalogue in memory, with the platform patches found under
DIR/overlays/ENV/patches/, and builds the environment's overlay with the
kustomize API. The output is exactly what 'kubectl kustomize DIR/overlays/ENV'
prints after 'tandem render'. Nothing is written.

Example:
   tandem build prod -f tandem.yaml > prod.yaml`,
		Flags: []cli.Flag{fileFlag(), outFlag()},
		Action: action(func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageErrorf("build takes one environment, e.g. tandem build prod")
			}
			return runBuild(streams.Out, buildOptions{env: c.Args().First(), file: c.String("file"), out: c.String("out")})
		}),
	}
}

func runBuild(out io.Writer, o buildOptions) error {
	cat, generated, platform, err := renderInMemoryFor(o.file, o.out, true)
	if err != nil {
		return err
	}
	manifests, err := render.Build(cat, generated.Merge(platform), o.env)
	if err != nil {
		return err
	}
	_, err = out.Write(manifests)
	return err
}
