package catalogue

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
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
	for _, ns := range c.namespaces() {
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

// addressWords end the names of variables that hold an address, so that a
// bare name in them is a host, not a word that happens to be one.
var addressWords = []string{
	"HOST", "HOSTS", "HOSTNAME", "ADDR", "ADDRS", "ADDRESS", "ADDRESSES", "URL", "URLS", "URI", "URIS",
	"ENDPOINT", "ENDPOINTS", "SERVER", "SERVERS", "DSN", "BROKER", "BROKERS",
}

// AddressVariable tells a variable whose name says it holds an address
// (ORDERS_HOST, CATALOG_ADDR, DATABASE_URL), where a bare name is a host.
func AddressVariable(name string) bool {
	name = strings.ToUpper(name)
	for _, w := range addressWords {
		if name == w || strings.HasSuffix(name, "_"+w) {
			return true
		}
	}
	return false
}

// HostRef is one address of a service or resource that a value names.
type HostRef struct {
	Target string
	// Text is the address as written, for messages.
	Text string
	// Port is 0 when the address names none and its scheme implies none.
	Port int
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

// Refs lists the addresses of services and resources in value: a host in
// a URL or as host:port anywhere; bare says a lone name is a host too, as
// in a variable named like an address (AddressVariable).
func (h *Hosts) Refs(value string, bare bool) []HostRef {
	var out []HostRef
	rest := urlPattern.ReplaceAllStringFunc(value, func(u string) string {
		out = append(out, h.urlRefs(u)...)
		return " "
	})
	for _, field := range fieldSeparator.Split(rest, -1) {
		if sub := hostPortPattern.FindStringSubmatch(field); sub != nil {
			if target, ok := h.Target(sub[1]); ok {
				port, _ := strconv.Atoi(sub[2])
				out = append(out, HostRef{Target: target, Text: field, Port: port})
			}
			continue
		}
		if !bare || strings.Contains(field, ":") {
			continue
		}
		if target, ok := h.Target(field); ok {
			out = append(out, HostRef{Target: target, Text: field})
		}
	}
	return out
}

// urlRefs lists the host of one URL.
func (h *Hosts) urlRefs(raw string) []HostRef {
	scheme, rest, _ := strings.Cut(raw, "://")
	authority := urlAuthority(rest)
	host, port := authority, schemePorts[strings.ToLower(scheme)]
	if name, p, ok := strings.Cut(authority, ":"); ok {
		n, err := strconv.Atoi(p)
		if err != nil {
			return nil // a placeholder such as $(ORDERS_PORT), or no host at all
		}
		host, port = name, n
	}
	if unescaped, err := url.PathUnescape(host); err == nil {
		host = unescaped
	}
	if target, ok := h.Target(host); ok {
		return []HostRef{{Target: target, Text: raw, Port: port}}
	}
	return nil
}

var callHostPort = regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._-]*)(?::([0-9]{1,5}))?$`)

// callHost is the host of one entry of a service's calls: a URL (of its
// first host, for mongodb://a:27017,b:27017/db), host:port or a bare
// host, read as Refs reads them.
func callHost(call string) (string, bool) {
	if _, rest, ok := strings.Cut(call, "://"); ok {
		authority, _, _ := strings.Cut(urlAuthority(rest), ",")
		call = authority
	}
	m := callHostPort.FindStringSubmatch(call)
	if m == nil {
		return "", false
	}
	return m[1], true
}

// urlAuthority is what of a URL, after its scheme, names the host: up to
// the path, query or fragment, after any user and password.
func urlAuthority(rest string) string {
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		rest = rest[:i]
	}
	if i := strings.LastIndex(rest, "@"); i >= 0 {
		rest = rest[i+1:]
	}
	return rest
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
