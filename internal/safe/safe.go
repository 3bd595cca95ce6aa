// Package safe runs work on an errgroup's goroutines so that a panic in
// one becomes its error: tandem runs kustomize and YAML encoders on
// goroutines, and a panic there must neither end the process halfway
// through a write nor need a recover at every call site.
package safe

import (
	"fmt"
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
