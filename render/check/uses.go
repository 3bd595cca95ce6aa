package check

import (
	"cmp"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
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

// addressWords end the names of variables that hold an address, so that a
// bare name in them is a host, not a word that happens to be one.
var addressWords = []string{
	"HOST", "HOSTS", "HOSTNAME", "ADDR", "ADDRS", "ADDRESS", "ADDRESSES", "URL", "URLS", "URI", "URIS",
	"ENDPOINT", "ENDPOINTS", "SERVER", "SERVERS", "DSN", "BROKER", "BROKERS",
}

func addressVariable(name string) bool {
	name = strings.ToUpper(name)
	for _, w := range addressWords {
		if name == w || strings.HasSuffix(name, "_"+w) {
			return true
		}
	}
	return false
}

// hostRef is one address a value names.
type hostRef struct {
	target string
	// text is the address as written, for messages.
	text string
	// port is 0 when the address names none and its scheme implies none.
	port int
}

// hostMatcher finds the addresses of a catalogue's services and resources
// in values.
type hostMatcher struct {
	c     *catalogue.Catalogue
	hosts *catalogue.Hosts
}

func newHostMatcher(c *catalogue.Catalogue) *hostMatcher {
	return &hostMatcher{c: c, hosts: c.Hosts()}
}

var (
	// A URL ends at a comma, which separates lists of them; the further
	// hosts of mongodb://a:27017,b:27017/db are then host:port words.
	urlPattern      = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>,;]*`)
	hostPortPattern = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*):([0-9]{1,5})$`)
	// fieldSeparator splits what is left of a value once its URLs are out
	// into words that may be host or host:port.
	fieldSeparator = regexp.MustCompile(`[^A-Za-z0-9._:-]+`)
)

// implied ports of URL schemes whose port a service must then have.
var schemePorts = map[string]int{"http": 80, "https": 443, "ws": 80, "wss": 443}

// refs lists the addresses of services and resources in value by the
// rule of UsesHelp; bare says a lone name in it is a host.
func (m *hostMatcher) refs(value string, bare bool) []hostRef {
	var out []hostRef
	rest := urlPattern.ReplaceAllStringFunc(value, func(u string) string {
		out = append(out, m.urlRefs(u)...)
		return " "
	})
	for _, field := range fieldSeparator.Split(rest, -1) {
		if sub := hostPortPattern.FindStringSubmatch(field); sub != nil {
			if target, ok := m.hosts.Target(sub[1]); ok {
				port, _ := strconv.Atoi(sub[2])
				out = append(out, hostRef{target: target, text: field, port: port})
			}
			continue
		}
		if !bare || strings.Contains(field, ":") {
			continue
		}
		if target, ok := m.hosts.Target(field); ok {
			out = append(out, hostRef{target: target, text: field})
		}
	}
	return out
}

// urlRefs lists the host of one URL.
func (m *hostMatcher) urlRefs(raw string) []hostRef {
	scheme, rest, _ := strings.Cut(raw, "://")
	authority := rest
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority = rest[:i]
	}
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		authority = authority[i+1:]
	}
	host, port := authority, schemePorts[strings.ToLower(scheme)]
	if h, p, ok := strings.Cut(authority, ":"); ok {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil // a placeholder such as $(ORDERS_PORT), or no host at all
		}
		host, port = h, n
	}
	if h, err := url.PathUnescape(host); err == nil {
		host = h
	}
	if target, ok := m.hosts.Target(host); ok {
		return []hostRef{{target: target, text: raw, port: port}}
	}
	return nil
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
			out = append(out, valueOf{path: prefix + "." + k, value: env[k], address: addressVariable(k)})
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
			for _, ref := range m.refs(v.value, v.address) {
				if ref.target == service {
					continue // its own address, e.g. a public URL it announces
				}
				pos := c.Position(v.path)
				if !slices.Contains(uses, ref.target) && !reported[v.path+" "+ref.target] {
					reported[v.path+" "+ref.target] = true
					out = append(out, Finding{Check: "uses", File: pos.File, Line: pos.Line, Help: UsesHelp, Message: fmt.Sprintf(
						"%s: %s names %s (%q) but %s does not use %s, so a cluster's default-deny NetworkPolicy blocks what works in dev; add %s to services.%s.uses",
						v.path, service, ref.target, ref.text, service, ref.target, ref.target, service)})
				}
				ports, described := m.portsOf(ref.target)
				if ref.port == 0 || slices.Contains(ports, ref.port) || portReported[v.path+" "+ref.text] {
					continue
				}
				portReported[v.path+" "+ref.text] = true
				out = append(out, Finding{Check: "uses", File: pos.File, Line: pos.Line, Help: UsesHelp, Message: fmt.Sprintf(
					"%s: %q names port %d of %s, which it does not have: %s",
					v.path, ref.text, ref.port, ref.target, described)})
			}
		}
	}
	// They read top to bottom like the catalogue.
	slices.SortStableFunc(out, func(a, b Finding) int {
		return cmp.Or(strings.Compare(a.File, b.File), a.Line-b.Line)
	})
	return out
}
