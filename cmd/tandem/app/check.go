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
		Name:        "check",
		Usage:       "check that the catalogue is valid and the rendered tree fresh, patched, buildable and valid",
		Description: description("check"),
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
		switch envs {
		case 0:
			// Not "0 environments build": nothing was proven for a cluster.
			fmt.Fprintf(out, "ok: catalogue valid, rendered tree fresh; no cluster environment to build (declare one under environments, e.g. prod: {})\n")
		case 1:
			fmt.Fprintf(out, "ok: catalogue valid, rendered tree fresh, platform patches match, 1 environment builds\n")
		default:
			fmt.Fprintf(out, "ok: catalogue valid, rendered tree fresh, platform patches match, %d environments build\n", envs)
		}
		return
	}
	explained := map[string]bool{}
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
		// A rule is told once: every finding of a kind follows the same.
		if f.Help != "" && !explained[f.Help] {
			explained[f.Help] = true
			fmt.Fprintf(out, "  (%s)\n", f.Help)
		}
	}
	fmt.Fprintf(out, "%d finding(s)\n", len(findings))
}
