package check

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/tandemdev/tandem/catalogue"
)

// Source is one text file of a service's build context.
type Source struct {
	Service string
	// File names the file as messages show it.
	File string
	Data []byte
}

// addressVariables maps each variable that carries an address of a
// service or resource to that target: the ones uses inject by default
// (ORDERS_URL, ORDERS_DB_HOST, ...) and those any use of the target names
// itself (PRODUCT_CATALOG_SERVICE_ADDR), since another user of the same
// target may be copied.
func addressVariables(c *catalogue.Catalogue) map[string]string {
	out := map[string]string{}
	for _, name := range c.ServiceNames() {
		out[catalogue.ServiceURLVar(name)] = name
	}
	for _, name := range c.ResourceNames() {
		for _, setting := range c.Resources[name].KindInfo().Settings {
			out[catalogue.SettingVar(name, setting)] = name
		}
	}
	for _, name := range c.ServiceNames() {
		for _, u := range c.Services[name].Uses {
			for variable := range u.Env {
				out[variable] = u.Name
			}
		}
	}
	return out
}

// setVariables lists, by service, what the catalogue sets for it in any
// environment: resolved once for all, as resolving is per catalogue.
func setVariables(c *catalogue.Catalogue) map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, env := range append([]string{catalogue.DevEnvironment}, c.DeployEnvironments()...) {
		for _, w := range c.Resolve(env) {
			if out[w.Name] == nil {
				out[w.Name] = map[string]bool{}
			}
			for _, v := range w.Vars {
				out[w.Name][v.Name] = true
			}
		}
	}
	return out
}

// SourceUses reports, in the sources of services built from source,
// variables that carry the address of another service or resource which
// the service does not use and nothing else sets: the code reads
// ORDERS_URL, which only a uses edge to orders would give it. Without the
// edge its calls break everywhere, and in a cluster the default-deny
// NetworkPolicy would block them even if the variable were set by hand.
// Each service, target and variable is reported once, at its first
// mention.
func SourceUses(c *catalogue.Catalogue, sources []Source) []Finding {
	variables := addressVariables(c)
	var set map[string]map[string]bool
	reported := map[string]bool{}
	var out []Finding
	for _, src := range sources {
		s := c.Services[src.Service]
		if s == nil {
			continue
		}
		for i, line := range bytes.Split(src.Data, []byte("\n")) {
			for _, word := range identifiers(line) {
				target, ok := variables[word]
				if !ok || target == src.Service || slices.Contains(s.UsedNames(), target) {
					continue
				}
				key := src.Service + " " + target + " " + word
				if reported[key] {
					continue
				}
				if set == nil {
					set = setVariables(c)
				}
				if set[src.Service][word] {
					continue // a hand-written value, which undeclaredUses judges
				}
				reported[key] = true
				out = append(out, Finding{Check: "uses", File: src.File, Line: i + 1, Message: fmt.Sprintf(
					"%s reads %s, the address of %s, but does not use %s: nothing sets %s, and a cluster's default-deny NetworkPolicy would block the call; add %s to services.%s.uses",
					src.Service, word, target, target, word, target, src.Service)})
			}
		}
	}
	return out
}

// identifiers are the words of a line of code that could name a
// variable: letters, digits and underscores.
func identifiers(line []byte) []string {
	var out []string
	start := -1
	for i := 0; i <= len(line); i++ {
		if i < len(line) && isIdentifierByte(line[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, string(line[start:i]))
			start = -1
		}
	}
	return out
}

func isIdentifierByte(b byte) bool {
	return b == '_' || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}
