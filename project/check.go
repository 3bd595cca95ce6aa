package project

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"

	"github.com/tandemdev/tandem/cluster"
	"github.com/tandemdev/tandem/compose"
	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/render/check"
	"github.com/tandemdev/tandem/render/stale"
	"github.com/tandemdev/tandem/render/tree"
)

// CheckOptions choose what check asks of an API server, if anything.
type CheckOptions struct {
	// Server asks the API server of Context (the current context when
	// empty) to dry-run the builds of Envs (every environment when empty).
	Server           bool
	Context          string
	Envs             []string
	CreateNamespaces bool
}

// CheckReport is what check found.
type CheckReport struct {
	Findings []check.Finding
	// Server is the API server that dry-ran Envs, when one did.
	Server *cluster.Client
	Envs   []string
}

// Check checks that the rendered tree is what render writes, that the
// platform's patches still apply, that every environment builds into
// valid objects, that every service uses what its configuration and its
// code address, that the dev secrets file (where there is one) is
// complete, and, with o.Server, that the API server accepts every object.
func (p *Project) Check(ctx context.Context, o CheckOptions) (CheckReport, error) {
	var report CheckReport
	generated, platform, err := p.Rendered()
	if err != nil {
		return report, err
	}
	var server *cluster.Client
	if o.Server {
		if report.Envs, err = p.deployEnvironments(o.Envs); err != nil {
			return report, err
		}
		if server, err = cluster.Connect(o.Context); err != nil {
			return report, usageErrorf("%w", err)
		}
	}
	onDisk, err := tree.ReadGenerated(p.fs, p.outDir(), p.owner())
	var interrupted []check.Finding
	if errors.Is(err, tree.ErrInterrupted) {
		// Half old, half new: a diff would list what the next render
		// finishes anyway.
		interrupted = append(interrupted, check.Finding{Check: "drift", File: filepath.ToSlash(filepath.Clean(p.out)), Message: err.Error()})
		onDisk, err = generated, nil
	}
	if err != nil {
		return report, err
	}
	findings, builds := check.Run(p.Catalogue, generated, platform, onDisk, filepath.ToSlash(filepath.Clean(p.out)))
	findings = append(interrupted, findings...)
	if interrupted == nil && len(onDisk) > 0 {
		findings = append(findings, p.recordDrift(generated)...)
	}
	sources, err := p.sources()
	if err != nil {
		return report, err
	}
	findings = append(findings, check.SourceUses(p.Catalogue, sources)...)
	orphans, err := p.orphanedPatches()
	if err != nil {
		return report, err
	}
	for _, folder := range orphans {
		findings = append(findings, check.Finding{Check: "patch", File: folder, Message: p.orphanMessage(folder)})
	}
	missing, err := p.state.MissingSecrets(compose.DevSecrets(p.Catalogue))
	if err != nil {
		return report, err
	}
	if len(missing) > 0 {
		findings = append(findings, check.Finding{Check: "dev-secrets", File: filepath.ToSlash(p.state.EnvFile()),
			Message: fmt.Sprintf("lacks %s; run tandem render to add random values", strings.Join(missing, ", "))})
	}
	if server != nil {
		serverFindings, err := p.dryRun(ctx, server, generated.Merge(platform), builds, report.Envs, o.CreateNamespaces)
		if err != nil {
			return report, err
		}
		findings = append(findings, serverFindings...)
		report.Server = server
	}
	report.Findings = findings
	return report, nil
}

// recordDrift is a finding when the tree's record is not what render
// writes beside generated: a tree rendered by an earlier tandem has none.
func (p *Project) recordDrift(generated manifest.Files) []check.Finding {
	out := p.outDir()
	record, err := p.fs.ReadFile(filepath.Join(out, tree.RecordFile))
	if bytes.Equal(record, tree.Record(p.fs, out, p.owner(), generated)) {
		return nil
	}
	what := "is out of date"
	if errors.Is(err, fs.ErrNotExist) {
		what = "is missing"
	}
	return []check.Finding{{Check: "drift", File: path.Join(filepath.ToSlash(filepath.Clean(p.out)), tree.RecordFile),
		Message: "the record of the tree's catalogue and files " + what + "; run tandem render"}}
}

// dryRun reports what the server rejects or warns about in the builds of
// envs. Environments that do not build are reported by the checks
// before; they are skipped here.
func (p *Project) dryRun(ctx context.Context, server *cluster.Client, files manifest.Files, builds map[string][]byte, envs []string, createNamespaces bool) ([]check.Finding, error) {
	var out []check.Finding
	for _, env := range envs {
		built, ok := builds[env]
		if !ok {
			continue
		}
		problems, err := server.DryRun(ctx, built, createNamespaces)
		if err != nil {
			return nil, fmt.Errorf("%s: the API server of context %s: %w", env, server.Context, err)
		}
		patchedBy := stale.PatchedBy(files, env)
		for _, problem := range problems {
			what := problem.Object()
			source := cluster.Source(p.Catalogue, problem)
			// A platform patch may be what the server objects to; the
			// catalogue names only where the object came from then.
			if patches := patchedBy[problem.Kind+"/"+problem.Name]; len(patches) > 0 {
				if source = cluster.Origin(p.Catalogue, problem.Labels); source != "" {
					source += ", "
				}
				var named []string
				for _, patch := range patches {
					named = append(named, path.Join(filepath.ToSlash(filepath.Clean(p.out)), patch))
				}
				source += "patched by " + strings.Join(named, ", ")
			}
			if source != "" {
				what += " (" + source + ")"
			}
			message := problem.Message
			if problem.Warning {
				message = "warning: " + message
			}
			out = append(out, check.Finding{Check: "server", Message: fmt.Sprintf("%s: %s: %s", env, what, message)})
		}
	}
	return out, nil
}
