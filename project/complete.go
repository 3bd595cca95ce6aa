package project

import (
	"slices"

	"github.com/tandemdev/tandem/catalogue"
)

// CompletesArguments tells whether the arguments of command are names
// from the catalogue, which ArgumentNames lists.
func CompletesArguments(command string) bool {
	_, ok := argumentCompletions[command]
	return ok
}

// ArgumentNames are what the arguments of command may be: environments,
// services, or what runs in dev, from the catalogue.
func (p *Project) ArgumentNames(command string) []string {
	if names, ok := argumentCompletions[command]; ok {
		return names(p.Catalogue)
	}
	return nil
}

// argumentCompletions say what each command's arguments are, read from
// the catalogue.
var argumentCompletions = map[string]func(*catalogue.Catalogue) []string{
	"build": func(c *catalogue.Catalogue) []string { return c.DeployEnvironments() },
	"diff": func(c *catalogue.Catalogue) []string {
		return append([]string{catalogue.DevEnvironment}, c.DeployEnvironments()...)
	},
	"env":  func(c *catalogue.Catalogue) []string { return c.ServiceNames() },
	"up":   func(c *catalogue.Catalogue) []string { return c.ServiceNames() },
	"logs": unitNames,
	"set-image": func(c *catalogue.Catalogue) []string {
		var out []string
		for _, name := range c.ServiceNames() {
			out = append(out, name+"=")
		}
		return out
	},
}

// unitNames are what runs in dev: services, resources and jobs.
func unitNames(c *catalogue.Catalogue) []string {
	out := append(c.ServiceNames(), c.ResourceNames()...)
	for _, name := range c.ServiceNames() {
		for _, job := range c.Services[name].JobNames() {
			out = append(out, catalogue.JobName(name, job))
		}
	}
	slices.Sort(out)
	return out
}
