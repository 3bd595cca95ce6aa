package app

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/tandemdev/tandem/project"
	"github.com/tandemdev/tandem/render/check"
)

func checkCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:  "check",
		Usage: "check that the catalogue is valid and the rendered tree fresh, patched, buildable and valid",
		Description: `For CI. Checks that the catalogue is valid (exit 2 otherwise), that DIR
holds exactly what 'tandem render' would write (a unified diff otherwise),
that every platform patch still matches a resource of its overlay, that
every environment builds into objects that decode strictly into their
Kubernetes types and follow the API's offline validation rules (names,
labels, selectors, probe ports, requests within limits, references within
the build), that environment config overrides change keys
their group has, and, where .tandem/dev.env exists, that it defines every
dev secret. Exits 1 with the findings when any check fails.

With --server, it also sends every object of each environment's build to
the API server of the kubeconfig's current context (or --context) as a
server-side dry run: the server decodes, validates and admits each one
(Pod Security included) and stores nothing. Every rejection and every
warning is a finding, named with the object and, where tandem knows it,
the catalogue field that produced it. A namespace that does not exist is
a finding too, unless --create-namespaces, which creates it.

Examples:
   tandem check
   tandem check --output json
   tandem check --server --context staging-cluster --env staging`,
		Flags: []cli.Flag{fileFlag(), outFlag(), outputFlag(),
			&cli.BoolFlag{Name: "server", Usage: "also dry-run every object against a Kubernetes API server"},
			&cli.StringFlag{Name: "context", Usage: "kubeconfig `CONTEXT` of that server (default: the current context)"},
			&cli.StringSliceFlag{Name: "env", Usage: "dry-run only environment `ENV` (repeatable; default: every one)"},
			&cli.BoolFlag{Name: "create-namespaces", Usage: "create the environments' namespaces that do not exist (the one change --server makes)"},
		},
		Action: action(func(c *cli.Context) error {
			if c.Args().Present() {
				return usageErrorf("check takes no arguments, got %q", c.Args().Slice())
			}
			o := project.CheckOptions{Server: c.Bool("server"), Context: c.String("context"), Envs: c.StringSlice("env"), CreateNamespaces: c.Bool("create-namespaces")}
			if !o.Server && (o.Context != "" || len(o.Envs) > 0 || o.CreateNamespaces) {
				return usageErrorf("--context, --env and --create-namespaces go with --server")
			}
			return runCheck(c, streams.Out, o)
		}),
	}
}

func runCheck(c *cli.Context, out io.Writer, o project.CheckOptions) error {
	if err := checkOutput(c.String("output")); err != nil {
		return err
	}
	p, err := open(c)
	if err != nil {
		return err
	}
	report, err := p.Check(c.Context, o)
	if err != nil {
		return err
	}
	findings := report.Findings
	if c.String("output") == "json" {
		if findings == nil {
			findings = []check.Finding{}
		}
		if err := writeJSON(out, map[string]any{"ok": len(findings) == 0, "findings": findings}); err != nil {
			return err
		}
	} else {
		writeFindings(out, findings, len(p.Catalogue.DeployEnvironments()))
		if server := report.Server; len(findings) == 0 && server != nil {
			fmt.Fprintf(out, "ok: the API server of context %s (%s) accepts every object of %s, without warnings\n",
				server.Context, server.Server, strings.Join(report.Envs, ", "))
		}
	}
	if len(findings) > 0 {
		return errFindings
	}
	return nil
}

func writeFindings(out io.Writer, findings []check.Finding, envs int) {
	if len(findings) == 0 {
		fmt.Fprintf(out, "ok: catalogue valid, rendered tree fresh, platform patches match, %d environments build\n", envs)
		return
	}
	for _, f := range findings {
		where := f.File
		if f.Line > 0 {
			where = fmt.Sprintf("%s:%d", f.File, f.Line)
		}
		if where != "" {
			where += ": "
		}
		fmt.Fprintf(out, "%s: %s%s\n", f.Check, where, f.Message)
		if f.Diff != "" {
			fmt.Fprint(out, f.Diff)
		}
	}
	fmt.Fprintf(out, "%d finding(s)\n", len(findings))
}
