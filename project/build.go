package project

import (
	"github.com/pmezard/go-difflib/difflib"

	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/render/build"
	"github.com/tandemdev/tandem/render/stale"
)

// Build renders what env's overlay needs in memory, with the platform's
// patches, and builds it: the manifests, byte for byte what `kubectl
// kustomize` prints for the rendered tree, and how they were built.
func (p *Project) Build(env string) (manifests []byte, how string, err error) {
	generated, platform, err := p.Rendered(env)
	if err != nil {
		return nil, "", err
	}
	return p.buildOverlay(generated.Merge(platform), env)
}

// buildOverlay builds env's overlay from files and, where stale platform
// patches fail the build, names them instead of passing kustomize's
// message on.
func (p *Project) buildOverlay(files manifest.Files, env string) ([]byte, string, error) {
	manifests, how, err := build.OverlayExplained(p.Catalogue, files, env)
	if err != nil {
		return nil, how, stale.Explain(p.Catalogue, files, env, err)
	}
	return manifests, how, nil
}

// RenderedDiff is the unified diff of the built manifests of two
// environments; empty when they build the same.
func (p *Project) RenderedDiff(from, to string) (string, error) {
	generated, platform, err := p.Rendered(from, to)
	if err != nil {
		return "", err
	}
	files := generated.Merge(platform)
	built := map[string]string{}
	for _, env := range []string{from, to} {
		manifests, _, err := p.buildOverlay(files, env)
		if err != nil {
			return "", err
		}
		built[env] = string(manifests)
	}
	return difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(built[from]), B: difflib.SplitLines(built[to]),
		FromFile: from, ToFile: to, Context: 3,
	})
}
