// Package golden compares test output with expected files under testdata/,
// and rewrites them when tests run with -update.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files with the current output")

// Updating tells whether the test run rewrites golden files.
func Updating() bool { return *update }

// Check compares got with the file at path, or writes it under -update.
func Check(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run the test with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got); review, then run with -update if intended:\n%s", path, diff)
	}
}

// Flatten joins files into one text, each preceded by a line naming its
// path, so that a whole tree can be reviewed as one golden file.
func Flatten(files map[string][]byte) []byte {
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var buf bytes.Buffer
	for _, p := range paths {
		buf.WriteString("=== " + p + "\n")
		buf.Write(files[p])
	}
	return buf.Bytes()
}
