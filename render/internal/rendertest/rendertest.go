// Package rendertest gives the tests of render's packages what they build
// on: Render loads and renders a catalogue.
package rendertest

import (
	"testing"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/render"
)

// Render loads the catalogue in file and returns it and its generated
// files, rendered with the platform's files for an output folder beside
// the catalogue's.
func Render(t testing.TB, file string, platform manifest.Files) (*catalogue.Catalogue, manifest.Files) {
	t.Helper()
	c, err := catalogue.Load(fsys.OS{}, file)
	if err != nil {
		t.Fatal(err)
	}
	files, err := render.Render(render.Input{Catalogue: c, ProjectDir: "..", Platform: platform})
	if err != nil {
		t.Fatal(err)
	}
	return c, files
}
