package app

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/tandemdev/tandem/project"
)

func renderCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:        "render",
		Usage:       "write the Compose file and the kustomize tree",
		Description: description("render"),
		Flags:       []cli.Flag{fileFlag(), outFlag()},
		Action: action(func(c *cli.Context) error {
			if c.Args().Present() {
				return usageErrorf("render takes no arguments, got %q", c.Args().Slice())
			}
			p, err := open(c)
			if err != nil {
				return err
			}
			report, err := p.Render()
			printRendered(streams, p, report)
			return err
		}),
	}
}

// printRendered says what a render did, as far as it got.
func printRendered(streams Streams, p *project.Project, report project.RenderReport) {
	if res := report.Tree; res != nil {
		if res.Recovered {
			fmt.Fprintf(streams.Err, "note: finished the render into %s that was interrupted, before this one\n", p.Out())
		}
		fmt.Fprintf(streams.Out, "rendered %s into %s: %d written, %d unchanged, %d removed\n",
			p.File(), p.Out(), len(res.Written), len(res.Unchanged), len(res.Removed))
	}
	for _, w := range report.Warnings {
		fmt.Fprintf(streams.Err, "warning: %s\n", w)
	}
	if len(report.AddedSecrets) > 0 {
		fmt.Fprintf(streams.Out, "added random dev values for %s to %s\n", strings.Join(report.AddedSecrets, ", "), report.EnvFile)
	}
	for _, w := range report.ProbeWarnings {
		fmt.Fprintf(streams.Err, "warning: %s\n", w)
	}
}
