package cluster

import (
	"strings"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/objects"
)

// fieldSources maps a field of a pod that an API server names to the
// catalogue field that wrote it, most specific first.
var fieldSources = []struct{ marker, field string }{
	{"securityContext", "security"},
	{"Probe", "health"},
	{".resources", "resources"},
	{".env", "env"},
	{".image", "image"},
	{".ports", "ports"},
}

// Origin is the catalogue entry an object with these labels was rendered
// from (services.orders, services.orders.jobs.migrate, resources.events),
// or "" for an object that is not tandem's.
func Origin(c *catalogue.Catalogue, labels map[string]string) string {
	name, owner := labels[objects.LabelName], labels[objects.LabelService]
	if service, job, ok := c.JobOf(name); ok && service == owner {
		return "services." + service + ".jobs." + job
	}
	switch {
	case c.Services[name] != nil:
		return "services." + name
	case c.Resources[name] != nil:
		return "resources." + name
	}
	return ""
}

// Source is the catalogue field that produced what a problem is about
// (services.orders.security), else the entry the object came from
// (Origin), or "" when the object is not tandem's.
func Source(c *catalogue.Catalogue, p Problem) string {
	base := Origin(c, p.Labels)
	if !strings.HasPrefix(base, "services.") || strings.Contains(base, ".jobs.") {
		return base
	}
	// Pod Security admission names no field, but only the security
	// settings decide it.
	if p.Warning && strings.Contains(p.Message, "PodSecurity") {
		return base + ".security"
	}
	fields := strings.Join(p.Fields, " ")
	for _, s := range fieldSources {
		if strings.Contains(fields, s.marker) {
			return base + "." + s.field
		}
	}
	return base
}
