package fsys

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// script runs the same operations on a filesystem rooted at root and
// returns what each one gave, with root taken out of the messages: the
// memory filesystem must answer as the disk does.
func script(f FS, root string, symlink func(target, name string) error) []string {
	var out []string
	at := func(p string) string { return filepath.Join(root, p) }
	say := func(op string, v any, err error) {
		msg := fmt.Sprint(v)
		if err != nil {
			msg = "error: " + err.Error()
		}
		out = append(out, op+" -> "+strings.ReplaceAll(msg, root, "ROOT"))
	}
	stat := func(info fs.FileInfo, err error) (string, error) {
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s %v %d", info.Name(), info.Mode(), info.Size()), nil
	}
	say("mkdirall a/b", "", f.MkdirAll(at("a/b"), 0o755))
	say("write a/b/f", "", f.WriteFile(at("a/b/f"), []byte("hello"), 0o644))
	say("write a/missing/f", "", f.WriteFile(at("a/missing/f"), nil, 0o644))
	say("write onto folder", "", f.WriteFile(at("a/b"), nil, 0o644))
	say("mkdir a", "", f.Mkdir(at("a"), 0o755))
	say("mkdirall through file", "", f.MkdirAll(at("a/b/f/g"), 0o755))
	data, err := f.ReadFile(at("a/b/f"))
	say("read a/b/f", string(data), err)
	_, err = f.ReadFile(at("nothing"))
	say("read nothing", "", err)
	_, err = f.ReadFile(at("a"))
	say("read folder", "", err)
	say("chmod", "", f.Chmod(at("a/b/f"), 0o600))
	s, err := stat(f.Stat(at("a/b/f")))
	say("stat a/b/f", s, err)
	say("symlink", "", symlink("b", at("a/link")))
	say("symlink outside", "", symlink("/nowhere/x", at("a/dangling")))
	s, err = stat(f.Lstat(at("a/link")))
	say("lstat link", strings.Fields(s)[0]+" "+strings.Fields(s)[1][:1], err)
	s, err = stat(f.Stat(at("a/link")))
	say("stat link", s, err)
	_, err = f.Stat(at("a/dangling"))
	say("stat dangling", "", err)
	data, err = f.ReadFile(at("a/link/f"))
	say("read through link", string(data), err)
	real, err := f.EvalSymlinks(at("a/link/f"))
	say("evalsymlinks", real, err)
	_, err = f.EvalSymlinks(at("a/dangling"))
	say("evalsymlinks dangling", "", err)
	entries, err := f.ReadDir(at("a"))
	var names []string
	for _, e := range entries {
		names = append(names, fmt.Sprintf("%s:%v", e.Name(), e.IsDir()))
	}
	say("readdir a", names, err)
	_, err = f.ReadDir(at("a/b/f"))
	say("readdir file", "", err)
	say("remove nonempty", "", f.Remove(at("a/b")))
	say("remove missing", "", f.Remove(at("a/zzz")))
	say("mkdirall c/d", "", f.MkdirAll(at("c/d"), 0o755))
	say("write c/d/x", "", f.WriteFile(at("c/d/x"), []byte("x"), 0o644))
	say("rename folder onto nonempty", "", f.Rename(at("c"), at("a")))
	say("rename file onto folder", "", f.Rename(at("c/d/x"), at("a/b")))
	say("rename folder onto file", "", f.Rename(at("c"), at("a/b/f")))
	say("rename folder into itself", "", f.Rename(at("c"), at("c/d/e")))
	say("rename missing", "", f.Rename(at("zzz"), at("yyy")))
	say("rename folder", "", f.Rename(at("c"), at("a/c")))
	data, err = f.ReadFile(at("a/c/d/x"))
	say("read moved", string(data), err)
	say("rename file over file", "", f.Rename(at("a/c/d/x"), at("a/b/f")))
	data, err = f.ReadFile(at("a/b/f"))
	say("read replaced", string(data), err)
	say("removeall missing", "", f.RemoveAll(at("nothing/here")))
	say("removeall a/c", "", f.RemoveAll(at("a/c")))
	matches, err := Glob(f, at("a/*"))
	say("glob a/*", matches, err)
	matches, err = Glob(f, at("*/b/*"))
	say("glob */b/*", matches, err)
	_, err = Glob(f, at("a/["))
	say("glob bad", "", err)
	var walked []string
	err = WalkDir(f, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		walked = append(walked, p+":"+d.Type().String())
		return nil
	})
	say("walk", walked, err)
	say("atomic", "", WriteFileAtomic(f, at("new/dir/file"), []byte("n"), 0o640))
	s, err = stat(f.Stat(at("new/dir/file")))
	say("stat atomic", s, err)
	entries, err = f.ReadDir(at("new/dir"))
	say("no temp left", len(entries), err)
	dir, err := MkdirTemp(f, at("new"), ".stage-")
	say("mkdirtemp", strings.HasPrefix(dir, at("new/.stage-")), err)
	head, err := ReadHead(f, at("a/b/f"), 3)
	say("head", string(head), err)
	head, err = ReadHead(f, at("a/b/f"), 30)
	say("head longer than file", string(head), err)
	return out
}

func TestMemoryAnswersAsTheDiskDoes(t *testing.T) {
	disk := t.TempDir()
	want := script(OS{}, disk, os.Symlink)
	mem := NewMemory("/work")
	got := script(mem, "/work/root", mem.Symlink)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("memory filesystem against the disk (-disk +memory):\n%s", diff)
	}
}

func TestMemoryRelativePathsStartAtTheWorkingFolder(t *testing.T) {
	mem := NewMemory("/work/project")
	if err := mem.WriteFile("tandem.yaml", []byte("name: x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, err := mem.ReadFile("/work/project/tandem.yaml"); err != nil || string(data) != "name: x\n" {
		t.Errorf("ReadFile = %q, %v", data, err)
	}
	if abs, _ := mem.Abs("deploy/base"); abs != "/work/project/deploy/base" {
		t.Errorf("Abs = %q", abs)
	}
	if err := mem.Symlink("/work/project", "/work/link"); err != nil {
		t.Fatal(err)
	}
	if real, err := mem.EvalSymlinks("../link/tandem.yaml"); err != nil || real != "tandem.yaml" {
		t.Errorf("EvalSymlinks of a relative path = %q, %v; want it relative", real, err)
	}
}
