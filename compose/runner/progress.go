package runner

import (
	"fmt"
	"io"
	"strings"
)

// progress prints one line per unit whenever what it is doing changes:
// waiting (and on which units), created, starting, healthy, ...
type progress struct {
	plan Plan
	out  io.Writer
	last map[string]string
}

func newProgress(plan Plan, out io.Writer) *progress {
	return &progress{plan: plan, out: out, last: map[string]string{}}
}

func (p *progress) update(states map[string]Container) {
	for _, u := range p.plan {
		line := p.plan.describe(u, states)
		if line != p.last[u.Name] {
			p.last[u.Name] = line
			fmt.Fprintf(p.out, "  %-20s %s\n", u.Name, line)
		}
	}
}

// describe is a unit's state, or what it waits for before it has a
// container: Compose creates a container only once what it uses is ready.
// docker compose v2 creates every container first and starts each once
// what it uses is ready; v1 creates it only then.
func (p Plan) describe(u Unit, states map[string]Container) string {
	c, ok := states[u.Name]
	if ok && c.State != "created" {
		return u.Describe(c)
	}
	var waiting []string
	for _, dep := range u.Uses {
		if !p.ready(dep, states) {
			waiting = append(waiting, dep)
		}
	}
	switch {
	case len(waiting) > 0:
		return "waiting for " + strings.Join(waiting, ", ")
	case ok:
		return "created"
	}
	return "creating"
}
