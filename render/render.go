package render

import (
	"fmt"
	"path"
	"strings"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/compose"
	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/overlays"
)

// Input is everything a render depends on.
type Input struct {
	Catalogue *catalogue.Catalogue
	// ProjectDir is the catalogue's folder relative to the output folder.
	ProjectDir string
	// Platform holds the platform team's files under overlays/ENV/patches/,
	// by path relative to the output folder. They are listed in the
	// overlays, never produced.
	Platform manifest.Files
}

// Render returns every file tandem generates for the input. It is pure:
// the same input gives the same bytes.
func Render(in Input) (manifest.Files, error) {
	c := in.Catalogue
	files, err := Base(c)
	if err != nil {
		return nil, fmt.Errorf("rendering the base: %w", err)
	}
	for _, env := range c.DeployEnvironments() {
		overlay, err := overlays.Render(c, env, platformPatches(in.Platform, env))
		if err != nil {
			return nil, fmt.Errorf("rendering overlay %q: %w", env, err)
		}
		for p, data := range overlay {
			files[p] = data
		}
	}
	composeFile, err := compose.Render(c, compose.Options{ProjectDir: in.ProjectDir})
	if err != nil {
		return nil, err
	}
	files[manifest.ComposeFile] = composeFile
	return files, nil
}

// platformPatches lists env's platform files relative to its patches folder.
func platformPatches(platform manifest.Files, env string) []string {
	prefix := manifest.PlatformPatchesDir(env) + "/"
	var out []string
	for _, p := range platform.Paths() {
		if rel, ok := strings.CutPrefix(p, prefix); ok && isManifest(rel) {
			out = append(out, rel)
		}
	}
	return out
}

func isManifest(name string) bool {
	ext := path.Ext(name)
	return ext == ".yaml" || ext == ".yml"
}
