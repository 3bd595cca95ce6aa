package project

import (
	"github.com/pmezard/go-difflib/difflib"

	"github.com/tandemdev/tandem/render"
)

// Build renders what env's overlay needs in memory, with the platform's
// patches, and builds it: the manifests, byte for byte what `kubectl
// kustomize` prints for the rendered tree, and how they were built.
func (p *Project) Build(env string) (manifests []byte, how string, err error) {
	generated, platform, err := p.Rendered(env)
	if err != nil {
		return nil, "", err
	}
	return render.BuildExplained(p.Catalogue, generated.Merge(platform), env)
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
		manifests, err := render.Build(p.Catalogue, files, env)
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
