package manifest

import (
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v2"
)

// jsonValues turns what yaml.v2 parses into the JSON values printYAML
// takes; ok is false for what a JSON tree cannot hold.
func jsonValues(v any) (any, bool) {
	switch t := v.(type) {
	case map[any]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			key, isString := k.(string)
			value, ok := jsonValues(e)
			if !isString || !ok {
				return nil, false
			}
			m[key] = value
		}
		return m, true
	case []any:
		s := make([]any, len(t))
		for i, e := range t {
			value, ok := jsonValues(e)
			if !ok {
				return nil, false
			}
			s[i] = value
		}
		return s, true
	case string, int, int64, uint64, float64, bool, nil:
		return t, true
	}
	return nil, false
}

// comparePrint fails unless printYAML prints tree as yaml.v2 does where
// it prints it itself, and tells whether it did. (Where it does not, it
// is yaml.v2, whose output for a few maps depends on their iteration
// order: see sortKeys.)
func comparePrint(t *testing.T, name string, tree any) (fast bool) {
	t.Helper()
	m, ok := tree.(map[string]any)
	if !ok || len(m) == 0 {
		return false
	}
	p := printer{}
	if !p.mapping(m, 0, false) {
		return false
	}
	want, err := yaml.Marshal(tree)
	if err != nil {
		t.Fatalf("%s: yaml.v2: %v", name, err)
	}
	if got := p.buf; !bytes.Equal(got, want) {
		wantLines, gotLines := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
		i := 0
		for i < len(wantLines) && i < len(gotLines) && wantLines[i] == gotLines[i] {
			i++
		}
		t.Errorf("%s: printYAML differs from yaml.v2 from line %d:\n--- yaml.v2\n%s\n--- printYAML\n%s", name, i+1,
			strings.Join(wantLines[i:min(i+3, len(wantLines))], "\n"), strings.Join(gotLines[i:min(i+3, len(gotLines))], "\n"))
	}
	return true
}

// TestPrintMatchesYAMLv2OnManifests compares the two printers on every
// document of every manifest the repository's tests render or compare,
// and checks that printYAML printed nearly all of them itself, so that
// the comparison is of its own output.
func TestPrintMatchesYAMLv2OnManifests(t *testing.T) {
	t.Parallel()
	docs, fast := 0, 0
	for _, root := range []string{"../render/testdata", "../examples/shop/deploy", "../compose/testdata", "../importer/testdata"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() && d.Name() == "realworld" {
				return fs.SkipDir // other projects' Compose files, which tandem reads but never prints
			}
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			dec := yaml.NewDecoder(bytes.NewReader(data))
			for i := 0; ; i++ {
				var raw any
				if err := dec.Decode(&raw); err != nil {
					break // the end, or a file that is no YAML
				}
				tree, ok := jsonValues(raw)
				if !ok {
					continue
				}
				docs++
				if comparePrint(t, fmt.Sprintf("%s#%d", path, i), tree) {
					fast++
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("printYAML printed %d of %d documents itself", fast, docs)
	if docs < 100 || fast < docs*9/10 {
		t.Errorf("printYAML printed %d of %d documents itself; want nine in ten of at least 100", fast, docs)
	}
}

// trickyStrings are strings yaml.v2 quotes, folds or orders in its own
// ways.
var trickyStrings = []string{
	"", " ", "yes", "Yes", "YES", "y", "n", "no", "on", "Off", "true", "False", "null", "Null", "~",
	"1", "-1", "1.0", "1e3", "0x1F", "0o17", "017", "1_000", "1:20", "1:20:30.5", ".5", ".inf", "-.Inf", ".nan",
	"2001-12-14", "2001-12-14t21:59:43.10-05:00", "<<", "=", "-", "- x", "-x", "?", "? x", ":", "a: b", "a:b",
	"#", "a #b", "a#b", "@x", "`x", "!x", "&x", "*x", "|", ">", "%x", "'x'", `"x"`, "x'y", `x"y`, "[x]", "{x}",
	"a,b", " lead", "trail ", "tab\there", "é", "日本", "a\u00a0b", "\x7f", "line\nbreak", "ends\n", "\ttab",
	"http://example.com/a?b=c&d", "/var/lib/data", "registry.example.com/app:1.0", "app@sha256:abc",
	"500m", "512Mi", "10Gi", "1.0.0", "v1", "app.kubernetes.io/name", "-Xmx512m -Xms512m",
}

func randomString(r *rand.Rand) string {
	switch r.IntN(4) {
	case 0:
		return trickyStrings[r.IntN(len(trickyStrings))]
	case 1:
		// Words with spaces around the width where yaml.v2 folds lines.
		var b strings.Builder
		for b.Len() < 40+r.IntN(60) {
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(trickyStrings[r.IntN(len(trickyStrings))])
			b.WriteString("word")
		}
		return b.String()
	case 2:
		return fmt.Sprintf("name-%d", r.IntN(30))
	}
	return trickyStrings[r.IntN(len(trickyStrings))] + fmt.Sprint(r.IntN(200))
}

func randomTree(r *rand.Rand, depth int) any {
	switch n := r.IntN(10); {
	case depth > 0 && n < 4:
		m := map[string]any{}
		for range r.IntN(6) {
			m[randomString(r)] = randomTree(r, depth-1)
		}
		return m
	case depth > 0 && n < 6:
		s := make([]any, r.IntN(4))
		for i := range s {
			s[i] = randomTree(r, depth-1)
		}
		return s
	case n == 6:
		return r.IntN(100000) - 50000
	case n == 7:
		return []any{1.5, 1e21, -0.0001, 3.0}[r.IntN(4)]
	case n == 8:
		return []any{true, false, nil, uint64(1 << 63)}[r.IntN(4)]
	}
	return randomString(r)
}

// TestPrintMatchesYAMLv2OnRandomTrees compares the printers on trees of
// strings that yaml.v2 quotes, folds past the line width or orders by
// their digits, at every depth.
func TestPrintMatchesYAMLv2OnRandomTrees(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	fast := 0
	const trees = 5000
	for i := range trees {
		tree := map[string]any{"root": randomTree(r, 6), randomString(r): randomTree(r, 3)}
		if comparePrint(t, fmt.Sprintf("tree %d", i), tree) {
			fast++
		}
		if t.Failed() {
			return
		}
	}
	t.Logf("printYAML printed %d of %d random trees itself", fast, trees)
	if fast < trees/10 {
		t.Errorf("printYAML printed only %d of %d random trees itself", fast, trees)
	}
}

// FuzzPrintYAML compares the printers on whatever YAML parses to a tree
// of JSON values: go test ./manifest -fuzz FuzzPrintYAML.
func FuzzPrintYAML(f *testing.F) {
	for _, s := range trickyStrings {
		f.Add([]byte(fmt.Sprintf("k: %q\nlist:\n- %q\n%q: {a: [1, %q]}\n", s, s, s, s)))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var raw any
		if yaml.Unmarshal(data, &raw) != nil {
			return
		}
		if tree, ok := jsonValues(raw); ok {
			comparePrint(t, "fuzzed", tree)
		}
	})
}

func TestKeyOrderMatchesYAMLv2(t *testing.T) {
	t.Parallel()
	keys := []string{"a10", "a9", "a09", "a0", "a", "A", "b", "_x", "-x", "x-1", "x_1", "x.1", "é", "z", "port-9", "port-10", "9", "10"}
	m := map[string]any{}
	for _, k := range keys {
		m[k] = 1
	}
	if !comparePrint(t, "keys", m) {
		t.Error("printYAML left these keys to yaml.v2, so their order was not compared")
	}
}
