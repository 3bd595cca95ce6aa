package tree

import (
	"errors"
	"io/fs"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/manifest"
)

var errKilled = errors.New("killed")

// dyingDisk is a process killed after its first n changes to the disk:
// every change after them fails, the rollback's too, so the disk stays as
// the kill left it.
type dyingDisk struct {
	fsys.FS
	mu   sync.Mutex
	left int
}

func (d *dyingDisk) alive() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.left == 0 {
		return false
	}
	d.left--
	return true
}

func (d *dyingDisk) WriteFile(name string, data []byte, perm fs.FileMode) error {
	if !d.alive() {
		return errKilled
	}
	return d.FS.WriteFile(name, data, perm)
}

func (d *dyingDisk) Mkdir(name string, perm fs.FileMode) error {
	if !d.alive() {
		return errKilled
	}
	return d.FS.Mkdir(name, perm)
}

func (d *dyingDisk) MkdirAll(name string, perm fs.FileMode) error {
	if !d.alive() {
		return errKilled
	}
	return d.FS.MkdirAll(name, perm)
}

func (d *dyingDisk) Chmod(name string, mode fs.FileMode) error {
	if !d.alive() {
		return errKilled
	}
	return d.FS.Chmod(name, mode)
}

func (d *dyingDisk) Rename(from, to string) error {
	if !d.alive() {
		return errKilled
	}
	return d.FS.Rename(from, to)
}

func (d *dyingDisk) Remove(name string) error {
	if !d.alive() {
		return errKilled
	}
	return d.FS.Remove(name)
}

func (d *dyingDisk) RemoveAll(name string) error {
	if !d.alive() {
		return errKilled
	}
	return d.FS.RemoveAll(name)
}

// treeSnapshot is every file and folder under dir, a folder with a
// trailing slash.
func treeSnapshot(t *testing.T, f fsys.FS, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := fsys.WalkDir(f, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			out[p+"/"] = ""
			return nil
		}
		data, err := f.ReadFile(p)
		out[p] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestAKilledRenderLeavesTheOldTreeOrTheNew kills a render after each of
// its changes to the disk in turn: after the next command's recovery, the
// tree is the old one or the new one, file for file and folder for
// folder, without staging leftovers. Before the recovery, a reader sees
// the old tree, or is told of the interrupted render.
func TestAKilledRenderLeavesTheOldTreeOrTheNew(t *testing.T) {
	t.Parallel()
	const dir = "/repo/deploy"
	owner := Owner{Catalogue: "/repo/tandem.yaml"}
	// The new tree changes files, adds a service (new folders) and drops
	// one (stale files, folders that empty).
	oldFiles := renderCatalogue(t, "name: mini\nenvironments: {prod: {namespace: mini, image: {tag: \"1.0\"}}}\nservices: {web: {build: ./web}, gone: {build: ./gone}}\n")
	newFiles := renderCatalogue(t, "name: mini\nenvironments: {prod: {namespace: other, replicas: 3, image: {tag: \"2.0\"}}}\nservices: {web: {build: ./web}, api: {build: ./api}}\n")
	start := func() *fsys.Memory {
		m := fsys.NewMemory("/repo")
		if _, err := Write(m, dir, oldFiles, owner); err != nil {
			t.Fatal(err)
		}
		return m
	}
	m := start()
	oldTree := treeSnapshot(t, m, dir)
	if _, err := Write(m, dir, newFiles, owner); err != nil {
		t.Fatal(err)
	}
	newTree := treeSnapshot(t, m, dir)

	outcomes := map[string]int{}
	for n := 0; ; n++ {
		m := start()
		_, err := Write(&dyingDisk{FS: m, left: n}, dir, newFiles, owner)
		if err == nil {
			if n < 10 {
				t.Fatalf("a render made only %d changes", n)
			}
			t.Logf("killed after each of %d changes: %v", n, outcomes)
			break
		}
		if !errors.Is(err, errKilled) && !strings.Contains(err.Error(), errKilled.Error()) {
			t.Fatalf("killed after %d changes: %v", n, err)
		}
		journaled, _ := hasJournal(m, dir)
		onDisk, err := ReadGenerated(m, dir, owner)
		switch {
		case journaled && !errors.Is(err, ErrInterrupted):
			t.Errorf("killed after %d changes, with the journal there: ReadGenerated says %v", n, err)
		case !journaled && (err != nil || cmp.Diff(oldFiles, onDisk) != ""):
			t.Errorf("killed after %d changes, before the journal: ReadGenerated does not read the old tree: %v", n, err)
		}
		// The next command.
		if _, err := recoverTree(m, dir); err != nil {
			t.Fatalf("recovering from a kill after %d changes: %v", n, err)
		}
		got := treeSnapshot(t, m, dir)
		switch {
		case cmp.Equal(oldTree, got):
			outcomes["old"]++
		case cmp.Equal(newTree, got):
			outcomes["new"]++
		default:
			t.Fatalf("killed after %d changes, the tree is neither the old one nor the new (-new +got):\n%s", n, cmp.Diff(newTree, got))
		}
	}
	if outcomes["old"] == 0 || outcomes["new"] == 0 {
		t.Errorf("outcomes %v: the kills did not span the render", outcomes)
	}
}

// TestTheNextRenderFinishesAnInterruptedOne: Write and check's reader
// deal with a journal a killed render left.
func TestTheNextRenderFinishesAnInterruptedOne(t *testing.T) {
	t.Parallel()
	const dir = "/repo/deploy"
	owner := Owner{Catalogue: "/repo/tandem.yaml"}
	oldFiles := manifest.Files{"a.yaml": gen("a: 1\n"), "gone/b.yaml": gen("b: 1\n")}
	newFiles := manifest.Files{"a.yaml": gen("a: 2\n"), "new/c.yaml": gen("c: 1\n")}
	m := fsys.NewMemory("/repo")
	if _, err := Write(m, dir, oldFiles, owner); err != nil {
		t.Fatal(err)
	}
	// Killed just after the first move, a.yaml.
	n := 0
	for ; ; n++ {
		probe := fsys.NewMemory("/repo")
		if _, err := Write(probe, dir, oldFiles, owner); err != nil {
			t.Fatal(err)
		}
		Write(&dyingDisk{FS: probe, left: n}, dir, newFiles, owner)
		if data, _ := probe.ReadFile(dir + "/a.yaml"); string(data) == string(newFiles["a.yaml"]) {
			break
		}
	}
	Write(&dyingDisk{FS: m, left: n}, dir, newFiles, owner)

	_, err := ReadGenerated(m, dir, owner)
	want := "a render into this folder was interrupted: some of its files are the old render's, some the new one's; run tandem render to finish it"
	if err == nil || err.Error() != want {
		t.Errorf("ReadGenerated of an interrupted render:\ngot  %v\nwant %s", err, want)
	}
	res, err := Write(m, dir, newFiles, owner)
	if err != nil {
		t.Fatal(err)
	}
	if want := (Result{Unchanged: []string{"a.yaml", "new/c.yaml"}, Recovered: true}); !cmp.Equal(want, res) {
		t.Errorf("the next render (-want +got):\n%s", cmp.Diff(want, res))
	}
	got, err := ReadGenerated(m, dir, owner)
	if err != nil || !cmp.Equal(newFiles, got) {
		t.Errorf("after the next render: %v, %v", err, got)
	}
	if _, err := m.Stat(dir + "/gone"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the folder of the stale file is left: %v", err)
	}
}

// TestAKilledRendersStagingIsNoTree: the staging folder a render killed
// before its journal left holds a record of its own; the scan of a tree
// without a record passes it by, as it does every staging folder.
func TestAKilledRendersStagingIsNoTree(t *testing.T) {
	t.Parallel()
	const dir = "/repo/deploy"
	owner := Owner{Catalogue: "/repo/tandem.yaml", Adopt: true}
	files := manifest.Files{"a.yaml": gen("a: 1\n")}
	m := fsys.NewMemory("/repo")
	if _, err := Write(m, dir, files, owner); err != nil {
		t.Fatal(err)
	}
	if err := m.Remove(dir + "/" + RecordFile); err != nil { // an earlier tandem's tree
		t.Fatal(err)
	}
	staged := dir + "/" + stagingPrefix + "killed/new/"
	for _, p := range []string{RecordFile, "a.yaml"} {
		if err := fsys.WriteFileAtomic(m, staged+p, gen("new\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := ReadGenerated(m, dir, owner); err != nil || !cmp.Equal(files, got) {
		t.Errorf("ReadGenerated beside a killed render's staging folder: %v, %v", got, err)
	}
	if _, err := Write(m, dir, files, owner); err != nil {
		t.Errorf("Write beside a killed render's staging folder: %v", err)
	}
	if _, err := m.Stat(dir + "/" + stagingPrefix + "killed"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the staging folder is left: %v", err)
	}
}
