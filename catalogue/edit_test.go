package catalogue

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/tandemdev/tandem/internal/golden"
)

// TestSetImageGolden applies one edit of each shape to a catalogue full of
// comments; the golden file shows that nothing else changed.
func TestSetImageGolden(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/set-image/commented.tandem.yaml")
	if err != nil {
		t.Fatal(err)
	}
	edits := []struct{ service, env, image string }{
		{"gateway", "", "registry.example.com/edge/gateway:3.2.0"},                                   // double-quoted scalar
		{"search", "", "registry.example.com/search:7.1"},                                            // single-quoted, flow mapping
		{"orders", "prod", "registry.example.com/shop/orders:1.4.3"},                                 // into a block override
		{"orders", "staging", "registry.example.com/shop/orders@sha256:" + strings.Repeat("ab", 32)}, // into a flow override
		{"cart", "staging", "registry.example.com/shop/cart:1.5.1"},                                  // new environment in flow overrides
		{"payments", "prod", "registry.example.com/shop/payments:1.4.3"},                             // no overrides yet
		{"orders", "prod", "registry.example.com/shop/orders:1.4.4"},                                 // replace what an edit added
	}
	for _, e := range edits {
		data, err = SetImage(data, e.service, e.env, e.image)
		if err != nil {
			t.Fatalf("SetImage(%s, %s): %v", e.service, e.env, err)
		}
	}
	golden.Check(t, "testdata/set-image/commented.golden.yaml", data)
}

func TestSetImageErrors(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/set-image/commented.tandem.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ service, env, image, want string }{
		{"order", "prod", "x:1", `cannot edit the catalogue: no service "order" (did you mean "orders"?)`},
		{"orders", "prd", "x:1", `cannot edit the catalogue: no environment "prd" (did you mean "prod"?)`},
		{"orders", "", "x:1", "cannot edit the catalogue: orders is built from ./services/orders; pass --env ENV to set the image it runs in one environment"},
		{"gateway", "", "gateway", `cannot edit the catalogue: "gateway" has no tag; pin a tag or digest (gateway:1.2.3), since an untagged image runs whatever :latest is that day`},
		{"gateway", "", "Bad Image:1", `cannot edit the catalogue: "Bad Image:1" is not a valid image reference (e.g. registry.example.com/shop/orders:1.4.2)`},
	}
	for _, tt := range tests {
		_, err := SetImage(data, tt.service, tt.env, tt.image)
		if !errors.Is(err, ErrEdit) || err.Error() != tt.want {
			t.Errorf("SetImage(%s, %s, %s): %v\nwant %s", tt.service, tt.env, tt.image, err, tt.want)
		}
	}
}

func TestSetImageFillsAnEmptyEnvironment(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"    overrides:\n      prod:\n":      "    overrides:\n      prod: {image: web:2.0}\n",
		"    overrides:\n      prod: null\n": "    overrides:\n      prod: {image: web:2.0}\n",
	} {
		src := "name: shop\nenvironments: {prod: {}}\nservices:\n  web:\n    image: web:1.0\n" + in
		got, err := SetImage([]byte(src), "web", "prod", "web:2.0")
		if err != nil {
			t.Fatal(err)
		}
		if wantAll := "name: shop\nenvironments: {prod: {}}\nservices:\n  web:\n    image: web:1.0\n" + want; string(got) != wantAll {
			t.Errorf("got:\n%s\nwant:\n%s", got, wantAll)
		}
	}
}
