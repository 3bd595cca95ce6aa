package app

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/compose"
	"github.com/tandemdev/tandem/render"
)

type checkOptions struct {
	file, out, output string
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

Example:
   tandem check
   tandem check --output json`,
		Flags: []cli.Flag{fileFlag(), outFlag(), outputFlag()},
		Action: action(func(c *cli.Context) error {
			if c.Args().Present() {
				return usageErrorf("check takes no arguments, got %q", c.Args().Slice())
			}
			return runCheck(streams.Out, checkOptions{file: c.String("file"), out: c.String("out"), output: c.String("output")})
		}),
	}
}

func runCheck(out io.Writer, o checkOptions) error {
	if err := checkOutput(o.output); err != nil {
		return err
	}
	cat, generated, platform, err := renderInMemory(o.file, o.out)
	if err != nil {
		return err
	}
	onDisk, err := render.ReadGenerated(resolveOut(o.out))
	if err != nil {
		return err
	}
	findings := render.Check(cat, generated, platform, onDisk, filepath.ToSlash(filepath.Clean(o.out)))
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

	if o.output == "json" {
		if findings == nil {
			findings = []render.Finding{}
		}
		if err := writeJSON(out, map[string]any{"ok": len(findings) == 0, "findings": findings}); err != nil {
			return err
		}
	} else {
		writeFindings(out, findings, len(cat.DeployEnvironments()))
	}
	if len(findings) > 0 {
		return errFindings
	}
	return nil
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
	_, missing := compose.AddMissingSecrets(existing, required, func() string { return "" })
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
