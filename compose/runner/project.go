package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Project is one Compose project: the rendered Compose file run under a
// project name of its own.
type Project struct {
	Engine *Engine
	// Name is the Compose project name (see ProjectName).
	Name string
	// File is the rendered Compose file; EnvFile the dev env file its
	// secrets are interpolated from, when the catalogue has any.
	File, EnvFile string
	// PollInterval is how often up looks at the containers; default 1s.
	PollInterval time.Duration
	// Verbose passes Compose's own output through.
	Verbose bool
	// Profiles are the file's Compose profiles, whose services down
	// removes too, whatever the Compose version does by itself.
	Profiles []string
	// Commander runs docker and Compose; nil runs them on this machine
	// (Exec).
	Commander Commander
}

func (p *Project) commander() Commander {
	if p.Commander == nil {
		return Exec{}
	}
	return p.Commander
}

// command is a Compose command line for this project.
func (p *Project) command(args ...string) Command {
	full := append([]string{}, p.Engine.Compose[1:]...)
	full = append(full, "--project-name", p.Name, "--file", p.File, "--project-directory", filepath.Dir(p.File))
	if p.EnvFile != "" {
		if _, err := os.Stat(p.EnvFile); err == nil {
			full = append(full, "--env-file", p.EnvFile)
		}
	}
	cmd := Command{Name: p.Engine.Compose[0], Args: append(full, args...)}
	if p.Engine.Compose[0] == "docker-compose" {
		// docker-compose v1 builds through the docker CLI with BuildKit by
		// default, which fails where the buildx plugin is missing; its own
		// builder needs neither. A user's explicit choice stands.
		for _, v := range []string{"COMPOSE_DOCKER_CLI_BUILD", "DOCKER_BUILDKIT"} {
			if _, set := os.LookupEnv(v); !set {
				cmd.Env = append(cmd.Env, v+"=0")
			}
		}
	}
	return cmd
}

// run runs a Compose command and returns everything it printed; with
// Verbose it is also copied to out as it comes.
func (p *Project) run(ctx context.Context, out io.Writer, args ...string) (string, error) {
	var buf bytes.Buffer
	cmd := p.command(args...)
	var w io.Writer = &buf
	if p.Verbose {
		w = io.MultiWriter(&buf, out)
	}
	cmd.Stdout, cmd.Stderr = w, w
	err := p.commander().Run(ctx, cmd)
	return buf.String(), err
}

// CheckFile fails when the Compose file has not been rendered.
func (p *Project) CheckFile() error {
	if _, err := os.Stat(p.File); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s does not exist; run tandem up (or tandem render) first", ErrNotGenerated, p.File)
	}
	return nil
}

// CheckPorts fails when a port the plan publishes is taken on the host by
// anything but this project's own containers (which a second up keeps).
func (p *Project) CheckPorts(ctx context.Context, plan Plan) error {
	running, err := p.containers(ctx)
	if err != nil {
		return err
	}
	for _, u := range plan {
		if _, ours := running[u.Name]; ours {
			continue
		}
		for _, port := range u.Ports {
			l, err := net.Listen("tcp", fmt.Sprintf(":%d", port.Port))
			if err != nil {
				return fmt.Errorf("%w: %s's %s port is published on host port %d, which something else on this machine already uses (%v); stop it (see `docker ps` or `ss -ltnp`) or give the port another hostPort in the catalogue",
					ErrPortTaken, u.Name, port.Name, port.Port, errors.Unwrap(err))
			}
			l.Close()
		}
	}
	return nil
}

// Build builds the images of the plan's units that have a build, one at a
// time, so that a failure names its service.
func (p *Project) Build(ctx context.Context, plan Plan, out io.Writer) error {
	for _, u := range plan {
		if !u.Build {
			continue
		}
		fmt.Fprintf(out, "  %-20s building image\n", u.Name)
		start := time.Now()
		log, err := p.run(ctx, out, "build", u.Name)
		if ctx.Err() != nil {
			return fmt.Errorf("interrupted while building the image of %s; nothing was started", u.Name)
		}
		if err != nil {
			return fmt.Errorf("%w: the image of %s did not build:\n%s\nfix its Dockerfile or build context (a file it copies may have to be built first) and run tandem up again",
				ErrBuildFailed, u.Name, indent(tail(log, 15)))
		}
		fmt.Fprintf(out, "  %-20s image built (%.1fs)\n", u.Name, time.Since(start).Seconds())
	}
	return nil
}

// Up starts the plan's units (Compose starts each after what it uses is
// healthy), reports progress to out as states change, and waits until
// every unit is ready or timeout passes. It returns the final states.
func (p *Project) Up(ctx context.Context, plan Plan, timeout time.Duration, out io.Writer) (map[string]Container, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type result struct {
		log string
		err error
	}
	done := make(chan result, 1)
	go func() {
		args := append([]string{"up", "--detach", "--no-build", "--no-color", "--remove-orphans"}, plan.Names()...)
		log, err := p.run(ctx, out, args...)
		done <- result{log, err}
	}()

	interval := p.PollInterval
	if interval == 0 {
		interval = time.Second
	}
	progress := newProgress(plan, out)
	composeDone := false
	var composeLog string
	// A service without a health check is ready once it runs; one more
	// look a little later catches those that exit right after starting.
	var readySince time.Time
	for {
		select {
		case r := <-done:
			composeDone, composeLog = true, r.log
			if r.err != nil {
				states, _ := p.containers(context.WithoutCancel(ctx))
				progress.update(states)
				return states, p.startError(ctx, plan, states, r.log, timeout)
			}
		case <-time.After(interval):
		}
		states, err := p.containers(context.WithoutCancel(ctx))
		if err != nil {
			return nil, err
		}
		progress.update(states)
		if !composeDone {
			continue
		}
		if failed := failedUnit(plan, states); failed != "" {
			return states, p.notHealthy(ctx, failed, states[failed], composeLog)
		}
		switch {
		case !allReady(plan, states):
			readySince = time.Time{}
		case plan.allHealthChecked():
			return states, nil
		case readySince.IsZero():
			readySince = time.Now()
		case time.Since(readySince) >= settle:
			return states, nil
		}
		if ctx.Err() != nil {
			return states, p.startError(ctx, plan, states, composeLog, timeout)
		}
	}
}

func allReady(plan Plan, states map[string]Container) bool {
	for _, u := range plan {
		if c, ok := states[u.Name]; !ok || !u.Ready(c) {
			return false
		}
	}
	return true
}

func failedUnit(plan Plan, states map[string]Container) string {
	for _, u := range plan {
		if c, ok := states[u.Name]; ok && u.Failed(c) {
			return u.Name
		}
	}
	return ""
}

// settle is how long every unit must stay ready before up reports
// success.
const settle = 2 * time.Second

// startError explains why up stopped before everything was ready.
func (p *Project) startError(ctx context.Context, plan Plan, states map[string]Container, log string, timeout time.Duration) error {
	if failed := failedUnit(plan, states); failed != "" {
		return p.notHealthy(ctx, failed, states[failed], log)
	}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		var waiting []string
		for _, u := range plan {
			if c, ok := states[u.Name]; !ok || !u.Ready(c) {
				waiting = append(waiting, u.Name)
			}
		}
		if len(waiting) == 0 {
			return fmt.Errorf("%w: after %s, docker compose up had not finished:\n%s", ErrNotHealthy, timeout, indent(tail(log, 15)))
		}
		return fmt.Errorf("%w: after %s, still not ready: %s; see `tandem logs %s`, or wait longer with --timeout",
			ErrNotHealthy, timeout, strings.Join(waiting, ", "), waiting[0])
	}
	if ctx.Err() != nil {
		return fmt.Errorf("interrupted; what started is still running: `tandem ps` shows it, `tandem down` stops it")
	}
	return fmt.Errorf("%w:\n%s", ErrStartFailed, indent(tail(log, 15)))
}

// notHealthy explains a unit that exited or failed its health check, with
// the last health check output and log lines that usually say why.
func (p *Project) notHealthy(ctx context.Context, name string, c Container, composeLog string) error {
	// Up's timeout or an interrupt may have ended ctx; the reason is
	// worth two more quick docker calls all the same.
	ctx = context.WithoutCancel(ctx)
	var detail strings.Builder
	if c.Health == "unhealthy" {
		if out, err := output(ctx, p.commander(), "docker", "inspect", "--format",
			`{{with .State.Health}}{{range .Log}}{{.Output}}{{end}}{{end}}`, c.ID); err == nil && strings.TrimSpace(out) != "" {
			fmt.Fprintf(&detail, "\n  last health check output:\n%s", indent(tail(out, 5)))
		}
	}
	var logs bytes.Buffer
	cmd := Command{Name: "docker", Args: []string{"logs", "--tail", "10", c.ID}, Stdout: &logs, Stderr: &logs}
	if err := p.commander().Run(ctx, cmd); err == nil && strings.TrimSpace(logs.String()) != "" {
		fmt.Fprintf(&detail, "\n  last log lines:\n%s", indent(logs.String()))
	}
	return fmt.Errorf("%w: %s is %s (%s)%s\nsee `tandem logs %s`; `tandem down` stops the rest",
		ErrNotHealthy, name, c.Describe(), c.Status, detail.String(), name)
}

// Down stops and removes the project's containers and networks; with
// volumes its named volumes (the resources' data) too, and with images the
// images Compose built for its services.
func (p *Project) Down(ctx context.Context, volumes, images bool, out io.Writer) error {
	var args []string
	for _, profile := range p.Profiles {
		args = append(args, "--profile", profile)
	}
	args = append(args, "down", "--remove-orphans")
	if volumes {
		args = append(args, "--volumes")
	}
	if images {
		args = append(args, "--rmi", "local")
	}
	log, err := p.run(ctx, out, args...)
	if err != nil {
		return fmt.Errorf("docker compose down failed:\n%s", indent(tail(log, 15)))
	}
	return nil
}

// Status lists the project's containers by service.
func (p *Project) Status(ctx context.Context) (map[string]Container, error) {
	return p.containers(ctx)
}

// Logs prints the logs of the named services (all without names), and
// keeps following them with follow.
func (p *Project) Logs(ctx context.Context, services []string, follow bool, tailLines string, stdout, stderr io.Writer) error {
	args := []string{"logs", "--no-color"}
	if follow {
		args = append(args, "--follow")
	}
	if tailLines != "" {
		args = append(args, "--tail", tailLines)
	}
	cmd := p.command(append(args, services...)...)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	if err := p.commander().Run(ctx, cmd); err != nil && ctx.Err() == nil {
		return fmt.Errorf("docker compose logs: %w", err)
	}
	return nil
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = "    " + l
	}
	return strings.Join(lines, "\n")
}
