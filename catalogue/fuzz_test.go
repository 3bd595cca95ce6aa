package catalogue

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
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

// FuzzSetImage: an image edit of any catalogue either gives a catalogue
// that loads and says what was asked, or fails as the input's fault
// (ErrInvalid, ErrEdit); it never panics, as it did on a file with CR
// alone between lines (issue 19).
func FuzzSetImage(f *testing.F) {
	data, err := os.ReadFile("testdata/set-image/commented.tandem.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, newline := range []string{"\n", "\r\n", "\r"} {
		text := []byte(strings.ReplaceAll(string(data), "\n", newline))
		f.Add(text, "orders", "prod", "registry.example.com/shop/orders:1.4.3")
		f.Add(text, "payments", "staging", "registry.example.com/shop/payments:2")
		f.Add(text, "gateway", "", "registry.example.com/edge/gateway:3.2.0")
	}
	f.Add([]byte("\ufeff{name: shop, services: {a: {image: reg/a:1}}}\n"), "a", "", "reg/a:2")
	f.Add([]byte("name: shop\nenvironments: {prod: {}}\nservices:\n  a: {env: {M: it's}, image: reg/a:1}\n"), "a", "prod", "reg/a:2")
	f.Fuzz(func(t *testing.T, data []byte, service, env, image string) {
		out, err := SetImage(fsys.NewMemory("/fuzz"), "tandem.yaml", data, service, env, image)
		if err != nil {
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrEdit) {
				t.Fatalf("error is neither ErrInvalid nor ErrEdit: %v", err)
			}
			return
		}
		c, err := Parse(fsys.NewMemory("/fuzz"), "tandem.yaml", out)
		if err != nil {
			t.Fatalf("the edited catalogue does not load: %v\n%q", err, out)
		}
		got := c.Services[service].Image
		if env != "" {
			got = c.Services[service].Overrides[env].Image
		}
		if got != image {
			t.Fatalf("the image is %q, want %q\n%q", got, image, out)
		}
	})
}
