package check

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tandemdev/tandem/catalogue"
)

// UsesHelp is the rule by which check tells that a value names a host, as
// the README states it; findings of check "uses" carry it.
const UsesHelp = "a value names a service or resource when it holds its host in a URL (http://orders:8080/x, " +
	"postgres://u:p@orders-db/db) or as host:port (orders:8080), anywhere; a bare host (orders) counts only in a " +
	"variable whose name ends in an address word (_HOST, _ADDR, _ADDRESS, _URL, _URI, _ENDPOINT, _SERVER, _DSN, " +
	"_BROKERS and their plurals) or in an entry of a service's calls, so that CACHE_MODE: cache names nothing. A host is the name, or its cluster DNS " +
	"name in an environment's namespace (orders.shop, orders.shop.svc, orders.shop.svc.cluster.local), or a " +
	"resource's endpoint; orders-archive and reorders are other hosts"

// hostMatcher finds the addresses of a catalogue's services and resources
// in values, and knows their ports.
type hostMatcher struct {
	c     *catalogue.Catalogue
	hosts *catalogue.Hosts
}

func newHostMatcher(c *catalogue.Catalogue) *hostMatcher {
	return &hostMatcher{c: c, hosts: c.Hosts()}
}

// portsOf are the ports an address of target may name: a service's
// container ports (dev) and Service ports (clusters), a resource's kind's.
func (m *hostMatcher) portsOf(target string) (ports []int, described string) {
	if s, ok := m.c.Services[target]; ok {
		var words []string
		for _, p := range s.Ports {
			ports = append(ports, p.Port)
			word := fmt.Sprintf("%d (%s)", p.Port, p.Name)
			if p.ClusterPort() != p.Port {
				ports = append(ports, p.ClusterPort())
				word = fmt.Sprintf("%d (%s, Service port %d)", p.Port, p.Name, p.ClusterPort())
			}
			words = append(words, word)
		}
		if len(words) == 0 {
			return nil, "service " + target + " has no ports"
		}
		return ports, "service " + target + " listens on " + strings.Join(words, ", ")
	}
	kind := m.c.Resources[target].KindInfo()
	return []int{kind.Port}, fmt.Sprintf("resource %s (%s) listens on %d", target, kind.Name, kind.Port)
}

// valueOf is one value a service receives, or one it calls, with the
// field path it was written at.
type valueOf struct {
	path, value string
	// address says the value is where it holds a bare host: a variable
	// named like an address, or an entry of calls.
	address bool
}

// serviceValues lists the values service receives from the catalogue
// (its env and overrides, and the config groups it lists with their
// environments' overrides) and the addresses it calls.
func serviceValues(c *catalogue.Catalogue, service string) []valueOf {
	s := c.Services[service]
	var out []valueOf
	add := func(prefix string, env map[string]string) {
		for _, k := range slices.Sorted(maps.Keys(env)) {
			out = append(out, valueOf{path: prefix + "." + k, value: env[k], address: catalogue.AddressVariable(k)})
		}
	}
	add("services."+service+".env", s.Env)
	for i, call := range s.Calls {
		out = append(out, valueOf{path: fmt.Sprintf("services.%s.calls[%d]", service, i), value: call, address: true})
	}
	for _, env := range slices.Sorted(maps.Keys(s.Overrides)) {
		if o := s.Overrides[env]; o != nil {
			add("services."+service+".overrides."+env+".env", o.Env)
		}
	}
	for _, group := range s.Config {
		add("config."+group, c.Config[group])
		for _, env := range c.EnvironmentNames() {
			if e := c.Environments[env]; e != nil {
				add("environments."+env+".config."+group, e.Config[group])
			}
		}
	}
	return out
}

// undeclaredUses reports values that name a service or resource that
// their service does not use: Compose lets the call through, a cluster's
// default-deny NetworkPolicy does not. It also reports addresses whose
// port the target does not have. Findings point at the catalogue.
func undeclaredUses(c *catalogue.Catalogue) []Finding {
	m := newHostMatcher(c)
	var out []Finding
	portReported := map[string]bool{}
	for _, service := range c.ServiceNames() {
		uses := c.Services[service].UsedNames()
		reported := map[string]bool{}
		for _, v := range serviceValues(c, service) {
			for _, ref := range m.hosts.Refs(v.value, v.address) {
				if ref.Target == service {
					continue // its own address, e.g. a public URL it announces
				}
				pos := c.Position(v.path)
				if !slices.Contains(uses, ref.Target) && !reported[v.path+" "+ref.Target] {
					reported[v.path+" "+ref.Target] = true
					out = append(out, Finding{Check: "uses", File: pos.File, Line: pos.Line, Help: UsesHelp, Message: fmt.Sprintf(
						"%s: %s names %s (%q) but %s does not use %s, so a cluster's default-deny NetworkPolicy blocks what works in dev; add %s to services.%s.uses",
						v.path, service, ref.Target, ref.Text, service, ref.Target, ref.Target, service)})
				}
				ports, described := m.portsOf(ref.Target)
				if ref.Port == 0 || slices.Contains(ports, ref.Port) || portReported[v.path+" "+ref.Text] {
					continue
				}
				portReported[v.path+" "+ref.Text] = true
				out = append(out, Finding{Check: "uses", File: pos.File, Line: pos.Line, Help: UsesHelp, Message: fmt.Sprintf(
					"%s: %q names port %d of %s, which it does not have: %s",
					v.path, ref.Text, ref.Port, ref.Target, described)})
			}
		}
	}
	// They read top to bottom like the catalogue.
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Or(strings.Compare(a.File, b.File), a.Line-b.Line)
	})
	return out
}
