package fsys

import (
	"io/fs"
	"os"
	"path/filepath"
)

// OS is the real disk, with the process's working folder.
type OS struct{}

var _ FS = OS{}

func (OS) Open(name string) (fs.File, error)          { return os.Open(name) }
func (OS) ReadFile(name string) ([]byte, error)       { return os.ReadFile(name) }
func (OS) Stat(name string) (fs.FileInfo, error)      { return os.Stat(name) }
func (OS) Lstat(name string) (fs.FileInfo, error)     { return os.Lstat(name) }
func (OS) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(name) }
func (OS) EvalSymlinks(name string) (string, error)   { return filepath.EvalSymlinks(name) }
func (OS) Abs(name string) (string, error)            { return filepath.Abs(name) }
func (OS) WriteFile(name string, data []byte, perm fs.FileMode) error {
	return os.WriteFile(name, data, perm)
}
func (OS) Mkdir(name string, perm fs.FileMode) error    { return os.Mkdir(name, perm) }
func (OS) MkdirAll(name string, perm fs.FileMode) error { return os.MkdirAll(name, perm) }
func (OS) Chmod(name string, mode fs.FileMode) error    { return os.Chmod(name, mode) }
func (OS) Rename(from, to string) error                 { return os.Rename(from, to) }
func (OS) Remove(name string) error                     { return os.Remove(name) }
func (OS) RemoveAll(name string) error                  { return os.RemoveAll(name) }
