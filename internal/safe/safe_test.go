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

func TestEachCallsEveryIndexOnceAndReportsAPanic(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 7, 1000} {
		counts := make([]int, n)
		if err := Each(n, func(i int) { counts[i]++ }); err != nil {
			t.Fatalf("Each(%d): %v", n, err)
		}
		for i, c := range counts {
			if c != 1 {
				t.Fatalf("Each(%d) called fn(%d) %d times", n, i, c)
			}
		}
	}
	err := Each(100, func(i int) {
		if i == 42 {
			panic("at 42")
		}
	})
	var p *PanicError
	if !errors.As(err, &p) || p.Value != "at 42" {
		t.Errorf("Each with a panic at 42: %v", err)
	}
}
