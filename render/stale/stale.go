package stale

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/overlays"
	"github.com/tandemdev/tandem/render/build"
	"github.com/tandemdev/tandem/render/internal/yamldoc"
)

// ErrPatch marks a platform patch that no longer matches a resource of its
// overlay, typically because a service was renamed or removed.
var ErrPatch = errors.New("stale platform patch")

// Patch is a document of a platform patch whose target the overlay does
// not have.
type Patch struct {
	// File is relative to the output folder; Line is the line of the
	// document's metadata.name, or of the document when it has none.
	File       string
	Line       int
	Kind, Name string
	Env        string
	// Known lists the names of that kind that the overlay does have.
	Known []string
	// Invalid holds the parse error of a patch that is not YAML.
	Invalid string
}

func (s Patch) Error() string { return fmt.Sprintf("%s:%d: %s", s.File, s.Line, s.Problem()) }

// Problem says what is wrong with the patch, without its location.
func (s Patch) Problem() string {
	if s.Invalid != "" {
		return "not valid YAML: " + s.Invalid
	}
	if s.Kind == "" || s.Name == "" {
		return fmt.Sprintf("not a strategic merge patch (it needs kind and metadata.name), so it cannot say what it patches in %s", s.Env)
	}
	hint := ""
	if len(s.Known) > 0 {
		hint = fmt.Sprintf(" (%s: %s)", strings.ToLower(s.Kind)+"s in "+s.Env, strings.Join(s.Known, ", "))
	}
	return fmt.Sprintf("patches %s %s, which %s no longer has; was it renamed or removed from the catalogue?%s",
		s.Kind, s.Name, s.Env, hint)
}

// Patches lists the documents of env's platform patches, in files, that
// target no resource of the overlay as tandem renders it: what the overlay
// holds without the platform's patches (see build.ResourceNames).
func Patches(c *catalogue.Catalogue, files manifest.Files, env string) ([]Patch, error) {
	prefix := manifest.PlatformPatchesDir(env) + "/"
	var patches []string
	for _, rel := range manifest.PlatformPatches(files, env) {
		patches = append(patches, prefix+rel)
	}
	if len(patches) == 0 {
		return nil, nil
	}
	bare, err := overlays.Render(c, env, nil, manifest.ComponentDirs(files))
	if err != nil {
		return nil, err
	}
	have, err := build.ResourceNames(files.Merge(bare), env)
	if err != nil {
		return nil, fmt.Errorf("building %s without its platform patches: %w", env, err)
	}
	var stale []Patch
	for _, p := range patches {
		targets, err := yamldoc.Targets(files[p])
		if err != nil {
			stale = append(stale, Patch{File: p, Line: 1, Env: env, Invalid: err.Error()})
			continue
		}
		for _, t := range targets {
			if t.Kind == "" || t.Name == "" || !have[t.Kind][t.Name] {
				stale = append(stale, Patch{File: p, Line: t.Line, Kind: t.Kind, Name: t.Name, Env: env, Known: slices.Sorted(maps.Keys(have[t.Kind]))})
			}
		}
	}
	return stale, nil
}

// PatchedBy maps "Kind/name" of each object that a platform patch of env
// targets to the patch files, relative to the output folder, so that a
// problem with the object can name them.
func PatchedBy(files manifest.Files, env string) map[string][]string {
	prefix := manifest.PlatformPatchesDir(env) + "/"
	out := map[string][]string{}
	for _, rel := range manifest.PlatformPatches(files, env) {
		p := prefix + rel
		targets, err := yamldoc.Targets(files[p])
		if err != nil {
			continue // reported as a stale patch
		}
		for _, t := range targets {
			key := t.Kind + "/" + t.Name
			if !slices.Contains(out[key], p) {
				out[key] = append(out[key], p)
			}
		}
	}
	return out
}

// Explain returns err, the error of building env's overlay from files
// (see build.Overlay), unless platform patches of env are stale: then an
// ErrPatch that names each, with its file and line, where kustomize's
// message names neither. An unknown environment is left as it is.
func Explain(c *catalogue.Catalogue, files manifest.Files, env string, err error) error {
	if err == nil || errors.Is(err, build.ErrUnknownEnvironment) {
		return err
	}
	if stale, staleErr := Patches(c, files, env); staleErr == nil && len(stale) > 0 {
		return patchesError(stale)
	}
	return err
}

// patchesError joins stale patches into one error.
func patchesError(stale []Patch) error {
	lines := make([]string, len(stale))
	for i, s := range stale {
		lines[i] = s.Error()
	}
	return fmt.Errorf("%w:\n  %s", ErrPatch, strings.Join(lines, "\n  "))
}
