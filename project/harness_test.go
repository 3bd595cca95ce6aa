package project_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/project"
)

// harness runs the entry point the way kustomize's kusttest harness runs
// krusty: a test writes a catalogue and any other files into a
// filesystem in memory, opens the project there and compares what it
// returns or leaves behind. Nothing touches the disk.
type harness struct {
	t  *testing.T
	fs *fsys.Memory
}

// newHarness starts an empty checkout at /repo, working in wd below it.
func newHarness(t *testing.T, wd string) *harness {
	t.Helper()
	h := &harness{t: t, fs: fsys.NewMemory(wd)}
	if err := h.fs.MkdirAll("/repo/.git", 0o755); err != nil {
		t.Fatal(err)
	}
	return h
}

// write puts text at path, relative to the working folder.
func (h *harness) write(path, text string) {
	h.t.Helper()
	if err := h.fs.MkdirAll(filepath.Dir(h.abs(path)), 0o755); err != nil {
		h.t.Fatal(err)
	}
	if err := h.fs.WriteFile(h.abs(path), []byte(text), 0o644); err != nil {
		h.t.Fatal(err)
	}
}

// copyFromDisk puts the file at disk (relative to this package's folder)
// at path in memory.
func (h *harness) copyFromDisk(disk, path string) {
	h.t.Helper()
	data, err := os.ReadFile(disk)
	if err != nil {
		h.t.Fatal(err)
	}
	h.write(path, string(data))
}

func (h *harness) abs(path string) string {
	abs, _ := h.fs.Abs(path)
	return abs
}

func (h *harness) read(path string) string {
	h.t.Helper()
	data, err := h.fs.ReadFile(h.abs(path))
	if err != nil {
		h.t.Fatal(err)
	}
	return string(data)
}

// open opens the catalogue tandem.yaml with its tree in deploy.
func (h *harness) open() *project.Project {
	h.t.Helper()
	p, err := project.Open(h.fs, project.Options{})
	if err != nil {
		h.t.Fatal(err)
	}
	return p
}

// render opens and renders, failing the test on an error.
func (h *harness) render() project.RenderReport {
	h.t.Helper()
	report, err := h.open().Render()
	if err != nil {
		h.t.Fatal(err)
	}
	return report
}

// files maps each file below dir, by slash path relative to it, to its
// mode and content, and each folder to "folder": two equal snapshots mean
// nothing changed.
func (h *harness) files(dir string) map[string]string {
	h.t.Helper()
	out := map[string]string{}
	root := h.abs(dir)
	err := fsys.WalkDir(h.fs, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if p != root {
				out[rel+"/"] = "folder"
			}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := h.fs.ReadFile(p)
		out[rel] = info.Mode().String() + " " + string(data)
		return err
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return out
}

// contents is files without the modes and folders.
func (h *harness) contents(dir string) map[string]string {
	out := map[string]string{}
	for p, v := range h.files(dir) {
		if v != "folder" {
			_, content, _ := strings.Cut(v, " ")
			out[p] = content
		}
	}
	return out
}
