package app

import (
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/project"
)

func importCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:        "import",
		Usage:       "start a catalogue from an existing Compose file",
		ArgsUsage:   "COMPOSE_FILE",
		Description: description("import"),
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "tandem.yaml", Usage: "the catalogue `FILE` to write"},
			&cli.StringFlag{Name: "name", Usage: "the system's `NAME`; default: the Compose project's"},
		},
		Action: action(func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageErrorf("import takes one Compose file, got %q", c.Args().Slice())
			}
			return runImport(c, streams, project.ImportOptions{ComposeFile: c.Args().First(), Out: c.String("out"), Name: c.String("name")})
		}),
	}
}

func runImport(c *cli.Context, streams Streams, o project.ImportOptions) error {
	report, err := project.Import(c.Context, fsys.OS{}, o)
	for _, w := range report.Warnings {
		fmt.Fprintf(streams.Err, "warning: %s\n", w)
	}
	for _, note := range report.SecretNotes {
		fmt.Fprintf(streams.Out, "  %s\n", note)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(streams.Out, "imported %s into %s\n", o.ComposeFile, o.Out)
	for _, line := range report.Changes {
		fmt.Fprintf(streams.Out, "  %s\n", line)
	}
	if report.Invalid != nil {
		fmt.Fprintf(streams.Out, "the catalogue needs these changes before tandem accepts it:\n%v\n", report.Invalid)
		return errFindings
	}
	fmt.Fprintln(streams.Out, "next: review it, then tandem render, or tandem up to run it")
	return nil
}
