package tree

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/manifest"
)

// monorepo is a checkout in memory with two projects, a and b, each with
// its catalogue; b's tree is rendered into b/deploy.
func monorepo(t *testing.T, withRecord bool) *fsys.Memory {
	t.Helper()
	m := fsys.NewMemory("/repo")
	for _, p := range []string{"/repo/a/tandem.yaml", "/repo/b/tandem.yaml", "/home/me/notes.md"} {
		if err := fsys.WriteFileAtomic(m, p, []byte("name: x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	owner := Owner{Catalogue: "/repo/b/tandem.yaml", Adopt: true}
	if _, err := Write(m, "/repo/b/deploy", bTree, owner); err != nil {
		t.Fatal(err)
	}
	if !withRecord {
		if err := m.Remove("/repo/b/deploy/" + RecordFile); err != nil {
			t.Fatal(err)
		}
	}
	return m
}

var bTree = manifest.Files{
	"compose.yaml":                      gen("services: {b: {}}\n"),
	"base/kustomization.yaml":           gen("resources: [services/b]\n"),
	"base/services/b/deployment.yaml":   gen("kind: Deployment\n"),
	"overlays/prod/kustomization.yaml":  gen("resources: [../../base]\n"),
	"overlays/prod/services/b/env.yaml": gen("env: prod\n"),
}

var aTree = manifest.Files{
	"compose.yaml":            gen("services: {a: {}}\n"),
	"base/kustomization.yaml": gen("resources: []\n"),
}

// snapshot is every file of m, with its content.
func snapshot(t *testing.T, m *fsys.Memory) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := fsys.WalkDir(m, "/", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if !d.Type().IsRegular() {
			out[p] = d.Type().String()
			return nil
		}
		data, err := m.ReadFile(p)
		out[p] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestWriteRefusesFoldersThatAreNotTheCatalogues: the reproducers of
// issue 19, and every other folder no tree of this catalogue belongs in;
// each is refused before anything changes, saying how to go on.
func TestWriteRefusesFoldersThatAreNotTheCatalogues(t *testing.T) {
	t.Parallel()
	a := Owner{Catalogue: "/repo/a/tandem.yaml", Home: "/home/me"}
	tests := []struct {
		name, dir  string
		owner      Owner
		noRecord   bool
		want       string
		wantPrefix bool
	}{
		{"the monorepo's root", "/repo", a, false,
			"/repo holds the catalogue's folder /repo/a: the tree would mix with other projects' files and trees; give the tree a folder of its own with -o (the default is deploy beside the catalogue)", false},
		{"the catalogue's own folder", "/repo/a", a, false,
			"/repo/a is the catalogue's own folder: the tree would mix with the catalogue, its sources and other projects' files; give the tree a folder of its own with -o (the default is deploy beside the catalogue)", false},
		{"the filesystem root", "/", a, false,
			"/ is the filesystem root: a render there would mix its files with everything else's; give the tree a folder of its own with -o (the default is deploy beside the catalogue)", false},
		{"the home folder", "/home/me", a, false,
			"/home/me is your home folder: a render there would mix its files with everything else's; give the tree a folder of its own with -o (the default is deploy beside the catalogue)", false},
		{"a file", "/repo/b/tandem.yaml", a, false,
			"/repo/b/tandem.yaml is a file, not a folder; -o names the folder the tree goes in", false},
		{"another catalogue's tree", "/repo/b/deploy", a, false,
			"/repo/b/deploy holds the tree of another catalogue, /repo/b/tandem.yaml (its record /repo/b/deploy/.tandem-tree.yaml says so): render into another folder with -o, or, if that tree is no longer wanted, remove it first; if it is this catalogue's, which moved, write \"catalogue: ../../a/tandem.yaml\" into the record instead", false},
		{"another catalogue's tree, adopting", "/repo/b/deploy", Owner{Catalogue: a.Catalogue, Adopt: true}, false,
			"/repo/b/deploy holds the tree of another catalogue", true},
		{"a tree without a record away from the default place", "/repo/b/deploy", a, true,
			`/repo/b/deploy holds files tandem generated (base/kustomization.yaml and 4 more) but no record of the catalogue they were rendered from, and it is not where this catalogue's tree goes by default (deploy beside it): render into another folder with -o; or, if they are this catalogue's tree from an earlier tandem, write "catalogue: ../../a/tandem.yaml" into /repo/b/deploy/.tandem-tree.yaml and render again`, false},
		{"a folder holding a tree", "/repo/b", a, false,
			"/repo/b holds a tree tandem rendered, in /repo/b/deploy: a tree inside another would mix with it; give the tree a folder of its own with -o (the default is deploy beside the catalogue)", false},
		{"a folder holding a tree without a record", "/repo/b", a, true,
			"/repo/b holds files tandem generated (deploy/base/kustomization.yaml and 4 more) but no record", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := monorepo(t, !tt.noRecord)
			before := snapshot(t, m)
			_, err := Write(m, tt.dir, aTree, tt.owner)
			if !errors.Is(err, ErrOutputFolder) {
				t.Fatalf("Write: got %v, want ErrOutputFolder", err)
			}
			if got := err.Error(); got != tt.want && !(tt.wantPrefix && strings.HasPrefix(got, tt.want)) {
				t.Errorf("Write:\ngot  %s\nwant %s", got, tt.want)
			}
			if diff := cmp.Diff(before, snapshot(t, m)); diff != "" {
				t.Errorf("a refused write changed files (-before +after):\n%s", diff)
			}
			if _, err := ReadGenerated(m, tt.dir, tt.owner); !errors.Is(err, ErrOutputFolder) {
				t.Errorf("ReadGenerated: got %v, want ErrOutputFolder", err)
			}
		})
	}
}

// TestWriteTouchesOnlyTheFilesItsRecordLists: a generated file the record
// does not list is another's: never removed, never replaced, unless it is
// byte for byte what the render writes.
func TestWriteTouchesOnlyTheFilesItsRecordLists(t *testing.T) {
	t.Parallel()
	m := monorepo(t, true)
	b := Owner{Catalogue: "/repo/b/tandem.yaml"}
	copied := gen("copied from another tree\n")
	if err := m.WriteFile("/repo/b/deploy/base/copied.yaml", copied, 0o644); err != nil {
		t.Fatal(err)
	}
	fewer := manifest.Files{"compose.yaml": bTree["compose.yaml"], "base/kustomization.yaml": gen("resources: []\n")}
	res, err := Write(m, "/repo/b/deploy", fewer, b)
	if err != nil {
		t.Fatal(err)
	}
	want := Result{
		Written:   []string{"base/kustomization.yaml"},
		Removed:   []string{"base/services/b/deployment.yaml", "overlays/prod/kustomization.yaml", "overlays/prod/services/b/env.yaml"},
		Unchanged: []string{"compose.yaml"},
	}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("Write (-want +got):\n%s", diff)
	}
	if got, _ := m.ReadFile("/repo/b/deploy/base/copied.yaml"); string(got) != string(copied) {
		t.Errorf("a generated file the record does not list was touched: %q", got)
	}
	got, err := ReadGenerated(m, "/repo/b/deploy", b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(fewer, got); diff != "" {
		t.Errorf("ReadGenerated reads the listed files only (-want +got):\n%s", diff)
	}

	_, err = Write(m, "/repo/b/deploy", manifest.Files{"base/copied.yaml": gen("mine now\n")}, b)
	if !errors.Is(err, ErrNotGenerated) || !strings.Contains(err.Error(), "/repo/b/deploy/base/copied.yaml: carries tandem's header, but .tandem-tree.yaml does not list it as this catalogue's") {
		t.Errorf("replacing a file the record does not list: %v", err)
	}
	if _, err := Write(m, "/repo/b/deploy", manifest.Files{"base/copied.yaml": copied}, b); err != nil {
		t.Errorf("writing the very bytes of a file the record does not list: %v", err)
	}
}

// TestWriteAdoptsAnEarlierTree: a tree without a record is the owner's
// where the owner adopts it (the default place), or once a person wrote
// a record naming only the catalogue.
func TestWriteAdoptsAnEarlierTree(t *testing.T) {
	t.Parallel()
	m := monorepo(t, false)
	b := Owner{Catalogue: "/repo/b/tandem.yaml"}
	if err := m.WriteFile("/repo/b/deploy/"+RecordFile, []byte("catalogue: ../tandem.yaml\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	fewer := manifest.Files{"compose.yaml": bTree["compose.yaml"]}
	res, err := Write(m, "/repo/b/deploy", fewer, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Removed) != 4 {
		t.Errorf("removed %v, want the 4 files no longer rendered", res.Removed)
	}
	rec, _ := m.ReadFile("/repo/b/deploy/" + RecordFile)
	if want := Record(m, "/repo/b/deploy", b, fewer); string(rec) != string(want) {
		t.Errorf("the record became\n%s\nwant\n%s", rec, want)
	}
	if !strings.Contains(string(rec), "catalogue: ../tandem.yaml\nfiles:\n  - compose.yaml\n") {
		t.Errorf("the record:\n%s", rec)
	}

	// The catalogue renamed: its tree, at the default place, follows.
	if err := m.Rename("/repo/b/tandem.yaml", "/repo/b/shop.yaml"); err != nil {
		t.Fatal(err)
	}
	renamed := Owner{Catalogue: "/repo/b/shop.yaml"}
	if _, err := Write(m, "/repo/b/deploy", bTree, renamed); !errors.Is(err, ErrOutputFolder) || !strings.Contains(err.Error(), `write "catalogue: ../shop.yaml" into the record instead`) {
		t.Errorf("a tree whose catalogue moved, away from the default place: %v", err)
	}
	renamed.Adopt = true
	if _, err := Write(m, "/repo/b/deploy", bTree, renamed); err != nil {
		t.Errorf("a tree whose catalogue moved, at the default place: %v", err)
	}
	if rec, _ := m.ReadFile("/repo/b/deploy/" + RecordFile); !strings.Contains(string(rec), "catalogue: ../shop.yaml\n") {
		t.Errorf("the record:\n%s", rec)
	}
}

// TestWriteRefusesReservedNames: tandem's own names are no rendered
// file's.
func TestWriteRefusesReservedNames(t *testing.T) {
	t.Parallel()
	m := fsys.NewMemory("/repo")
	for _, p := range []string{RecordFile, journalFile, stagingPrefix + "x/a.yaml"} {
		if _, err := Write(m, "/repo/deploy", manifest.Files{p: gen("x\n")}, Owner{Catalogue: "/repo/tandem.yaml"}); err == nil || !strings.Contains(err.Error(), "tandem keeps that name for itself") {
			t.Errorf("writing %s: %v", p, err)
		}
	}
	if _, err := m.Stat("/repo/deploy"); err == nil {
		t.Error("a refused write made the output folder")
	}
}

// TestWriteWaitsForTheLock: a second writer waits for the first, then
// fails saying why, having changed nothing; a reader waits too.
func TestWriteWaitsForTheLock(t *testing.T) {
	saved := lockWait
	lockWait = 200 * time.Millisecond
	defer func() { lockWait = saved }()
	m := monorepo(t, true)
	b := Owner{Catalogue: "/repo/b/tandem.yaml"}
	release, err := m.TryLock("/repo/b/deploy", true)
	if err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, m)
	start := time.Now()
	_, err = Write(m, "/repo/b/deploy", aTree, b)
	want := "/repo/b/deploy: another tandem is rendering into this folder (it holds the folder's lock); waited 200ms for it to finish; run the command again once it has (nothing was changed)"
	if err == nil || err.Error() != want {
		t.Errorf("Write while another holds the lock:\ngot  %v\nwant %s", err, want)
	}
	if waited := time.Since(start); waited < lockWait {
		t.Errorf("gave up after %s, before %s", waited, lockWait)
	}
	if diff := cmp.Diff(before, snapshot(t, m)); diff != "" {
		t.Errorf("a write that did not get the lock changed files (-before +after):\n%s", diff)
	}
	if _, err := ReadGenerated(m, "/repo/b/deploy", b); err == nil || err.Error() != want {
		t.Errorf("ReadGenerated while another writes: %v", err)
	}
	release()
	shared, err := m.TryLock("/repo/b/deploy", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ReadGenerated(m, "/repo/b/deploy", b); err != nil {
		t.Errorf("ReadGenerated beside another reader: %v", err)
	}
	if _, err := Write(m, "/repo/b/deploy", bTree, b); err == nil {
		t.Error("Write while another reads: no error")
	}
	shared()
	if _, err := Write(m, "/repo/b/deploy", bTree, b); err != nil {
		t.Errorf("Write once the lock is free: %v", err)
	}
}

// TestWriteRemovesNoFileThroughALink: a folder of the tree replaced by a
// link to another tree's folder takes the render no further than the
// link: the other tree's files, listed in this tree's record, stay.
func TestWriteRemovesNoFileThroughALink(t *testing.T) {
	t.Parallel()
	m := monorepo(t, true)
	a := Owner{Catalogue: "/repo/a/tandem.yaml"}
	if _, err := Write(m, "/repo/a/deploy", manifest.Files{"base/services/b/deployment.yaml": gen("kind: Deployment\n")}, a); err != nil {
		t.Fatal(err)
	}
	if err := m.RemoveAll("/repo/a/deploy/base"); err != nil {
		t.Fatal(err)
	}
	if err := m.Symlink("/repo/b/deploy/base", "/repo/a/deploy/base"); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, m)
	got, err := ReadGenerated(m, "/repo/a/deploy", a)
	if err != nil || len(got) != 0 {
		t.Errorf("ReadGenerated read through the link: %v, %v", got, err)
	}
	res, err := Write(m, "/repo/a/deploy", manifest.Files{"compose.yaml": gen("services: {}\n")}, a)
	if err != nil || len(res.Removed) != 0 {
		t.Errorf("Write: removed %v, %v", res.Removed, err)
	}
	after := snapshot(t, m)
	for p, content := range before {
		if strings.HasPrefix(p, "/repo/b/") && after[p] != content {
			t.Errorf("%s changed through the link", p)
		}
	}
}
