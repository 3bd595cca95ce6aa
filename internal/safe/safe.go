// Package safe runs work on an errgroup's goroutines so that a panic in
// one becomes its error: tandem runs kustomize and YAML encoders on
// goroutines, and a panic there must neither end the process halfway
// through a write nor need a recover at every call site.
package safe

import (
	"fmt"
	"runtime"
	"runtime/debug"

	"golang.org/x/sync/errgroup"
)

// PanicError is a panic of a goroutine started with Go.
type PanicError struct {
	Value any
	// Stack is where it panicked, for a bug report.
	Stack []byte
}

func (e *PanicError) Error() string { return fmt.Sprintf("panic: %v", e.Value) }

// Go calls g.Go(fn), turning a panic of fn into a *PanicError.
func Go(g *errgroup.Group, fn func() error) {
	g.Go(func() (err error) {
		defer func() {
			if v := recover(); v != nil {
				err = &PanicError{Value: v, Stack: debug.Stack()}
			}
		}()
		return fn()
	})
}

// Each calls fn(i) for every i below n on every core and returns the
// first panic as a *PanicError. It starts a goroutine per run of items
// rather than per item: each new goroutine grows its stack anew, which
// cost a twentieth of a render when every service had its own.
func Each(n int, fn func(i int)) error {
	workers := runtime.GOMAXPROCS(0)
	var g errgroup.Group
	g.SetLimit(workers)
	step := max(1, n/(8*workers))
	for lo := 0; lo < n; lo += step {
		Go(&g, func() error {
			for i := lo; i < min(lo+step, n); i++ {
				fn(i)
			}
			return nil
		})
	}
	return g.Wait()
}
