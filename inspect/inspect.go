// Package inspect answers questions about a catalogue without rendering
// files: Env lists every variable a service gets in an environment with the
// origin of its value and what that value overrides; Diff compares two
// environments field by field. Secret values are never shown: tandem does
// not know them outside dev, and masks them in dev.
package inspect

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/compose"
	"github.com/tandemdev/tandem/devstate"
)

// Mask stands for a secret value.
const Mask = "******"

// Value is one value of a variable and where it came from.
type Value struct {
	Value  string `json:"value"`
	Origin string `json:"origin"`
}

// Var is a variable a service gets, with the values it overrides, highest
// precedence first.
type Var struct {
	Name string `json:"name"`
	Value
	Secret    bool    `json:"secret,omitempty"`
	Overrides []Value `json:"overrides,omitempty"`
}

// Env lists the variables of service in env, sorted by name.
func Env(c *catalogue.Catalogue, service, env string) ([]Var, error) {
	w, err := workload(c, service, env)
	if err != nil {
		return nil, err
	}
	out := make([]Var, 0, len(w.Vars))
	for _, v := range w.Vars {
		row := Var{Name: v.Name, Value: display(c, w, v), Secret: v.Secret || v.Setting == catalogue.SettingPassword}
		for _, old := range w.Shadowed[v.Name] {
			row.Overrides = append(row.Overrides, display(c, w, old))
		}
		out = append(out, row)
	}
	return out, nil
}

func workload(c *catalogue.Catalogue, service, env string) (*catalogue.Workload, error) {
	if _, ok := c.Services[service]; !ok {
		return nil, fmt.Errorf("%w: no service %q (services: %s)", ErrUnknown, service, strings.Join(c.ServiceNames(), ", "))
	}
	if err := checkEnv(c, env); err != nil {
		return nil, err
	}
	if s := c.Services[service]; !s.In(env) {
		return nil, fmt.Errorf("%w: service %q does not exist in environment %s (environments: %s)", ErrUnknown, service, env, strings.Join(s.Environments, ", "))
	}
	for _, w := range c.Resolve(env) {
		if w.Name == service {
			return w, nil
		}
	}
	panic("unreachable: resolved services lack " + service)
}

func checkEnv(c *catalogue.Catalogue, env string) error {
	if _, ok := c.Environments[env]; !ok && env != catalogue.DevEnvironment {
		return fmt.Errorf("%w: no environment %q (environments: %s)", ErrUnknown, env, strings.Join(environments(c), ", "))
	}
	return nil
}

// environments lists dev and every declared environment.
func environments(c *catalogue.Catalogue) []string {
	return append([]string{catalogue.DevEnvironment}, c.DeployEnvironments()...)
}

// display shows a value as the environment provides it: dev values as
// Compose passes them, with passwords and secrets masked; elsewhere the
// Secret a value comes from.
func display(c *catalogue.Catalogue, w *catalogue.Workload, v catalogue.EnvVar) Value {
	out := Value{Value: v.Value, Origin: v.Origin.String()}
	dev := w.Env == catalogue.DevEnvironment
	switch {
	case v.Secret && dev:
		out.Value = Mask + " (from " + devstate.EnvFile + ")"
	case v.Secret:
		out.Value = secretRef(catalogue.ServiceSecretName(w.Name), v.Name)
	case v.Resource != "" && dev && v.Setting == catalogue.SettingPassword:
		out.Value = Mask + " (from " + devstate.EnvFile + ")"
	case v.Resource != "" && dev:
		out.Value = compose.ConnectionValue(c, v.Resource, v.Setting, Mask)
	case v.Resource != "":
		out.Value = secretRef(catalogue.ConnectionSecretName(v.Resource), string(v.Setting))
	}
	return out
}

func secretRef(secret, key string) string {
	return fmt.Sprintf("(Secret %s, key %s)", secret, key)
}

// Change is one field that differs between two environments.
type Change struct {
	// Service is empty for environment-wide fields such as the namespace.
	Service string `json:"service,omitempty"`
	Field   string `json:"field"`
	From    string `json:"from"`
	To      string `json:"to"`
}

// Diff lists what differs between environments a and b: namespace, and
// per service image, replicas, requests, limits and env values with their
// origins. Secret values never appear.
func Diff(c *catalogue.Catalogue, a, b string) ([]Change, error) {
	for _, env := range []string{a, b} {
		if err := checkEnv(c, env); err != nil {
			return nil, err
		}
	}
	var out []Change
	if na, nb := namespace(c, a), namespace(c, b); na != nb {
		out = append(out, Change{Field: "namespace", From: na, To: nb})
	}
	byName := func(env string) map[string]*catalogue.Workload {
		m := map[string]*catalogue.Workload{}
		for _, w := range c.Resolve(env) {
			m[w.Name] = w
		}
		return m
	}
	inA, inB := byName(a), byName(b)
	// A service in one environment only differs in nothing but that.
	for _, name := range c.ServiceNames() {
		wa, wb := inA[name], inB[name]
		switch {
		case wa != nil && wb != nil:
			out = append(out, diffWorkload(c, wa, wb)...)
		case wa != nil:
			out = append(out, Change{Service: name, Field: "exists", From: "yes", To: "no"})
		case wb != nil:
			out = append(out, Change{Service: name, Field: "exists", From: "no", To: "yes"})
		}
	}
	return out, nil
}

func namespace(c *catalogue.Catalogue, env string) string {
	if env == catalogue.DevEnvironment {
		return "(local Compose project)"
	}
	return c.Namespace(env)
}

func diffWorkload(c *catalogue.Catalogue, a, b *catalogue.Workload) []Change {
	var out []Change
	field := func(name, from, to string) {
		if from != to {
			out = append(out, Change{Service: a.Name, Field: name, From: from, To: to})
		}
	}
	field("image", image(a), image(b))
	field("replicas", replicas(a), replicas(b))
	field("requests.cpu", a.Compute.RequestCPU, b.Compute.RequestCPU)
	field("requests.memory", a.Compute.RequestMemory, b.Compute.RequestMemory)
	field("limits.cpu", a.Compute.LimitCPU, b.Compute.LimitCPU)
	field("limits.memory", a.Compute.LimitMemory, b.Compute.LimitMemory)
	field("requests.ephemeral-storage", a.Compute.RequestStorage, b.Compute.RequestStorage)
	field("limits.ephemeral-storage", a.Compute.LimitStorage, b.Compute.LimitStorage)
	field("terminationGracePeriodSeconds", gracePeriod(a), gracePeriod(b))
	field("command", words(a.Command), words(b.Command))
	field("args", words(a.Args), words(b.Args))

	names := map[string]bool{}
	for _, v := range append(append([]catalogue.EnvVar{}, a.Vars...), b.Vars...) {
		names[v.Name] = true
	}
	sorted := make([]string, 0, len(names))
	for name := range names {
		sorted = append(sorted, name)
	}
	sort.Strings(sorted)
	for _, name := range sorted {
		field("env."+name, envValue(c, a, name), envValue(c, b, name))
	}
	return out
}

func envValue(c *catalogue.Catalogue, w *catalogue.Workload, name string) string {
	v, ok := w.Var(name)
	if !ok {
		return "(unset)"
	}
	d := display(c, w, v)
	return d.Value + "  [" + d.Origin + "]"
}

func image(w *catalogue.Workload) string {
	if w.Env == catalogue.DevEnvironment && w.Service.Build != "" {
		return "built from " + w.Service.Build
	}
	return w.Image
}

// words shows a command line as it would be typed; an unset one is the
// image's own.
func words(list []string) string {
	if len(list) == 0 {
		return "(image's)"
	}
	quoted := make([]string, len(list))
	for i, w := range list {
		quoted[i] = w
		if w == "" || strings.ContainsAny(w, " \t\"'") {
			quoted[i] = strconv.Quote(w)
		}
	}
	return strings.Join(quoted, " ")
}

// gracePeriod names the default where the catalogue sets none, since
// Kubernetes' (30s) and Compose's (10s) differ.
func gracePeriod(w *catalogue.Workload) string {
	if w.TerminationGracePeriodSeconds == nil {
		return "(default)"
	}
	return strconv.FormatInt(*w.TerminationGracePeriodSeconds, 10)
}

func replicas(w *catalogue.Workload) string {
	switch {
	case w.Env == catalogue.DevEnvironment:
		return "1 (Compose)"
	case w.Autoscale != nil:
		return fmt.Sprintf("%d-%d (autoscaled at %d%% CPU)", w.Autoscale.Min, w.Autoscale.Max, w.Autoscale.CPU)
	}
	return strconv.Itoa(w.Replicas)
}
