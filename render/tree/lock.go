package tree

import (
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/tandemdev/tandem/fsys"
)

// lockWait is how long a command waits for another to finish with a tree.
var lockWait = 20 * time.Second

// lockTree locks the tree in dir, exclusively to write it or shared to
// read it, waiting up to lockWait for another tandem that holds it. A
// filesystem that cannot lock is not locked.
func lockTree(f fsys.FS, dir string, exclusive bool) (release func(), err error) {
	locker, ok := f.(fsys.Locker)
	if !ok {
		return func() {}, nil
	}
	deadline := time.Now().Add(lockWait)
	pause := 5 * time.Millisecond
	for {
		release, err := locker.TryLock(dir, exclusive)
		if err == nil {
			return release, nil
		}
		if exclusive && errors.Is(err, fs.ErrNotExist) {
			// A render that made the folder failed and took it away
			// again while this one waited; make it anew.
			if err := f.MkdirAll(dir, 0o755); err != nil {
				return nil, err
			}
		} else if !errors.Is(err, fsys.ErrLocked) {
			return nil, fmt.Errorf("locking %s: %w", dir, err)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("%s: another tandem is rendering into this folder (it holds the folder's lock); waited %s for it to finish; run the command again once it has (nothing was changed)",
				dir, lockWait)
		}
		time.Sleep(pause)
		pause = min(2*pause, 100*time.Millisecond)
	}
}
