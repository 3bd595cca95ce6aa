package runner

import (
	"slices"
	"strings"

	"github.com/tandemdev/tandem/catalogue"
)

// Unit is one Compose service of a plan: an application service or a
// backing resource.
type Unit struct {
	Name string
	// Uses are the units it waits for, all within the plan.
	Uses []string
	// Healthcheck tells whether Compose reports its health; without one a
	// unit is ready once it runs.
	Healthcheck bool
	// Build tells whether Compose builds its image.
	Build bool
	// Ports are its ports published on the host.
	Ports []HostPort
	// OneShot units (a service's jobs that run before it starts, and
	// one-shot services) are done when their container exits 0, and failed
	// when it exits otherwise.
	OneShot bool
}

// Ready tells whether what waits on u may start.
func (u Unit) Ready(c Container) bool {
	if u.OneShot {
		code, exited := c.ExitCode()
		return exited && code == 0
	}
	return c.Ready()
}

// Failed tells whether u will not become ready by itself.
func (u Unit) Failed(c Container) bool {
	if u.OneShot {
		code, exited := c.ExitCode()
		return (exited && code != 0) || c.State == "dead"
	}
	return c.Failed()
}

// Describe is u's state in a word or two.
func (u Unit) Describe(c Container) string {
	if u.OneShot && u.Ready(c) {
		return "completed"
	}
	return c.Describe()
}

// HostPort is a port of a service published on the host.
type HostPort struct {
	Name string
	Port int
}

// Plan is what one `up` starts, sorted by name.
type Plan []Unit

// Names are the units' names.
func (p Plan) Names() []string {
	names := make([]string, len(p))
	for i, u := range p {
		names[i] = u.Name
	}
	return names
}

// allHealthChecked tells whether every unit reports health or completion,
// so that ready means healthy rather than merely started.
func (p Plan) allHealthChecked() bool {
	for _, u := range p {
		if !u.Healthcheck && !u.OneShot {
			return false
		}
	}
	return true
}

// ready tells whether the unit named name is ready in states; a name
// outside the plan is judged as a long-running service.
func (p Plan) ready(name string, states map[string]Container) bool {
	c, ok := states[name]
	if !ok {
		return false
	}
	for _, u := range p {
		if u.Name == name {
			return u.Ready(c)
		}
	}
	return c.Ready()
}

// NewPlan is the plan for the selected services and resources of c (see
// catalogue.Selection), as the Compose renderer renders them.
func NewPlan(c *catalogue.Catalogue, selection []string) Plan {
	plan := make(Plan, 0, len(selection))
	for _, name := range selection {
		if _, ok := c.Resources[name]; ok {
			plan = append(plan, Unit{Name: name, Healthcheck: true})
			continue
		}
		s := c.Services[name]
		u := Unit{Name: name, Uses: c.UsedIn(s, catalogue.DevEnvironment), Build: s.Build != "", Healthcheck: s.Health != nil, OneShot: s.OneShot}
		for _, p := range s.PortsIn(catalogue.DevEnvironment) {
			if p.Public {
				u.Ports = append(u.Ports, HostPort{Name: p.Name, Port: p.PublishedPort()})
			}
		}
		for _, job := range s.JobNames() {
			if s.Jobs[job].Before != catalogue.JobBeforeStart {
				continue
			}
			name := catalogue.JobName(name, job)
			plan = append(plan, Unit{Name: name, Uses: c.UsedResources(s), Build: u.Build, OneShot: true})
			u.Uses = append(u.Uses, name)
		}
		plan = append(plan, u)
	}
	slices.SortFunc(plan, func(a, b Unit) int { return strings.Compare(a.Name, b.Name) })
	return plan
}
