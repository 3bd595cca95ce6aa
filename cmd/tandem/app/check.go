package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/cluster"
	"github.com/tandemdev/tandem/compose"
	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/render"
)

type checkOptions struct {
	file, out, output string
	// server asks the API server of kubeContext (the current context when
	// empty) to dry-run the builds of envs (every environment when empty).
	server           bool
	kubeContext      string
	envs             []string
	createNamespaces bool
}

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
			o := checkOptions{file: c.String("file"), out: c.String("out"), output: c.String("output"),
				server: c.Bool("server"), kubeContext: c.String("context"), envs: c.StringSlice("env"), createNamespaces: c.Bool("create-namespaces")}
			if !o.server && (o.kubeContext != "" || len(o.envs) > 0 || o.createNamespaces) {
				return usageErrorf("--context, --env and --create-namespaces go with --server")
			}
			return runCheck(c.Context, streams.Out, o)
		}),
	}
}

func runCheck(ctx context.Context, out io.Writer, o checkOptions) error {
	if err := checkOutput(o.output); err != nil {
		return err
	}
	cat, generated, platform, err := renderInMemory(o.file, o.out)
	if err != nil {
		return err
	}
	var server *cluster.Client
	if o.server {
		if o.envs, err = deployEnvironments(cat, o.envs); err != nil {
			return err
		}
		if server, err = cluster.Connect(o.kubeContext); err != nil {
			return usageErrorf("%w", err)
		}
	}
	onDisk, err := render.ReadGenerated(resolveOut(o.out))
	if err != nil {
		return err
	}
	findings, builds := render.Check(cat, generated, platform, onDisk, filepath.ToSlash(filepath.Clean(o.out)))
	orphans, err := render.OrphanedPatches(o.out, cat.DeployEnvironments())
	if err != nil {
		return err
	}
	for _, folder := range orphans {
		findings = append(findings, render.Finding{Check: "patch", File: folder, Message: orphanMessage(cat, folder)})
	}
	missing, envFile, err := missingDevSecrets(compose.DevSecrets(cat), filepath.Dir(o.file))
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		findings = append(findings, render.Finding{Check: "dev-secrets", File: filepath.ToSlash(envFile),
			Message: fmt.Sprintf("lacks %s; run tandem render to add random values", strings.Join(missing, ", "))})
	}
	if server != nil {
		serverFindings, err := dryRun(ctx, server, cat, generated.Merge(platform), builds, o)
		if err != nil {
			return err
		}
		findings = append(findings, serverFindings...)
	}

	if o.output == "json" {
		if findings == nil {
			findings = []render.Finding{}
		}
		if err := writeJSON(out, map[string]any{"ok": len(findings) == 0, "findings": findings}); err != nil {
			return err
		}
	} else {
		writeFindings(out, findings, len(cat.DeployEnvironments()))
		if len(findings) == 0 && server != nil {
			fmt.Fprintf(out, "ok: the API server of context %s (%s) accepts every object of %s, without warnings\n",
				server.Context, server.Server, strings.Join(o.envs, ", "))
		}
	}
	if len(findings) > 0 {
		return errFindings
	}
	return nil
}

// deployEnvironments checks the environments named, or returns every
// environment with an overlay when none is.
func deployEnvironments(cat *catalogue.Catalogue, named []string) ([]string, error) {
	all := cat.DeployEnvironments()
	if len(named) == 0 {
		return all, nil
	}
	for _, env := range named {
		if !slices.Contains(all, env) {
			hint := ""
			if like, ok := catalogue.Closest(env, all); ok {
				hint = fmt.Sprintf(" (did you mean %s?)", like)
			}
			return nil, usageErrorf("--env %s: no such environment with an overlay%s; environments: %s", env, hint, strings.Join(all, ", "))
		}
	}
	return named, nil
}

// dryRun reports what the server rejects or warns about in the builds of
// the environments asked for. Environments that do not build are reported
// by the checks before; they are skipped here.
func dryRun(ctx context.Context, server *cluster.Client, cat *catalogue.Catalogue, files manifest.Files, builds map[string][]byte, o checkOptions) ([]render.Finding, error) {
	var out []render.Finding
	for _, env := range o.envs {
		built, ok := builds[env]
		if !ok {
			continue
		}
		problems, err := server.DryRun(ctx, built, o.createNamespaces)
		if err != nil {
			return nil, fmt.Errorf("%s: the API server of context %s: %w", env, server.Context, err)
		}
		patchedBy := render.PatchedBy(files, env)
		for _, p := range problems {
			what := p.Object()
			source := cluster.Source(cat, p)
			// A platform patch may be what the server objects to; the
			// catalogue names only where the object came from then.
			if patches := patchedBy[p.Kind+"/"+p.Name]; len(patches) > 0 {
				if source = cluster.Origin(cat, p.Labels); source != "" {
					source += ", "
				}
				var named []string
				for _, patch := range patches {
					named = append(named, path.Join(filepath.ToSlash(filepath.Clean(o.out)), patch))
				}
				source += "patched by " + strings.Join(named, ", ")
			}
			if source != "" {
				what += " (" + source + ")"
			}
			message := p.Message
			if p.Warning {
				message = "warning: " + message
			}
			out = append(out, render.Finding{Check: "server", Message: fmt.Sprintf("%s: %s: %s", env, what, message)})
		}
	}
	return out, nil
}

// missingDevSecrets lists the dev secrets the env file lacks. A missing
// file is not a finding: it is git-ignored, so CI never has it.
func missingDevSecrets(required []string, projectDir string) ([]string, string, error) {
	envFile := filepath.Join(projectDir, filepath.FromSlash(compose.DevEnvFile))
	existing, err := os.ReadFile(envFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, envFile, nil
	}
	if err != nil {
		return nil, envFile, err
	}
	_, missing := compose.AddMissingSecrets(existing, required, func(string) string { return "" })
	return missing, envFile, nil
}

func writeFindings(out io.Writer, findings []render.Finding, envs int) {
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

func orphanMessage(cat *catalogue.Catalogue, folder string) string {
	env := path.Base(path.Dir(folder))
	return fmt.Sprintf("environment %s is no longer in the catalogue, so nothing applies these patches (environments: %s)",
		env, strings.Join(cat.DeployEnvironments(), ", "))
}
