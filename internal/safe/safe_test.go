package safe

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/sync/errgroup"
)

func TestGoTurnsAPanicIntoAnError(t *testing.T) {
	t.Parallel()
	var g errgroup.Group
	g.SetLimit(2)
	ran := make([]bool, 10)
	for i := range ran {
		Go(&g, func() error {
			ran[i] = true
			if i == 7 {
				panic("boom")
			}
			return nil
		})
	}
	err := g.Wait()
	var p *PanicError
	if !errors.As(err, &p) || !strings.Contains(err.Error(), "panic: boom") || len(p.Stack) == 0 {
		t.Fatalf("Wait() = %v; want the panic as a *PanicError with its stack", err)
	}
	for i, r := range ran {
		if !r {
			t.Errorf("fn(%d) did not run", i)
		}
	}
}

func TestGoPassesErrorsOn(t *testing.T) {
	t.Parallel()
	var g errgroup.Group
	want := errors.New("failed")
	Go(&g, func() error { return want })
	if err := g.Wait(); err != want {
		t.Errorf("Wait() = %v, want %v", err, want)
	}
}
