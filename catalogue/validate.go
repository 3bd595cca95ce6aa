package catalogue

import (
	"fmt"
	"maps"
	"math"
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/robfig/cron/v3"
	"k8s.io/apimachinery/pkg/api/resource"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation"
)

var (
	envVarName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	// envName is Kubernetes' rule for a container's variable names
	// (validation.IsEnvVarName), which Compose accepts too.
	envName  = regexp.MustCompile(`^[-._a-zA-Z][-._a-zA-Z0-9]*$`)
	imageTag = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	// imageRef follows the distribution reference grammar: an optional
	// registry host with port, lower-case path components, then a tag
	// and/or a digest.
	imageRef = regexp.MustCompile(`^(?:[a-zA-Z0-9.-]+(?::[0-9]+)?/)?` + pathComponent + `(?:/` + pathComponent + `)*` +
		`(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$`)
	codeOwner      = regexp.MustCompile(`^(@[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)?|[^@\s]+@[^@\s]+\.[^@\s]+)$`)
	capabilityName = regexp.MustCompile(`^[A-Z][A-Z_]*[A-Z]$`)
	registryPath   = regexp.MustCompile(`^[a-zA-Z0-9.-]+(?::[0-9]+)?(?:/` + pathComponent + `)*$`)
)

const pathComponent = `[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`

// validate checks what the decoder cannot: names, references between
// entries and values that must parse. It reports every problem it finds.
func (c *Catalogue) validate(errs *errorList) {
	if c.Name == "" {
		errs.add("name", "missing: the catalogue needs a name, e.g. name: shop")
	} else {
		checkLabel(errs, "name", c.Name)
	}
	if len(c.Services) == 0 {
		errs.add("services", "missing: the catalogue needs at least one service")
	}
	for _, name := range slices.Sorted(maps.Keys(c.Environments)) {
		c.validateEnvironment(errs, name, c.Environments[name])
	}
	for _, name := range slices.Sorted(maps.Keys(c.Config)) {
		p := join("config", name)
		checkLabel(errs, p, name)
		checkEnvKeys(errs, p, c.Config[name])
	}
	for _, name := range slices.Sorted(maps.Keys(c.Resources)) {
		c.validateResource(errs, name, c.Resources[name])
	}
	hostPorts := map[string]string{}
	hosts := c.Hosts()
	for _, name := range slices.Sorted(maps.Keys(c.Services)) {
		c.validateService(errs, name, c.Services[name], hostPorts, hosts)
	}
	c.checkCycles(errs)
	c.checkRoutes(errs)
	c.checkNodePorts(errs)
	c.checkVolumeObjects(errs)
	c.checkJobNames(errs)
	c.checkNamespaces(errs)
	if c.Owners != nil {
		for field, owners := range map[string][]string{"generated": c.Owners.Generated, "platform": c.Owners.Platform} {
			for i, owner := range owners {
				if !codeOwner.MatchString(owner) {
					errs.add(fmt.Sprintf("owners.%s[%d]", field, i), "%q is not a code owner: use @user, @org/team or an email address", owner)
				}
			}
		}
	}
	if len(errs.errs) == 0 {
		c.validateResolved(errs)
	}
	c.checkPlainValues(errs)
}

// validateResolved checks what only shows once values are resolved per
// environment: limits against requests, and plain values that would
// replace a secret.
func (c *Catalogue) validateResolved(errs *errorList) {
	base := map[string]*Workload{}
	for _, w := range c.Resolve("") {
		base[w.Name] = w
		checkCompute(errs, w, "services."+w.Name+".resources")
	}
	for _, name := range c.ResourceNames() {
		r := c.Resources[name]
		if r.Resources != nil {
			checkComputeIn(errs, c.ResourceCompute(name, ""), "", "resources."+name+".resources")
		}
		for _, env := range slices.Sorted(maps.Keys(r.Overrides)) {
			if o := r.Overrides[env]; o != nil && o.Resources != nil {
				checkComputeIn(errs, c.ResourceCompute(name, env), env, fmt.Sprintf("resources.%s.overrides.%s.resources", name, env))
			}
		}
	}
	for _, env := range append([]string{DevEnvironment}, c.DeployEnvironments()...) {
		for _, w := range c.Resolve(env) {
			if o := w.Service.Overrides[env]; o != nil && o.Resources != nil {
				checkCompute(errs, w, fmt.Sprintf("services.%s.overrides.%s.resources", w.Name, env))
			}
			for _, v := range w.Vars {
				if v.Secret || v.Resource != "" {
					continue
				}
				if resource := c.passwordOf(w.Service, v.Name); resource != "" {
					errs.add(originPath(w, v), "%s is the password of resource %s; it comes from %s in dev and from the Secret %s elsewhere, never from a plain value",
						v.Name, resource, DevEnvFileName, ConnectionSecretName(resource))
					continue
				}
				if env == DevEnvironment {
					continue
				}
				if b, ok := base[w.Name].Var(v.Name); ok && b.Resource != "" {
					errs.add(originPath(w, v), "%s of service %s comes from the Secret %s outside dev; change it there, or set it in services.%s.env to replace it everywhere",
						v.Name, w.Name, ConnectionSecretName(b.Resource), w.Name)
				}
			}
		}
	}
	reported := map[string]bool{}
	for _, env := range append([]string{"", DevEnvironment}, c.DeployEnvironments()...) {
		for _, w := range c.Resolve(env) {
			checkReferences(errs, w, reported)
		}
	}
}

// checkReferences makes sure every $(NAME) means the same in both
// renderers: it names a variable of the service, from a value that
// Kubernetes expands (an env entry, not a config group's envFrom), and no
// variable ends up referring to itself.
func checkReferences(errs *errorList, w *Workload, reported map[string]bool) {
	report := func(p, format string, args ...any) {
		if !reported[p] {
			reported[p] = true
			errs.add(p, format, args...)
		}
	}
	unknown := func(p, ref string) {
		report(p, "$(%s) names no variable of service %s, so Kubernetes would pass it on as written%s; write $$(%s) for a literal", ref, w.Name, suggest(ref, varNames(w)), ref)
	}
	for _, v := range w.Vars {
		refs := References(v.Value)
		if len(refs) == 0 {
			continue
		}
		if v.Origin.Level == LevelConfigGroup {
			report(originPath(w, v), "config groups reach the pods through envFrom, where Kubernetes leaves $(%s) as written; set %s in the env of the services that need it, or write $$(%s) for a literal", refs[0], v.Name, refs[0])
			continue
		}
		for _, ref := range refs {
			if _, ok := w.Var(ref); !ok {
				unknown(originPath(w, v), ref)
			}
		}
	}
	// Kubernetes fills in a command's and its arguments' references from
	// the container's variables, and so does Compose's file.
	lists := map[string][]string{}
	p := join("services", w.Name)
	if o := w.Service.Overrides[w.Env]; o != nil && o.Command != nil {
		lists[p+".overrides."+w.Env+".command"] = o.Command
	} else {
		lists[p+".command"] = w.Service.Command
	}
	if o := w.Service.Overrides[w.Env]; o != nil && o.Args != nil {
		lists[p+".overrides."+w.Env+".args"] = o.Args
	} else {
		lists[p+".args"] = w.Service.Args
	}
	for _, job := range w.Service.JobNames() {
		lists[p+".jobs."+job+".command"] = w.Service.Jobs[job].Command
		lists[p+".jobs."+job+".args"] = w.Service.Jobs[job].Args
	}
	for _, lp := range slices.Sorted(maps.Keys(lists)) {
		for i, value := range lists[lp] {
			for _, ref := range References(value) {
				if _, ok := w.Var(ref); !ok {
					unknown(fmt.Sprintf("%s[%d]", lp, i), ref)
				}
			}
		}
	}
	if cycle := referenceCycle(w); cycle != nil {
		v, _ := w.Var(cycle[0])
		report(originPath(w, v), "variables of service %s refer to each other: %s; Kubernetes fills in only variables defined before", w.Name, strings.Join(cycle, " -> "))
	}
}

func varNames(w *Workload) []string {
	out := make([]string, len(w.Vars))
	for i, v := range w.Vars {
		out[i] = v.Name
	}
	return out
}

// referenceCycle returns a cycle of $(NAME) references among the
// workload's variables, or nil.
func referenceCycle(w *Workload) []string {
	state := map[string]int{} // 1 visiting, 2 done
	var stack []string
	var visit func(name string) []string
	visit = func(name string) []string {
		state[name] = 1
		stack = append(stack, name)
		v, _ := w.Var(name)
		for _, ref := range References(v.Value) {
			if _, ok := w.Var(ref); !ok {
				continue
			}
			switch state[ref] {
			case 0:
				if cycle := visit(ref); cycle != nil {
					return cycle
				}
			case 1:
				return append(slices.Clone(stack[indexOf(stack, ref):]), ref)
			}
		}
		stack = stack[:len(stack)-1]
		state[name] = 2
		return nil
	}
	for _, v := range w.Vars {
		if state[v.Name] == 0 {
			if cycle := visit(v.Name); cycle != nil {
				return cycle
			}
		}
	}
	return nil
}

// passwordOf returns the resource whose password variable name is, among
// those the service uses.
func (c *Catalogue) passwordOf(s *Service, name string) string {
	for _, used := range s.UsedNames() {
		if r := c.Resources[used]; r != nil && r.KindInfo().Has(SettingPassword) && SettingVar(used, SettingPassword) == name {
			return used
		}
	}
	return ""
}

// originPath is where in the catalogue a resolved value was written.
func originPath(w *Workload, v EnvVar) string {
	switch v.Origin.Level {
	case LevelService:
		return fmt.Sprintf("services.%s.env.%s", w.Name, v.Name)
	case LevelOverride:
		return fmt.Sprintf("services.%s.overrides.%s.env.%s", w.Name, v.Origin.Name, v.Name)
	case LevelUses:
		if v.Origin.Name == "" {
			return fmt.Sprintf("services.%s.address.%s", w.Name, v.Name)
		}
		for i, u := range w.Service.Uses {
			if u.Name != v.Origin.Name {
				continue
			}
			if _, ok := u.Env[v.Name]; ok {
				return fmt.Sprintf("services.%s.uses[%d].env.%s", w.Name, i, v.Name)
			}
			return fmt.Sprintf("services.%s.uses[%d]", w.Name, i)
		}
	case LevelConfigGroup:
		if v.Origin.Env != "" {
			return fmt.Sprintf("environments.%s.config.%s.%s", v.Origin.Env, v.Origin.Name, v.Name)
		}
		return fmt.Sprintf("config.%s.%s", v.Origin.Name, v.Name)
	}
	return "services." + w.Name
}

func checkCompute(errs *errorList, w *Workload, p string) {
	checkComputeIn(errs, w.Compute, w.Env, p)
}

// checkComputeIn checks resolved compute of environment env ("" for the
// base), written at p.
func checkComputeIn(errs *errorList, compute Compute, env, p string) {
	where := ""
	if env != "" {
		where = " in environment " + env
	}
	for _, pair := range [][3]string{{"cpu", compute.RequestCPU, compute.LimitCPU}, {"memory", compute.RequestMemory, compute.LimitMemory}, {"storage", compute.RequestStorage, compute.LimitStorage}} {
		request, limit := resource.MustParse(pair[1]), resource.MustParse(pair[2])
		if limit.Cmp(request) < 0 {
			errs.add(p, "the %s limit %s is below the request %s%s; raise limits.%s or lower %s", pair[0], pair[2], pair[1], where, pair[0], pair[0])
		}
	}
}

func (c *Catalogue) validateEnvironment(errs *errorList, name string, env *Environment) {
	p := join("environments", name)
	checkLabel(errs, p, name)
	if env == nil {
		return
	}
	if env.Namespace != "" {
		checkLabel(errs, p+".namespace", env.Namespace)
	}
	checkReplicas(errs, p+".replicas", env.Replicas)
	if env.Image.Tag != "" && !imageTag.MatchString(env.Image.Tag) {
		errs.add(p+".image.tag", "%q is not a valid image tag", env.Image.Tag)
	}
	if r := strings.TrimSuffix(env.Image.Registry, "/"); r != "" && !registryPath.MatchString(r) {
		errs.add(p+".image.registry", "%q is not a valid registry path (e.g. registry.example.com/shop, without a tag)", r)
	}
	if env.Namespace == "" && name != DevEnvironment && c.Name != "" {
		if ns := c.Namespace(name); len(validation.IsDNS1123Label(ns)) > 0 && len(validation.IsDNS1123Label(c.Name)) == 0 {
			errs.add(p, "the default namespace %q is longer than 63 characters; set namespace", ns)
		}
	}
	if env.Ingress != nil {
		validateIngress(errs, p+".ingress", name, env.Ingress)
	}
	for _, group := range slices.Sorted(maps.Keys(env.Config)) {
		gp := p + ".config." + group
		if _, ok := c.Config[group]; !ok {
			errs.add(gp, "unknown config group %q%s", group, suggest(group, slices.Sorted(maps.Keys(c.Config))))
			continue
		}
		checkEnvKeys(errs, gp, env.Config[group])
	}
}

// MaxControllerName is the longest name of a StatefulSet or a CronJob
// whose pods can be made: the StatefulSet controller labels each pod with
// the set's name and an 11-character revision hash, the CronJob
// controller names each Job with an 11-character suffix, and a label or
// a Job name holds 63.
const MaxControllerName = 52

func (c *Catalogue) validateResource(errs *errorList, name string, r *Resource) {
	p := join("resources", name)
	checkLabel(errs, p, name)
	checkNotReserved(errs, p, name)
	if _, clash := c.Services[name]; clash {
		errs.add(p, "%q names both a resource and a service; they share one hostname space, rename one", name)
	}
	if r == nil {
		errs.add(p, "missing: a resource needs a kind (%s)", strings.Join(KindNames(), ", "))
		return
	}
	kind, ok := LookupKind(r.Kind)
	switch {
	case r.Kind == "":
		errs.add(p+".kind", "missing: one of %s", strings.Join(KindNames(), ", "))
	case !ok:
		errs.add(p+".kind", "unknown kind %q%s; supported: %s", r.Kind, suggest(r.Kind, KindNames()), strings.Join(KindNames(), ", "))
	}
	if r.Version != "" && !imageTag.MatchString(r.Version) {
		errs.add(p+".version", "%q is not a valid image tag", r.Version)
	}
	if r.Owner != "" {
		if _, ok := c.Services[r.Owner]; !ok {
			errs.add(p+".owner", "unknown service %q%s", r.Owner, suggest(r.Owner, slices.Sorted(maps.Keys(c.Services))))
		}
	}
	if ok && !kind.SQL() {
		for field, value := range map[string]string{"database": r.Database, "user": r.User} {
			if value != "" {
				errs.add(p+"."+field, "%s is only for SQL resources, not %s", field, r.Kind)
			}
		}
	}
	for field, value := range map[string]string{"database": r.Database, "user": r.User} {
		if value != "" && !envVarName.MatchString(value) {
			errs.add(p+"."+field, "%q must be letters, digits and underscores, not starting with a digit", value)
		}
	}
	// The official images' entrypoints run the server when their first
	// argument is an option; anything else they run instead of it.
	if len(r.Args) > 0 && !strings.HasPrefix(r.Args[0], "-") {
		errs.add(p+".args[0]", "%q is not an option; a resource's args are options of its server (--name=value, or -c name=value), since the image's entrypoint starts the server only when the first one is", r.Args[0])
	}
	checkQuantity(errs, p+".storage", r.Storage)
	if ok && kind.NotInCluster != "" && len(r.InCluster) > 0 {
		errs.add(p+".inCluster", "tandem does not run %s in a cluster: %s; give the cluster's bootstrap host in endpoints, or leave the connection Secret to the platform team", r.Kind, kind.NotInCluster)
	}
	for i, env := range r.InCluster {
		ep := fmt.Sprintf("%s.inCluster[%d]", p, i)
		c.checkDeployEnvironment(errs, ep, env)
		if indexOf(r.InCluster, env) < i {
			errs.add(ep, "%q is listed twice", env)
		}
	}
	checkResources(errs, p+".resources", r.Resources)
	if len(r.InCluster) > 0 && len(name) > MaxControllerName {
		errs.add(p, "%q is %d characters; a resource that runs in the cluster becomes a StatefulSet, whose pods cannot be created for names over %d characters: shorten it", name, len(name), MaxControllerName)
	}
	if r.Resources != nil && len(r.InCluster) == 0 {
		errs.add(p+".resources", "resource %s runs in the cluster in no environment (inCluster), so there is no server to size: a managed service is sized where it is managed, and dev sets no limits (for services neither)", name)
	}
	for _, env := range slices.Sorted(maps.Keys(r.Overrides)) {
		op := p + ".overrides." + env
		_, declared := c.Environments[env]
		switch {
		case env == DevEnvironment:
			errs.add(op, "dev sets no requests or limits (for services neither); name an environment where the resource runs in the cluster")
			continue
		case !declared:
			errs.add(op, "environment %q is not declared%s", env, suggest(env, c.DeployEnvironments()))
			continue
		case !contains(r.InCluster, env):
			errs.add(op, "resource %s is a managed service in %s, so tandem runs no server of it there to size; add %s to inCluster, or remove this override", name, env, env)
		}
		if o := r.Overrides[env]; o != nil {
			checkResources(errs, op+".resources", o.Resources)
		}
	}
	for _, env := range slices.Sorted(maps.Keys(r.Endpoints)) {
		ep := p + ".endpoints." + env
		c.checkDeployEnvironment(errs, ep, env)
		if contains(r.InCluster, env) {
			errs.add(ep, "resource %s runs in the cluster in %s (inCluster), so it has no managed endpoint there; remove one of the two", name, env)
		}
		if msgs := validation.IsDNS1123Subdomain(r.Endpoints[env]); len(msgs) > 0 {
			errs.add(ep, "%q is not a host name (lower-case DNS name, e.g. orders.abc123.eu-west-1.rds.amazonaws.com)", r.Endpoints[env])
		}
	}
}

// checkDeployEnvironment checks that env names a declared environment with
// a kustomize overlay.
func (c *Catalogue) checkDeployEnvironment(errs *errorList, p, env string) {
	if env == DevEnvironment {
		errs.add(p, "dev runs on Compose, where every resource is a container already; name a cluster environment")
	} else if _, declared := c.Environments[env]; !declared {
		errs.add(p, "environment %q is not declared%s", env, suggest(env, c.DeployEnvironments()))
	}
}

func validateIngress(errs *errorList, p, env string, in *Ingress) {
	if env == DevEnvironment {
		errs.add(p, "dev publishes public ports on the host; ingress is for cluster environments")
	}
	switch {
	case in.Host == "":
		errs.add(p+".host", "missing: the host name public routes answer on, e.g. shop.example.com")
	case len(validation.IsDNS1123Subdomain(in.Host)) > 0:
		errs.add(p+".host", "%q is not a host name (lower-case DNS name, e.g. shop.example.com)", in.Host)
	}
	if in.Class != "" {
		checkSubdomain(errs, p+".class", in.Class)
	}
	if in.TLSSecret != "" {
		checkSubdomain(errs, p+".tlsSecret", in.TLSSecret)
	}
	if in.ControllerNamespace != "" {
		checkLabel(errs, p+".controllerNamespace", in.ControllerNamespace)
	}
}

// DefaultDenyPolicy names the namespace-wide NetworkPolicy, which no service or
// resource may take, since each gets a NetworkPolicy of its own name.
const DefaultDenyPolicy = "default-deny"

// checkNotReserved checks a service's or resource's name beyond checkLabel:
// each becomes a Kubernetes Service, whose name must start with a letter,
// and a NetworkPolicy, which may not take the deny-all policy's name.
func checkNotReserved(errs *errorList, p, name string) {
	switch {
	case name == DefaultDenyPolicy:
		errs.add(p, "%s is the name of the namespace's deny-all NetworkPolicy; choose another name", name)
	case name != "" && name[0] >= '0' && name[0] <= '9' && len(validation.IsDNS1123Label(name)) == 0:
		errs.add(p, "%q must start with a letter: it becomes the name of a Kubernetes Service", name)
	}
}

func checkSubdomain(errs *errorList, p, name string) {
	if msgs := validation.IsDNS1123Subdomain(name); len(msgs) > 0 {
		errs.add(p, "%q is not a valid Kubernetes object name: lower-case letters, digits, '-' and '.'", name)
	}
}

func (c *Catalogue) validateService(errs *errorList, name string, s *Service, hostPorts map[string]string, hosts *Hosts) {
	p := join("services", name)
	checkLabel(errs, p, name)
	checkNotReserved(errs, p, name)
	if s == nil {
		errs.add(p, "missing: a service needs image or build")
		return
	}
	switch {
	case s.Image == "" && s.Build == "":
		errs.add(p, "missing: set image (a prebuilt image) or build (a source folder)")
	case s.Image != "" && s.Build != "":
		errs.add(p+".build", "set image or build, not both")
	case s.Image != "":
		checkImage(errs, p+".image", s.Image)
	default:
		checkBuildContext(errs, p+".build", s.Build)
	}
	if s.Domain != "" {
		checkLabel(errs, p+".domain", s.Domain)
	}
	portNames := c.validatePorts(errs, name, s, hostPorts)
	checkEnvKeys(errs, p+".env", s.Env)
	setBy := map[string]string{}
	for i, group := range s.Config {
		if _, ok := c.Config[group]; !ok {
			errs.add(fmt.Sprintf("%s.config[%d]", p, i), "unknown config group %q%s", group, suggest(group, slices.Sorted(maps.Keys(c.Config))))
			continue
		}
		// Two groups setting one variable leave the winner to list order,
		// which nobody reading the groups can see.
		for _, key := range slices.Sorted(maps.Keys(c.Config[group])) {
			if other, dup := setBy[key]; dup {
				errs.add(fmt.Sprintf("%s.config[%d]", p, i), "%s is set by both config groups %s and %s; keep it in one, or set it in env, which wins over both", key, other, group)
			}
			setBy[key] = group
		}
	}
	c.validateSecrets(errs, p, s)
	c.validateServiceEnvironments(errs, name, s)
	validateOneShot(errs, name, s)
	if s.OnRequest && !s.In(DevEnvironment) {
		errs.add(p+".onRequest", "the service is not in dev, where alone onRequest means something (clusters run every service); remove it")
	}
	c.validateUses(errs, name, s)
	c.validateCalls(errs, hosts, name, s)
	validateHealth(errs, p+".health", s.Health, portNames)
	checkProbedTransport(errs, p, s)
	checkResources(errs, p+".resources", s.Resources)
	checkReplicas(errs, p+".replicas", s.Replicas)
	checkAutoscale(errs, p, s.Autoscale, s.Replicas)
	c.validateJobs(errs, name, s)
	validateSecurity(errs, p+".security", s.Security)
	checkGracePeriod(errs, p+".terminationGracePeriodSeconds", s.TerminationGracePeriodSeconds)
	validateMetadata(errs, p, s)
	c.validateVolumes(errs, name, s)
	var typed []string // the cluster environments the service's own type applies to
	for _, env := range c.DeployEnvironments() {
		if s.In(env) && (s.Overrides[env] == nil || s.Overrides[env].ServiceType == "") {
			typed = append(typed, env)
		}
	}
	c.checkServiceType(errs, p+".serviceType", name, s.ServiceType, typed)
	for _, env := range slices.Sorted(maps.Keys(s.Overrides)) {
		op := p + ".overrides." + env
		if _, ok := c.Environments[env]; !ok && env != DevEnvironment {
			errs.add(op, "environment %q is not declared%s", env, suggest(env, slices.Sorted(maps.Keys(c.Environments))))
			continue
		}
		if !s.In(env) {
			errs.add(op, "service %s does not exist in environment %s (environments: %s); remove this override, or add %s to environments", name, env, strings.Join(s.Environments, ", "), env)
			continue
		}
		o := s.Overrides[env]
		if o == nil {
			continue
		}
		if o.Image != "" {
			checkImage(errs, op+".image", o.Image)
		}
		checkReplicas(errs, op+".replicas", o.Replicas)
		checkAutoscale(errs, op, o.Autoscale, o.Replicas)
		checkResources(errs, op+".resources", o.Resources)
		checkGracePeriod(errs, op+".terminationGracePeriodSeconds", o.TerminationGracePeriodSeconds)
		if o.ServiceType != "" && env == DevEnvironment {
			errs.add(op+".serviceType", "dev has no Kubernetes Service: it publishes public ports on the host; set serviceType for a cluster environment")
		} else {
			c.checkServiceType(errs, op+".serviceType", name, o.ServiceType, []string{env})
		}
		// An empty list cannot say "none" in both renderers: a cluster's
		// patch would drop it and keep the service's list.
		if o.Command != nil && len(o.Command) == 0 {
			errs.add(op+".command", "an empty command cannot replace the service's; leave command out, or name the entrypoint, e.g. command: [/bin/sh, -c]")
		}
		if o.Args != nil && len(o.Args) == 0 {
			errs.add(op+".args", "an empty args cannot replace the service's; leave args out, or give the arguments")
		}
		checkEnvKeys(errs, op+".env", o.Env)
		for _, key := range slices.Sorted(maps.Keys(o.Env)) {
			if contains(s.Secrets, key) {
				errs.add(op+".env."+key, "%s is a secret of this service; its value comes from the secret store, not the catalogue", key)
			}
		}
	}
	if s.Build != "" {
		for _, env := range slices.Sorted(maps.Keys(c.Environments)) {
			e := c.Environments[env]
			if env == DevEnvironment || (e != nil && e.Image.Tag != "") || !s.In(env) {
				continue
			}
			if o := s.Overrides[env]; o == nil || o.Image == "" {
				errs.add(p+".build", "no image for environment %s: set environments.%s.image.tag or services.%s.overrides.%s.image", env, env, name, env)
			}
		}
	}
}

func (c *Catalogue) validatePorts(errs *errorList, service string, s *Service, hostPorts map[string]string) map[string]bool {
	p := join("services", service)
	names := map[string]bool{}
	numbers := map[string]bool{}
	servicePorts := map[string]bool{}
	for i, port := range s.Ports {
		pp := fmt.Sprintf("%s.ports[%d]", p, i)
		switch {
		case port.Name == "":
			errs.add(pp+".name", "missing: ports are named so probes and Services can refer to them, e.g. name: http")
		case names[port.Name]:
			errs.add(pp+".name", "duplicate port name %q", port.Name)
		default:
			if msgs := validation.IsValidPortName(port.Name); len(msgs) > 0 {
				errs.add(pp+".name", "%q is not a valid port name: %s", port.Name, msgs[0])
			}
		}
		names[port.Name] = true
		switch {
		case port.Port < 1 || port.Port > 65535:
			errs.add(pp+".port", "port %d out of range (1-65535)", port.Port)
		case numbers[portKey(port.Port, port)]:
			errs.add(pp+".port", "duplicate port %d", port.Port)
			continue
		}
		numbers[portKey(port.Port, port)] = true
		if port.Protocol != "" && !slices.Contains(Protocols(), port.Protocol) {
			errs.add(pp+".protocol", "unknown protocol %q: one of %s%s", port.Protocol, strings.Join(Protocols(), ", "), suggest(port.Protocol, Protocols()))
		}
		if port.ServicePort != 0 {
			if port.ServicePort < 1 || port.ServicePort > 65535 {
				errs.add(pp+".servicePort", "port %d out of range (1-65535)", port.ServicePort)
			}
		}
		if cluster := portKey(port.ClusterPort(), port); servicePorts[cluster] {
			errs.add(pp, "the Service would have port %s twice; give this port another servicePort", cluster)
		} else {
			servicePorts[cluster] = true
		}
		if port.NodePort != 0 {
			switch {
			case port.NodePort < minNodePort || port.NodePort > maxNodePort:
				errs.add(pp+".nodePort", "node port %d out of range (%d-%d, the API server's default)", port.NodePort, minNodePort, maxNodePort)
			case !port.Public:
				errs.add(pp+".nodePort", "only public ports are reached from outside; add public: true or remove nodePort")
			case !s.takesOutsideClients():
				errs.add(pp+".nodePort", "the service's Service is a ClusterIP everywhere; set serviceType: NodePort or LoadBalancer, or remove nodePort")
			}
		}
		if port.HostIP != "" {
			if !port.Public {
				errs.add(pp+".hostIP", "only public ports are published; add public: true or remove hostIP")
			} else if net.ParseIP(port.HostIP) == nil {
				errs.add(pp+".hostIP", "%q is not an IP address, e.g. 127.0.0.1", port.HostIP)
			}
		}
		if port.Path != "" {
			if !port.Public {
				errs.add(pp+".path", "only public ports have a route; add public: true or remove path")
			} else if !port.Routable() {
				errs.add(pp+".path", "only HTTP ports have a route; this port speaks %s", port.AppProtocol())
			} else if problem := routeProblem(port.Path); problem != "" {
				errs.add(pp+".path", "%q is not a URL path prefix: %s, e.g. /api", port.Path, problem)
			}
		}
		if _, written := errs.positions[pp+".hostPort"]; written && port.HostPort == 0 {
			errs.add(pp+".hostPort", "0 is not a host port (Compose would read it as any free port); remove hostPort to publish on %d, or choose a port", port.Port)
		} else if port.HostPort != 0 {
			if !port.Public {
				errs.add(pp+".hostPort", "only public ports are published; add public: true or remove hostPort")
			} else if port.HostPort < 1 || port.HostPort > 65535 {
				errs.add(pp+".hostPort", "port %d out of range (1-65535)", port.HostPort)
			}
		}
		if port.Public && port.In(DevEnvironment) && s.In(DevEnvironment) {
			host := portKey(port.PublishedPort(), port)
			if other, taken := hostPorts[host]; taken {
				errs.add(pp, "host port %s is already published by %s; set hostPort to another port", host, other)
			} else {
				hostPorts[host] = fmt.Sprintf("services.%s.ports[%d]", service, i)
			}
		}
	}
	return names
}

// The API server's default node port range.
const minNodePort, maxNodePort = 30000, 32767

// maxStartupSeconds bounds startupSeconds to a day.
const maxStartupSeconds = 24 * 60 * 60

// MaxGracePeriodSeconds bounds a grace period to a day too: a pod that
// needs longer to stop is better drained by its own means.
const MaxGracePeriodSeconds = 24 * 60 * 60

func checkGracePeriod(errs *errorList, p string, seconds *int) {
	if seconds != nil && (*seconds < 1 || *seconds > MaxGracePeriodSeconds) {
		errs.add(p, "terminationGracePeriodSeconds must be from 1 to %d (a day), got %d", MaxGracePeriodSeconds, *seconds)
	}
}

// IsReservedLabel tells whether tandem sets the label key itself: the
// selector, the NetworkPolicies and tandem's own commands find objects by
// these, so a catalogue's label may not replace them.
func IsReservedLabel(key string) bool {
	switch key {
	case "app.kubernetes.io/name", "app.kubernetes.io/part-of", "app.kubernetes.io/managed-by":
		return true
	}
	return strings.HasPrefix(key, reservedLabelPrefix)
}

// reservedLabelPrefix is tandem's own label and annotation domain.
const reservedLabelPrefix = "tandem.dev/"

// composeLabelPrefix marks the labels Compose finds its containers by,
// which pod labels become in dev.
const composeLabelPrefix = "com.docker.compose."

// validateMetadata applies the API server's rules for labels and
// annotations, so that a mistake shows here with its line rather than as
// a rejected apply.
func validateMetadata(errs *errorList, p string, s *Service) {
	var annotations Annotations
	var labels Labels
	if s.Annotations != nil {
		annotations = *s.Annotations
	}
	if s.Labels != nil {
		labels = *s.Labels
	}
	for _, m := range []struct {
		path   string
		values map[string]string
		label  bool
		// onService marks what the Kubernetes Service carries;
		// inCompose, what dev's containers carry too.
		onService, inCompose bool
	}{
		{p + ".annotations.pod", annotations.Pod, false, false, false},
		{p + ".annotations.service", annotations.Service, false, true, false},
		{p + ".labels.pod", labels.Pod, true, false, true},
		{p + ".labels.service", labels.Service, true, true, false},
	} {
		if len(m.values) > 0 && m.onService && len(s.Ports) == 0 {
			errs.add(m.path, "the service has no ports, so it has no Kubernetes Service to carry these; add ports or remove them")
			continue
		}
		for _, key := range slices.Sorted(maps.Keys(m.values)) {
			checkMetadataKey(errs, m.path+"."+key, key, m.values[key], m.label, m.inCompose)
		}
		if !m.label {
			if err := apivalidation.ValidateAnnotationsSize(m.values); err != nil {
				errs.add(m.path, "the annotations take more than Kubernetes' limit of %d bytes (keys and values together)", apivalidation.TotalAnnotationSizeLimitB)
			}
		}
	}
}

// ValidPodLabel tells whether a catalogue may give a service's pods the
// label key=value (labels.pod): Kubernetes' rules, and none of the keys
// tandem or Compose set.
func ValidPodLabel(key, value string) bool {
	var errs errorList
	checkMetadataKey(&errs, "", key, value, true, true)
	return len(errs.errs) == 0
}

func checkMetadataKey(errs *errorList, p, key, value string, label, inCompose bool) {
	what := "annotation"
	check := key
	if label {
		what = "label"
	} else {
		// The API server checks annotation keys lower-cased, so their
		// prefix may have capitals, unlike a label's.
		check = strings.ToLower(key)
	}
	switch msgs := validation.IsQualifiedName(check); {
	case len(msgs) > 0:
		errs.add(p, "%q is not a valid %s key: %s", key, what, strings.Join(msgs, "; "))
		return
	case label && IsReservedLabel(key):
		errs.add(p, "tandem sets the label %s itself (selectors, NetworkPolicies and tandem's commands rely on it); choose another key", key)
		return
	case !label && strings.HasPrefix(key, reservedLabelPrefix):
		errs.add(p, "%s keys belong to tandem; choose another key", reservedLabelPrefix)
		return
	case inCompose && strings.HasPrefix(key, composeLabelPrefix):
		errs.add(p, "pod labels are container labels in dev, and Compose finds its containers by the %s ones; choose another key", composeLabelPrefix)
		return
	}
	if !label {
		return
	}
	if msgs := validation.IsValidLabelValue(value); len(msgs) > 0 {
		errs.add(p, "%q is not a valid label value: %s", value, strings.Join(msgs, "; "))
	}
}

// checkRoutes rejects two public ports with one path: they would share a
// host and path in every environment's ingress.
func (c *Catalogue) checkRoutes(errs *errorList) {
	clashReported := map[string]bool{}
	reported := map[string]bool{}
	routes := map[string]string{} // by environment and route
	c.eachClusterPort(func(env, name string, i int, port Port) {
		if !port.Public || !port.Routable() {
			return
		}
		pp := fmt.Sprintf("services.%s.ports[%d]", name, i)
		_, isService := c.Services[name+"-ingress"]
		_, isResource := c.Resources[name+"-ingress"]
		if (isService || isResource) && !clashReported[name] {
			errs.add(pp, "the NetworkPolicy that admits the ingress controller to %s is named %s-ingress, like a service or resource; rename that one", name, name)
			clashReported[name] = true
		}
		// A Prefix route matches /api and /api/ alike.
		route := env + " " + strings.TrimSuffix(port.RoutePath(), "/")
		if other, taken := routes[route]; taken {
			if !reported[pp] {
				reported[pp] = true
				errs.add(pp, "the route %s is taken by %s; give this port another path, e.g. path: /%s", port.RoutePath(), other, name)
			}
			return
		}
		routes[route] = pp
	})
}

// eachClusterPort calls fn with every port of every service, for each
// cluster environment where both exist: routes and node ports are one
// per cluster, so only those that meet in one can clash.
func (c *Catalogue) eachClusterPort(fn func(env, service string, i int, port Port)) {
	for _, env := range c.clusterEnvironments() {
		for _, name := range slices.Sorted(maps.Keys(c.Services)) {
			s := c.Services[name]
			if s == nil || !s.In(env) {
				continue
			}
			for i, port := range s.Ports {
				if port.In(env) {
					fn(env, name, i, port)
				}
			}
		}
	}
}

// clusterEnvironments are the environments to hold cluster-wide rules
// to: every declared one but dev, or, before any is declared, "" (what
// is in every cluster).
func (c *Catalogue) clusterEnvironments() []string {
	if envs := c.DeployEnvironments(); len(envs) > 0 {
		return envs
	}
	return []string{""}
}

// routeProblem applies the API server's rules for an Ingress path of type
// Prefix, and says what breaks one.
func routeProblem(p string) string {
	switch {
	case !strings.HasPrefix(p, "/"):
		return "start it with /"
	case strings.ContainsAny(p, " \t\n?#"):
		return "use no spaces, ? or #"
	case strings.Contains(p, "//"):
		return "it may not contain //"
	case strings.Contains(p, "/./") || strings.Contains(p, "/../") || strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/.."):
		return "it may not contain . or .. segments"
	case strings.Contains(strings.ToLower(p), "%2f"):
		return "it may not contain an encoded /"
	}
	return ""
}

func (c *Catalogue) validateSecrets(errs *errorList, p string, s *Service) {
	seen := map[string]bool{}
	for i, secret := range s.Secrets {
		sp := fmt.Sprintf("%s.secrets[%d]", p, i)
		switch {
		case !envVarName.MatchString(secret):
			errs.add(sp, "%q is not a valid secret name: letters, digits and _, not starting with a digit, since Compose reads it from the dev env file as ${%s}", secret, secret)
		case seen[secret]:
			errs.add(sp, "duplicate secret %q", secret)
		case s.Env[secret] != "":
			errs.add(sp, "%s is both a secret and a plain env value; remove it from env", secret)
		}
		seen[secret] = true
		for _, group := range s.Config {
			if _, ok := c.Config[group][secret]; ok {
				errs.add(sp, "%s is both a secret and a value of config group %s; a secret is never a plain value", secret, group)
			}
			for _, env := range slices.Sorted(maps.Keys(c.Environments)) {
				if e := c.Environments[env]; e != nil {
					if _, ok := e.Config[group][secret]; ok {
						errs.add(fmt.Sprintf("environments.%s.config.%s.%s", env, group, secret),
							"%s is a secret of service %s; a secret is never a plain value", secret, strings.TrimPrefix(p, "services."))
					}
				}
			}
		}
		for _, used := range s.UsedNames() {
			if r := c.Resources[used]; r != nil && strings.HasPrefix(secret, EnvPrefix(used)+"_") {
				if kind, ok := LookupKind(r.Kind); ok {
					for _, setting := range kind.Settings {
						if SettingVar(used, setting) == secret {
							errs.add(sp, "%s is set by tandem from resource %s; remove it from secrets", secret, used)
						}
					}
				}
			}
		}
	}
}

// validateOneShot refuses what only a long-running service has: a task
// that runs to completion listens on nothing, reports no health and runs
// as one pod.
func validateOneShot(errs *errorList, name string, s *Service) {
	if !s.OneShot {
		return
	}
	p := join("services", name)
	const why = "a one-shot service runs to completion as a Job"
	if len(s.Ports) > 0 {
		errs.add(p+".ports", "%s and listens on nothing; remove ports, or oneShot", why)
	}
	if s.Health != nil {
		errs.add(p+".health", "%s; its exit code tells whether it worked, so remove health", why)
	}
	if s.Replicas != nil {
		errs.add(p+".replicas", "%s of one pod; remove replicas", why)
	}
	if s.Autoscale != nil {
		errs.add(p+".autoscale", "%s of one pod; remove autoscale", why)
	}
	if len(s.Jobs) > 0 {
		errs.add(p+".jobs", "%s; make each job a one-shot service of its own, used by this one", why)
	}
	// Only a cluster's Job carries the version after its name.
	if len(name) > MaxJobName && s.In("") {
		errs.add(p, "%q is %d characters: in a cluster %s, whose name has a %d-character version after it, so the service's may have %d at most; shorten it", name, len(name), why, JobVersionLength, MaxJobName)
	}
	for _, env := range slices.Sorted(maps.Keys(s.Overrides)) {
		if o := s.Overrides[env]; o != nil && o.Replicas != nil {
			errs.add(p+".overrides."+env+".replicas", "%s of one pod; remove replicas", why)
		}
		if o := s.Overrides[env]; o != nil && o.Autoscale != nil {
			errs.add(p+".overrides."+env+".autoscale", "%s of one pod; remove autoscale", why)
		}
	}
}

// environmentNames lists dev and every declared environment, sorted.
func (c *Catalogue) environmentNames() []string {
	names := c.EnvironmentNames()
	if !contains(names, DevEnvironment) {
		names = append(names, DevEnvironment)
		slices.Sort(names)
	}
	return names
}

// checkEnvironmentList checks an environments list: declared names, each
// once, within allowed where allowed is not nil.
func (c *Catalogue) checkEnvironmentList(errs *errorList, p string, list []string, allowed func(env string) string) {
	if list != nil && len(list) == 0 {
		errs.add(p, "missing: name the environments, e.g. [dev]; leave environments out for every one")
	}
	for i, env := range list {
		ep := fmt.Sprintf("%s[%d]", p, i)
		_, declared := c.Environments[env]
		switch {
		case !declared && env != DevEnvironment:
			errs.add(ep, "environment %q is not declared%s", env, suggest(env, c.environmentNames()))
		case indexOf(list, env) < i:
			errs.add(ep, "%q is listed twice", env)
		case allowed != nil:
			if problem := allowed(env); problem != "" {
				errs.add(ep, "%s", problem)
			}
		}
	}
}

// validateServiceEnvironments checks where the service and its ports
// exist. A port is in every cluster environment of its service or in
// none: the base Deployment and Service carry it for all of them.
func (c *Catalogue) validateServiceEnvironments(errs *errorList, name string, s *Service) {
	p := join("services", name)
	c.checkEnvironmentList(errs, p+".environments", s.Environments, nil)
	var clusters []string
	for _, env := range c.DeployEnvironments() {
		if s.In(env) {
			clusters = append(clusters, env)
		}
	}
	for i, port := range s.Ports {
		pp := fmt.Sprintf("%s.ports[%d].environments", p, i)
		c.checkEnvironmentList(errs, pp, port.Environments, func(env string) string {
			if !s.In(env) {
				return fmt.Sprintf("service %s does not exist in environment %s (environments: %s)", name, env, strings.Join(s.Environments, ", "))
			}
			return ""
		})
		if len(port.Environments) == 0 {
			continue
		}
		var in, out []string
		for _, env := range clusters {
			if port.In(env) {
				in = append(in, env)
			} else {
				out = append(out, env)
			}
		}
		if len(in) > 0 && len(out) > 0 {
			errs.add(pp, "port %s is in %s but not in %s; the clusters share the base Deployment and Service, so a port is in all of the service's cluster environments (%s) or in none", port.Name, strings.Join(in, ", "), strings.Join(out, ", "), strings.Join(clusters, ", "))
		}
	}
	for _, probed := range s.probedPorts() {
		if len(probed.port.Environments) == 0 {
			continue
		}
		for _, env := range c.environmentNames() {
			if s.In(env) && !probed.port.In(env) {
				errs.add(p+".health", "the %s port %s, which does not exist in environment %s; check a port of every environment of the service (health.port)", probing(probed.checks), probed.port.Name, env)
				break
			}
		}
	}
}

// probedPort is a port the health checks ask, and which of them do.
type probedPort struct {
	port   Port
	checks []string
}

// probedPorts are the ports the service's readiness and liveness checks
// ask, in that order: every kind but a command asks one, and liveness
// asks its own or the readiness check's.
func (s *Service) probedPorts() []probedPort {
	h := s.Health
	if h == nil || len(s.Ports) == 0 {
		return nil
	}
	var out []probedPort
	probe := func(what string, port Port) {
		for i := range out {
			if out[i].port.Name == port.Name {
				out[i].checks = append(out[i].checks, what)
				return
			}
		}
		out = append(out, probedPort{port, []string{what}})
	}
	if h.Kind() != HealthCommand && h.Kind() != "" {
		probe("readiness", s.HealthPort())
	}
	if l := h.Liveness; l != nil && l.Kind() != "" {
		if l.Kind() != HealthCommand {
			probe("liveness", s.LivenessPort())
		}
	} else if h.Kind() != HealthCommand && h.Kind() != "" {
		probe("liveness", s.LivenessPort())
	}
	return out
}

// checkProbedTransport rejects a health check that asks a UDP port:
// HTTP, TCP and gRPC checks connect over TCP, so it could never pass.
func checkProbedTransport(errs *errorList, p string, s *Service) {
	for _, probed := range s.probedPorts() {
		if probed.port.UDP() {
			errs.add(p+".health", "the %s port %s, which is UDP, where the check cannot connect; name a TCP port in health.port", probing(probed.checks), probed.port.Name)
		}
	}
}

// checkUsedIn checks that what a use names exists wherever the user does:
// the service used, and the port its address names.
func (c *Catalogue) checkUsedIn(errs *errorList, up, name string, s *Service, u Use) {
	target := c.Services[u.Name]
	// Using a one-shot only waits for it, so where it does not exist (a
	// seed task of dev) there is nothing to wait for.
	if target == nil || target.OneShot {
		return
	}
	for _, env := range c.environmentNames() {
		if s.In(env) && !target.In(env) {
			errs.add(up, "service %s uses %s, which does not exist in environment %s (%s's environments: %s); add %s there, or limit %s's environments", name, u.Name, env, u.Name, strings.Join(target.Environments, ", "), env, name)
			return
		}
	}
	if len(target.Ports) == 0 || (u.Port != "" && !hasPort(target, u.Port)) {
		return
	}
	for _, env := range c.environmentNames() {
		if !s.In(env) {
			continue
		}
		for _, port := range usedPorts(target, u) {
			if !port.In(env) {
				errs.add(up, "service %s uses port %s of %s, which does not exist in environment %s (the port's environments: %s)", name, port.Name, u.Name, env, strings.Join(port.Environments, ", "))
				return
			}
		}
	}
}

// usedPorts are the ports a use's address names: its port or the
// default one, and those its templates name.
func usedPorts(target *Service, u Use) []Port {
	// The port the address is rendered with (usePort), not the health
	// check's default: they differ for a port named http that is not first.
	out := []Port{target.usePort(u.Port)}
	for _, form := range u.Env {
		for _, m := range namedPortRef.FindAllStringSubmatch(form, -1) {
			if hasPort(target, m[1]) {
				out = append(out, target.portNamed(m[1]))
			}
		}
	}
	return out
}

var namedPortRef = regexp.MustCompile(`\{port:([^}]*)\}`)

func (c *Catalogue) validateUses(errs *errorList, name string, s *Service) {
	p := join("services", name)
	seen := map[string]bool{}
	for i, used := range s.UsedNames() {
		up := fmt.Sprintf("%s.uses[%d]", p, i)
		_, isService := c.Services[used]
		r, isResource := c.Resources[used]
		switch {
		case used == name:
			errs.add(up, "a service cannot use itself")
		case seen[used]:
			errs.add(up, "%q is listed twice", used)
		case !isService && !isResource:
			errs.add(up, "unknown service or resource %q%s", used, suggest(used, append(slices.Sorted(maps.Keys(c.Services)), slices.Sorted(maps.Keys(c.Resources))...)))
		case isResource && r != nil && r.Owner != "" && r.Owner != name && c.Services[r.Owner] != nil:
			errs.add(up, "resource %s is owned by %s; only its owner uses it (call %s instead, or make the resource shared by removing its owner)", used, r.Owner, r.Owner)
		case isService && c.Services[used] != nil && c.Services[used].OnRequest && !s.OnRequest && s.In(DevEnvironment) && c.Services[used].In(DevEnvironment):
			errs.add(up, "%s starts only on request (onRequest: true), but %s starts with every tandem up and needs it in dev; make %s onRequest too, or %s not", used, name, name, used)
		default:
			c.validateAddress(errs, up, s, s.Uses[i])
			c.checkUsedIn(errs, up, name, s, s.Uses[i])
		}
		seen[used] = true
	}
	c.validateOwnAddress(errs, name, s)
	c.checkAddressVars(errs, p, s)
}

// validateOwnAddress checks the variables that carry the service's own
// address.
func (c *Catalogue) validateOwnAddress(errs *errorList, name string, s *Service) {
	p := join("services", name) + ".address"
	if len(s.Address) > 0 && len(s.Ports) == 0 {
		errs.add(p, "the service has no ports, so it has no address; declare its ports first")
		return
	}
	c.checkAddressForms(errs, p, Use{Name: name}, s.Address)
	for _, k := range slices.Sorted(maps.Keys(s.Address)) {
		vp := p + "." + k
		checkAlsoSetByService(errs, vp, join("services", name), s, k)
		for _, u := range s.Uses {
			if _, ok := u.Env[k]; ok {
				errs.add(vp, "%s is also set by the use of %s; remove one of them", k, u.Name)
			}
		}
	}
}

// validateAddress checks the port and the variables a use names.
func (c *Catalogue) validateAddress(errs *errorList, up string, s *Service, u Use) {
	target := c.Services[u.Name]
	switch {
	case u.Name == "":
		errs.add(up+".name", "missing: name the service or resource used")
		return
	case target != nil && len(target.Ports) == 0 && (u.Port != "" || len(u.Env) > 0):
		errs.add(up, "service %s has no ports, so it has no address; declare its ports first", u.Name)
		return
	case u.Port != "" && target == nil:
		errs.add(up+".port", "resource %s has one port; remove port", u.Name)
	case u.Port != "" && !hasPort(target, u.Port):
		errs.add(up+".port", "service %s has no port named %q%s", u.Name, u.Port, suggest(u.Port, portNames(target)))
	}
	c.checkAddressForms(errs, up+".env", u, u.Env)
}

// checkAddressForms checks variables that carry the address of u's
// target, by name, with their forms, at p.
func (c *Catalogue) checkAddressForms(errs *errorList, p string, u Use, forms map[string]string) {
	for _, k := range slices.Sorted(maps.Keys(forms)) {
		vp := p + "." + k
		switch {
		case !validEnvName(k):
			checkEnvName(errs, vp, k)
		case forms[k] == "":
			errs.add(vp, "missing: the form of the address, one of %s, or a template such as {host}:{port}", AddressForms)
		default:
			if problem := c.addressProblem(u, forms[k]); problem != "" {
				errs.add(vp, "%s", problem)
			}
		}
	}
}

// checkAddressVars rejects a variable that two uses name, or that a use
// names and the service also sets: one of the two would be lost silently.
func (c *Catalogue) checkAddressVars(errs *errorList, p string, s *Service) {
	namedBy := map[string]string{}
	for _, u := range s.Uses {
		if r := c.Resources[u.Name]; r != nil {
			if kind, ok := LookupKind(r.Kind); ok {
				for _, setting := range kind.Settings {
					namedBy[SettingVar(u.Name, setting)] = "resource " + u.Name + "'s connection settings"
				}
			}
		}
	}
	for i, u := range s.Uses {
		for _, k := range slices.Sorted(maps.Keys(u.Env)) {
			vp := fmt.Sprintf("%s.uses[%d].env.%s", p, i, k)
			if other, taken := namedBy[k]; taken {
				errs.add(vp, "%s is already set by %s; choose another name", k, other)
				continue
			}
			namedBy[k] = "uses " + u.Name
			checkAlsoSetByService(errs, vp, p, s, k)
		}
	}
}

// checkAlsoSetByService rejects an address variable k, written at vp,
// that the service at p also sets in its env or as a secret.
func checkAlsoSetByService(errs *errorList, vp, p string, s *Service, k string) {
	if _, ok := s.Env[k]; ok {
		errs.add(vp, "%s is also set in %s.env; remove one of them", k, p)
	}
	if contains(s.Secrets, k) {
		errs.add(vp, "%s is also a secret of the service; remove one of them", k)
	}
}

func checkAutoscale(errs *errorList, p string, a *Autoscale, replicas *int) {
	if a == nil {
		return
	}
	ap := p + ".autoscale"
	if replicas != nil {
		errs.add(ap, "set replicas or autoscale, not both: the autoscaler owns the replica count")
	}
	switch {
	case a.Min < 0:
		errs.add(ap+".min", "min must be 1 or more, got %d", a.Min)
	case a.Max < 1:
		errs.add(ap+".max", "missing: the most replicas the autoscaler may run, e.g. max: 10")
	case a.Max < max(a.Min, 1):
		errs.add(ap+".max", "max %d is below min %d", a.Max, a.Min)
	case a.Max > math.MaxInt32:
		errs.add(ap+".max", "max %d is more replicas than Kubernetes counts", a.Max)
	}
	if a.CPU < 0 || a.CPU > 1000 {
		errs.add(ap+".cpu", "cpu is a target use in percent of the request, 1 to 1000, got %d", a.CPU)
	}
}

// checkNamespaces rejects two cluster environments in one namespace: on
// one cluster each would replace the other's objects, and their overlays
// would prune each other's.
func (c *Catalogue) checkNamespaces(errs *errorList) {
	taken := map[string]string{}
	for _, env := range c.DeployEnvironments() {
		ns := c.Namespace(env)
		if other, ok := taken[ns]; ok {
			p := join("environments", env)
			if c.Environments[env] != nil && c.Environments[env].Namespace != "" {
				p += ".namespace"
			}
			errs.add(p, "%s deploys into namespace %q too, where each would replace the other's objects; give each environment its own namespace", other, ns)
			continue
		}
		taken[ns] = env
	}
}

// checkJobNames rejects two jobs with one full name (service a's job b-c
// and service a-b's job c are both a-b-c).
func (c *Catalogue) checkJobNames(errs *errorList) {
	taken := map[string]string{}
	for _, service := range slices.Sorted(maps.Keys(c.Services)) {
		if c.Services[service] == nil {
			continue
		}
		for _, job := range slices.Sorted(maps.Keys(c.Services[service].Jobs)) {
			jp := fmt.Sprintf("services.%s.jobs.%s", service, job)
			full := JobName(service, job)
			if other, ok := taken[full]; ok {
				errs.add(jp, "the job runs as %s, like %s; rename one of them", full, other)
				continue
			}
			taken[full] = jp
		}
	}
}

func (c *Catalogue) validateJobs(errs *errorList, service string, s *Service) {
	for _, name := range slices.Sorted(maps.Keys(s.Jobs)) {
		jp := fmt.Sprintf("services.%s.jobs.%s", service, name)
		checkLabel(errs, jp, name)
		full := JobName(service, name)
		if _, clash := c.Services[full]; clash {
			errs.add(jp, "the job runs as %s, which is also a service; rename the job", full)
		} else if _, clash := c.Resources[full]; clash {
			errs.add(jp, "the job runs as %s, which is also a resource; rename the job", full)
		}
		j := s.Jobs[name]
		if j == nil {
			errs.add(jp, "missing: a job needs command and before: start or a schedule")
			continue
		}
		if len(j.Command) == 0 && len(j.Args) == 0 {
			errs.add(jp+".command", "missing: what the job runs, e.g. command: [%s, migrate]", service)
		}
		switch {
		case j.Before == "" && j.Schedule == "":
			errs.add(jp, "missing: say when the job runs, before: start or schedule: \"0 3 * * *\"")
		case j.Before != "" && j.Schedule != "":
			errs.add(jp+".schedule", "set before or schedule, not both")
		case j.Before != "" && j.Before != JobBeforeStart:
			errs.add(jp+".before", "%q is not a moment a job can run at; the one supported is before: start", j.Before)
		case strings.Contains(j.Schedule, "TZ="):
			errs.add(jp+".schedule", "time zones in a schedule are not accepted by Kubernetes; write the schedule in the cluster's time zone (UTC on most)")
		case j.Schedule != "":
			if _, err := cron.ParseStandard(j.Schedule); err != nil {
				errs.add(jp+".schedule", "%q is not a cron schedule (%v); use five fields, e.g. \"0 3 * * *\", or @daily", j.Schedule, err)
			} else if len(full) > MaxControllerName {
				errs.add(jp, "the CronJob name %s is longer than %d characters; shorten the job's name", full, MaxControllerName)
			}
		}
		if j.Schedule == "" && len(full) > MaxJobName && s.In("") {
			errs.add(jp, "the job name %s is longer than %d characters: in a cluster it is the name of a Job, with a %d-character version after it; shorten the job's name", full, MaxJobName, JobVersionLength)
		}
	}
}

func validateSecurity(errs *errorList, p string, sec *Security) {
	if sec == nil {
		return
	}
	switch {
	case sec.RunAsRoot && sec.RunAsUser != 0:
		errs.add(p+".runAsUser", "set runAsUser or runAsRoot, not both")
	case sec.RunAsUser < 0 || sec.RunAsUser > math.MaxInt32:
		errs.add(p+".runAsUser", "runAsUser must be an id from 1 to %d; to run as root, set runAsRoot: true", math.MaxInt32)
	}
	// A non-root process without privilege escalation never has added
	// capabilities in its effective set, so adding them would do nothing.
	if len(sec.Capabilities) > 0 && !sec.RunAsRoot {
		errs.add(p+".capabilities", "added capabilities only take effect for a root user (without privilege escalation a non-root process never gains them); set runAsRoot: true, or listen on a port above 1023 instead of adding NET_BIND_SERVICE")
	}
	for i, capability := range sec.Capabilities {
		cp := fmt.Sprintf("%s.capabilities[%d]", p, i)
		switch {
		case strings.HasPrefix(capability, "CAP_"):
			errs.add(cp, "write %s without the CAP_ prefix", strings.TrimPrefix(capability, "CAP_"))
		case capability == "ALL":
			errs.add(cp, "adding ALL capabilities is running privileged; name the ones the service needs")
		case !capabilityName.MatchString(capability):
			errs.add(cp, "%q is not a capability name, e.g. NET_BIND_SERVICE", capability)
		}
	}
}

// Bounds of a check's timing: beyond them a value is a typo more often
// than an intent, and Kubernetes would hold it as written.
const (
	maxCheckSeconds     = 60 * 60
	maxFailureThreshold = 1000
)

func validateHealth(errs *errorList, p string, h *Health, ports map[string]bool) {
	if h == nil {
		return
	}
	if h.StartupSeconds < 0 || h.StartupSeconds > maxStartupSeconds {
		errs.add(p+".startupSeconds", "startupSeconds must be from 0 to %d (a day), got %d", maxStartupSeconds, h.StartupSeconds)
	}
	validateCheck(errs, p, h, ports, "")
	if l := h.Liveness; l != nil {
		lp := p + ".liveness"
		if l.Liveness != nil {
			errs.add(lp+".liveness", "a liveness check has no liveness of its own; set its fields in %s", lp)
		}
		if l.StartupSeconds != 0 {
			errs.add(lp+".startupSeconds", "startupSeconds belongs to %s (the startup probe holds liveness off); move it there", p)
		}
		validateCheck(errs, lp, l, ports, h.DerivedLivenessKind())
	}
}

// validateCheck checks one check, readiness or liveness: one kind (or,
// for liveness, none: the derived check with its own timing), the fields
// of that kind only, and sane timings.
func validateCheck(errs *errorList, p string, h *Health, ports map[string]bool, derived string) {
	set := map[string]bool{HealthHTTP: h.HTTP != "", HealthTCP: h.TCP, HealthGRPC: h.GRPC, HealthCommand: len(h.Command) > 0}
	var kinds []string
	for _, kind := range []string{HealthHTTP, HealthTCP, HealthGRPC, HealthCommand} {
		if set[kind] {
			kinds = append(kinds, kind)
		}
	}
	switch {
	case len(kinds) == 0 && derived == "":
		errs.add(p, "missing: set one of http (a path), tcp: true, grpc: true or command")
	case len(kinds) == 0:
		kinds = []string{derived}
	case len(kinds) > 1:
		errs.add(p+"."+kinds[1], "set one of http, tcp, grpc or command, not both %s and %s", kinds[0], kinds[1])
	}
	if h.HTTP != "" && !strings.HasPrefix(h.HTTP, "/") {
		errs.add(p+".http", "%q must be a path starting with /", h.HTTP)
	}
	for _, kind := range kinds {
		if check, ok := portChecks[kind]; ok && len(ports) == 0 && kind != derived {
			errs.add(p+"."+kind, "%s check needs a port; add one under ports", check)
		}
	}
	if len(h.Headers) > 0 && h.HTTP == "" {
		errs.add(p+".headers", "headers are only for http checks; set http or drop headers")
	}
	for _, name := range slices.Sorted(maps.Keys(h.Headers)) {
		hp := p + ".headers." + name
		// Kubernetes accepts fewer names than HTTP does.
		if len(validation.IsHTTPHeaderName(name)) > 0 {
			errs.add(hp, "%q is not a header name Kubernetes accepts: letters, digits and '-' only, e.g. X-Probe", name)
		}
		if strings.ContainsAny(h.Headers[name], "\r\n\x00") {
			errs.add(hp, "a header value is one line of text; remove the line break")
		}
	}
	if h.GRPCService != "" && !h.GRPC {
		errs.add(p+".grpcService", "grpcService is only for grpc checks; set grpc: true or drop grpcService")
	}
	if h.Port != "" && !ports[h.Port] {
		errs.add(p+".port", "no port named %q%s", h.Port, suggest(h.Port, slices.Sorted(maps.Keys(ports))))
	}
	if h.Port != "" && len(kinds) == 1 && kinds[0] == HealthCommand {
		errs.add(p+".port", "port is only for http, tcp and grpc checks; a command finds its own port")
	}
	checkTiming(errs, p+".intervalSeconds", h.IntervalSeconds, maxCheckSeconds, "an hour")
	checkTiming(errs, p+".timeoutSeconds", h.TimeoutSeconds, maxCheckSeconds, "an hour")
	checkTiming(errs, p+".failureThreshold", h.FailureThreshold, maxFailureThreshold, "")
}

// portChecks are the kinds of check that connect to a port, as the
// messages name them.
var portChecks = map[string]string{HealthHTTP: "an HTTP", HealthTCP: "a TCP", HealthGRPC: "a gRPC"}

func checkTiming(errs *errorList, p string, value *int, most int, what string) {
	if value == nil || (*value >= 1 && *value <= most) {
		return
	}
	if what != "" {
		what = " (" + what + ")"
	}
	field := p[strings.LastIndex(p, ".")+1:]
	errs.add(p, "%s must be from 1 to %d%s, got %d; leave it out for the default", field, most, what, *value)
}

func checkResources(errs *errorList, p string, r *Resources) {
	if r == nil {
		return
	}
	request := map[string]string{"cpu": r.CPU, "memory": r.Memory, "storage": r.Storage}
	for _, field := range []string{"cpu", "memory", "storage"} {
		checkQuantity(errs, p+"."+field, request[field])
	}
	if r.Limits == nil {
		return
	}
	limit := map[string]string{"cpu": r.Limits.CPU, "memory": r.Limits.Memory, "storage": r.Limits.Storage}
	for _, field := range []string{"cpu", "memory", "storage"} {
		checkQuantity(errs, p+".limits."+field, limit[field])
	}
}

func checkQuantity(errs *errorList, p, value string) {
	if value == "" {
		return
	}
	q, err := resource.ParseQuantity(value)
	if err != nil {
		errs.add(p, "%q is not a quantity (e.g. 250m for CPU, 256Mi for memory or storage)", value)
	} else if q.Sign() <= 0 {
		errs.add(p, "%q must be greater than zero", value)
	}
}

func checkReplicas(errs *errorList, p string, replicas *int) {
	if replicas != nil && *replicas < 0 {
		errs.add(p, "replicas must be 0 or more, got %d", *replicas)
	}
}

func checkLabel(errs *errorList, p, name string) {
	if msgs := validation.IsDNS1123Label(name); len(msgs) > 0 {
		errs.add(p, "%q is not a valid name: it becomes a Kubernetes name and a hostname, so use lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters", name)
	}
}

// IsIdentifier tells whether s may name a database or a user, and an
// environment variable: letters, digits and '_', not starting with a digit.
func IsIdentifier(s string) bool { return envVarName.MatchString(s) }

// checkEnvKeys holds variable names to the rule Kubernetes and Compose
// share, which takes the dotted names of Java and Elasticsearch settings
// (discovery.type): letters, digits, '_', '-' and '.', not starting with a
// digit.
func checkEnvKeys(errs *errorList, p string, env map[string]string) {
	for _, key := range slices.Sorted(maps.Keys(env)) {
		checkEnvName(errs, p+"."+key, key)
	}
}

func validEnvName(key string) bool { return envName.MatchString(key) && key != "." && key != ".." }

func checkEnvName(errs *errorList, p, key string) {
	if !validEnvName(key) {
		errs.add(p, "%q is not a valid environment variable name (letters, digits, '_', '-' and '.', not starting with a digit, and not . or ..)", key)
	}
}

func checkImage(errs *errorList, p, ref string) {
	switch {
	case !imageRef.MatchString(ref):
		errs.add(p, "%q is not a valid image reference (e.g. registry.example.com/shop/orders:1.4.2)", ref)
	case registryPortProblem(ref) != "":
		errs.add(p, "%q names a registry port %s; ports are 1-65535", ref, registryPortProblem(ref))
	case !strings.Contains(ref, "@") && !strings.Contains(ref[strings.LastIndex(ref, "/")+1:], ":"):
		errs.add(p, "%q has no tag; pin a tag or digest (%s:1.2.3), since an untagged image runs whatever :latest is that day", ref, ref)
	}
}

// registryPortProblem is the registry port of ref when it is out of
// range: the reference grammar allows any digits there.
func registryPortProblem(ref string) string {
	host, _, found := strings.Cut(ref, "/")
	if !found {
		return ""
	}
	_, port, hasPort := strings.Cut(host, ":")
	if !hasPort {
		return ""
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return port
	}
	return ""
}

func checkBuildContext(errs *errorList, p, dir string) {
	checkInProject(errs, p, dir, "build contexts are folders")
}

// checkCycles reports each dependency cycle among services once, naming the
// whole cycle, since Compose cannot order services that wait on each other.
func (c *Catalogue) checkCycles(errs *errorList) {
	const (
		unvisited = iota
		visiting
		done
	)
	state := map[string]int{}
	var stack []string
	var visit func(name string)
	visit = func(name string) {
		state[name] = visiting
		stack = append(stack, name)
		s := c.Services[name]
		if s != nil {
			for i, used := range s.UsedNames() {
				if _, isService := c.Services[used]; !isService || used == name {
					continue
				}
				switch state[used] {
				case unvisited:
					visit(used)
				case visiting:
					start := indexOf(stack, used)
					cycle := append(append([]string{}, stack[start:]...), used)
					errs.add(fmt.Sprintf("services.%s.uses[%d]", name, i), "dependency cycle: %s", strings.Join(cycle, " -> "))
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[name] = done
	}
	for _, name := range slices.Sorted(maps.Keys(c.Services)) {
		if state[name] == unvisited {
			visit(name)
		}
	}
}

// checkServiceType makes sure a Service that takes outside clients has
// something to offer them: its public ports are what the NetworkPolicy
// opens to any source.
func (c *Catalogue) checkServiceType(errs *errorList, p, name, serviceType string, envs []string) {
	s := c.Services[name]
	withoutPublic := ""
	for _, env := range envs {
		public := false
		for _, port := range s.PublicPorts() {
			public = public || port.In(env)
		}
		if !public {
			withoutPublic = env
			break
		}
	}
	policy := ExternalPolicyName(name)
	_, isService := c.Services[policy]
	_, isResource := c.Resources[policy]
	switch {
	case serviceType == "" || serviceType == ServiceTypeClusterIP:
	case !slices.Contains(ServiceTypes(), serviceType):
		errs.add(p, "unknown Service type %q: one of %s%s", serviceType, strings.Join(ServiceTypes(), ", "), suggest(serviceType, ServiceTypes()))
	case len(s.Ports) == 0:
		errs.add(p, "the service has no ports, so it has no Kubernetes Service")
	case len(s.PublicPorts()) == 0:
		errs.add(p, "a %s Service takes clients from outside the cluster; mark the ports they reach public: true", serviceType)
	case withoutPublic != "":
		errs.add(p, "a %s Service takes clients from outside the cluster, but the service has no public port in environment %s; make one exist there", serviceType, withoutPublic)
	case isService || isResource:
		errs.add(p, "the NetworkPolicy that admits outside clients to %s is named %s, like a service or resource; rename that one", name, policy)
	}
}

// checkNodePorts rejects a node port two ports pin: node ports are one
// range for the whole cluster.
func (c *Catalogue) checkNodePorts(errs *errorList) {
	reported := map[string]bool{}
	taken := map[string]string{} // by environment and node port
	c.eachClusterPort(func(env, name string, i int, port Port) {
		if port.NodePort == 0 {
			return
		}
		pp := fmt.Sprintf("services.%s.ports[%d].nodePort", name, i)
		key := portKey(port.NodePort, port)
		if other, ok := taken[env+" "+key]; ok {
			if !reported[pp] {
				reported[pp] = true
				errs.add(pp, "node port %s is already pinned by %s; node ports are one range for the whole cluster", key, other)
			}
			return
		}
		taken[env+" "+key] = pp
	})
}

// portKey names a port number on the port's transport: 8080, or 53/udp.
func portKey(number int, p Port) string {
	if p.UDP() {
		return fmt.Sprintf("%d/udp", number)
	}
	return fmt.Sprint(number)
}

func contains(list []string, s string) bool { return indexOf(list, s) >= 0 }

func indexOf(list []string, s string) int {
	for i, item := range list {
		if item == s {
			return i
		}
	}
	return -1
}

// probing says which checks probe a port: "readiness check probes", or
// "readiness and liveness checks probe".
func probing(checks []string) string {
	if len(checks) == 1 {
		return checks[0] + " check probes"
	}
	return strings.Join(checks, " and ") + " checks probe"
}
