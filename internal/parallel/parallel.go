// Package parallel runs independent steps of a render or build on several
// goroutines.
package parallel

import (
	"sync"
	"sync/atomic"
)

// For calls fn(0) ... fn(n-1), each once, on workers goroutines, and
// returns when all have returned.
func For(workers, n int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1) - 1); i < n; i = int(next.Add(1) - 1) {
				fn(i)
			}
		}()
	}
	wg.Wait()
}
