package catalogue

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
)

// ErrUnknownName is returned when a command names a service or domain the
// catalogue does not declare.
var ErrUnknownName = errors.New("unknown name")

// Selection resolves what a partial `up` runs: the services named, every
// service of the domains named, and everything those transitively use
// (services and resources), sorted. No names and no domains select every
// service of dev but those on request, what they use, and every resource
// no service uses; a domain's services on request start only by name.
// Validation makes sure that what a service of dev uses is in dev too.
func (c *Catalogue) Selection(names, domains []string) ([]string, error) {
	if len(names) == 0 && len(domains) == 0 {
		started := c.closure(c.everyday())
		return slices.DeleteFunc(append(c.ServicesIn(DevEnvironment), c.ResourceNames()...), func(name string) bool {
			_, found := slices.BinarySearch(started, name)
			return !found
		}), nil
	}
	roots := make([]string, 0, len(names))
	for _, name := range names {
		_, isService := c.Services[name]
		_, isResource := c.Resources[name]
		if !isService && !isResource {
			return nil, fmt.Errorf("%w: no service or resource %q in %s%s", ErrUnknownName, name, c.File, suggest(name, append(c.ServiceNames(), c.ResourceNames()...)))
		}
		if isService && !c.Services[name].In(DevEnvironment) {
			return nil, fmt.Errorf("%w: service %q does not run in dev (environments: %s)", ErrUnknownName, name, strings.Join(c.Services[name].Environments, ", "))
		}
		roots = append(roots, name)
	}
	for _, domain := range domains {
		var members, onRequest []string
		for _, name := range c.DomainServices(domain) {
			switch s := c.Services[name]; {
			case !s.In(DevEnvironment):
			case s.OnRequest:
				onRequest = append(onRequest, name)
			default:
				members = append(members, name)
			}
		}
		if len(members) == 0 && len(onRequest) > 0 {
			return nil, fmt.Errorf("%w: every service of domain %q starts on request only (%s); name those you want", ErrUnknownName, domain, strings.Join(onRequest, ", "))
		}
		if len(members) == 0 {
			return nil, fmt.Errorf("%w: no service has domain %q (domains: %s)%s", ErrUnknownName, domain, strings.Join(c.Domains(), ", "), suggest(domain, c.Domains()))
		}
		roots = append(roots, members...)
	}
	return c.closure(roots), nil
}

// everyday is what tandem up starts when it is given no names: every dev
// service but those on request, and every resource but those only
// services on request use.
func (c *Catalogue) everyday() []string {
	var roots []string
	for _, name := range c.ServicesIn(DevEnvironment) {
		if !c.Services[name].OnRequest {
			roots = append(roots, name)
		}
	}
	onRequest := c.ResourcesOnRequest()
	for _, name := range c.ResourceNames() {
		if !onRequest[name] {
			roots = append(roots, name)
		}
	}
	return roots
}

// ResourcesOnRequest are the resources that services on request alone use
// in dev, which start with them only.
func (c *Catalogue) ResourcesOnRequest() map[string]bool {
	byRequest, always := map[string]bool{}, map[string]bool{}
	for _, name := range c.ServicesIn(DevEnvironment) {
		s := c.Services[name]
		for _, used := range c.UsedIn(s, DevEnvironment) {
			if s.OnRequest {
				byRequest[used] = true
			} else {
				always[used] = true
			}
		}
	}
	out := map[string]bool{}
	for name := range byRequest {
		if _, isResource := c.Resources[name]; isResource && !always[name] {
			out[name] = true
		}
	}
	return out
}

// closure is roots plus everything they transitively use, sorted.
func (c *Catalogue) closure(roots []string) []string {
	seen := map[string]bool{}
	stack := append([]string(nil), roots...)
	for len(stack) > 0 {
		name := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[name] {
			continue
		}
		seen[name] = true
		if s := c.Services[name]; s != nil {
			stack = append(stack, c.UsedIn(s, DevEnvironment)...)
		}
	}
	out := make([]string, 0, len(seen))
	for name := range seen {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// Domains lists the domains services declare, sorted.
func (c *Catalogue) Domains() []string {
	seen := map[string]bool{}
	for _, s := range c.Services {
		if s.Domain != "" {
			seen[s.Domain] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// DomainServices lists the services of a domain, sorted.
func (c *Catalogue) DomainServices(domain string) []string {
	var out []string
	for _, name := range c.ServiceNames() {
		if c.Services[name].Domain == domain {
			out = append(out, name)
		}
	}
	return out
}

// IsJob tells whether name is the Compose service of a service's job
// (JobName), which dev runs beside the services.
func (c *Catalogue) IsJob(name string) bool {
	_, _, ok := c.JobOf(name)
	return ok
}

// JobOf returns the service and job whose full name (JobName) is name.
func (c *Catalogue) JobOf(name string) (service, job string, ok bool) {
	for service, s := range c.Services {
		for job := range s.Jobs {
			if JobName(service, job) == name {
				return service, job, true
			}
		}
	}
	return "", "", false
}

// UsedResources lists the resources among what s uses, in its order: what
// its jobs wait for.
func (c *Catalogue) UsedResources(s *Service) []string {
	var out []string
	for _, used := range s.UsedNames() {
		if _, ok := c.Resources[used]; ok {
			out = append(out, used)
		}
	}
	return out
}

var notInLabel = regexp.MustCompile(`[^a-z0-9-]+`)

// LabelFrom makes a folder or project name a DNS-1123 label, as near as
// it can: lower case, other characters as '-', at most 63 characters.
func LabelFrom(s string) string {
	label := strings.Trim(notInLabel.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(label) > 63 {
		label = strings.Trim(label[:63], "-")
	}
	if label == "" {
		return "system"
	}
	return label
}
