//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package fsys

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

var _ Locker = OS{}

// TryLock takes flock(2) on the folder name. The kernel ends the lock
// when the process ends, even by SIGKILL, so a killed render leaves no
// lock behind.
func (OS) TryLock(name string, exclusive bool) (func(), error) {
	// A folder removed and made again after it was opened here is another
	// folder: its lock would lock nothing, so look again.
	for try := 0; ; try++ {
		dir, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		how := syscall.LOCK_SH
		if exclusive {
			how = syscall.LOCK_EX
		}
		err = syscall.Flock(int(dir.Fd()), how|syscall.LOCK_NB)
		if errors.Is(err, syscall.EWOULDBLOCK) {
			dir.Close()
			return nil, &fs.PathError{Op: "lock", Path: name, Err: ErrLocked}
		}
		if err != nil {
			dir.Close()
			return nil, &fs.PathError{Op: "lock", Path: name, Err: err}
		}
		opened, err1 := dir.Stat()
		now, err2 := os.Stat(name)
		if err1 == nil && err2 == nil && os.SameFile(opened, now) {
			return func() { dir.Close() }, nil
		}
		dir.Close()
		if try == 10 {
			return nil, &fs.PathError{Op: "lock", Path: name, Err: ErrLocked}
		}
	}
}
