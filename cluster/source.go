package cluster

import (
	"strings"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/manifest"
)

// fieldSources maps where in a pod an API server finds fault to the
// catalogue field that wrote it, most specific first.
var fieldSources = []struct{ marker, field string }{
	{"securityContext", "security"},
	{"PodSecurity", "security"},
	{"privileged", "security"},
	{"capabilities", "security"},
	{"Probe", "health"},
	{"resources", "resources"},
	{"env", "env"},
	{"image", "image"},
	{"ports", "ports"},
}

// Source is the part of the catalogue that produced the object a problem
// is about, as a field path (services.orders.security), or "" when the
// object is not tandem's (a platform patch's addition, say) or the
// catalogue has no field for what is wrong.
func Source(c *catalogue.Catalogue, p Problem) string {
	name, owner := p.Labels[manifest.LabelName], p.Labels[manifest.LabelService]
	var base string
	switch {
	case owner != "" && owner != name && c.Services[owner] != nil:
		base = "services." + owner
		for job := range c.Services[owner].Jobs {
			if catalogue.JobName(owner, job) == name {
				return base + ".jobs." + job
			}
		}
	case c.Services[name] != nil:
		base = "services." + name
	case c.Resources[name] != nil:
		return "resources." + name
	default:
		return ""
	}
	said := p.Message + " " + strings.Join(p.Fields, " ")
	for _, s := range fieldSources {
		if strings.Contains(said, s.marker) {
			return base + "." + s.field
		}
	}
	return base
}
