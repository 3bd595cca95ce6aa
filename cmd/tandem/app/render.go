package app

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/compose"
	"github.com/tandemdev/tandem/compose/probe"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/render"
)

type renderOptions struct {
	file, out string
}

func renderCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:  "render",
		Usage: "write the Compose file and the kustomize tree",
		Description: `Renders the catalogue into DIR: compose.yaml for local development,
base/ with every service's manifests, and overlays/ENV/ for each
environment. Files under overlays/ENV/patches/ belong to the platform
team: they are listed in the overlay, never written. Dev secrets missing
from .tandem/dev.env are added there with random values.

Example:
   tandem render -f tandem.yaml -o deploy`,
		Flags: []cli.Flag{fileFlag(), outFlag()},
		Action: action(func(c *cli.Context) error {
			if c.Args().Present() {
				return usageErrorf("render takes no arguments, got %q", c.Args().Slice())
			}
			return runRender(streams, renderOptions{file: c.String("file"), out: c.String("out")})
		}),
	}
}

func runRender(streams Streams, o renderOptions) error {
	cat, files, platform, err := renderInMemory(o.file, o.out)
	if err != nil {
		return err
	}
	return writeRendered(streams, o, cat, files, platform)
}

// writeRendered writes what renderInMemory rendered, warns of orphaned and
// stale platform patches, and completes the dev env file and the probe.
func writeRendered(streams Streams, o renderOptions, cat *catalogue.Catalogue, files, platform manifest.Files) error {
	out := streams.Out
	// Finding stale platform patches needs only the files in memory; it
	// runs while Write waits on the disk.
	type staleResult struct {
		patches []render.StalePatch
		err     error
	}
	staleDone := make(chan staleResult, 1)
	go func() {
		var r staleResult
		// kustomize runs here; a panic of its must not end the process
		// between two of Write's renames.
		defer func() {
			if p := recover(); p != nil {
				r.err = fmt.Errorf("looking for stale platform patches: %v", p)
			}
			staleDone <- r
		}()
		all := files.Merge(platform)
		for _, env := range cat.DeployEnvironments() {
			stale, err := render.StalePatches(cat, all, env)
			if err != nil {
				r.err = err
				return
			}
			r.patches = append(r.patches, stale...)
		}
	}()
	res, err := render.Write(resolveOut(o.out), files)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "rendered %s into %s: %d written, %d unchanged, %d removed\n",
		o.file, o.out, len(res.Written), len(res.Unchanged), len(res.Removed))
	orphans, err := render.OrphanedPatches(o.out, cat.DeployEnvironments())
	if err != nil {
		return err
	}
	for _, folder := range orphans {
		fmt.Fprintf(streams.Err, "warning: %s: %s\n", folder, orphanMessage(cat, folder))
	}
	stale := <-staleDone
	for _, s := range stale.patches {
		fmt.Fprintf(streams.Err, "warning: %s/%s\n", filepath.ToSlash(o.out), s.Error())
	}
	if stale.err != nil {
		return stale.err
	}
	added, envFile, err := ensureDevSecrets(cat, streams.Err)
	if err != nil {
		return err
	}
	if len(added) > 0 {
		fmt.Fprintf(out, "added random dev values for %s to %s\n", strings.Join(added, ", "), envFile)
	}
	return ensureProbe(cat, streams.Err)
}

// ensureProbe puts the health probe the Compose file mounts in place for
// this machine's architecture, unless one is there (tandem up replaces it
// with the Docker engine's), so the rendered file also works with plain
// docker compose.
func ensureProbe(cat *catalogue.Catalogue, warn io.Writer) error {
	if !compose.NeedsProbe(cat) {
		return nil
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(cat.File), filepath.FromSlash(compose.ProbeFile))); err == nil {
		return nil
	}
	binary, err := probe.Binary(runtime.GOARCH)
	if err != nil {
		fmt.Fprintf(warn, "warning: the HTTP health checks in %s need %s: %v\n", manifest.ComposeFile, compose.ProbeFile, err)
		return nil
	}
	return installProbe(cat, binary, warn)
}

// resolveOut follows a symbolic link at the output folder itself, so that
// reading and writing below it see the real tree.
func resolveOut(out string) string {
	if real, err := filepath.EvalSymlinks(out); err == nil {
		return real
	}
	return out
}

// renderInMemory loads the catalogue and renders it with the platform
// patches found in the output folder; it returns the generated files and
// the platform's apart, since only the former are ever written.
func renderInMemory(file, out string) (cat *catalogue.Catalogue, generated, platform manifest.Files, err error) {
	return renderInMemoryFor(file, out, nil)
}

// renderInMemoryFor renders everything, or, given environments, only what
// building their overlays needs.
func renderInMemoryFor(file, out string, overlays []string) (cat *catalogue.Catalogue, generated, platform manifest.Files, err error) {
	out = resolveOut(out)
	cat, err = catalogue.Load(fsys.OS{}, file)
	if err != nil {
		return nil, nil, nil, err
	}
	platform, err = render.ReadPlatform(out, cat.DeployEnvironments())
	if err != nil {
		return nil, nil, nil, err
	}
	projectDir, err := relDir(out, filepath.Dir(file))
	if err != nil {
		return nil, nil, nil, err
	}
	repoPath, err := repoPath(out, filepath.Dir(file))
	if err != nil {
		return nil, nil, nil, err
	}
	generated, err = render.Render(render.Input{Catalogue: cat, ProjectDir: projectDir, Platform: platform, RepoPath: repoPath, Overlays: overlays})
	if err != nil {
		return nil, nil, nil, err
	}
	return cat, generated, platform, nil
}

// repoPath is the output folder relative to the root of the git checkout
// holding it (found by its .git), else to the catalogue's folder.
func repoPath(out, projectDir string) (string, error) {
	abs, err := filepath.Abs(out)
	if err != nil {
		return "", err
	}
	for dir := abs; ; dir = filepath.Dir(dir) {
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return relDir(dir, abs)
		}
		if filepath.Dir(dir) == dir {
			return relDir(projectDir, abs)
		}
	}
}

// relDir is the slash path from folder from to folder to.
func relDir(from, to string) (string, error) {
	absFrom, err := filepath.Abs(from)
	if err != nil {
		return "", err
	}
	absTo, err := filepath.Abs(to)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(absFrom, absTo)
	return filepath.ToSlash(rel), err
}

// ensureDevSecrets makes sure the dev env file beside the catalogue defines
// every dev secret, so that `docker compose up` finds them. The folder gets
// a .gitignore of its own, so the file is ignored whatever the project's
// .gitignore says.
func ensureDevSecrets(cat *catalogue.Catalogue, warn io.Writer) ([]string, string, error) {
	envFile := filepath.Join(filepath.Dir(cat.File), filepath.FromSlash(compose.DevEnvFile))
	existing, err := os.ReadFile(envFile)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, "", err
	}
	required := compose.DevSecrets(cat)
	if len(required) == 0 && existing == nil {
		return nil, envFile, nil
	}
	if err := ensureStateDir(filepath.Dir(envFile), warn); err != nil {
		return nil, "", err
	}
	content, added := compose.AddMissingSecrets(existing, required, func(string) string { return randomSecret() })
	if len(added) == 0 {
		if info, err := os.Stat(envFile); err == nil && info.Mode().Perm()&0o077 != 0 {
			fmt.Fprintf(warn, "warning: %s is readable by others (mode %v); run chmod 600 %s\n", envFile, info.Mode().Perm(), envFile)
		}
		return nil, envFile, nil
	}
	if err := render.WriteFileAtomic(envFile, content, 0o600); err != nil {
		return nil, "", err
	}
	return added, envFile, nil
}

// ensureStateDir makes sure tandem's local state folder (.tandem, holding
// the dev env file and the health probe) exists and is git-ignored: it
// gets a .gitignore of its own, so its files are ignored whatever the
// project's .gitignore says.
func ensureStateDir(dir string, warn io.Writer) error {
	ignore := filepath.Join(dir, ".gitignore")
	rules, err := os.ReadFile(ignore)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return render.WriteFileAtomic(ignore, []byte("# tandem's local state; never committed\n*\n"), 0o644)
	case err != nil:
		return err
	case !ignoresDevEnv(rules):
		fmt.Fprintf(warn, "warning: %s does not ignore %s; add a line '*' to it, or dev secrets may be committed\n", ignore, filepath.Base(compose.DevEnvFile))
	}
	return nil
}

// ignoresDevEnv tells whether the rules of .tandem/.gitignore cover
// dev.env; it reads the plain forms people write, not every git pattern.
func ignoresDevEnv(rules []byte) bool {
	for _, line := range strings.Split(string(rules), "\n") {
		switch strings.TrimSpace(line) {
		case "*", "/*", "dev.env", "/dev.env", "*.env":
			return true
		}
	}
	return false
}

func randomSecret() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}
