package catalogue

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/tandemdev/tandem/fsys"
)

// seedCatalogues adds every catalogue the tests know, good and bad.
func seedCatalogues(f *testing.F, globs ...string) {
	f.Helper()
	for _, glob := range globs {
		paths, _ := filepath.Glob(glob)
		for _, p := range paths {
			if data, err := os.ReadFile(p); err == nil {
				f.Add(data)
			}
		}
	}
}

// FuzzParse: any input either loads or fails with ErrInvalid, never
// panics, and whatever loads resolves in every environment.
func FuzzParse(f *testing.F) {
	seedCatalogues(f, "testdata/*.yaml", "testdata/*/*.yaml", "../examples/*/tandem.yaml")
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(fsys.OS{}, "tandem.yaml", data)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error is not ErrInvalid: %v", err)
			}
			return
		}
		for _, env := range append([]string{"", DevEnvironment}, c.DeployEnvironments()...) {
			c.Resolve(env)
		}
	})
}
