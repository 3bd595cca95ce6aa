package catalogue

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/tandemdev/tandem/internal/safe"
)

// Defaults for what a service leaves unset; documented in the README.
const (
	DefaultCPU      = "100m"
	DefaultMemory   = "128Mi"
	DefaultStorage  = "512Mi"
	DefaultReplicas = 1
	// DefaultAutoscaleCPU is the CPU use, in percent of the request, an
	// autoscaler aims for.
	DefaultAutoscaleCPU = 80
	// DefaultUserID is the conventional "nonroot" id of distroless images.
	DefaultUserID = 65532
	// DefaultResourceStorage sizes the volume of an in-cluster resource.
	DefaultResourceStorage = "10Gi"
	// An in-cluster resource's server may burst to a whole core: a
	// database's start-up and its checkpoints are brief and hungry. Memory
	// has no burst, since exceeding a limit kills the server.
	DefaultResourceCPU      = "250m"
	DefaultResourceCPULimit = "1"
	DefaultResourceMemory   = "512Mi"
	// DefaultIngressControllerNamespace is where ingress-nginx installs.
	DefaultIngressControllerNamespace = "ingress-nginx"
)

// The types a service's Kubernetes Service may have.
const (
	ServiceTypeClusterIP    = "ClusterIP"
	ServiceTypeNodePort     = "NodePort"
	ServiceTypeLoadBalancer = "LoadBalancer"
)

// ExternalPolicyName is the NetworkPolicy that admits outside clients to
// a service whose Service is not a ClusterIP.
func ExternalPolicyName(service string) string { return service + "-external" }

// takesOutsideClients tells whether the service's Service is a NodePort
// or LoadBalancer in some environment.
func (s *Service) takesOutsideClients() bool {
	if s.ServiceType != "" && s.ServiceType != ServiceTypeClusterIP {
		return true
	}
	for _, o := range s.Overrides {
		if o != nil && o.ServiceType != "" && o.ServiceType != ServiceTypeClusterIP {
			return true
		}
	}
	return false
}

// ServiceTypes lists the Service types a catalogue may ask for.
func ServiceTypes() []string {
	return []string{ServiceTypeClusterIP, ServiceTypeNodePort, ServiceTypeLoadBalancer}
}

// External tells whether the workload's Service takes clients from
// outside the cluster directly, not through an ingress.
func (w *Workload) External() bool { return w.ServiceType != ServiceTypeClusterIP }

// Level is a rung of the precedence ladder; a higher level wins.
type Level int

// The precedence of a value's sources, lowest first:
// default < config group < service < environment override.
const (
	LevelResource Level = iota // connection settings of a used resource: the defaults
	LevelUses                  // the URL of a used service, also a default
	LevelConfigGroup
	LevelService
	LevelOverride
	LevelSecret // secrets never collide with plain values (validation)
)

// Origin says where a resolved value came from.
type Origin struct {
	Level Level
	// Name is the resource, config group or environment the value came from.
	Name string
	// Env is set for a config group value overridden by an environment.
	Env string
}

func (o Origin) String() string {
	switch o.Level {
	case LevelResource:
		return "resource " + o.Name
	case LevelUses:
		if o.Name == "" {
			return "own address"
		}
		return "uses " + o.Name
	case LevelConfigGroup:
		if o.Env != "" {
			return fmt.Sprintf("config group %s (environment %s)", o.Name, o.Env)
		}
		return "config group " + o.Name
	case LevelService:
		return "service"
	case LevelOverride:
		return "override " + o.Name
	default:
		return "secret"
	}
}

// EnvVar is one resolved environment variable of a service.
type EnvVar struct {
	Name string
	// Value is the literal value; empty for secrets and connection settings,
	// whose carrier (Secret reference, dev env file) each renderer decides.
	Value  string
	Origin Origin
	// Resource and Setting are set when the value is a connection setting.
	Resource string
	Setting  Setting
	// Secret marks a service secret.
	Secret bool
}

// Compute is a resolved resource request and limit pair.
type Compute struct {
	RequestCPU, RequestMemory, RequestStorage string
	LimitCPU, LimitMemory, LimitStorage       string
}

// Workload is a service with every setting resolved for one environment.
type Workload struct {
	Name    string
	Service *Service
	// Env is the environment name; empty for the environment-neutral base.
	Env string
	// Image is the image reference a cluster runs; for a built service in
	// the base it is the bare service name, which overlays rewrite.
	Image string
	// Command and Args are the service container's, with the
	// environment's override applied.
	Command, Args []string
	// Ports are the service's ports in the environment; in the base,
	// those of the clusters.
	Ports    []Port
	Replicas int
	// Autoscale is set, with its defaults filled in, when a
	// HorizontalPodAutoscaler owns the replica count; never in the base or dev.
	Autoscale *Autoscale
	Compute   Compute
	// TerminationGracePeriodSeconds is nil where the catalogue leaves the
	// platform's default.
	TerminationGracePeriodSeconds *int64
	// ServiceType is the Kubernetes Service's type; ClusterIP by default.
	ServiceType string
	// ConfigGroups are the groups the service lists, in order.
	ConfigGroups []string
	// Vars holds every variable's winning value, sorted by name.
	Vars []EnvVar
	// Shadowed holds, per variable, the values a higher level replaced,
	// highest first, so that a reader can see what an override overrides.
	Shadowed map[string][]EnvVar
}

// Var returns the resolved variable named name.
func (w *Workload) Var(name string) (EnvVar, bool) {
	i := sort.Search(len(w.Vars), func(i int) bool { return w.Vars[i].Name >= name })
	if i < len(w.Vars) && w.Vars[i].Name == name {
		return w.Vars[i], true
	}
	return EnvVar{}, false
}

// ServiceNames lists the services, sorted.
func (c *Catalogue) ServiceNames() []string { return slices.Sorted(maps.Keys(c.Services)) }

// ResourceNames lists the resources, sorted.
func (c *Catalogue) ResourceNames() []string { return slices.Sorted(maps.Keys(c.Resources)) }

// ConfigNames lists the config groups, sorted.
func (c *Catalogue) ConfigNames() []string { return slices.Sorted(maps.Keys(c.Config)) }

// EnvironmentNames lists the declared environments, sorted; dev is
// included only when declared.
func (c *Catalogue) EnvironmentNames() []string { return slices.Sorted(maps.Keys(c.Environments)) }

// DeployEnvironments lists the environments that get a kustomize overlay:
// every declared one but dev.
func (c *Catalogue) DeployEnvironments() []string {
	var out []string
	for _, name := range c.EnvironmentNames() {
		if name != DevEnvironment {
			out = append(out, name)
		}
	}
	return out
}

// Namespace is the Kubernetes namespace of an environment.
func (c *Catalogue) Namespace(env string) string {
	if e := c.Environments[env]; e != nil && e.Namespace != "" {
		return e.Namespace
	}
	return c.Name + "-" + env
}

// ConfigValues returns a config group's values in an environment, with the
// environment's overrides applied ("" for the base values).
func (c *Catalogue) ConfigValues(group, env string) map[string]string {
	out := map[string]string{}
	for k, v := range c.Config[group] {
		out[k] = v
	}
	if e := c.Environments[env]; e != nil {
		for k, v := range e.Config[group] {
			out[k] = v
		}
	}
	return out
}

// KindInfo returns the resource's kind; validation guarantees it exists.
func (r *Resource) KindInfo() Kind {
	k, _ := LookupKind(r.Kind)
	return k
}

// Tag is the image tag of the resource in dev.
func (r *Resource) Tag() string {
	if r.Version != "" {
		return r.Version
	}
	return r.KindInfo().DefaultVersion
}

// DatabaseName is the database of a SQL resource: explicit, else the
// owner's name, else the resource's, made a valid SQL identifier.
func (r *Resource) DatabaseName(resource string) string {
	if r.Database != "" {
		return r.Database
	}
	return r.defaultIdentifier(resource)
}

// UserName is the user of a SQL or broker resource, defaulting like the database.
func (r *Resource) UserName(resource string) string {
	if r.User != "" {
		return r.User
	}
	return r.defaultIdentifier(resource)
}

func (r *Resource) defaultIdentifier(resource string) string {
	name := resource
	if r.Owner != "" {
		name = r.Owner
	}
	return strings.ReplaceAll(name, "-", "_")
}

// PublishedPort is the host port a public port is published on in dev.
func (p Port) PublishedPort() int {
	if p.HostPort != 0 {
		return p.HostPort
	}
	return p.Port
}

// ServiceURLVar is the variable that carries the URL of a used service.
func ServiceURLVar(service string) string { return EnvPrefix(service) + "_URL" }

// ServiceURL is how other services reach a service in env: its name is a
// hostname both in Compose and in a namespace; the port is the one named
// http, else the first: the container's in dev, the Service's elsewhere.
// A service without ports has no URL, nor one whose port is declared as
// plain TCP or UDP.
func (c *Catalogue) ServiceURL(name, env string) (string, bool) {
	s := c.Services[name]
	if s == nil || len(s.Ports) == 0 {
		return "", false
	}
	port := s.usePort("")
	if proto := port.AppProtocol(); proto == ProtocolTCP || proto == ProtocolUDP {
		return "", false
	}
	number := port.ClusterPort()
	if env == DevEnvironment {
		number = port.Port
	}
	scheme := "http"
	if port.AppProtocol() == ProtocolHTTPS {
		scheme = "https"
	}
	return fmt.Sprintf("%s://%s:%d", scheme, name, number), true
}

// HealthPort returns the port an http, tcp or grpc health check probes:
// the one it names, else the first; none for a service without ports,
// whose check can only be a command.
func (s *Service) HealthPort() Port {
	if s.Health == nil {
		return s.portNamed("")
	}
	return s.portNamed(s.Health.Port)
}

// LivenessPort returns the port of the liveness check: the one
// health.liveness names, else the readiness check's port.
func (s *Service) LivenessPort() Port {
	if s.Health != nil && s.Health.Liveness != nil && s.Health.Liveness.Port != "" {
		return s.portNamed(s.Health.Liveness.Port)
	}
	return s.HealthPort()
}

func (s *Service) portNamed(name string) Port {
	for _, p := range s.Ports {
		if p.Name == name {
			return p
		}
	}
	if len(s.Ports) == 0 {
		return Port{}
	}
	return s.Ports[0]
}

// In tells whether the service exists in env; in "", the base, when it
// exists in a cluster environment. A missing service (nil), which
// validation reports, is in every environment.
func (s *Service) In(env string) bool {
	if s == nil || len(s.Environments) == 0 {
		return true
	}
	if env == "" {
		return slices.ContainsFunc(s.Environments, func(e string) bool { return e != DevEnvironment })
	}
	return contains(s.Environments, env)
}

// InEveryCluster tells whether the service exists in every environment
// with an overlay, so that the environment-neutral base lists it.
func (c *Catalogue) InEveryCluster(s *Service) bool {
	for _, env := range c.DeployEnvironments() {
		if !s.In(env) {
			return false
		}
	}
	return true
}

// In tells whether the port exists in env; in "", the base, when it
// exists in the clusters (validation keeps it in all or none of them).
func (p Port) In(env string) bool {
	if len(p.Environments) == 0 {
		return true
	}
	if env == "" {
		return slices.ContainsFunc(p.Environments, func(e string) bool { return e != DevEnvironment })
	}
	return contains(p.Environments, env)
}

// PortsIn are the service's ports that exist in env ("" for the clusters').
func (s *Service) PortsIn(env string) []Port {
	var out []Port
	for _, p := range s.Ports {
		if p.In(env) {
			out = append(out, p)
		}
	}
	return out
}

// ServicesIn lists the services that exist in env, sorted; in "", those
// of the clusters.
func (c *Catalogue) ServicesIn(env string) []string {
	var out []string
	for _, name := range c.ServiceNames() {
		if c.Services[name].In(env) {
			out = append(out, name)
		}
	}
	return out
}

// Resolve returns the effective settings of every service that exists in
// env, sorted by name; env "" resolves the environment-neutral base that
// overlays patch, of every service that exists in some cluster.
func (c *Catalogue) Resolve(env string) []*Workload {
	// Render, check and validation resolve every environment, several
	// times over; services resolve independently, on every core.
	names := c.ServicesIn(env)
	out := make([]*Workload, len(names))
	if err := safe.Each(len(names), func(i int) { out[i] = c.resolveService(names[i], env) }); err != nil {
		// Resolve has no error to return. A worker's panic is raised
		// again here, on the caller's goroutine, as if resolving were
		// serial: a caller running in safe.Go gets it as its error,
		// where in the worker it would have ended the process.
		panic(err)
	}
	return out
}

func (c *Catalogue) resolveService(name, env string) *Workload {
	s := c.Services[name]
	var o Override
	if env != "" && s.Overrides[env] != nil {
		o = *s.Overrides[env]
	}
	w := &Workload{Name: name, Service: s, Env: env, ConfigGroups: s.Config}

	w.Replicas = DefaultReplicas
	// Persistent data has one writer, whatever the environment's default
	// (validation rejects the service's own replicas above one).
	if e := c.Environments[env]; env != "" && e != nil && e.Replicas != nil && !s.Persistent() {
		w.Replicas = *e.Replicas
	}
	for _, r := range []*int{s.Replicas, o.Replicas} {
		if r != nil {
			w.Replicas = *r
		}
	}

	if env != "" && env != DevEnvironment {
		w.Autoscale = resolveAutoscale(s, o, w.Replicas)
	}
	w.Image = c.image(name, env, o)
	w.Command, w.Args = s.Command, s.Args
	w.Ports = s.PortsIn(env)
	if o.Command != nil {
		w.Command = o.Command
	}
	if o.Args != nil {
		w.Args = o.Args
	}
	w.Compute = resolveCompute(s.Resources, o.Resources, serviceDefaults)
	w.ServiceType = first(o.ServiceType, s.ServiceType, ServiceTypeClusterIP)
	for _, g := range []*int{s.TerminationGracePeriodSeconds, o.TerminationGracePeriodSeconds} {
		if g != nil {
			w.TerminationGracePeriodSeconds = ptrTo(int64(*g))
		}
	}

	vars := map[string]EnvVar{}
	w.Shadowed = map[string][]EnvVar{}
	set := func(v EnvVar) {
		if old, ok := vars[v.Name]; ok {
			w.Shadowed[v.Name] = append([]EnvVar{old}, w.Shadowed[v.Name]...)
		}
		vars[v.Name] = v
	}
	for _, k := range slices.Sorted(maps.Keys(s.Address)) {
		// An Origin without a name: the service's own address.
		set(EnvVar{Name: k, Value: c.useValue(Use{Name: name}, s.Address[k], env), Origin: Origin{Level: LevelUses}})
	}
	for _, u := range s.Uses {
		used := u.Name
		// env: {} names no variable at all: an edge for the start order
		// and the NetworkPolicy, to a service the app finds by itself.
		if url, ok := c.ServiceURL(used, env); ok && u.Env == nil {
			set(EnvVar{Name: ServiceURLVar(used), Value: url, Origin: Origin{Level: LevelUses, Name: used}})
		}
		for _, k := range slices.Sorted(maps.Keys(u.Env)) {
			set(EnvVar{Name: k, Value: c.useValue(u, u.Env[k], env), Origin: Origin{Level: LevelUses, Name: used}})
		}
		r, ok := c.Resources[used]
		if !ok {
			continue
		}
		for _, setting := range r.KindInfo().Settings {
			set(EnvVar{Name: SettingVar(used, setting), Origin: Origin{Level: LevelResource, Name: used}, Resource: used, Setting: setting})
		}
	}
	var envOverrides map[string]map[string]string
	if e := c.Environments[env]; env != "" && e != nil {
		envOverrides = e.Config
	}
	for _, group := range s.Config {
		for _, k := range slices.Sorted(maps.Keys(c.Config[group])) {
			set(EnvVar{Name: k, Value: c.Config[group][k], Origin: Origin{Level: LevelConfigGroup, Name: group}})
		}
		for _, k := range slices.Sorted(maps.Keys(envOverrides[group])) {
			set(EnvVar{Name: k, Value: envOverrides[group][k], Origin: Origin{Level: LevelConfigGroup, Name: group, Env: env}})
		}
	}
	for _, k := range slices.Sorted(maps.Keys(s.Env)) {
		set(EnvVar{Name: k, Value: s.Env[k], Origin: Origin{Level: LevelService}})
	}
	for _, k := range slices.Sorted(maps.Keys(o.Env)) {
		set(EnvVar{Name: k, Value: o.Env[k], Origin: Origin{Level: LevelOverride, Name: env}})
	}
	for _, secret := range s.Secrets {
		set(EnvVar{Name: secret, Origin: Origin{Level: LevelSecret}, Secret: true})
	}
	for _, name := range slices.Sorted(maps.Keys(vars)) {
		w.Vars = append(w.Vars, vars[name])
	}
	return w
}

// image picks the reference a cluster runs: an environment override wins;
// a prebuilt image stays as written; a built image lives at
// REGISTRY/NAME:TAG of the environment.
func (c *Catalogue) image(name, env string, o Override) string {
	s := c.Services[name]
	switch {
	case o.Image != "":
		return o.Image
	case s.Image != "":
		return s.Image
	case env == "":
		return name
	}
	ref := name
	e := c.Environments[env]
	if e == nil {
		return ref
	}
	if e.Image.Registry != "" {
		ref = strings.TrimSuffix(e.Image.Registry, "/") + "/" + name
	}
	if e.Image.Tag != "" {
		ref += ":" + e.Image.Tag
	}
	return ref
}

// serviceDefaults are a service's requests, each its own limit.
var serviceDefaults = Compute{
	RequestCPU: DefaultCPU, RequestMemory: DefaultMemory, RequestStorage: DefaultStorage,
	LimitCPU: DefaultCPU, LimitMemory: DefaultMemory, LimitStorage: DefaultStorage,
}

// resourceDefaults are an in-cluster resource's requests and limits.
var resourceDefaults = Compute{
	RequestCPU: DefaultResourceCPU, RequestMemory: DefaultResourceMemory, RequestStorage: DefaultStorage,
	LimitCPU: DefaultResourceCPULimit, LimitMemory: DefaultResourceMemory, LimitStorage: DefaultStorage,
}

// resolveCompute lets the override win over the catalogue's value, and
// that over the default. A limit left unset follows its request when the
// catalogue sets the request, so that raising a request never puts it
// above a default limit; only with the default request does the default
// limit apply.
func resolveCompute(service, override *Resources, defaults Compute) Compute {
	var s, o Resources
	var sl, ol ResourceLimits
	if service != nil {
		s = *service
		if s.Limits != nil {
			sl = *s.Limits
		}
	}
	if override != nil {
		o = *override
		if o.Limits != nil {
			ol = *o.Limits
		}
	}
	cpu := first(o.CPU, s.CPU)
	memory := first(o.Memory, s.Memory)
	storage := first(o.Storage, s.Storage)
	// Validation rejects a resolved limit below its request rather than
	// raising it quietly.
	return Compute{
		RequestCPU:     first(cpu, defaults.RequestCPU),
		RequestMemory:  first(memory, defaults.RequestMemory),
		RequestStorage: first(storage, defaults.RequestStorage),
		LimitCPU:       first(ol.CPU, sl.CPU, cpu, defaults.LimitCPU),
		LimitMemory:    first(ol.Memory, sl.Memory, memory, defaults.LimitMemory),
		LimitStorage:   first(ol.Storage, sl.Storage, storage, defaults.LimitStorage),
	}
}

// ResourceCompute is what an in-cluster resource's server requests and
// may use in env: its override there, else its own, else the defaults.
func (c *Catalogue) ResourceCompute(name, env string) Compute {
	r := c.Resources[name]
	var override *Resources
	if o := r.Overrides[env]; o != nil {
		override = o.Resources
	}
	return resolveCompute(r.Resources, override, resourceDefaults)
}

func ptrTo[T any](v T) *T { return &v }

// resolveAutoscale applies the override's choice first: its autoscale, or
// its fixed replicas, which turn the service's autoscaling off there. The
// floor defaults to the replicas the environment would otherwise run, so
// that turning autoscaling on never lowers capacity.
func resolveAutoscale(s *Service, o Override, replicas int) *Autoscale {
	a := s.Autoscale
	switch {
	case o.Autoscale != nil:
		a = o.Autoscale
	case o.Replicas != nil:
		return nil
	}
	if a == nil {
		return nil
	}
	out := *a
	if out.Min == 0 {
		out.Min = min(max(replicas, 1), out.Max)
	}
	if out.CPU == 0 {
		out.CPU = DefaultAutoscaleCPU
	}
	return &out
}

// Scaled tells whether more than one pod of the workload may run, so that
// losing one node or zone must not take them all.
func (w *Workload) Scaled() bool {
	if w.Autoscale != nil {
		return w.Autoscale.Max > 1
	}
	return w.Replicas > 1
}

// UserID is the id the service's containers run as; 0 for root.
func (s *Service) UserID() int64 {
	switch {
	case s.Security == nil || (!s.Security.RunAsRoot && s.Security.RunAsUser == 0):
		return DefaultUserID
	case s.Security.RunAsRoot:
		return 0
	}
	return int64(s.Security.RunAsUser)
}

// JobNames lists the service's jobs, sorted.
func (s *Service) JobNames() []string { return slices.Sorted(maps.Keys(s.Jobs)) }

// JobName is the name of a service's job as a Kubernetes object and a
// Compose service.
func JobName(service, job string) string { return service + "-" + job }

// JobVersionLength is the length of the suffix a cluster's Job carries
// after its name, a dash and a hash of what it runs: a Job's pod template
// cannot change, so each version of it is a Job of its own.
const JobVersionLength = 9

// MaxJobName is the longest name of a Job before that suffix: a Job's
// name is a label of its pods too, which holds 63 characters.
const MaxJobName = 63 - JobVersionLength

// RunsInCluster tells whether a resource runs as a StatefulSet in env.
func (r *Resource) RunsInCluster(env string) bool { return contains(r.InCluster, env) }

// StorageSize is the volume size of an in-cluster resource.
func (r *Resource) StorageSize() string { return first(r.Storage, DefaultResourceStorage) }

// Users maps each service and resource that others use to its users in
// env, sorted: one pass over every uses list, for renderers that ask for
// all. In "", the base, a user of some cluster counts: in a cluster
// without it, its rule admits pods that do not exist there.
func (c *Catalogue) Users(env string) map[string][]string {
	out := map[string][]string{}
	for _, s := range c.ServicesIn(env) {
		for _, used := range c.Services[s].UsedNames() {
			out[used] = append(out[used], s)
		}
	}
	return out
}

// ControllerNamespaceOrDefault is where the environment's ingress controller runs.
func (i *Ingress) ControllerNamespaceOrDefault() string {
	return first(i.ControllerNamespace, DefaultIngressControllerNamespace)
}

// PublicPorts are the ports of s reachable from outside the system.
func (s *Service) PublicPorts() []Port { return PublicPorts(s.Ports) }

// PublicPorts are the public ones among ports.
func PublicPorts(ports []Port) []Port {
	var out []Port
	for _, p := range ports {
		if p.Public {
			out = append(out, p)
		}
	}
	return out
}

// RoutedPorts are the public ports an environment's ingress routes to:
// those that speak HTTP. Other public ports are reached through the
// Service's type (a load balancer or node port) where a team asks for it.
func (s *Service) RoutedPorts() []Port { return RoutedPorts(s.Ports) }

// RoutedPorts are the routed ones among ports.
func RoutedPorts(ports []Port) []Port {
	var out []Port
	for _, p := range PublicPorts(ports) {
		if p.Routable() {
			out = append(out, p)
		}
	}
	return out
}

// RoutePath is a public port's path prefix outside dev.
func (p Port) RoutePath() string { return first(p.Path, "/") }

func first(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// UsedIn lists what the service uses that exists in env, in the order
// written: all of it, but for one-shot services of other environments.
func (c *Catalogue) UsedIn(s *Service, env string) []string {
	var out []string
	for _, name := range s.UsedNames() {
		if t := c.Services[name]; t == nil || t.In(env) {
			out = append(out, name)
		}
	}
	return out
}

// UsedNames lists what the service uses, in the order written.
func (s *Service) UsedNames() []string {
	out := make([]string, len(s.Uses))
	for i, u := range s.Uses {
		out[i] = u.Name
	}
	return out
}
