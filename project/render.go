package project

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"runtime"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/tandemdev/tandem/compose"
	"github.com/tandemdev/tandem/compose/probe"
	"github.com/tandemdev/tandem/devstate"
	"github.com/tandemdev/tandem/internal/safe"
	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/render/stale"
	"github.com/tandemdev/tandem/render/tree"
)

// RenderReport says what a render did, as far as it got.
type RenderReport struct {
	// Tree is what the staged writer changed; nil when it did not run.
	Tree *tree.Result
	// Warnings are for the user's attention, in the order found: orphaned
	// and stale platform patches, the state folder's problems.
	Warnings []string
	// AddedSecrets are the dev secrets given random values in EnvFile.
	AddedSecrets []string
	EnvFile      string
	// ProbeWarnings come last: the health probe is put in place last.
	ProbeWarnings []string
}

// Render renders the catalogue and writes the tree; it warns of orphaned
// and stale platform patches and completes the dev secrets file and the
// health probe. On an error, the report says what was done before it.
func (p *Project) Render() (RenderReport, error) {
	generated, platform, err := p.Rendered()
	if err != nil {
		return RenderReport{}, err
	}
	return p.write(generated, platform)
}

func (p *Project) write(generated, platform manifest.Files) (RenderReport, error) {
	var report RenderReport
	// Finding stale platform patches needs only the files in memory; it
	// runs while Write waits on the disk. kustomize runs there, and a
	// panic of its must not end the process between two of Write's
	// renames: safe.Go makes it an error.
	var stalePatches []stale.Patch
	var staleCheck errgroup.Group
	safe.Go(&staleCheck, func() error {
		all := generated.Merge(platform)
		for _, env := range p.Catalogue.DeployEnvironments() {
			found, err := stale.Patches(p.Catalogue, all, env)
			if err != nil {
				return err
			}
			stalePatches = append(stalePatches, found...)
		}
		return nil
	})
	res, err := tree.Write(p.fs, p.outDir(), generated, p.owner())
	if err != nil {
		staleCheck.Wait()
		return report, err
	}
	report.Tree = &res
	orphans, err := p.orphanedPatches()
	if err != nil {
		staleCheck.Wait()
		return report, err
	}
	for _, folder := range orphans {
		report.Warnings = append(report.Warnings, folder+": "+p.orphanMessage(folder))
	}
	staleErr := staleCheck.Wait()
	for _, s := range stalePatches {
		report.Warnings = append(report.Warnings, filepath.ToSlash(p.out)+"/"+s.Error())
	}
	var panicked *safe.PanicError
	if errors.As(staleErr, &panicked) {
		return report, fmt.Errorf("looking for stale platform patches: %v", panicked.Value)
	}
	if staleErr != nil {
		return report, staleErr
	}
	added, warnings, err := p.state.AddSecrets(compose.DevSecrets(p.Catalogue), func(string) string { return randomSecret() })
	report.Warnings = append(report.Warnings, warnings...)
	report.EnvFile = p.state.EnvFile()
	if err != nil {
		return report, err
	}
	report.AddedSecrets = added
	if err := p.state.WriteSecretFiles(compose.SecretFiles(p.Catalogue)); err != nil {
		return report, err
	}
	warnings, err = p.ensureProbe()
	report.ProbeWarnings = append(report.ProbeWarnings, warnings...)
	return report, err
}

// ensureProbe puts the health probe the Compose file mounts in place for
// this machine's architecture, unless one of this tandem's is there
// (tandem up replaces it with the Docker engine's), so the rendered file
// also works with plain docker compose. An older tandem's probe is
// replaced: it may not know every kind of check the file asks of it.
func (p *Project) ensureProbe() ([]string, error) {
	if !compose.NeedsProbe(p.Catalogue) {
		return nil, nil
	}
	var ours [][]byte
	for _, arch := range probe.Arches {
		if binary, err := probe.Binary(arch); err == nil {
			ours = append(ours, binary)
		}
	}
	if p.state.HasProbe(ours...) {
		return nil, nil
	}
	binary, err := probe.Binary(runtime.GOARCH)
	if err != nil {
		return []string{fmt.Sprintf("the health checks in %s need %s: %v", manifest.ComposeFile, devstate.ProbeFile, err)}, nil
	}
	return p.state.InstallProbe(binary)
}

// orphanedPatches lists the patches folders whose environment the
// catalogue no longer has, as paths below the output folder as given.
func (p *Project) orphanedPatches() ([]string, error) {
	return tree.OrphanedPatches(p.fs, p.out, p.Catalogue.DeployEnvironments())
}

func (p *Project) orphanMessage(folder string) string {
	env := path.Base(path.Dir(folder))
	return fmt.Sprintf("environment %s is no longer in the catalogue, so nothing applies these patches (environments: %s)",
		env, strings.Join(p.Catalogue.DeployEnvironments(), ", "))
}

func randomSecret() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}
