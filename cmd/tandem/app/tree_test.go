package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tandemdev/tandem/internal/testfs"
)

// TestRenderTouchesOnlyItsOwnTree: the reproducers of issue 19 through
// the command line. In a monorepo of two projects, one's render into the
// root, its own folder, a file or the other's tree exits 2, says why and
// how to go on, and leaves every file as it was.
func TestRenderTouchesOnlyItsOwnTree(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	shop, err := os.ReadFile("../../../examples/shop/tandem.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, project := range []string{"a", "b"} {
		if err := os.MkdirAll(filepath.Join(root, project), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, project, "tandem.yaml"), shop, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a, b := filepath.Join(root, "a", "tandem.yaml"), filepath.Join(root, "b", "tandem.yaml")
	if code, _, stderr := run(t, "render", "-f", b, "-o", filepath.Join(root, "b", "deploy")); code != ExitOK {
		t.Fatalf("render of b: %s", stderr)
	}
	before := testfs.Snapshot(t, root)

	tests := []struct {
		out, want string
	}{
		{root, root + " holds the catalogue's folder " + filepath.Join(root, "a") + ": the tree would mix with other projects' files and trees; give the tree a folder of its own with -o (the default is deploy beside the catalogue)"},
		{filepath.Join(root, "a"), filepath.Join(root, "a") + " is the catalogue's own folder"},
		{filepath.Join(root, "b", "deploy"), filepath.Join(root, "b", "deploy") + " holds the tree of another catalogue, " + b + " (its record " + filepath.Join(root, "b", "deploy", ".tandem-tree.yaml") + " says so)"},
		{b, b + " is a file, not a folder; -o names the folder the tree goes in"},
	}
	for _, tt := range tests {
		for _, command := range []string{"render", "check", "build prod"} {
			if command == "build prod" && strings.Contains(tt.want, "another catalogue") {
				continue // build reads only the platform's files, whoever's tree they are in
			}
			args := append(strings.Fields(command), "-f", a, "-o", tt.out)
			code, _, stderr := run(t, args...)
			if code != ExitInput || !strings.HasPrefix(stderr, "tandem: "+tt.want) {
				t.Errorf("%s -o %s: exit %d\n%s\nwant exit 2 and\ntandem: %s", command, tt.out, code, stderr, tt.want)
			}
		}
	}
	if code, _, stderr := run(t, "check", "-f", a, "-o", "/"); code != ExitInput || !strings.Contains(stderr, "/ is the filesystem root") {
		t.Errorf("check -o /: exit %d\n%s", code, stderr)
	}
	if diff := cmp.Diff(before, testfs.Snapshot(t, root)); diff != "" {
		t.Errorf("refused commands changed files (-before +after):\n%s", diff)
	}
}

// TestCheckReportsAnInterruptedRender: check tells of a render killed
// half done, without a diff; the next render finishes it, and says so.
func TestCheckReportsAnInterruptedRender(t *testing.T) {
	t.Parallel()
	dir := shopCopy(t)
	file, out := filepath.Join(dir, "tandem.yaml"), filepath.Join(dir, "deploy")
	if code, _, stderr := run(t, "render", "-f", file, "-o", out); code != ExitOK {
		t.Fatal(stderr)
	}
	// A render killed after its journal, before it moved compose.yaml.
	compose := filepath.Join(out, "compose.yaml")
	data, err := os.ReadFile(compose)
	if err != nil {
		t.Fatal(err)
	}
	staged := filepath.Join(out, ".tandem-staging-killed", "new", "compose.yaml")
	testfs.WriteFile(t, staged, append(data, "# a newer render\n"...))
	testfs.WriteFile(t, filepath.Join(out, ".tandem-journal.json"), []byte(`{"staging":".tandem-staging-killed","moves":[{"path":"compose.yaml"}]}`))

	code, stdout, _ := run(t, "check", "-f", file, "-o", out)
	want := "drift: " + out + ": a render into this folder was interrupted: some of its files are the old render's, some the new one's; run tandem render to finish it\n1 finding(s)\n"
	if code != ExitFindings || stdout != want {
		t.Errorf("check of an interrupted render: exit %d\n%s\nwant exit 1 and\n%s", code, stdout, want)
	}
	code, stdout, stderr := run(t, "render", "-f", file, "-o", out)
	if code != ExitOK || !strings.Contains(stderr, "note: finished the render into "+out+" that was interrupted, before this one\n") ||
		!strings.Contains(stdout, "1 written, 99 unchanged, 0 removed") {
		t.Errorf("the next render: exit %d\n%s%s", code, stdout, stderr)
	}
	if code, stdout, _ := run(t, "check", "-f", file, "-o", out); code != ExitOK {
		t.Errorf("check after the next render: exit %d\n%s", code, stdout)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(out, ".tandem-[sj]*")); len(leftovers) > 0 {
		t.Errorf("left %v", leftovers)
	}
}
