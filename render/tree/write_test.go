package tree

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/internal/safe"
	"github.com/tandemdev/tandem/internal/testfs"
	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/render"
)

func gen(body string) []byte { return manifest.WithHeader([]byte(body)) }

func TestWriteCreatesUpdatesAndRemovesStale(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testfs.WriteFile(t, filepath.Join(dir, "base/services/old/deployment.yaml"), gen("old\n"))
	testfs.WriteFile(t, filepath.Join(dir, "base/kustomization.yaml"), gen("same\n"))
	testfs.WriteFile(t, filepath.Join(dir, "overlays/prod/patches/pool.yaml"), []byte("platform-owned\n"))
	// Copied from a generated patch, header and all: still the platform's.
	testfs.WriteFile(t, filepath.Join(dir, "overlays/prod/patches/copied/replicas.yaml"), gen("replicas: 9\n"))

	res, err := Write(fsys.OS{}, dir, manifest.Files{
		"base/kustomization.yaml":           gen("same\n"),
		"base/services/new/deployment.yaml": gen("new\n"),
		"overlays/prod/kustomization.yaml":  gen("overlay\n"),
	}, own(dir))
	if err != nil {
		t.Fatal(err)
	}
	want := Result{
		Written:   []string{"base/services/new/deployment.yaml", "overlays/prod/kustomization.yaml"},
		Removed:   []string{"base/services/old/deployment.yaml"},
		Unchanged: []string{"base/kustomization.yaml"},
	}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("Write result (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(filepath.Join(dir, "base/services/old")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the stale service's folder is still there: %v", err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "overlays/prod/patches/pool.yaml")); string(got) != "platform-owned\n" {
		t.Errorf("platform patch changed: %q", got)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "overlays/prod/patches/copied/replicas.yaml")); string(got) != string(gen("replicas: 9\n")) {
		t.Errorf("a platform patch with the generated header was touched: %q", got)
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "*/*/*/.*tmp*"))
	if len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}

func TestWriteNeverTouchesFilesItDidNotGenerate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testfs.WriteFile(t, filepath.Join(dir, "compose.yaml"), []byte("# hand-written\n"))
	testfs.WriteFile(t, filepath.Join(dir, "base/kustomization.yaml"), gen("old\n"))
	testfs.WriteFile(t, filepath.Join(dir, "notes.md"), []byte("mine\n"))
	before := testfs.Snapshot(t, dir)

	_, err := Write(fsys.OS{}, dir, manifest.Files{"compose.yaml": gen("new\n"), "base/kustomization.yaml": gen("new\n")}, own(dir))
	if !errors.Is(err, ErrNotGenerated) || !strings.Contains(err.Error(), filepath.Join(dir, "compose.yaml")) {
		t.Fatalf("got %v, want ErrNotGenerated naming compose.yaml", err)
	}
	if diff := cmp.Diff(before, testfs.Snapshot(t, dir)); diff != "" {
		t.Errorf("a refused write changed the folder (-before +after):\n%s", diff)
	}
}

func TestWriteRefusesSymlinksAndEscapes(t *testing.T) {
	t.Parallel()
	dir, outside := t.TempDir(), t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dir, "base")); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(fsys.OS{}, dir, manifest.Files{"base/kustomization.yaml": gen("x\n")}, own(dir)); err == nil || !strings.Contains(err.Error(), "symbolic link") {
		t.Errorf("write through a symlink: got %v", err)
	}
	if _, err := Write(fsys.OS{}, dir, manifest.Files{"../escape.yaml": gen("x\n")}, own(dir)); err == nil || !strings.Contains(err.Error(), "outside the output folder") {
		t.Errorf("write outside: got %v", err)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("files appeared outside the output folder: %v", entries)
	}
}

func TestWriteFileAtomicSetsMode(t *testing.T) {
	t.Parallel()
	target := filepath.Join(t.TempDir(), "a", "dev.env")
	if err := fsys.WriteFileAtomic(fsys.OS{}, target, []byte("K=v\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(target)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, err %v; want 0600", info.Mode().Perm(), err)
	}
}

// failingDisk fails every write after the first n, or the one rename
// after the first renames. Writes run concurrently, hence the lock.
type failingDisk struct {
	fsys.OS
	mu      sync.Mutex
	n       int
	renames int
}

func (f *failingDisk) Rename(from, to string) error {
	f.mu.Lock()
	if f.renames == 0 {
		f.renames = -1 // once: the rollback's renames go through
		f.mu.Unlock()
		return errors.New("rename refused")
	}
	f.renames--
	f.mu.Unlock()
	return f.OS.Rename(from, to)
}

func (f *failingDisk) WriteFile(name string, data []byte, perm os.FileMode) error {
	f.mu.Lock()
	if f.n == 0 {
		f.mu.Unlock()
		return errors.New("disk full")
	}
	f.n--
	f.mu.Unlock()
	return f.OS.WriteFile(name, data, perm)
}

// TestFailedWriteLeavesThePreviousTree kills a render midway through its
// writes: the previous tree must be exactly as it was, without staging
// leftovers.
func TestFailedWriteLeavesThePreviousTree(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := renderFixture(t, "../testdata/minimal.tandem.yaml")
	if _, err := Write(fsys.OS{}, dir, files, own(dir)); err != nil {
		t.Fatal(err)
	}
	before := testfs.Snapshot(t, dir)

	// A new service too: its folders move in whole, and must go again.
	changed := renderCatalogue(t, "name: mini\nenvironments: {prod: {namespace: other, image: {tag: \"3.0\"}}}\nservices: {web: {build: ./web, replicas: 4}, api: {build: ./api}}\n")
	for _, n := range []int{0, 1, 3} {
		_, err := Write(&failingDisk{n: n, renames: -1}, dir, changed, own(dir))
		if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), "nothing in "+dir+" was changed") {
			t.Fatalf("write failing after %d files: %v", n, err)
		}
		if diff := cmp.Diff(before, testfs.Snapshot(t, dir)); diff != "" {
			t.Errorf("a write failing after %d files changed the tree (-before +after):\n%s", n, diff)
		}
	}
	// The first rename commits the journal; before it, nothing changed.
	_, err := Write(&failingDisk{n: -1, renames: 0}, dir, changed, own(dir))
	if err == nil || !strings.Contains(err.Error(), "rename refused") || !strings.Contains(err.Error(), "nothing in "+dir+" was changed") {
		t.Fatalf("write failing to commit its journal: %v", err)
	}
	if diff := cmp.Diff(before, testfs.Snapshot(t, dir)); diff != "" {
		t.Errorf("a write failing to commit its journal changed the tree (-before +after):\n%s", diff)
	}
	for _, renames := range []int{1, 2, 3, 4, 5, 6, 9} {
		_, err := Write(&failingDisk{n: -1, renames: renames}, dir, changed, own(dir))
		if err == nil || !strings.Contains(err.Error(), "rename refused") || !strings.Contains(err.Error(), "the previous files were put back") {
			t.Fatalf("write failing after %d renames: %v", renames, err)
		}
		if diff := cmp.Diff(before, testfs.Snapshot(t, dir)); diff != "" {
			t.Errorf("a rename failing after %d renames changed the tree (-before +after):\n%s", renames, diff)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, stagingPrefix+"killed", "new"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, stagingPrefix+"notes.md"), []byte("mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Write(fsys.OS{}, dir, changed, own(dir)); err != nil {
		t.Fatalf("the next render: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, stagingPrefix+"notes.md")); err != nil {
		t.Errorf("a person's file with the staging prefix was removed: %v", err)
	}
	os.Remove(filepath.Join(dir, stagingPrefix+"notes.md"))
	if leftovers, _ := filepath.Glob(filepath.Join(dir, stagingPrefix+"*")); len(leftovers) > 0 {
		t.Errorf("staging folders left: %v", leftovers)
	}
}

// panickingDisk panics on the write of one file.
type panickingDisk struct {
	fsys.OS
	file string
}

func (p *panickingDisk) WriteFile(name string, data []byte, perm os.FileMode) error {
	if filepath.Base(name) == p.file {
		panic("disk gone")
	}
	return p.OS.WriteFile(name, data, perm)
}

// TestWriteReportsTheFirstFailureAndPanics: of several failed writes, the
// first in path order is reported, whatever order they ran in; a panic of
// a write is an error, and the tree stays as it was.
func TestWriteReportsTheFirstFailureAndPanics(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	files := renderFixture(t, "../testdata/minimal.tandem.yaml")
	_, err := Write(&failingDisk{n: 0, renames: -1}, dir, files, own(dir))
	if want := "writing " + files.Paths()[0] + ": disk full"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("every write failing: got %v, want %q first", err, want)
	}

	if _, err := Write(fsys.OS{}, dir, files, own(dir)); err != nil {
		t.Fatal(err)
	}
	before := testfs.Snapshot(t, dir)
	changed := renderCatalogue(t, "name: mini\nenvironments: {prod: {namespace: other, image: {tag: \"3.0\"}}}\nservices: {web: {build: ./web, replicas: 4}, api: {build: ./api}}\n")
	_, err = Write(&panickingDisk{file: "deployment.yaml"}, dir, changed, own(dir))
	var panicked *safe.PanicError
	if !errors.As(err, &panicked) || panicked.Value != "disk gone" || !strings.Contains(err.Error(), "nothing in "+dir+" was changed") {
		t.Fatalf("a write that panics: %v", err)
	}
	if diff := cmp.Diff(before, testfs.Snapshot(t, dir)); diff != "" {
		t.Errorf("a write that panicked changed the tree (-before +after):\n%s", diff)
	}
}

// renameRecorder records where each rename moved something to.
type renameRecorder struct {
	fsys.OS
	dir string
	to  []string
}

func (r *renameRecorder) Rename(from, to string) error {
	if rel, err := filepath.Rel(r.dir, to); err == nil && !strings.HasPrefix(rel, stagingPrefix) {
		r.to = append(r.to, filepath.ToSlash(rel))
	}
	return r.OS.Rename(from, to)
}

// TestWriteMovesNewFoldersWhole: a folder the tree lacks moves in with
// one rename, files and all, where each file would cost one.
func TestWriteMovesNewFoldersWhole(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "deploy")
	files := renderFixture(t, "../testdata/minimal.tandem.yaml")
	disk := &renameRecorder{dir: dir}
	if _, err := Write(disk, dir, files, own(dir)); err != nil {
		t.Fatal(err)
	}
	// The journal goes first, the record last.
	if diff := cmp.Diff([]string{journalFile, "base", "compose.yaml", "overlays", RecordFile}, disk.to); diff != "" {
		t.Errorf("a first render's moves (-want +got):\n%s", diff)
	}
	checkTree(t, dir, files)

	more := renderCatalogue(t, "name: mini\nenvironments: {prod: {namespace: mini, image: {tag: \"2.0\"}}}\nservices: {web: {build: ./web}, api: {build: ./api}}\n")
	disk.to = nil
	if _, err := Write(disk, dir, more, own(dir)); err != nil {
		t.Fatal(err)
	}
	for _, folder := range []string{"base/services/api", "overlays/prod/services/api"} {
		if !slices.Contains(disk.to, folder) {
			t.Errorf("the new service's folder %s did not move in whole: %v", folder, disk.to)
		}
	}
	for _, to := range disk.to {
		if strings.HasPrefix(to, "base/services/api/") || strings.HasPrefix(to, "overlays/prod/services/api/") {
			t.Errorf("%s moved alone, though its folder is new", to)
		}
	}
	checkTree(t, dir, more)
}

// checkTree fails unless the generated files under dir are exactly files.
func checkTree(t *testing.T, dir string, files manifest.Files) {
	t.Helper()
	got, _, err := generatedFiles(fsys.OS{}, dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(files.Paths(), got); diff != "" {
		t.Errorf("files on disk (-want +got):\n%s", diff)
	}
	for _, p := range got {
		if data, _ := os.ReadFile(filepath.Join(dir, p)); string(data) != string(files[p]) {
			t.Errorf("%s differs from what was written", p)
		}
	}
}

// TestFailedWriteLeavesFoldersAsTheyWere: the rollback takes away only
// what the render made, keeping an empty folder that was there, and a
// failed first render leaves no output folder behind.
func TestFailedWriteLeavesFoldersAsTheyWere(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "overlays", "staging"), 0o755); err != nil {
		t.Fatal(err)
	}
	before := testfs.Snapshot(t, dir)
	files := manifest.Files{
		"overlays/staging/kustomization.yaml":        gen("kind: Kustomization\n"),
		"overlays/staging/services/a/resources.yaml": gen("kind: Service\n"),
	}
	_, err := Write(&failingDisk{n: -1, renames: 1}, dir, files, own(dir))
	if err == nil || !strings.Contains(err.Error(), "rename refused") {
		t.Fatalf("write with its second rename refused: %v", err)
	}
	if diff := cmp.Diff(before, testfs.Snapshot(t, dir)); diff != "" {
		t.Errorf("the rollback changed the tree (-before +after):\n%s", diff)
	}

	out := filepath.Join(dir, "new", "deploy")
	if _, err := Write(&failingDisk{n: 1, renames: -1}, out, files, own(out)); err == nil {
		t.Fatal("a write failing after one file succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "new")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a failed first render left its output folder: %v", err)
	}
}

// racingDisk runs race before its first rename: something else changing
// the tree between the check and the moves.
type racingDisk struct {
	fsys.OS
	race func()
}

func (r *racingDisk) Rename(from, to string) error {
	if r.race != nil {
		r.race()
		r.race = nil
	}
	return r.OS.Rename(from, to)
}

// TestWriteKeepsAFileThatAppearedAfterTheCheck: a person's file where a
// changed file is about to move stops the render, and stays.
func TestWriteKeepsAFileThatAppearedAfterTheCheck(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	old := manifest.Files{"a.yaml": gen("a: 1\n"), "b.yaml": gen("b: 1\n")}
	if _, err := Write(fsys.OS{}, dir, old, own(dir)); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(dir, "b.yaml")
	disk := &racingDisk{race: func() { testfs.WriteFile(t, mine, []byte("b: mine\n")) }}
	_, err := Write(disk, dir, manifest.Files{"a.yaml": gen("a: 2\n"), "b.yaml": gen("b: 2\n")}, own(dir))
	if err == nil || !strings.Contains(err.Error(), "header") {
		t.Fatalf("write over a file that appeared after the check: %v", err)
	}
	if got, _ := os.ReadFile(mine); string(got) != "b: mine\n" {
		t.Errorf("the person's file became %q", got)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "a.yaml")); string(got) != string(old["a.yaml"]) {
		t.Errorf("a.yaml was not put back: %q", got)
	}
}

// TestWriteNamesAFileWhereAFolderGoes: a file in the way of a folder is
// named as such, not as a failed lstat.
func TestWriteNamesAFileWhereAFolderGoes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	testfs.WriteFile(t, filepath.Join(dir, "base", "services"), gen("old layout\n"))
	_, err := Write(fsys.OS{}, dir, manifest.Files{"base/services/web/kustomization.yaml": gen("kind: Kustomization\n")}, own(dir))
	if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "base", "services")+": is a file, where the render puts a folder") {
		t.Fatalf("write with a file where a folder goes: %v", err)
	}
}

// renderFixture renders one of render's catalogue fixtures.
func renderFixture(t *testing.T, file string) manifest.Files {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return renderCatalogue(t, string(data))
}

// renderCatalogue renders a catalogue given as text.
func renderCatalogue(t *testing.T, text string) manifest.Files {
	t.Helper()
	c, err := catalogue.Parse(fsys.OS{}, "tandem.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	files, err := render.Render(render.Input{Catalogue: c, ProjectDir: ".."})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// own is the owner of a test's tree in dir: a catalogue beside it, which
// takes a tree without a record as its own, as at the default place.
func own(dir string) Owner {
	return Owner{Catalogue: filepath.Join(filepath.Dir(dir), "tandem.yaml"), Adopt: true}
}
