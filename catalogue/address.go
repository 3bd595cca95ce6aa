package catalogue

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Port protocols. Only HTTP ports can be routed by an Ingress; UDP is the
// one that changes the transport.
const (
	ProtocolHTTP  = "http"
	ProtocolHTTPS = "https"
	ProtocolGRPC  = "grpc"
	ProtocolTCP   = "tcp"
	ProtocolUDP   = "udp"
)

// Protocols lists what a port may speak.
func Protocols() []string {
	return []string{ProtocolHTTP, ProtocolHTTPS, ProtocolGRPC, ProtocolTCP, ProtocolUDP}
}

// AppProtocol is what the port speaks: as declared, else guessed from its
// name the way service meshes do (grpc, grpc-web; https), else HTTP,
// which every port was before protocols could be declared.
func (p Port) AppProtocol() string {
	switch {
	case p.Protocol != "":
		return p.Protocol
	case p.Name == "grpc" || strings.HasPrefix(p.Name, "grpc-"):
		return ProtocolGRPC
	case p.Name == "https" || strings.HasPrefix(p.Name, "https-"):
		return ProtocolHTTPS
	}
	return ProtocolHTTP
}

// Routable tells whether an Ingress can route to the port.
func (p Port) Routable() bool {
	proto := p.AppProtocol()
	return proto == ProtocolHTTP || proto == ProtocolHTTPS
}

// UDP tells whether the port's transport is UDP rather than TCP.
func (p Port) UDP() bool { return p.AppProtocol() == ProtocolUDP }

// ClusterPort is the port of the Kubernetes Service in front of p.
func (p Port) ClusterPort() int {
	if p.ServicePort != 0 {
		return p.ServicePort
	}
	return p.Port
}

// addressForms are the shorthands a use's variable may name instead of a
// template.
var addressForms = map[string]string{
	"url":       "{scheme}://{host}:{port}",
	"host:port": "{host}:{port}",
	"host":      "{host}",
	"port":      "{port}",
}

// AddressForms lists the shorthand forms, for messages.
const AddressForms = "url, host:port, host, port"

var (
	placeholder     = regexp.MustCompile(`\{(scheme|host|port)(?::([a-z0-9-]*))?\}`)
	lookslikeHolder = regexp.MustCompile(`\{[A-Za-z_][A-Za-z0-9_]*(:[^{}]*)?\}`)
)

// templateOf is the template a form stands for.
func templateOf(form string) string {
	if t, ok := addressForms[form]; ok {
		return t
	}
	return form
}

// address is what a use's templates are filled from in one environment.
type address struct {
	scheme, host string
	// port returns the port named, "" for the use's own.
	port func(name string) string
}

func (a address) fill(template string) string {
	return placeholder.ReplaceAllStringFunc(template, func(m string) string {
		sub := placeholder.FindStringSubmatch(m)
		switch sub[1] {
		case "scheme":
			return a.scheme
		case "host":
			return a.host
		}
		return a.port(sub[2])
	})
}

// useValue is the value of a variable a use names, in env ("" for the
// environment-neutral base, which is a cluster's). A service is reached
// by its name in Compose and in a namespace alike, on the container port
// in Compose and the Service's port in a cluster. A resource's address is
// written as references to its connection settings, which every
// environment resolves its own way: Compose at render time, a cluster
// from the resource's connection Secret.
func (c *Catalogue) useValue(u Use, form, env string) string {
	if r := c.Resources[u.Name]; r != nil {
		kind := r.KindInfo()
		if form == "url" && kind.Has(SettingURL) {
			return "$(" + SettingVar(u.Name, SettingURL) + ")"
		}
		ref := "$(" + SettingVar(u.Name, SettingPort) + ")"
		return address{scheme: kind.URLScheme, host: "$(" + SettingVar(u.Name, SettingHost) + ")", port: func(string) string { return ref }}.fill(templateOf(form))
	}
	s := c.Services[u.Name]
	port := func(name string) string {
		p := s.usePort(first(name, u.Port))
		if env == DevEnvironment {
			return strconv.Itoa(p.Port)
		}
		return strconv.Itoa(p.ClusterPort())
	}
	return address{scheme: s.usePort(u.Port).AppProtocol(), host: u.Name, port: port}.fill(templateOf(form))
}

// usePort is the port called name, or the default port a use names: the
// one named http, else the first. Validation makes sure it exists.
func (s *Service) usePort(name string) Port {
	for _, p := range s.Ports {
		if p.Name == name && name != "" {
			return p
		}
	}
	return s.Ports[DefaultUsePort(s.Ports)]
}

// DefaultUsePort is the index of the port a use that names none reaches:
// the one named http, else the first; -1 for no ports.
func DefaultUsePort(ports []Port) int {
	for i, p := range ports {
		if p.Name == "http" {
			return i
		}
	}
	if len(ports) == 0 {
		return -1
	}
	return 0
}

// addressProblem says what is wrong with a use's form for variable, or "".
func (c *Catalogue) addressProblem(u Use, form string) string {
	template := templateOf(form)
	if !placeholder.MatchString(template) {
		return fmt.Sprintf("%q names no part of the address; use one of %s, or a template such as {host}:{port} (a fixed value belongs in env)", form, AddressForms)
	}
	rest := placeholder.ReplaceAllString(template, "")
	if bad := lookslikeHolder.FindString(rest); bad != "" {
		return fmt.Sprintf("%s is not a placeholder; a template may use {scheme}, {host}, {port} and {port:NAME}", bad)
	}
	if strings.Contains(template, "$") {
		return "a template may not contain $; it is filled in by tandem"
	}
	r := c.Resources[u.Name]
	for _, m := range placeholder.FindAllStringSubmatch(template, -1) {
		if m[1] != "port" && m[2] != "" {
			return fmt.Sprintf("{%s} takes no port name", m[1])
		}
		if m[1] == "port" && strings.Contains(m[0], ":") {
			if r != nil {
				return fmt.Sprintf("resource %s has one port; write {port}", u.Name)
			}
			if m[2] == "" || !hasPort(c.Services[u.Name], m[2]) {
				return fmt.Sprintf("%s: service %s has no port named %q%s", m[0], u.Name, m[2], suggest(m[2], portNames(c.Services[u.Name])))
			}
		}
	}
	if r != nil && r.KindInfo().URLScheme == "" && (form == "url" && !r.KindInfo().Has(SettingURL) || strings.Contains(template, "{scheme}")) {
		return fmt.Sprintf("a %s resource has no URL scheme; use host:port or a template without {scheme}", r.Kind)
	}
	return ""
}

func hasPort(s *Service, name string) bool {
	for _, p := range s.Ports {
		if p.Name == name {
			return true
		}
	}
	return false
}

func portNames(s *Service) []string {
	var out []string
	for _, p := range s.Ports {
		out = append(out, p.Name)
	}
	return out
}
