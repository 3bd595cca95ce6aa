package app

import (
	"fmt"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/project"
	"github.com/urfave/cli/v2"
)

func schemaCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:        "schema",
		Usage:       "print the JSON Schema of tandem.yaml, for editors",
		Description: description("schema"),
		Action: action(func(c *cli.Context) error {
			if c.Args().Present() {
				return usageErrorf("schema takes no arguments, got %q", c.Args().Slice())
			}
			schema, err := catalogue.JSONSchema()
			if err != nil {
				return err
			}
			_, err = streams.Out.Write(schema)
			return err
		}),
	}
}

func initCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:        "init",
		Usage:       "start a catalogue: a commented tandem.yaml, its schema and .gitignore lines",
		ArgsUsage:   "[DIR]",
		Description: description("init"),
		Flags:       []cli.Flag{&cli.StringFlag{Name: "name", Usage: "the system's `NAME` (a DNS-1123 label); default: the folder's name"}},
		Action: action(func(c *cli.Context) error {
			if c.NArg() > 1 {
				return usageErrorf("init takes at most one folder, got %q", c.Args().Slice())
			}
			dir := c.Args().First()
			if dir == "" {
				dir = "."
			}
			report, err := project.Init(fsys.OS{}, dir, c.String("name"))
			if err != nil {
				return err
			}
			fmt.Fprintf(streams.Out, "wrote %s and %s", report.File, project.SchemaFile)
			if report.IgnoredInGit {
				fmt.Fprint(streams.Out, "; .gitignore now ignores .tandem/")
			}
			fmt.Fprintln(streams.Out, "\nnext: describe your services in tandem.yaml, then run tandem render, or tandem up to run them")
			return nil
		}),
	}
}
