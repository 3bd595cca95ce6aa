package app

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/pmezard/go-difflib/difflib"
	"github.com/urfave/cli/v2"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/inspect"
	"github.com/tandemdev/tandem/render"
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

type envOptions struct {
	service, env, file, output string
}

func envCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:      "env",
		Usage:     "list every variable a service gets, its value and where the value came from",
		ArgsUsage: "SERVICE",
		Description: `Shows each variable of SERVICE in the environment, its value as that
environment provides it and its origin: a resource's connection settings
or a used service's URL, a config group (or an environment's override of
it), the service's env, an environment override, a secret. Below a value
come the values it overrides, highest precedence first. Secret values are
never shown.

Example:
   tandem env orders --env prod`,
		Flags: []cli.Flag{fileFlag(), &cli.StringFlag{Name: "env", Value: catalogue.DevEnvironment, Usage: "the `ENV`ironment"}, outputFlag()},
		Action: action(func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageErrorf("env takes one service, e.g. tandem env orders --env prod")
			}
			return runEnv(streams.Out, envOptions{service: c.Args().First(), env: c.String("env"), file: c.String("file"), output: c.String("output")})
		}),
	}
}

func runEnv(out io.Writer, o envOptions) error {
	if err := checkOutput(o.output); err != nil {
		return err
	}
	cat, err := catalogue.Load(fsys.OS{}, o.file)
	if err != nil {
		return err
	}
	vars, err := inspect.Env(cat, o.service, o.env)
	if err != nil {
		return err
	}
	if o.output == "json" {
		return writeJSON(out, vars)
	}
	fmt.Fprintf(out, "%s in %s\n", o.service, o.env)
	return inspect.WriteEnv(out, vars)
}

type diffOptions struct {
	from, to, file, out, output string
	rendered                    bool
}

func diffCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:      "diff",
		Usage:     "show what differs between two environments",
		ArgsUsage: "ENV1 ENV2",
		Description: `Compares two environments of the catalogue: namespace, and per service
image, replicas, requests, limits and every env value with its origin.
Secret values are never shown. With --rendered, a unified diff of the
built manifests instead. Exits 1 when the environments differ.

Example:
   tandem diff staging prod
   tandem diff staging prod --rendered`,
		Flags: []cli.Flag{fileFlag(), outFlag(), outputFlag(),
			&cli.BoolFlag{Name: "rendered", Usage: "diff the built manifests"}},
		Action: action(func(c *cli.Context) error {
			if c.NArg() != 2 {
				return usageErrorf("diff takes two environments, e.g. tandem diff staging prod")
			}
			return runDiff(streams.Out, diffOptions{from: c.Args().Get(0), to: c.Args().Get(1),
				file: c.String("file"), out: c.String("out"), output: c.String("output"), rendered: c.Bool("rendered")})
		}),
	}
}

func runDiff(out io.Writer, o diffOptions) error {
	if err := checkOutput(o.output); err != nil {
		return err
	}
	if o.rendered {
		return runRenderedDiff(out, o)
	}
	cat, err := catalogue.Load(fsys.OS{}, o.file)
	if err != nil {
		return err
	}
	changes, err := inspect.Diff(cat, o.from, o.to)
	if err != nil {
		return err
	}
	if o.output == "json" {
		err = writeJSON(out, changes)
	} else {
		err = inspect.WriteDiff(out, o.from, o.to, changes)
	}
	if err == nil && len(changes) > 0 {
		return errFindings
	}
	return err
}

func runRenderedDiff(out io.Writer, o diffOptions) error {
	if o.output != "text" {
		return usageErrorf("--rendered prints a unified diff; --output json is not supported with it")
	}
	cat, generated, platform, err := renderInMemoryFor(o.file, o.out, []string{o.from, o.to})
	if err != nil {
		return err
	}
	files := generated.Merge(platform)
	built := map[string]string{}
	for _, env := range []string{o.from, o.to} {
		manifests, err := render.Build(cat, files, env)
		if err != nil {
			return err
		}
		built[env] = string(manifests)
	}
	diff, err := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(built[o.from]), B: difflib.SplitLines(built[o.to]),
		FromFile: o.from, ToFile: o.to, Context: 3,
	})
	if err != nil {
		return err
	}
	if diff == "" {
		fmt.Fprintf(out, "%s and %s build the same manifests\n", o.from, o.to)
		return nil
	}
	fmt.Fprint(out, diff)
	return errFindings
}
