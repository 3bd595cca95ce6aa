package render

import (
	"fmt"
	"path"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/manifest"
)

// Build runs kustomize in memory on rendered files and returns the
// manifests of env's overlay, byte for byte what `kubectl kustomize` prints
// for the same tree on disk.
func Build(c *catalogue.Catalogue, files manifest.Files, env string) ([]byte, error) {
	out, _, err := BuildExplained(c, files, env)
	return out, err
}

// BuildExplained is Build, and says how it built: unit by unit, or in one
// kustomize build and why.
func BuildExplained(c *catalogue.Catalogue, files manifest.Files, env string) ([]byte, string, error) {
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
	if err == nil {
		return out, how, nil
	}
	// kustomize names neither the patch file nor the line of a patch whose
	// target is gone; find them instead of passing its message on.
	if stale, staleErr := StalePatches(c, files, env); staleErr == nil && len(stale) > 0 {
		return nil, how, staleError(stale)
	}
	return nil, how, err
}

// build runs krusty on files in memory, in kubectl's resource order.
func build(files manifest.Files, env string) ([]byte, error) {
	out, _, err := buildExplained(files, env)
	return out, err
}

// buildExplained builds env's overlay unit by unit where that gives the
// same bytes as one build (see planSplit), else in one build; it says
// which and why.
func buildExplained(files manifest.Files, env string) ([]byte, string, error) {
	plan, reason := planSplit(files, env)
	if plan != nil {
		out, err := plan.build()
		if err == nil {
			return out, fmt.Sprintf("%s: %d units, each built alone, merged in kustomize's order", env, len(plan.units)), nil
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
