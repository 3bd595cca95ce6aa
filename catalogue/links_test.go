package catalogue

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tandemdev/tandem/fsys"
)

// TestLinksStayInside: a build context or source folder may go through a
// link that stays below the catalogue's folder, given relative or
// absolute, whatever way the catalogue was named; not through one that
// leads out, even to a folder not made yet, or to nothing.
func TestLinksStayInside(t *testing.T) {
	t.Parallel()
	f := fsys.NewMemory("/p")
	for _, dir := range []string{"/p/real/sub", "/etc", "/elsewhere"} {
		if err := f.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, target := range map[string]string{"/p/abs": "/p/real", "/p/rel": "real/sub", "/p/out": "/etc", "/p/real/up": "../..", "/elsewhere/p": "/p", "/p/gone": "/nowhere/x"} {
		if err := f.Symlink(target, name); err != nil {
			t.Fatal(err)
		}
	}
	data := []byte(`name: shop
services:
  ok: {build: abs/sub, volumes: [{path: /a, source: rel}, {path: /b, source: real/new}]}
  out:
    build: out
    volumes: [{path: /a, source: real/up/elsewhere}, {path: /b, source: out/new/deeper}, {path: /c, source: gone/x}]
`)
	want := `tandem.yaml:5:12: services.out.build: out: a link that leads out of the catalogue's folder, to /etc
tandem.yaml:6:34: services.out.volumes[0].source: real/up/elsewhere: a link that leads out of the catalogue's folder, to /elsewhere
tandem.yaml:6:73: services.out.volumes[1].source: out/new/deeper: a link that leads out of the catalogue's folder, to /etc
tandem.yaml:6:109: services.out.volumes[2].source: gone/x: a link that leads nowhere; a link here must lead below the catalogue's folder`
	for _, file := range []string{"tandem.yaml", "/p/tandem.yaml", "/elsewhere/p/tandem.yaml"} {
		_, err := Parse(f, file, data)
		if err == nil {
			t.Fatalf("%s: no error", file)
		}
		if diff := cmp.Diff(want, err.Error()); file == "tandem.yaml" && diff != "" {
			t.Errorf("%s (-want +got):\n%s", file, diff)
		}
	}
	ok := []byte("name: shop\nservices:\n  ok: {build: abs/sub, volumes: [{path: /a, source: rel}, {path: /b, source: real/new}]}\n")
	for _, file := range []string{"tandem.yaml", "/p/tandem.yaml", "/elsewhere/p/tandem.yaml"} {
		if _, err := Parse(f, file, ok); err != nil {
			t.Errorf("%s: %v", file, err)
		}
	}
}
