package runner

import (
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"
)

// Commander is the edge where runner meets the programs it drives (docker,
// docker compose, docker-compose), so that what it decides from their
// output can be tested without them. See kind's pkg/exec.
type Commander interface {
	// Run runs cmd under ctx and waits until it exits. It returns an
	// error wrapping exec.ErrNotFound when the program is not on PATH.
	Run(ctx context.Context, cmd Command) error
	// LookPath tells where a program is found on PATH, as exec.LookPath.
	LookPath(name string) (string, error)
}

// Command is one command line and where its input and output go.
type Command struct {
	Name string
	Args []string
	// Env is added to the environment tandem runs in.
	Env    []string
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// String is the command line as a person would type it, for messages.
func (c Command) String() string {
	return strings.Join(append([]string{c.Name}, c.Args...), " ")
}

// Exec is the Commander that runs programs as processes of this machine.
type Exec struct{}

// Run runs cmd as a process of this machine, killed when ctx ends.
func (Exec) Run(ctx context.Context, c Command) error {
	cmd := exec.CommandContext(ctx, c.Name, c.Args...)
	if len(c.Env) > 0 {
		cmd.Env = append(os.Environ(), c.Env...)
	}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = c.Stdin, c.Stdout, c.Stderr
	// When ctx ends, processes the killed one started (the compose
	// plugin under docker) can keep its output open; Run waits for them
	// no longer than this.
	cmd.WaitDelay = 5 * time.Second
	return cmd.Run()
}

// LookPath is exec.LookPath.
func (Exec) LookPath(name string) (string, error) {
	return exec.LookPath(name)
}
