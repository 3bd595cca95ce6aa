package fsys

import (
	"errors"
	"io/fs"
	"path/filepath"
	"testing"
)

// TestTryLock: the disk's flock and the memory filesystem's locks agree:
// many shared holders or one exclusive, free again once released, and a
// folder made anew is another folder.
func TestTryLock(t *testing.T) {
	t.Parallel()
	for name, f := range map[string]interface {
		FS
		Locker
	}{"disk": OS{}, "memory": NewMemory("/tmp")} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "tree")
			if err := f.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			locked := func(exclusive bool) bool {
				t.Helper()
				release, err := f.TryLock(dir, exclusive)
				if errors.Is(err, ErrLocked) {
					return true
				}
				if err != nil {
					t.Fatal(err)
				}
				release()
				return false
			}
			shared, err := f.TryLock(dir, false)
			if err != nil {
				t.Fatal(err)
			}
			if locked(false) || !locked(true) {
				t.Error("a shared lock: another shared one must go through, an exclusive one not")
			}
			shared()
			exclusive, err := f.TryLock(dir, true)
			if err != nil {
				t.Fatal(err)
			}
			if !locked(false) || !locked(true) {
				t.Error("an exclusive lock lets another through")
			}
			// The folder removed and made again while locked: a new
			// folder, free.
			if err := f.Remove(dir); err != nil {
				t.Fatal(err)
			}
			if _, err := f.TryLock(dir, true); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("locking a removed folder: %v", err)
			}
			if err := f.Mkdir(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if locked(true) {
				t.Error("a folder made anew is locked by the old one's lock")
			}
			exclusive()
			if locked(true) {
				t.Error("a released lock still holds")
			}
		})
	}
}
