package project

import (
	"github.com/tandemdev/tandem/inspect"
)

// Env is every variable of service in env, with its value's origin and
// what it overrides.
func (p *Project) Env(service, env string) ([]inspect.Var, error) {
	return inspect.Env(p.Catalogue, service, env)
}

// Diff is what differs between two environments, field by field.
func (p *Project) Diff(from, to string) ([]inspect.Change, error) {
	return inspect.Diff(p.Catalogue, from, to)
}
