// Package runner runs the rendered Compose file of the dev environment with
// Docker Compose: `tandem up` (build, start in dependency order, wait until
// healthy, with progress a person can follow), `down`, `ps` and `logs`.
// It works with the docker compose plugin and with docker-compose v1.
package runner

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// Errors for what is wrong with the machine rather than the catalogue;
// each message says what to do.
var (
	// Docker and Docker Compose are product names, and these messages
	// start what `tandem up` prints (e2e/up_test.go asserts the first).
	//lint:ignore ST1005 a product name keeps its capital
	ErrNoDocker   = errors.New("Docker is not installed")
	ErrDaemonDown = errors.New("the Docker daemon is not running")
	//lint:ignore ST1005 a product name keeps its capital
	ErrNoCompose    = errors.New("Docker Compose is not installed")
	ErrPortTaken    = errors.New("a port is already taken")
	ErrBuildFailed  = errors.New("an image failed to build")
	ErrNotHealthy   = errors.New("a service did not become healthy")
	ErrStartFailed  = errors.New("docker compose up failed")
	ErrNotGenerated = errors.New("no Compose file")
)

// Engine is the Docker Engine tandem talks to and the Compose command that
// drives it.
type Engine struct {
	// Compose is the command line that runs Compose: docker compose, or
	// docker-compose where the plugin is absent.
	Compose []string
	// Arch is the engine's architecture in GOARCH terms (amd64, arm64),
	// which decides the build of the health probe containers get.
	Arch string
}

// FindEngine checks that Docker is installed, its daemon answers and a
// Compose is present.
func FindEngine(ctx context.Context) (*Engine, error) {
	return findEngine(ctx, Exec{})
}

func findEngine(ctx context.Context, cmd Commander) (*Engine, error) {
	if _, err := cmd.LookPath("docker"); err != nil {
		return nil, fmt.Errorf("%w: docker is not on PATH; install Docker Engine (https://docs.docker.com/engine/install/) and run this again", ErrNoDocker)
	}
	out, err := output(ctx, cmd, "docker", "info", "--format", "{{.Architecture}}")
	if err != nil {
		return nil, fmt.Errorf("%w (%s): start it (e.g. sudo systemctl start docker, or open Docker Desktop) or check DOCKER_HOST and your docker context", ErrDaemonDown, lastLine(err.Error()))
	}
	engine := &Engine{Arch: goArch(strings.TrimSpace(out))}
	switch {
	case cmd.Run(ctx, Command{Name: "docker", Args: []string{"compose", "version"}}) == nil:
		engine.Compose = []string{"docker", "compose"}
	default:
		if _, err := cmd.LookPath("docker-compose"); err != nil {
			return nil, fmt.Errorf("%w: neither the docker compose plugin nor docker-compose was found; install one (e.g. apt-get install docker-compose-plugin, or docker-compose)", ErrNoCompose)
		}
		engine.Compose = []string{"docker-compose"}
	}
	return engine, nil
}

// goArch maps the kernel's machine names that docker info reports to Go's.
func goArch(machine string) string {
	switch machine {
	case "x86_64", "amd64":
		return "amd64"
	case "aarch64", "arm64":
		return "arm64"
	}
	return machine
}

// ProjectName is the Compose project name of the catalogue named name in
// folder dir: the name plus a short hash of the folder, so that two
// checkouts of one repository run side by side without sharing containers
// or volumes.
func ProjectName(name, dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	sum := sha256.Sum256([]byte(abs))
	return name + "-" + hex.EncodeToString(sum[:4])
}

// output runs a command and returns its standard output; a failure carries
// the command line and what it printed on standard error.
func output(ctx context.Context, run Commander, name string, args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := Command{Name: name, Args: args, Stdout: &stdout, Stderr: &stderr}
	if err := run.Run(ctx, cmd); err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", fmt.Errorf("%s: %s", cmd, msg)
		}
		return "", fmt.Errorf("%s: %w", cmd, err)
	}
	return stdout.String(), nil
}

// lastLine is the last non-empty line of s, where tools put their reason.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
