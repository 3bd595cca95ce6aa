package render

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/overlays"
)

// ErrStalePatch marks a platform patch that no longer matches a resource of
// its overlay, typically because a service was renamed or removed.
var ErrStalePatch = errors.New("stale platform patch")

// StalePatch is a document of a platform patch whose target the overlay
// does not have.
type StalePatch struct {
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

func (s StalePatch) Error() string { return fmt.Sprintf("%s:%d: %s", s.File, s.Line, s.Problem()) }

// Problem says what is wrong with the patch, without its location.
func (s StalePatch) Problem() string {
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

// StalePatches lists the documents of env's platform patches, in files,
// that target no resource of the overlay as tandem renders it: what the
// overlay holds without the platform's patches, read from its units'
// files where it splits (see planSplit), else from a build.
func StalePatches(c *catalogue.Catalogue, files manifest.Files, env string) ([]StalePatch, error) {
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
	have, err := bareResourceNames(files.Merge(bare), env)
	if err != nil {
		return nil, err
	}
	var stale []StalePatch
	for _, p := range patches {
		targets, err := patchTargets(files[p])
		if err != nil {
			stale = append(stale, StalePatch{File: p, Line: 1, Env: env, Invalid: err.Error()})
			continue
		}
		for _, t := range targets {
			if t.Kind == "" || t.Name == "" || !have[t.Kind][t.Name] {
				stale = append(stale, StalePatch{File: p, Line: t.Line, Kind: t.Kind, Name: t.Name, Env: env, Known: slices.Sorted(maps.Keys(have[t.Kind]))})
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
		targets, err := patchTargets(files[p])
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

type target struct {
	Kind, Name string
	Line       int
}

// patchTargets reads kind and metadata.name of each document of a patch.
func patchTargets(data []byte) ([]target, error) {
	docs, err := patchDocuments(data)
	if err != nil {
		return nil, err
	}
	out := make([]target, len(docs))
	for i, doc := range docs {
		out[i] = docTarget(doc)
	}
	return out, nil
}

// patchDocuments parses the non-empty documents of a patch file.
func patchDocuments(data []byte) ([]*yaml.Node, error) {
	var docs []*yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			return docs, nil
		} else if err != nil {
			return nil, err
		}
		if len(doc.Content) > 0 {
			docs = append(docs, &doc)
		}
	}
}

// docTarget is the kind and metadata.name of a patch document, with the
// line of the name (else of the document).
func docTarget(doc *yaml.Node) target {
	root := doc.Content[0]
	t := target{Line: root.Line}
	if kind := child(root, "kind"); kind != nil {
		t.Kind = kind.Value
	}
	if name := child(child(root, "metadata"), "name"); name != nil {
		t.Name, t.Line = name.Value, name.Line
	}
	return t
}

func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// bareResourceNames indexes the resources of env's overlay without the
// platform's patches by kind and name: read from the files where the
// overlay splits into units (see planSplit), else from a build.
func bareResourceNames(files manifest.Files, env string) (map[string]map[string]bool, error) {
	if plan, _ := planSplit(files, env); plan != nil {
		return plan.resourceNames(), nil
	}
	resources, err := buildWhole(files, env)
	if err != nil {
		return nil, fmt.Errorf("building %s without its platform patches: %w", env, err)
	}
	return resourceNames(resources)
}

// resourceNames indexes built manifests by kind and name.
func resourceNames(manifests []byte) (map[string]map[string]bool, error) {
	targets, err := patchTargets(manifests)
	if err != nil {
		return nil, err
	}
	have := map[string]map[string]bool{}
	for _, t := range targets {
		if have[t.Kind] == nil {
			have[t.Kind] = map[string]bool{}
		}
		have[t.Kind][t.Name] = true
	}
	return have, nil
}

// staleError joins stale patches into one error.
func staleError(stale []StalePatch) error {
	lines := make([]string, len(stale))
	for i, s := range stale {
		lines[i] = s.Error()
	}
	return fmt.Errorf("%w:\n  %s", ErrStalePatch, strings.Join(lines, "\n  "))
}
