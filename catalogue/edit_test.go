package catalogue

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/tandemdev/tandem/fsys"
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
		data, err = SetImage(fsys.OS{}, "tandem.yaml", data, e.service, e.env, e.image)
		if err != nil {
			t.Fatalf("SetImage(fsys.OS{}, %s, %s): %v", e.service, e.env, err)
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
		_, err := SetImage(fsys.OS{}, "tandem.yaml", data, tt.service, tt.env, tt.image)
		if !errors.Is(err, ErrEdit) || err.Error() != tt.want {
			t.Errorf("SetImage(fsys.OS{}, %s, %s, %s): %v\nwant %s", tt.service, tt.env, tt.image, err, tt.want)
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
		got, err := SetImage(fsys.OS{}, "tandem.yaml", []byte(src), "web", "prod", "web:2.0")
		if err != nil {
			t.Fatal(err)
		}
		if wantAll := "name: shop\nenvironments: {prod: {}}\nservices:\n  web:\n    image: web:1.0\n" + want; string(got) != wantAll {
			t.Errorf("got:\n%s\nwant:\n%s", got, wantAll)
		}
	}
}

// TestSetImageTrickyText covers layouts a review found: each either edits
// exactly the image or refuses with a reason.
func TestSetImageTrickyText(t *testing.T) {
	t.Parallel()
	const head = "name: shop\nenvironments: {prod: {}}\nservices:\n"
	tests := []struct {
		name, in, service, env, image, want, err string
	}{
		{name: "CRLF file keeps CRLF", service: "a", env: "prod", image: "reg/a:2",
			in:   "name: shop\r\nenvironments: {prod: {}}\r\nservices:\r\n  a:\r\n    image: reg/a:1\r\n",
			want: "name: shop\r\nenvironments: {prod: {}}\r\nservices:\r\n  a:\r\n    image: reg/a:1\r\n    overrides:\r\n      prod: {image: reg/a:2}\r\n"},
		{name: "multi-line flow value closed at key indentation", service: "a", env: "prod", image: "reg/a:2",
			in:   head + "  a:\n    image: reg/a:1\n    env: {\n      A: \"1\"\n    }\n",
			want: head + "  a:\n    image: reg/a:1\n    env: {\n      A: \"1\"\n    }\n    overrides:\n      prod: {image: reg/a:2}\n"},
		{name: "bare dash item", service: "a", env: "prod", image: "reg/a:2",
			in:   head + "  a:\n    image: reg/a:1\n    command:\n    -\n      run\n",
			want: head + "  a:\n    image: reg/a:1\n    command:\n    -\n      run\n    overrides:\n      prod: {image: reg/a:2}\n"},
		{name: "apostrophe in a flow plain value", service: "a", env: "prod", image: "reg/a:2",
			in:   head + "  a: {env: {M: it's}, image: reg/a:1}\n",
			want: head + "  a: {env: {M: it's}, image: reg/a:1, overrides: {prod: {image: reg/a:2}}}\n"},
		{name: "empty image in an override", service: "a", env: "prod", image: "reg/a:2",
			in:   head + "  a:\n    image: reg/a:1\n    overrides:\n      prod:\n        image:\n",
			want: head + "  a:\n    image: reg/a:1\n    overrides:\n      prod:\n        image: reg/a:2\n"},
		{name: "byte order mark and flow style", service: "a", env: "", image: "reg/a:2",
			in:   "\ufeff{name: shop, services: {a: {image: reg/a:1}}}\n",
			want: "\ufeff{name: shop, services: {a: {image: reg/a:2}}}\n"},
		{name: "anchored overrides are shared", service: "a", env: "prod", image: "reg/a:2",
			in:  head + "  a:\n    image: reg/a:1\n    overrides: &ov\n      prod: {replicas: 2}\n  b:\n    image: reg/b:1\n    overrides: *ov\n",
			err: "cannot edit the catalogue: services.a.overrides is the anchor &ov, shared with other places; give it its own value first"},
		{name: "aliased service", service: "b", env: "", image: "reg/b:2",
			in:  head + "  a: &a {image: reg/a:1}\n  b: *a\n",
			err: "cannot edit the catalogue: services.b is the anchor *a, shared with other places; give it its own value first"},
		{name: "overrides from a merge", service: "b", env: "prod", image: "reg/b:2",
			in:  head + "  a: &a {image: reg/a:1, overrides: {staging: {replicas: 1}}}\n  b:\n    <<: *a\n    image: reg/b:1\n",
			err: "cannot edit the catalogue: services.b.overrides comes from a merge (<<); a local overrides would replace all of it, so edit it by hand"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if tt.err != "" {
				in = strings.Replace(in, "environments: {prod: {}}", "environments: {prod: {}, staging: {}}", 1)
			}
			got, err := SetImage(fsys.OS{}, "tandem.yaml", []byte(in), tt.service, tt.env, tt.image)
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Errorf("got %v, want %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got:\n%q\nwant:\n%q", got, tt.want)
			}
		})
	}
}

func TestSetImageOfAnIncludedService(t *testing.T) {
	t.Parallel()
	file := "testdata/valid-include/tandem.yaml"
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	_, err = SetImage(fsys.OS{}, file, data, "web", "", "web:2.0")
	want := "cannot edit the catalogue: web is defined in testdata/valid-include/more/web.yaml, which testdata/valid-include/tandem.yaml includes; set its image there"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// TestSetImageLineEndings makes the golden test's edits to the same file
// with each line ending the YAML parser counts lines by: the result is
// the golden file with that ending. CR alone used to panic (issue 19).
func TestSetImageLineEndings(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/set-image/commented.tandem.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("testdata/set-image/commented.golden.yaml")
	if err != nil {
		t.Fatal(err)
	}
	edits := []struct{ service, env, image string }{
		{"gateway", "", "registry.example.com/edge/gateway:3.2.0"},
		{"search", "", "registry.example.com/search:7.1"},
		{"orders", "prod", "registry.example.com/shop/orders:1.4.3"},
		{"orders", "staging", "registry.example.com/shop/orders@sha256:" + strings.Repeat("ab", 32)},
		{"cart", "staging", "registry.example.com/shop/cart:1.5.1"},
		{"payments", "prod", "registry.example.com/shop/payments:1.4.3"},
		{"orders", "prod", "registry.example.com/shop/orders:1.4.4"},
	}
	for name, newline := range map[string]string{"CR": "\r", "CRLF": "\r\n"} {
		got := []byte(strings.ReplaceAll(string(data), "\n", newline))
		for _, e := range edits {
			got, err = SetImage(fsys.OS{}, "tandem.yaml", got, e.service, e.env, e.image)
			if err != nil {
				t.Fatalf("%s: SetImage(%s, %s): %v", name, e.service, e.env, err)
			}
		}
		if want := strings.ReplaceAll(string(want), "\n", newline); string(got) != want {
			t.Errorf("%s: got\n%q\nwant\n%q", name, got, want)
		}
	}
	// A short file, as the reproducer: the edit lands where the
	// value is, not at the start.
	src := "name: shop\renvironments: {prod: {}}\rservices:\r  web:\r    image: web:1.0\r"
	got, err := SetImage(fsys.OS{}, "tandem.yaml", []byte(src), "web", "", "web:2.0")
	if want := strings.Replace(src, "web:1.0", "web:2.0", 1); err != nil || string(got) != want {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
	got, err = SetImage(fsys.OS{}, "tandem.yaml", []byte(src), "web", "prod", "web:2.0")
	if want := src + "    overrides:\r      prod: {image: web:2.0}\r"; err != nil || string(got) != want {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
	// NEL and U+2028 end no line in YAML 1.2, in a comment or a value: the
	// edit is placed as the loader reads the file, and keeps them.
	src = "name: shop\n# note\u2028 and\u0085 more\nenvironments: {prod: {}}\nservices:\n  web:\n    env: {MOTTO: \"a\u2028b\"}\n    image: web:1.0 # \u2028\n"
	got, err = SetImage(fsys.OS{}, "tandem.yaml", []byte(src), "web", "", "web:2.0")
	if want := strings.Replace(src, "web:1.0", "web:2.0", 1); err != nil || string(got) != want {
		t.Errorf("got %q, %v; want %q", got, err, want)
	}
}
