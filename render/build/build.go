package build

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/internal/safe"
	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/render/internal/yamldoc"
)

// Overlay runs kustomize in memory on rendered files and returns the
// manifests of env's overlay, byte for byte what `kubectl kustomize`
// prints for the same tree on disk.
func Overlay(c *catalogue.Catalogue, files manifest.Files, env string) ([]byte, error) {
	out, _, err := OverlayExplained(c, files, env)
	return out, err
}

// OverlayExplained is Overlay, and says how it built: unit by unit, or in
// one kustomize build and why.
func OverlayExplained(c *catalogue.Catalogue, files manifest.Files, env string) ([]byte, string, error) {
	choices := "the catalogue declares no environment besides dev; add one under environments"
	if deploy := c.DeployEnvironments(); len(deploy) > 0 {
		choices = "choose one of: " + strings.Join(deploy, ", ")
	}
	if env == catalogue.DevEnvironment {
		return nil, "", fmt.Errorf("%w: %s runs locally from %s; it has no kustomize overlay (%s)",
			ErrUnknownEnvironment, env, manifest.ComposeFile, choices)
	}
	if _, ok := c.Environments[env]; !ok {
		return nil, "", fmt.Errorf("%w: %q (%s)", ErrUnknownEnvironment, env, choices)
	}
	out, how, err := buildExplained(files, env)
	if err != nil {
		return nil, how, err
	}
	return out, how, nil
}

// build is Overlay without its check of env: env's overlay built unit by
// unit where that gives the same bytes as one build, else in one.
func build(files manifest.Files, env string) ([]byte, error) {
	out, _, err := buildExplained(files, env)
	return out, err
}

// buildExplained builds env's overlay unit by unit where that gives the
// same bytes as one build (see planSplit), else in one build; it says
// which and why. A unit that fails makes it build whole; a panic is an
// error.
func buildExplained(files manifest.Files, env string) ([]byte, string, error) {
	plan, reason, err := planSplit(files, env)
	if err != nil {
		return nil, "", err
	}
	if plan != nil {
		out, err := plan.build()
		if err == nil {
			return out, fmt.Sprintf("%s: %d units, each built alone, merged in kustomize's order", env, len(plan.units)), nil
		}
		var panicked *safe.PanicError
		if errors.As(err, &panicked) {
			return nil, "", err
		}
		reason = err.Error()
	}
	out, err := buildWhole(files, env)
	return out, fmt.Sprintf("%s: one kustomize build, because %s", env, reason), err
}

// buildWhole runs one krusty build of the overlay.
func buildWhole(files manifest.Files, env string) ([]byte, error) {
	fs := filesys.MakeFsInMemory()
	for _, p := range files.Paths() {
		if err := fs.WriteFile("/"+p, files[p]); err != nil {
			return nil, err
		}
	}
	// kubectl sorts resources in kustomize's legacy order; krusty's default
	// keeps input order.
	opts := krusty.MakeDefaultOptions()
	opts.Reorder = krusty.ReorderOptionLegacy
	resources, err := krusty.MakeKustomizer(opts).Run(fs, path.Join("/", manifest.OverlayDir(env)))
	if err != nil {
		return nil, fmt.Errorf("building overlay %s: %w", env, err)
	}
	return resources.AsYaml()
}

// ResourceNames indexes the resources of env's overlay in files by kind
// and name, as patches find them: the names a build holds, and the names
// renamed resources (a Job and its version) are written with. They are
// read from the units' files where the overlay splits (see planSplit),
// without building, else from one build.
func ResourceNames(files manifest.Files, env string) (map[string]map[string]bool, error) {
	plan, _, err := planSplit(files, env)
	if err != nil {
		return nil, err
	}
	if plan != nil {
		return withRenames(plan.resourceNames(), renames(files, env)), nil
	}
	resources, err := buildWhole(files, env)
	if err != nil {
		return nil, err
	}
	names, err := resourceNames(resources)
	if err != nil {
		return nil, err
	}
	return withRenames(names, renames(files, env)), nil
}

// resourceNames indexes built manifests by kind and name.
func resourceNames(manifests []byte) (map[string]map[string]bool, error) {
	targets, err := yamldoc.Targets(manifests)
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
