package app

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/inspect"
)

func outputFlag() *cli.StringFlag {
	return &cli.StringFlag{Name: "output", Value: "text", Usage: "`FORMAT` of the output: text or json"}
}

func checkOutput(format string) error {
	if format != "text" && format != "json" {
		return usageErrorf("--output is text or json, not %q", format)
	}
	return nil
}

func writeJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func envCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:        "env",
		Usage:       "list every variable a service gets, its value and where the value came from",
		ArgsUsage:   "SERVICE",
		Description: description("env"),
		Flags:       []cli.Flag{fileFlag(), &cli.StringFlag{Name: "env", Value: catalogue.DevEnvironment, Usage: "the `ENV`ironment"}, outputFlag()},
		Action: action(func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageErrorf("env takes one service, e.g. tandem env orders --env prod")
			}
			return runEnv(c, streams.Out)
		}),
	}
}

func runEnv(c *cli.Context, out io.Writer) error {
	if err := checkOutput(c.String("output")); err != nil {
		return err
	}
	p, err := open(c)
	if err != nil {
		return err
	}
	service, env := c.Args().First(), c.String("env")
	vars, err := p.Env(service, env)
	if err != nil {
		return err
	}
	if c.String("output") == "json" {
		return writeJSON(out, vars)
	}
	fmt.Fprintf(out, "%s in %s\n", service, env)
	return inspect.WriteEnv(out, vars)
}

func diffCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:        "diff",
		Usage:       "show what differs between two environments",
		ArgsUsage:   "ENV1 ENV2",
		Description: description("diff"),
		Flags: []cli.Flag{fileFlag(), outFlag(), outputFlag(),
			&cli.BoolFlag{Name: "rendered", Usage: "diff the built manifests"}},
		Action: action(func(c *cli.Context) error {
			if c.NArg() != 2 {
				return usageErrorf("diff takes two environments, e.g. tandem diff staging prod")
			}
			return runDiff(c, streams.Out, c.Args().Get(0), c.Args().Get(1))
		}),
	}
}

func runDiff(c *cli.Context, out io.Writer, from, to string) error {
	output := c.String("output")
	if err := checkOutput(output); err != nil {
		return err
	}
	if c.Bool("rendered") && output != "text" {
		return usageErrorf("--rendered prints a unified diff; --output json is not supported with it")
	}
	p, err := open(c)
	if err != nil {
		return err
	}
	if c.Bool("rendered") {
		diff, err := p.RenderedDiff(from, to)
		if err != nil {
			return err
		}
		if diff == "" {
			fmt.Fprintf(out, "%s and %s build the same manifests\n", from, to)
			return nil
		}
		fmt.Fprint(out, diff)
		return errFindings
	}
	changes, err := p.Diff(from, to)
	if err != nil {
		return err
	}
	if output == "json" {
		err = writeJSON(out, changes)
	} else {
		err = inspect.WriteDiff(out, from, to, changes)
	}
	if err == nil && len(changes) > 0 {
		return errFindings
	}
	return err
}
