package runner

import (
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

// allHealthChecked tells whether every unit reports health, so that
// ready means healthy rather than merely started.
func (p Plan) allHealthChecked() bool {
	for _, u := range p {
		if !u.Healthcheck {
			return false
		}
	}
	return true
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
		u := Unit{Name: name, Uses: s.Uses, Build: s.Build != "", Healthcheck: s.Health != nil}
		for _, p := range s.Ports {
			if p.Public {
				u.Ports = append(u.Ports, HostPort{Name: p.Name, Port: p.PublishedPort()})
			}
		}
		plan = append(plan, u)
	}
	return plan
}
