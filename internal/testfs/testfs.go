// Package testfs helps tests set up a folder and tell whether it changed.
package testfs

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// Snapshot maps every file under dir, by relative path, to its mode and
// content, and every folder below dir to "folder": two equal snapshots
// mean nothing changed on disk, not even an empty folder left behind.
func Snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			if p != dir {
				out[rel+string(filepath.Separator)] = "folder"
			}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		data, err := os.ReadFile(p)
		out[rel] = info.Mode().String() + " " + string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// WriteFile writes data to path on the disk, making its folders.
func WriteFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
