package catalogue

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Hosts tells which service or resource a host names, as clients write
// it: the name itself, its cluster DNS name in an environment's namespace
// (orders.shop, orders.shop.svc, orders.shop.svc.cluster.local), or a
// managed resource's endpoint.
type Hosts struct {
	c *Catalogue
	// suffixes are what may follow a name in a cluster DNS name.
	suffixes map[string]bool
	// endpoints are managed resources' hosts.
	endpoints map[string]string
}

// Hosts indexes the catalogue's hosts once, for many lookups.
func (c *Catalogue) Hosts() *Hosts {
	h := &Hosts{c: c, suffixes: map[string]bool{}, endpoints: map[string]string{}}
	for _, env := range c.DeployEnvironments() {
		ns := c.Namespace(env)
		for _, s := range []string{ns, ns + ".svc", ns + ".svc.cluster.local"} {
			h.suffixes[s] = true
		}
	}
	for name, r := range c.Resources {
		if r == nil {
			continue
		}
		for _, host := range r.Endpoints {
			h.endpoints[strings.ToLower(strings.TrimSuffix(host, "."))] = name
		}
	}
	return h
}

// Target is the service or resource host names, if any. Names are
// DNS-1123 labels, so a host in capitals (ORDERS, a word in a sentence or
// a variable's name) is not one of them.
func (h *Hosts) Target(host string) (string, bool) {
	host = strings.TrimSuffix(host, ".")
	if host == "" {
		return "", false
	}
	if r, ok := h.endpoints[strings.ToLower(host)]; ok {
		return r, true
	}
	name, rest, dotted := strings.Cut(host, ".")
	if dotted && !h.suffixes[rest] {
		return "", false
	}
	if _, ok := h.c.Services[name]; ok {
		return name, true
	}
	if _, ok := h.c.Resources[name]; ok {
		return name, true
	}
	return "", false
}

var callHostPort = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)(?::([0-9]{1,5}))?$`)

// callHost is the host of one entry of a service's calls: a URL,
// host:port or a bare host.
func callHost(call string) (string, bool) {
	if strings.Contains(call, "://") {
		u, err := url.Parse(call)
		if err != nil || u.Hostname() == "" {
			return "", false
		}
		return u.Hostname(), true
	}
	m := callHostPort.FindStringSubmatch(call)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// validateCalls holds each call to a service or resource of the
// catalogue, so that check, which compares calls with uses, never passes
// over a typo.
func (c *Catalogue) validateCalls(errs *errorList, hosts *Hosts, name string, s *Service) {
	seen := map[string]bool{}
	for i, call := range s.Calls {
		cp := fmt.Sprintf("services.%s.calls[%d]", name, i)
		host, ok := callHost(call)
		if !ok {
			errs.add(cp, "%q is not an address: write a URL (http://orders:8080/x), host:port (orders:8080) or the name of a service or resource (orders)", call)
			continue
		}
		target, ok := hosts.Target(host)
		switch {
		case !ok:
			label, rest, dotted := strings.Cut(host, ".")
			if _, named := hosts.Target(label); named && dotted {
				namespaces := strings.Join(c.namespaces(), ", ")
				if namespaces == "" {
					namespaces = "there is none"
				}
				errs.add(cp, "%q names no service or resource of the catalogue: %s is one, but %s is not the namespace of a cluster environment (%s)", call, label, rest, namespaces)
				break
			}
			errs.add(cp, "%q names no service or resource of the catalogue%s", call, suggest(label, append(slices.Sorted(maps.Keys(c.Services)), slices.Sorted(maps.Keys(c.Resources))...)))
		case target == name:
			errs.add(cp, "%q is the service's own address; list what it calls", call)
		case seen[call]:
			errs.add(cp, "%q is listed twice", call)
		}
		seen[call] = true
	}
}

// namespaces are the namespaces of the cluster environments, in order.
func (c *Catalogue) namespaces() []string {
	var out []string
	for _, env := range c.DeployEnvironments() {
		out = append(out, c.Namespace(env))
	}
	return out
}
