package runner

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"testing"
)

// fakeDocker plays docker and Compose for tests: it records every command
// line it is asked to run and answers from canned replies, the first whose
// match is in the command line. Replies with the same match are given in
// order and the last one repeats, so a test scripts what successive polls
// of `docker ps` see.
type fakeDocker struct {
	t *testing.T
	// onPath are the programs LookPath finds.
	onPath map[string]bool

	mu      sync.Mutex
	lines   []string
	envs    [][]string
	replies []*reply
}

// reply is what one command prints and how it ends.
type reply struct {
	match          string
	stdout, stderr string
	err            error
	// block makes the command run until its ctx ends, as a
	// `docker compose up` waiting for health checks does.
	block bool
	used  bool
}

func newFakeDocker(t *testing.T, replies ...*reply) *fakeDocker {
	t.Helper()
	return &fakeDocker{t: t, onPath: map[string]bool{"docker": true}, replies: replies}
}

// errExit is the error os/exec returns for a command that exited non-zero,
// as far as runner looks at it.
var errExit = errors.New("exit status 1")

func (f *fakeDocker) Run(ctx context.Context, cmd Command) error {
	line := cmd.String()
	f.mu.Lock()
	f.lines = append(f.lines, line)
	f.envs = append(f.envs, cmd.Env)
	r := f.reply(line)
	f.mu.Unlock()
	if !f.onPath[cmd.Name] {
		return fmt.Errorf("exec: %q: %w", cmd.Name, exec.ErrNotFound)
	}
	if r == nil {
		f.t.Errorf("unexpected command: %s", line)
		return errExit
	}
	write(cmd.Stdout, r.stdout)
	write(cmd.Stderr, r.stderr)
	if r.block {
		<-ctx.Done()
		return errors.New("signal: killed")
	}
	return r.err
}

func write(w io.Writer, s string) {
	if w != nil && s != "" {
		io.WriteString(w, s)
	}
}

func (f *fakeDocker) reply(line string) *reply {
	var last *reply
	for _, r := range f.replies {
		if !strings.Contains(line, r.match) {
			continue
		}
		if !r.used {
			r.used = true
			return r
		}
		last = r
	}
	return last
}

func (f *fakeDocker) LookPath(name string) (string, error) {
	if !f.onPath[name] {
		return "", &exec.Error{Name: name, Err: exec.ErrNotFound}
	}
	return "/usr/bin/" + name, nil
}

// commands are the command lines run so far.
func (f *fakeDocker) commands() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.lines...)
}

// ran tells how many command lines contained s.
func (f *fakeDocker) ran(s string) int {
	n := 0
	for _, l := range f.commands() {
		if strings.Contains(l, s) {
			n++
		}
	}
	return n
}
