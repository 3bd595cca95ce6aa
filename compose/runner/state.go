package runner

import (
	"context"
	"strconv"
	"strings"
)

// Container is what Docker reports about the container of one Compose
// service.
type Container struct {
	Service string
	ID      string
	// State is Docker's: created, running, restarting, exited, ...
	State string
	// Health is healthy, unhealthy, starting, or empty without a check.
	Health string
	// Status is Docker's human summary, e.g. "Up 3 seconds (healthy)".
	Status string
}

// Ready tells whether what waits on the container may start: healthy, or
// running when it has no health check.
func (c Container) Ready() bool {
	if c.Health != "" {
		return c.Health == "healthy"
	}
	return c.State == "running"
}

// Failed tells whether the container will not become ready by itself.
func (c Container) Failed() bool {
	return c.Health == "unhealthy" || c.State == "exited" || c.State == "dead"
}

// ExitCode is the code an exited container exited with, from Docker's
// status ("Exited (1) 3 seconds ago").
func (c Container) ExitCode() (int, bool) {
	if c.State != "exited" {
		return 0, false
	}
	rest, ok := strings.CutPrefix(c.Status, "Exited (")
	if !ok {
		return 0, false
	}
	code, _, _ := strings.Cut(rest, ")")
	n, err := strconv.Atoi(code)
	return n, err == nil
}

// Describe is the container's state in a word or two.
func (c Container) Describe() string {
	switch {
	case c.State != "running":
		return c.State
	case c.Health == "starting":
		return "starting (health check pending)"
	case c.Health != "":
		return c.Health
	}
	return "running"
}

// containers lists the service containers of a Compose project, by
// service, from the labels both Compose implementations set.
func (p *Project) containers(ctx context.Context) (map[string]Container, error) {
	out, err := output(ctx, p.commander(), "docker", "ps", "--all", "--no-trunc",
		"--filter", "label=com.docker.compose.project="+p.Name,
		"--format", `{{.Label "com.docker.compose.service"}}	{{.ID}}	{{.State}}	{{.Label "com.docker.compose.oneoff"}}	{{.Status}}`)
	if err != nil {
		return nil, err
	}
	return parseContainers(out), nil
}

func parseContainers(out string) map[string]Container {
	found := map[string]Container{}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		fields := strings.SplitN(line, "\t", 5)
		if len(fields) < 5 || strings.EqualFold(fields[3], "true") {
			continue // a `compose run` container, not the service's
		}
		c := Container{Service: fields[0], ID: fields[1], State: fields[2], Status: fields[4], Health: health(fields[4])}
		found[c.Service] = c
	}
	return found
}

// health reads the health Docker appends to a container's status.
func health(status string) string {
	switch {
	case strings.Contains(status, "(healthy)"):
		return "healthy"
	case strings.Contains(status, "(unhealthy)"):
		return "unhealthy"
	case strings.Contains(status, "(health: starting)"):
		return "starting"
	}
	return ""
}
