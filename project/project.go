package project

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/devstate"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/render"
	"github.com/tandemdev/tandem/render/tree"
)

// ErrUsage marks a complaint about what the user asked for (an unknown
// environment or name, options that do not go together), rather than
// about the catalogue or the machine.
var ErrUsage = errors.New("usage")

// usageErrorf makes an ErrUsage error; its message starts with "usage: ".
func usageErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrUsage}, args...)...)
}

// Options say where a project's files are, as the user gave them: paths
// in messages read the same.
type Options struct {
	// File is the catalogue; default tandem.yaml.
	File string
	// Out is the folder the rendered tree lives in; default deploy.
	Out string
	// Home is the user's home folder, which never holds a tree; default
	// the process's.
	Home string
}

// Project is a catalogue opened on a filesystem, with the folder its tree
// is rendered into and its .tandem state.
type Project struct {
	fs              fsys.FS
	file, out, home string
	// Catalogue is the loaded, valid catalogue.
	Catalogue *catalogue.Catalogue
	state     devstate.Folder
}

// Open loads the catalogue of o on f. Every problem of the catalogue is
// reported at once (catalogue.ErrInvalid), or catalogue.ErrNotFound
// when there is none.
func Open(f fsys.FS, o Options) (*Project, error) {
	if o.File == "" {
		o.File = "tandem.yaml"
	}
	if o.Out == "" {
		o.Out = "deploy"
	}
	if o.Home == "" {
		o.Home, _ = os.UserHomeDir()
	}
	cat, err := catalogue.Load(f, o.File)
	if err != nil {
		return nil, err
	}
	return &Project{fs: f, file: o.File, out: o.Out, home: o.Home, Catalogue: cat, state: devstate.At(f, filepath.Dir(o.File))}, nil
}

// File is the catalogue's path, as given.
func (p *Project) File() string { return p.file }

// Out is the rendered tree's folder, as given.
func (p *Project) Out() string { return p.out }

// outDir is the rendered tree's folder with a symbolic link at the folder
// itself followed, so that reading and writing below it see the real tree.
func (p *Project) outDir() string {
	if real, err := p.fs.EvalSymlinks(p.out); err == nil {
		return real
	}
	return p.out
}

// owner is the catalogue as the owner of its tree. A tree without a
// record, from an earlier tandem, is the catalogue's where its tree goes
// by default, deploy beside it.
func (p *Project) owner() tree.Owner {
	def := filepath.Join(filepath.Dir(p.file), "deploy")
	if real, err := p.fs.EvalSymlinks(def); err == nil {
		def = real
	}
	absDef, err1 := p.fs.Abs(def)
	absOut, err2 := p.fs.Abs(p.outDir())
	return tree.Owner{Catalogue: p.file, Adopt: err1 == nil && err2 == nil && absDef == absOut, Home: p.home}
}

// Rendered renders everything in memory, or, given environments, only
// what building their overlays needs, with the platform's files found in
// the output folder; it returns the generated files and the platform's
// apart, since only the former are ever written.
func (p *Project) Rendered(envs ...string) (generated, platform manifest.Files, err error) {
	out := p.outDir()
	// Every command that reads the tree refuses what render would.
	if err := p.owner().CheckFolder(p.fs, out); err != nil {
		return nil, nil, err
	}
	platform, err = tree.ReadPlatform(p.fs, out, p.Catalogue.DeployEnvironments())
	if err != nil {
		return nil, nil, err
	}
	projectDir, err := p.relDir(out, filepath.Dir(p.file))
	if err != nil {
		return nil, nil, err
	}
	repoPath, err := p.repoPath(out, filepath.Dir(p.file))
	if err != nil {
		return nil, nil, err
	}
	var overlays []string
	if len(envs) > 0 {
		overlays = envs
	}
	generated, err = render.Render(render.Input{Catalogue: p.Catalogue, ProjectDir: projectDir, Platform: platform, RepoPath: repoPath, Overlays: overlays})
	if err != nil {
		return nil, nil, err
	}
	return generated, platform, nil
}

// repoPath is the output folder relative to the root of the git checkout
// holding it (found by its .git), else to the catalogue's folder.
func (p *Project) repoPath(out, projectDir string) (string, error) {
	abs, err := p.fs.Abs(out)
	if err != nil {
		return "", err
	}
	for dir := abs; ; dir = filepath.Dir(dir) {
		if _, err := p.fs.Stat(filepath.Join(dir, ".git")); err == nil {
			return p.relDir(dir, abs)
		}
		if filepath.Dir(dir) == dir {
			return p.relDir(projectDir, abs)
		}
	}
}

// relDir is the slash path from folder from to folder to.
func (p *Project) relDir(from, to string) (string, error) {
	absFrom, err := p.fs.Abs(from)
	if err != nil {
		return "", err
	}
	absTo, err := p.fs.Abs(to)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(absFrom, absTo)
	return filepath.ToSlash(rel), err
}

// deployEnvironments checks the environments named, or returns every
// environment with an overlay when none is.
func (p *Project) deployEnvironments(named []string) ([]string, error) {
	all := p.Catalogue.DeployEnvironments()
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
