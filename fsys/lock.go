package fsys

import (
	"errors"
	"io/fs"
	"path/filepath"
	"syscall"
)

// ErrLocked is returned by Locker.TryLock when another holder's lock
// stands in the way.
var ErrLocked = errors.New("locked by another process")

// Locker is a filesystem whose folders can be locked, advisory and across
// processes: many shared holders, or one exclusive. A lock ends when
// its release is called or its process ends, however it ends.
type Locker interface {
	// TryLock locks the folder name without waiting; ErrLocked says
	// another holds a lock that conflicts.
	TryLock(name string, exclusive bool) (release func(), err error)
}

// TryLock locks the folder name on m, as flock(2) locks an open folder:
// the lock is the folder's, so one that was removed and made again is
// free.
func (m *Memory) TryLock(name string, exclusive bool) (func(), error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n, err := m.existing("lock", name, true)
	if err != nil {
		return nil, err
	}
	if !n.isDir() {
		return nil, pathError("lock", name, syscall.ENOTDIR)
	}
	if m.locks == nil {
		m.locks = map[*node]int{}
	}
	held := m.locks[n]
	if held < 0 || (exclusive && held > 0) {
		return nil, &fs.PathError{Op: "lock", Path: filepath.Clean(name), Err: ErrLocked}
	}
	if exclusive {
		m.locks[n] = -1
	} else {
		m.locks[n]++
	}
	return func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		if m.locks[n] < 0 {
			m.locks[n] = 0
		} else {
			m.locks[n]--
		}
	}, nil
}
