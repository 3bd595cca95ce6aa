// Package fsys is the one filesystem tandem reads and writes through: the
// catalogue and its includes, the platform's patches, the rendered tree
// and the .tandem folder. OS is the real disk; NewMemory is a filesystem
// in memory, for tests that run the whole program without a disk. Both
// lock folders (Locker), as the rendered tree's writer and readers do.
//
// kustomize's kyaml filesys stands in for a disk only while kustomize
// builds; it has no rename, no symbolic links and no modes, which the
// staged writer and the dev secrets file need, so tandem has its own.
package fsys

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
)

// FS is what tandem does to a filesystem. Names are paths of the host's
// kind; relative ones start at the filesystem's working folder.
type FS interface {
	Open(name string) (fs.File, error)
	ReadFile(name string) ([]byte, error)
	Stat(name string) (fs.FileInfo, error)
	Lstat(name string) (fs.FileInfo, error)
	ReadDir(name string) ([]fs.DirEntry, error)
	// EvalSymlinks is filepath.EvalSymlinks: name with every symbolic
	// link in it resolved, relative if name is.
	EvalSymlinks(name string) (string, error)
	// Abs is filepath.Abs against the filesystem's working folder.
	Abs(name string) (string, error)

	WriteFile(name string, data []byte, perm fs.FileMode) error
	Mkdir(name string, perm fs.FileMode) error
	MkdirAll(name string, perm fs.FileMode) error
	Chmod(name string, mode fs.FileMode) error
	Rename(from, to string) error
	Remove(name string) error
	RemoveAll(name string) error
}

// WriteFileAtomic writes data to a temporary file beside target and renames
// it into place, creating parent folders as needed: a reader sees the old
// file or the new one, never half of one. The mode is set exactly, not
// through the umask.
func WriteFileAtomic(f FS, target string, data []byte, perm fs.FileMode) error {
	dir := filepath.Dir(target)
	if err := f.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp := filepath.Join(dir, "."+filepath.Base(target)+".tmp-"+randomSuffix())
	if err := f.WriteFile(tmp, data, perm); err != nil {
		f.Remove(tmp)
		return err
	}
	if err := f.Chmod(tmp, perm); err != nil {
		f.Remove(tmp)
		return err
	}
	if err := f.Rename(tmp, target); err != nil {
		f.Remove(tmp)
		return err
	}
	return nil
}

// MkdirTemp makes a new folder in dir whose name starts with prefix, as
// os.MkdirTemp does, and returns its path.
func MkdirTemp(f FS, dir, prefix string) (string, error) {
	for try := 0; ; try++ {
		name := filepath.Join(dir, prefix+randomSuffix())
		err := f.Mkdir(name, 0o700)
		if err == nil {
			return name, nil
		}
		if !errors.Is(err, fs.ErrExist) || try == 100 {
			return "", err
		}
	}
}

func randomSuffix() string {
	b := make([]byte, 6)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

// ErrTooLarge is returned by ReadRegularFile for a file above its limit.
var ErrTooLarge = errors.New("is larger than tandem reads")

// ReadRegularFile reads the regular file name (or the one a symbolic link
// names), at most limit bytes of it. Devices, FIFOs and sockets are
// refused before they are opened, since opening a FIFO blocks and a
// device such as /dev/zero never ends; the limit is enforced on the bytes
// read, whatever Stat said, since Stat says 0 for many special files.
func ReadRegularFile(f FS, name string, limit int64) ([]byte, error) {
	info, err := f.Stat(name)
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: ErrIsFolder}
	}
	if !info.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: ErrNotRegular}
	}
	if info.Size() > limit {
		return nil, &fs.PathError{Op: "read", Path: name, Err: ErrTooLarge}
	}
	file, err := f.Open(name)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	data, err := io.ReadAll(io.LimitReader(file, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &fs.PathError{Op: "read", Path: name, Err: ErrTooLarge}
	}
	return data, nil
}

// ErrIsFolder and ErrNotRegular tell why ReadRegularFile refused a path.
var (
	ErrIsFolder   = errors.New("is a folder, not a file")
	ErrNotRegular = errors.New("is not a regular file (a device, FIFO or socket)")
)

// Within tells whether p is folder or below it; both are absolute and
// clean, with their links resolved where that matters.
func Within(p, folder string) bool {
	if p == folder {
		return true
	}
	rel, err := filepath.Rel(folder, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// ReadHead reads at most n bytes from the start of the file name.
func ReadHead(f FS, name string, n int) ([]byte, error) {
	file, err := f.Open(name)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	head := make([]byte, n)
	read, err := io.ReadFull(file, head)
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		err = nil
	}
	return head[:read], err
}

// WalkDir is filepath.WalkDir on f: it calls fn for root and everything
// below it, in lexical order, without following symbolic links.
func WalkDir(f FS, root string, fn fs.WalkDirFunc) error {
	info, err := f.Lstat(root)
	if err != nil {
		err = fn(root, nil, err)
	} else {
		err = walkDir(f, root, fs.FileInfoToDirEntry(info), fn)
	}
	if err == fs.SkipDir || err == fs.SkipAll {
		return nil
	}
	return err
}

func walkDir(f FS, name string, d fs.DirEntry, fn fs.WalkDirFunc) error {
	if err := fn(name, d, nil); err != nil || !d.IsDir() {
		if err == fs.SkipDir && d.IsDir() {
			err = nil
		}
		return err
	}
	entries, err := f.ReadDir(name)
	if err != nil {
		// As filepath.WalkDir: a second call reports the folder's error.
		if err = fn(name, d, err); err != nil {
			if err == fs.SkipDir && d.IsDir() {
				err = nil
			}
			return err
		}
	}
	for _, entry := range entries {
		if err := walkDir(f, filepath.Join(name, entry.Name()), entry, fn); err != nil {
			if err == fs.SkipDir {
				break
			}
			return err
		}
	}
	return nil
}

// Glob is filepath.Glob on f: the names matching pattern, sorted; a
// malformed pattern is filepath.ErrBadPattern.
func Glob(f FS, pattern string) ([]string, error) {
	if _, err := filepath.Match(pattern, ""); err != nil {
		return nil, err
	}
	if !hasMeta(pattern) {
		if _, err := f.Lstat(pattern); err != nil {
			return nil, nil
		}
		return []string{pattern}, nil
	}
	dir, file := filepath.Split(pattern)
	dir = cleanGlobPath(dir)
	if !hasMeta(dir) {
		return glob(f, dir, file, nil)
	}
	if dir == pattern { // a pattern like "[" that Split cannot shorten
		return nil, filepath.ErrBadPattern
	}
	dirs, err := Glob(f, dir)
	if err != nil {
		return nil, err
	}
	var matches []string
	for _, d := range dirs {
		if matches, err = glob(f, d, file, matches); err != nil {
			return nil, err
		}
	}
	return matches, nil
}

func cleanGlobPath(p string) string {
	switch p {
	case "":
		return "."
	case string(filepath.Separator):
		return p
	}
	return p[:len(p)-1] // the trailing separator
}

func glob(f FS, dir, pattern string, matches []string) ([]string, error) {
	info, err := f.Stat(dir)
	if err != nil || !info.IsDir() {
		return matches, nil // as filepath.Glob, I/O errors are ignored
	}
	entries, err := f.ReadDir(dir)
	if err != nil {
		return matches, nil
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	for _, n := range names {
		if ok, err := filepath.Match(pattern, n); err != nil {
			return matches, err
		} else if ok {
			matches = append(matches, filepath.Join(dir, n))
		}
	}
	return matches, nil
}

func hasMeta(p string) bool { return strings.ContainsAny(p, `*?[\`) }
