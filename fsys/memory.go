package fsys

import (
	"bytes"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Memory is a filesystem held in memory, with folders, files, modes and
// symbolic links, that fails as the disk does (the same errors, so the
// same messages). It is safe for concurrent use.
type Memory struct {
	mu   sync.Mutex
	root *node
	wd   string
	// locks holds TryLock's locks: -1 exclusive, else how many shared.
	locks map[*node]int
}

var _ FS = (*Memory)(nil)

type node struct {
	mode     fs.FileMode
	data     []byte
	target   string // of a symbolic link
	children map[string]*node
}

func (n *node) isDir() bool  { return n.mode.IsDir() }
func (n *node) isLink() bool { return n.mode&fs.ModeSymlink != 0 }

// NewMemory returns an empty filesystem whose working folder is wd (an
// absolute path, made if missing).
func NewMemory(wd string) *Memory {
	m := &Memory{root: &node{mode: fs.ModeDir | 0o755, children: map[string]*node{}}, wd: filepath.Clean(wd)}
	if err := m.MkdirAll(m.wd, 0o755); err != nil {
		panic(err)
	}
	return m
}

// Symlink makes name a symbolic link to target, as os.Symlink does.
func (m *Memory) Symlink(target, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	parent, base, existing, err := m.lookup(name, false)
	if err != nil {
		return pathError("symlink", name, err)
	}
	if existing != nil {
		return pathError("symlink", name, syscall.EEXIST)
	}
	parent.children[base] = &node{mode: fs.ModeSymlink | 0o777, target: target}
	return nil
}

func (m *Memory) abs(name string) string {
	if filepath.IsAbs(name) {
		return filepath.Clean(name)
	}
	return filepath.Join(m.wd, name)
}

// lookup finds name: the folder that holds it, its name there and its
// node (nil when there is none; then the folder exists). Symbolic links
// on the way are followed, and the last one too when follow is set.
func (m *Memory) lookup(name string, follow bool) (parent *node, base string, n *node, err error) {
	p := m.abs(name)
	for hops := 0; ; hops++ {
		if hops > 40 {
			return nil, "", nil, syscall.ELOOP
		}
		parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
		if p == "/" {
			return m.root, "", m.root, nil
		}
		cur, at := m.root, "/"
		restarted := false
		for i, part := range parts {
			if !cur.isDir() {
				return nil, "", nil, syscall.ENOTDIR
			}
			child := cur.children[part]
			last := i == len(parts)-1
			if child != nil && child.isLink() && (!last || follow) {
				target := child.target
				if !filepath.IsAbs(target) {
					target = filepath.Join(at, target)
				}
				p = filepath.Join(append([]string{target}, parts[i+1:]...)...)
				restarted = true
				break
			}
			if last {
				return cur, part, child, nil
			}
			if child == nil {
				return nil, "", nil, syscall.ENOENT
			}
			cur, at = child, filepath.Join(at, part)
		}
		if !restarted {
			return nil, "", nil, syscall.ENOENT
		}
	}
}

func pathError(op, name string, err error) error { return &fs.PathError{Op: op, Path: name, Err: err} }

// existing looks name up and fails when there is nothing there.
func (m *Memory) existing(op, name string, follow bool) (*node, error) {
	_, _, n, err := m.lookup(name, follow)
	if err == nil && n == nil {
		err = syscall.ENOENT
	}
	if err != nil {
		return nil, pathError(op, name, err)
	}
	return n, nil
}

func (m *Memory) Open(name string) (fs.File, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.existing("open", name, true)
	if err != nil {
		return nil, err
	}
	return &memFile{info: info(filepath.Base(name), n), Reader: bytes.NewReader(bytes.Clone(n.data))}, nil
}

func (m *Memory) ReadFile(name string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.existing("open", name, true)
	if err != nil {
		return nil, err
	}
	if n.isDir() {
		return nil, pathError("read", name, syscall.EISDIR)
	}
	return bytes.Clone(n.data), nil
}

func (m *Memory) Stat(name string) (fs.FileInfo, error) { return m.stat("stat", name, true) }

func (m *Memory) Lstat(name string) (fs.FileInfo, error) { return m.stat("lstat", name, false) }

func (m *Memory) stat(op, name string, follow bool) (fs.FileInfo, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.existing(op, name, follow)
	if err != nil {
		return nil, err
	}
	return info(filepath.Base(name), n), nil
}

func (m *Memory) ReadDir(name string) ([]fs.DirEntry, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.existing("open", name, true)
	if err != nil {
		return nil, err
	}
	if !n.isDir() {
		return nil, pathError("open", name, syscall.ENOTDIR)
	}
	var out []fs.DirEntry
	for _, child := range slices.Sorted(maps.Keys(n.children)) {
		out = append(out, fs.FileInfoToDirEntry(info(child, n.children[child])))
	}
	return out, nil
}

func (m *Memory) EvalSymlinks(name string) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	resolved, err := m.resolve(m.abs(name))
	if err != nil {
		return "", err
	}
	if filepath.IsAbs(name) {
		return resolved, nil
	}
	return filepath.Rel(m.wd, resolved)
}

// resolve is the path of p with every symbolic link followed.
func (m *Memory) resolve(p string) (string, error) {
	out := "/"
	rest := strings.Split(strings.TrimPrefix(p, "/"), "/")
	for hops := 0; len(rest) > 0; {
		part := rest[0]
		rest = rest[1:]
		if part == "" || part == "." {
			continue
		}
		next := filepath.Join(out, part)
		_, _, n, err := m.lookup(next, false)
		if err == nil && n == nil {
			err = syscall.ENOENT
		}
		if err != nil {
			return "", pathError("lstat", next, err)
		}
		if !n.isLink() {
			out = filepath.Join(out, part)
			continue
		}
		if hops++; hops > 40 {
			return "", pathError("lstat", p, syscall.ELOOP)
		}
		target := n.target
		if filepath.IsAbs(target) {
			out = "/"
		}
		rest = append(strings.Split(target, "/"), rest...)
	}
	return out, nil
}

func (m *Memory) Abs(name string) (string, error) { return m.abs(name), nil }

func (m *Memory) WriteFile(name string, data []byte, perm fs.FileMode) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	parent, base, n, err := m.lookup(name, true)
	if err != nil {
		return pathError("open", name, err)
	}
	switch {
	case n == nil:
		parent.children[base] = &node{mode: perm.Perm(), data: bytes.Clone(data)}
	case n.isDir():
		return pathError("open", name, syscall.EISDIR)
	default:
		n.data = bytes.Clone(data)
	}
	return nil
}

func (m *Memory) Mkdir(name string, perm fs.FileMode) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.mkdir(name, perm)
}

func (m *Memory) mkdir(name string, perm fs.FileMode) error {
	parent, base, n, err := m.lookup(name, false)
	if err != nil {
		return pathError("mkdir", name, err)
	}
	if n != nil {
		return pathError("mkdir", name, syscall.EEXIST)
	}
	parent.children[base] = &node{mode: fs.ModeDir | perm.Perm(), children: map[string]*node{}}
	return nil
}

func (m *Memory) MkdirAll(name string, perm fs.FileMode) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	p := m.abs(name)
	for i := 1; i <= len(p); i++ {
		if i < len(p) && p[i] != '/' {
			continue
		}
		_, _, n, err := m.lookup(p[:i], true)
		switch {
		case err != nil:
			return pathError("mkdir", p[:i], err)
		case n == nil:
			if err := m.mkdir(p[:i], perm); err != nil {
				return err
			}
		case !n.isDir():
			return pathError("mkdir", p[:i], syscall.ENOTDIR)
		}
	}
	return nil
}

func (m *Memory) Chmod(name string, mode fs.FileMode) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.existing("chmod", name, true)
	if err != nil {
		return err
	}
	n.mode = n.mode.Type() | mode.Perm()
	return nil
}

func (m *Memory) Rename(from, to string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	linkErr := func(err error) error { return &os.LinkError{Op: "rename", Old: from, New: to, Err: err} }
	fromParent, fromBase, n, err := m.lookup(from, false)
	if err == nil && n == nil {
		err = syscall.ENOENT
	}
	if err != nil {
		return linkErr(err)
	}
	toParent, toBase, there, err := m.lookup(to, false)
	if err != nil {
		return linkErr(err)
	}
	if there == n {
		return nil
	}
	if n.isDir() && strings.HasPrefix(m.abs(to)+"/", m.abs(from)+"/") {
		return linkErr(syscall.EINVAL) // into itself
	}
	if there != nil {
		switch {
		case n.isDir() && !there.isDir():
			return linkErr(syscall.ENOTDIR)
		case !n.isDir() && there.isDir():
			return linkErr(syscall.EEXIST)
		case there.isDir() && len(there.children) > 0:
			return linkErr(syscall.EEXIST) // what ext4 answers
		}
	}
	delete(fromParent.children, fromBase)
	toParent.children[toBase] = n
	return nil
}

func (m *Memory) Remove(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	parent, base, n, err := m.lookup(name, false)
	if err == nil && n == nil {
		err = syscall.ENOENT
	}
	if err != nil {
		return pathError("remove", name, err)
	}
	if n == m.root {
		return pathError("remove", name, syscall.EBUSY)
	}
	if n.isDir() && len(n.children) > 0 {
		return pathError("remove", name, syscall.ENOTEMPTY)
	}
	delete(parent.children, base)
	return nil
}

func (m *Memory) RemoveAll(name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	parent, base, n, err := m.lookup(name, false)
	if err != nil || n == nil {
		return nil // as os.RemoveAll: nothing there is no error
	}
	if n == m.root {
		return pathError("unlinkat", name, syscall.EBUSY)
	}
	delete(parent.children, base)
	return nil
}

type fileInfo struct {
	name string
	size int64
	mode fs.FileMode
}

func info(name string, n *node) fileInfo {
	return fileInfo{name: name, size: int64(len(n.data)), mode: n.mode}
}

func (i fileInfo) Name() string { return i.name }
func (i fileInfo) Size() int64 {
	if i.IsDir() {
		return 4096 // as ext4 says of a folder
	}
	return i.size
}
func (i fileInfo) Mode() fs.FileMode  { return i.mode }
func (i fileInfo) ModTime() time.Time { return time.Time{} }
func (i fileInfo) IsDir() bool        { return i.mode.IsDir() }
func (i fileInfo) Sys() any           { return nil }

type memFile struct {
	info fileInfo
	*bytes.Reader
}

func (f *memFile) Stat() (fs.FileInfo, error) { return f.info, nil }
func (f *memFile) Close() error               { return nil }
