// Package importer starts a catalogue from a Compose project (Import):
// services keep their names, well-known images become typed resources,
// depends_on becomes uses, values that look secret move to the dev env
// file, variables several services share become a config group, and
// whatever has no place in a catalogue is kept under x-unmapped and listed
// in the report. It is pure: the caller loads the Compose file with
// compose-go and writes what Import returns.
package importer

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
)

// Result is what an import produces.
type Result struct {
	// Catalogue is tandem.yaml, commented.
	Catalogue []byte
	// Secrets are the dev values of the secrets the catalogue names, for
	// the dev env file.
	Secrets map[string]string
	// Report lists, one line each, everything that was not carried over
	// as it was: kept under x-unmapped, moved to a secret, or changed.
	Report []string
}

// SharedGroup is the config group that collects variables several
// services set to the same value.
const SharedGroup = "shared"

// Options are what Import needs beyond the project.
type Options struct {
	// Name is the system's name; the project's when empty.
	Name string
	// CatalogueDir is the folder the catalogue will be written to, so that
	// build contexts and host paths (absolute in a loaded project) become
	// relative to it.
	CatalogueDir string
	// FS reads what the mounts name, and the config files the catalogue
	// loads; the machine's own when nil.
	FS fsys.FS
}

// otherDistributions are well-known images of a kind's server that tandem
// does not run: their variables mean other things than the official
// image's. They stay services, and the report says how to switch.
var otherDistributions = map[string]string{"confluentinc/cp-kafka": "kafka", "bitnami/kafka": "kafka"}

// secretName matches variable names whose values are secrets.
var secretName = regexp.MustCompile(`(?i)(PASSWORD|PASSWD|SECRET|TOKEN|(^|_)PASS($|_)|(^|_)(API_?)?KEY($|_))`)

// credentialURL matches a URL that carries a user's password.
var credentialURL = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:[^/\s@]+@`)

type importer struct {
	project   *types.Project
	opts      Options
	resources map[string]*resource
	services  map[string]*service
	secrets   map[string]string
	report    []string
	unmapped  map[string]map[string]any
	// shared is the proposed config group: variables set alike by several
	// services.
	shared map[string]string
	// top holds the project's own secrets, configs and networks.
	top map[string]any
	// namedVolumes are the Compose volumes mapped so far, by name.
	namedVolumes map[string]mountedAt
	// passwordSecrets are the Compose secrets that a resource reads as
	// its password, by the resource's name.
	passwordSecrets map[string]string
	// secretsMapped tells, by Compose secret, whether every mount of it
	// became a secret volume (or a resource's password).
	secretsMapped map[string]bool
}

type resource struct {
	kind, version, owner, database, user string
	password                             string
	// args are the server's options beyond the kind's.
	args []string
}

type service struct {
	environments  []string
	oneShot       bool
	onRequest     bool
	volumes       []volume
	image, build  string
	command, args []string
	ports         []catalogue.Port
	env           map[string]string
	config        []string
	secrets       []string
	uses          []string
	health        *catalogue.Health
	// gracePeriod and labels are the pods' terminationGracePeriodSeconds
	// and labels.pod.
	gracePeriod *int
	labels      map[string]string
}

// Import turns project into a catalogue.
func Import(project *types.Project, opts Options) (*Result, error) {
	im := &importer{project: project, opts: opts, resources: map[string]*resource{}, services: map[string]*service{}, namedVolumes: map[string]mountedAt{},
		passwordSecrets: map[string]string{}, secretsMapped: map[string]bool{}, secrets: map[string]string{}, unmapped: map[string]map[string]any{}, top: map[string]any{}}
	names := project.ServiceNames()
	sort.Strings(names)
	for _, name := range names {
		svc := project.Services[name]
		if kind, ok := resourceKind(svc.Image); ok {
			im.resource(name, kind, svc)
		}
	}
	for _, name := range names {
		if _, ok := im.resources[name]; !ok {
			if err := im.service(name, project.Services[name]); err != nil {
				return nil, err
			}
		}
	}
	im.valueEdges()
	im.widenUsed()
	im.onRequestUnused()
	im.owners()
	im.sharedConfig()
	im.routes()
	im.topLevel()
	im.scrub()
	name := opts.Name
	if name == "" {
		name = catalogue.LabelFrom(project.Name)
	}
	if len(im.resources) > 0 {
		im.note("environments: staging and prod are added so that tandem build works at once: staging runs the resources in the cluster where tandem can, prod expects managed ones at placeholder hosts (*.%s) to set under resources.NAME.endpoints.prod", placeholderDomain)
	} else {
		im.note("environments: staging and prod are added so that tandem build works at once")
	}
	if im.builds() {
		im.note("environments: built images go to %s/%s with tag %s in staging and prod; set your registry and tag under environments.ENV.image", placeholderRegistry, name, placeholderTag)
	}
	out := im.write(name)
	// A mount can be what the catalogue refuses (a file too large for a
	// ConfigMap, two volumes of one name), which import cannot tell until
	// the catalogue loads: such volumes go under x-unmapped. Whatever else
	// is refused shows in the import's own report (project.Import loads
	// what it wrote), and the corpus tests hold import to loading.
	for {
		_, err := catalogue.Parse(im.fs(), filepath.Join(opts.CatalogueDir, "tandem.yaml"), out)
		if err == nil || !im.demoteRefused(err) {
			break
		}
		out = im.write(name)
	}
	return &Result{Catalogue: out, Secrets: im.secrets, Report: im.report}, nil
}

func (im *importer) note(format string, args ...any) {
	im.report = append(im.report, fmt.Sprintf(format, args...))
}

// resourceKind tells whether image is one of the official images tandem
// runs as a resource.
func resourceKind(image string) (string, bool) {
	name, _ := splitTag(image)
	name = strings.TrimPrefix(strings.TrimPrefix(name, "docker.io/"), "library/")
	return catalogue.KindOfImage(name)
}

func splitTag(image string) (name, tag string) {
	name, _, _ = strings.Cut(image, "@")
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		return name[:i], name[i+1:]
	}
	return name, ""
}

// serverArgs carries a resource's Compose command over as its args where
// it is options of the server (--transaction-isolation=..., --appendonly
// yes), beyond those tandem gives the kind, as the official entrypoints
// take it when it starts with an option; whatever else stays under
// x-unmapped.
func (im *importer) serverArgs(name string, r *resource, k catalogue.Kind, svc types.ServiceConfig) bool {
	args := []string(svc.Command)
	if len(args) == 0 || len(svc.Entrypoint) > 0 || !strings.HasPrefix(args[0], "-") {
		return false
	}
	// The kind's own come first in what tandem runs; the rest are new.
	rest := args
	if len(k.Args) > 0 && len(args) >= len(k.Args) && slices.Equal(args[:len(k.Args)], k.Args) {
		rest = args[len(k.Args):]
	}
	r.args = slices.Clone(rest)
	im.note("resources.%s: Compose's command %s is args now, options of the server after those tandem gives %s", name, strings.Join(args, " "), k.Name)
	return true
}

// setupAliases are older names an official image also sets itself up
// with, beside those of its kind's SettingEnv: mariadb reads MYSQL_ ones.
var setupAliases = map[string]map[string]string{
	"mariadb": {"MYSQL_DATABASE": "MARIADB_DATABASE", "MYSQL_USER": "MARIADB_USER", "MYSQL_PASSWORD": "MARIADB_PASSWORD", "MYSQL_ROOT_PASSWORD": "MARIADB_ROOT_PASSWORD"},
}

func (im *importer) resource(name, kind string, svc types.ServiceConfig) {
	r := &resource{kind: kind}
	im.resources[name] = r
	if _, tag := splitTag(svc.Image); tag != "" && tag != "latest" {
		r.version = tag
	}
	k, _ := catalogue.LookupKind(kind)
	server := k.ServerEnv(name)
	// env_file is read: compose-go merged it into environment.
	mapped := map[string]bool{"image": true, "environment": true, "env_file": true, "healthcheck": true, "volumes": true, "ports": true, "networks": true}
	env, fromFile := im.fileSecrets(svc)
	var rootKey, rootPassword string
	for _, key := range slices.Sorted(maps.Keys(env)) {
		value := deref(env[key])
		if k.RootUser != "" && cmp.Or(setupAliases[kind][key], key) == k.RootPasswordEnv {
			// Whether the users log in as root is known once the
			// user's variable, if any, has been read.
			rootKey, rootPassword = key, value
			continue
		}
		if fixed, ok := server[key]; ok {
			if fixed == value {
				continue
			}
			im.note("resources.%s: %s=%s is not carried over; tandem sets %s=%s itself", name, key, maskIfSecret(im, key, value), key, fixed)
			continue
		}
		setting, _ := k.SetupSetting(cmp.Or(setupAliases[kind][key], key))
		if alias := setupAliases[kind][key]; alias != "" && setting != "" {
			im.note("resources.%s: %s is set as %s, the name %s reads first and tandem gives it", name, key, alias, kind)
		}
		switch setting {
		case catalogue.SettingDatabase:
			if catalogue.IsIdentifier(value) {
				r.database = value
				continue
			}
		case catalogue.SettingUser:
			if k.SQL() && catalogue.IsIdentifier(value) {
				r.user = value
				continue
			}
			if !k.SQL() {
				im.note("resources.%s: its user is %q in Compose; tandem names it after the owner (or the resource) and gives it to the services that use it", name, value)
				continue
			}
		case catalogue.SettingPassword:
			if value == "" {
				im.note("resources.%s: %s is empty; tandem render will make up a dev password", name, key)
				continue
			}
			r.password = value
			im.secrets[catalogue.SettingVar(name, catalogue.SettingPassword)] = value
			if secret := fromFile[key]; secret != "" {
				im.passwordSecrets[secret] = name
				im.note("resources.%s: %s_FILE reads the Compose secret %s, whose value is %s's in the dev env file now", name, key, secret, catalogue.SettingVar(name, catalogue.SettingPassword))
			}
			continue
		}
		if im.looksSecret(key, value) {
			// Never a secret value in the catalogue, not even unmapped.
			im.secrets[key] = value
			im.keep(name, "environment", key, "${"+key+"}")
			im.note("resources.%s: %s is not a setting tandem gives %s; kept under x-unmapped, its value in the dev env file", name, key, kind)
			continue
		}
		im.keep(name, "environment", key, value)
		im.note("resources.%s: %s is not a setting tandem gives %s; kept under x-unmapped", name, key, kind)
	}
	if rootKey != "" {
		im.rootLogin(name, r, k, svc, rootKey, rootPassword, fromFile[rootKey])
	}
	im.resourceSecrets(name, svc)
	mapped["secrets"] = true
	if im.serverArgs(name, r, k, svc) {
		mapped["command"] = true
	}
	// The images' own defaults, which Compose relied on where it set no
	// user or database: tandem's would be the owner's name.
	if kind == "postgres" {
		if r.user == "" {
			r.user = "postgres"
		}
		if r.database == "" {
			r.database = r.user
		}
	}
	if k.SQL() && kind != "postgres" && r.user == "" {
		im.note("resources.%s: Compose set up no user but root; tandem creates one named after the owner (or the resource) for the services that use it", name)
	}
	if strings.Contains(svc.Image, "@") {
		im.note("resources.%s: the image digest in %s is not kept; tandem runs %s:%s", name, svc.Image, k.Image, cmp.Or(r.version, k.DefaultVersion))
	}
	if svc.HealthCheck != nil {
		im.note("resources.%s: its health check is tandem's own for %s", name, kind)
	}
	for _, p := range svc.Ports {
		if p.Published != "" {
			im.note("resources.%s: port %s is no longer published on the host: tandem runs resources for the services that use them", name, p.Published)
		}
	}
	for _, v := range svc.Volumes {
		switch {
		case v.Type != types.VolumeTypeVolume || v.Source == name+"-data":
		case kind == "kafka":
			// Kafka's data carries the id of the cluster that wrote it.
			im.note("resources.%s: its data lives in the volume %s-data now, not %s; the topics start afresh, as tandem's cluster id differs", name, name, v.Source)
		default:
			im.note("resources.%s: its data lives in the volume %s-data now, not %s: copy the data over if you need it", name, name, v.Source)
		}
		if v.Type == types.VolumeTypeBind {
			im.keep(name, "volumes", "", im.hostPath(v.Source)+":"+v.Target)
			im.note("resources.%s: the bind mount %s:%s is kept under x-unmapped; tandem keeps a resource's data in a named volume", name, im.hostPath(v.Source), v.Target)
		}
	}
	im.keepRest(name, svc, mapped)
}

func (im *importer) service(name string, svc types.ServiceConfig) error {
	s := &service{env: map[string]string{}}
	mapped := map[string]bool{"image": true, "entrypoint": true, "command": true, "environment": true, "env_file": true,
		"ports": true, "expose": true, "healthcheck": true, "depends_on": true, "profiles": true, "volumes": true}
	switch {
	case svc.Build != nil && strings.Contains(svc.Build.Context, "://"):
		im.keepValue(name, "build", map[string]any{"context": svc.Build.Context})
		im.note("services.%s.build: a remote context (%s) is kept under x-unmapped; tandem builds folders below the catalogue", name, svc.Build.Context)
		s.image = cmp.Or(svc.Image, name)
		mapped["build"] = true
	case svc.Build != nil:
		if svc.Image != "" {
			im.note("services.%s: its image name %s is not kept; tandem names built images per environment (environments.ENV.image)", name, svc.Image)
		}
		context := svc.Build.Context
		if filepath.IsAbs(context) && im.opts.CatalogueDir != "" {
			rel, err := filepath.Rel(im.opts.CatalogueDir, context)
			if err != nil {
				return err
			}
			context = rel
		}
		s.build = filepath.ToSlash(filepath.Clean(context))
		if !strings.HasPrefix(s.build, ".") {
			s.build = "./" + s.build
		}
		if strings.HasPrefix(filepath.ToSlash(filepath.Clean(context)), "../") || filepath.IsAbs(context) {
			im.note("services.%s.build: the context %s is outside the catalogue's folder, which tandem does not allow; move the catalogue up or the code in", name, context)
		}
		build := map[string]any{}
		if svc.Build.Dockerfile != "" && svc.Build.Dockerfile != "Dockerfile" {
			build["dockerfile"] = svc.Build.Dockerfile
		}
		// Everything but the context: the Dockerfile, args, target, cache,
		// secrets, platforms, ...
		if data, err := json.Marshal(svc.Build); err == nil {
			var fields map[string]any
			if json.Unmarshal(data, &fields) == nil {
				for field, value := range fields {
					if field != "context" && field != "dockerfile" && !empty(value) {
						build[field] = value
					}
				}
			}
		}
		if len(build) > 0 {
			im.keepValue(name, "build", build)
			im.note("services.%s.build: %s kept under x-unmapped; tandem builds the context's Dockerfile as it is", name, strings.Join(slices.Sorted(maps.Keys(build)), ", "))
		}
		mapped["build"] = true
	default:
		s.image = svc.Image
		// Docker reads no tag as :latest; the catalogue wants the choice
		// in writing, so it shows in review until a version is pinned.
		if _, tag := splitTag(svc.Image); tag == "" && !strings.Contains(svc.Image, "@") {
			s.image = svc.Image + ":latest"
			im.note("services.%s.image: %s has no tag, which Docker reads as :latest; written as %s so that it shows: pin a version (%s:1.2.3), or a digest, for what runs to stay what you tested", name, svc.Image, s.image, svc.Image)
		}
	}
	if image, _ := splitTag(svc.Image); otherDistributions[image] != "" {
		kind, _ := catalogue.LookupKind(otherDistributions[image])
		im.note("services.%s: %s stays a service, as its variables mean other things than those of %s, which tandem's %s resources run; to make it one, declare it under resources as {kind: %s}, or change its image to %s in the Compose file and import again",
			name, image, kind.Image, kind.Name, kind.Name, kind.Image)
	}
	s.command, s.args = []string(svc.Entrypoint), []string(svc.Command)

	for _, dep := range slices.Sorted(maps.Keys(svc.DependsOn)) {
		s.uses = append(s.uses, dep)
		if svc.DependsOn[dep].Condition == types.ServiceConditionCompletedSuccessfully {
			im.note("services.%s.depends_on.%s: waited for it to complete; in tandem a run-to-completion step is a job (jobs: {NAME: {before: start}}) of the service", name, dep)
		}
	}
	if len(svc.Extensions) > 0 {
		for key, value := range svc.Extensions {
			im.keepValue(name, key, value)
		}
		im.note("services.%s: %s kept under x-unmapped", name, strings.Join(slices.Sorted(maps.Keys(svc.Extensions)), ", "))
	}
	if len(svc.Profiles) > 0 {
		// Started only on request: a tool or task for the laptop, which
		// must never reach a cluster.
		s.environments = []string{catalogue.DevEnvironment}
		s.onRequest = true
		im.note("services.%s: it was in profile %s, so it is in dev only now (environments: [dev]), and starts on request (onRequest: true): when tandem up names it", name, strings.Join(svc.Profiles, ", "))
		if svc.Restart == types.RestartPolicyNo && len(svc.Ports) == 0 && len(svc.Expose) == 0 && svc.HealthCheck == nil {
			s.oneShot = true
			mapped["restart"] = true
			im.note("services.%s: runs once (restart: \"no\", no ports), so it is a one-shot service: those that use it wait for it to complete", name)
		}
	}
	im.ports(name, s, svc)
	im.environment(name, s, svc)
	im.volumes(name, s, svc)
	im.serviceSecrets(name, s, svc)
	mapped["secrets"] = true
	im.podSettings(name, s, svc)
	mapped["labels"], mapped["stop_grace_period"] = true, true
	s.health = im.health(name, s, svc)
	if nets := svc.Networks; len(nets) > 0 && !onlyDefaultNetwork(nets) {
		var kept any = slices.Sorted(maps.Keys(nets))
		if data, err := json.Marshal(nets); err == nil {
			var full map[string]any
			if json.Unmarshal(data, &full) == nil {
				kept = full
			}
		}
		im.keepValue(name, "networks", kept)
		im.note("services.%s.networks: kept under x-unmapped; tandem derives networks from uses", name)
	}
	mapped["networks"] = true
	im.keepRest(name, svc, mapped)
	im.services[name] = s
	return nil
}

func (im *importer) ports(name string, s *service, svc types.ServiceConfig) {
	for _, p := range svc.Ports {
		protocol := cmp.Or(p.Protocol, "tcp")
		if protocol != "tcp" && protocol != "udp" {
			im.keep(name, "ports", "", fmt.Sprintf("%s:%d/%s", p.Published, p.Target, p.Protocol))
			im.note("services.%s.ports: %d/%s kept under x-unmapped; tandem's ports are TCP or UDP", name, p.Target, p.Protocol)
			continue
		}
		im.addPort(name, s, int(p.Target), protocol, p.Published, p.HostIP)
	}
	for _, e := range svc.Expose {
		number, protocol, _ := strings.Cut(e, "/")
		if n, err := strconv.Atoi(number); err == nil && (protocol == "" || protocol == "tcp" || protocol == "udp") {
			im.addPort(name, s, n, cmp.Or(protocol, "tcp"), "", "")
		} else {
			im.keep(name, "expose", "", e)
			im.note("services.%s.expose: %s kept under x-unmapped; tandem's ports are single TCP or UDP ports", name, e)
		}
	}
}

// addPort declares one port of a service: its first is http unless it is
// a well-known port of another protocol.
func (im *importer) addPort(name string, s *service, target int, protocol, published, hostIP string) {
	key := fmt.Sprintf("%d/%s", target, protocol)
	for _, p := range s.ports {
		// One number may serve TCP and UDP (DNS's 53): two ports.
		if p.Port == target && (p.Protocol == "udp") == (protocol == "udp") {
			if published != "" {
				im.note("services.%s.ports: %s was published a second time, on %s; tandem publishes a port once", name, key, published)
			}
			return
		}
	}
	p := catalogue.Port{Name: "http", Port: target}
	switch {
	case protocol == "udp":
		p.Name, p.Protocol = fmt.Sprintf("port-%d-udp", target), "udp"
	case nonHTTPPorts[target]:
		// Not HTTP, so no ingress route outside dev.
		p.Name, p.Protocol = "port-"+strconv.Itoa(target), "tcp"
	case len(s.ports) > 0:
		p.Name = "port-" + strconv.Itoa(target)
	}
	if published != "" {
		host, err := strconv.Atoi(published)
		if err != nil {
			im.note("services.%s.ports: published %q is not a single port; %d is published on itself", name, published, target)
			host = target
		}
		p.Public = true
		if host != target {
			p.HostPort = host
		}
	}
	if hostIP != "" && hostIP != "0.0.0.0" {
		p.HostIP = hostIP
		if ip := net.ParseIP(hostIP); ip != nil && ip.IsLoopback() {
			// Published for this machine alone, as a debugger's port
			// is: it stays out of every cluster.
			p.Environments = []string{catalogue.DevEnvironment}
			im.note("services.%s.ports: %d is published on %s only, for this machine: a dev-only port now, in no cluster", name, target, hostIP)
		}
	}
	s.ports = append(s.ports, p)
}

// valueEdges gives a service a uses edge to each service or resource its
// values name (DB_HOST: db, postgres://u:p@db/app), by the rule check
// holds catalogues to: Compose needs no depends_on for a call, a
// cluster's default-deny NetworkPolicy needs the edge. A port a value
// names that its service does not declare (Compose needs no expose) is
// declared.
func (im *importer) valueEdges() {
	names := &catalogue.Catalogue{Services: map[string]*catalogue.Service{}, Resources: map[string]*catalogue.Resource{}}
	for name := range im.services {
		names.Services[name] = &catalogue.Service{}
	}
	for name, r := range im.resources {
		names.Resources[name] = &catalogue.Resource{Kind: r.kind}
	}
	hosts := names.Hosts()
	for _, sname := range slices.Sorted(maps.Keys(im.services)) {
		s := im.services[sname]
		for _, key := range slices.Sorted(maps.Keys(s.env)) {
			for _, ref := range hosts.Refs(s.env[key], catalogue.AddressVariable(key)) {
				where := fmt.Sprintf("services.%s.environment.%s", sname, key)
				if target := im.services[ref.Target]; target != nil && ref.Port != 0 && ref.Target != sname {
					im.declarePort(ref.Target, target, ref.Port, where)
				}
				switch {
				case ref.Target == sname || slices.Contains(s.uses, ref.Target):
				case im.reaches(ref.Target, sname):
					im.note("%s: names %s, which depends on %s already; no uses edge, as it would make a cycle: in a cluster, open that call with a platform NetworkPolicy", where, ref.Target, sname)
				default:
					s.uses = append(s.uses, ref.Target)
					im.note("%s: names %s, so %s uses %s now (Compose calls it without depends_on; a cluster's NetworkPolicy needs the edge)", where, ref.Target, sname, ref.Target)
				}
			}
		}
	}
}

// declarePort adds a port a value names to the service that listens on it.
func (im *importer) declarePort(name string, s *service, port int, where string) {
	for _, p := range s.ports {
		if p.Port == port {
			return
		}
	}
	im.addPort(name, s, port, "tcp", "", "")
	im.note("services.%s.ports: %d declared, since %s names it (Compose needs no expose)", name, port, where)
	if s.oneShot {
		s.oneShot = false
		im.note("services.%s: not a one-shot service after all, since it listens on %d", name, port)
	}
}

// widenUsed gives what a cluster's service uses to the clusters too: a
// profile's service (dev-only by import) that another service calls, and
// a port published on the loopback address alone (dev-only by import)
// that another service's use reaches. Without them the catalogue would
// send a cluster's service to what no cluster has.
func (im *importer) widenUsed() {
	for changed := true; changed; {
		changed = false
		for _, sname := range slices.Sorted(maps.Keys(im.services)) {
			s := im.services[sname]
			if devOnly(s.environments) {
				continue
			}
			for _, used := range s.uses {
				target := im.services[used]
				if target == nil {
					continue
				}
				if devOnly(target.environments) {
					target.environments = nil
					changed = true
					im.note("services.%s: in every environment after all, since %s uses it", used, sname)
				}
				if i := catalogue.DefaultUsePort(target.ports); i >= 0 && devOnly(target.ports[i].Environments) {
					target.ports[i].Environments = nil
					im.note("services.%s.ports: %d is in every environment after all, since %s uses it; it stays published on %s alone in dev", used, target.ports[i].Port, sname, target.ports[i].HostIP)
				}
			}
		}
	}
}

// onRequestUnused keeps on request only what no service that starts with
// every tandem up uses, as the catalogue requires: Compose refuses to
// start a service whose dependency's profile is off.
func (im *importer) onRequestUnused() {
	for changed := true; changed; {
		changed = false
		for _, sname := range slices.Sorted(maps.Keys(im.services)) {
			s := im.services[sname]
			if s.onRequest {
				continue
			}
			for _, used := range s.uses {
				if target := im.services[used]; target != nil && target.onRequest {
					target.onRequest = false
					changed = true
					im.note("services.%s: starts with every tandem up after all, since %s uses it", used, sname)
				}
			}
		}
	}
}

func devOnly(envs []string) bool { return slices.Equal(envs, []string{catalogue.DevEnvironment}) }

// reaches tells whether from depends on to, directly or through others.
func (im *importer) reaches(from, to string) bool {
	seen := map[string]bool{}
	var walk func(name string) bool
	walk = func(name string) bool {
		if name == to {
			return true
		}
		if seen[name] {
			return false
		}
		seen[name] = true
		s := im.services[name]
		if s == nil {
			return false
		}
		return slices.ContainsFunc(s.uses, walk)
	}
	return walk(from)
}

// nonHTTPPorts are well-known ports of protocols other than HTTP (mail,
// DNS, databases, brokers, SSH, game servers), which must not become
// HTTP routes.
var nonHTTPPorts = map[int]bool{
	22: true, 25: true, 53: true, 110: true, 143: true, 465: true, 587: true, 993: true, 995: true,
	1433: true, 1521: true, 2181: true, 3306: true, 4222: true, 5432: true, 5672: true, 6379: true,
	9042: true, 9092: true, 9300: true, 11211: true, 25565: true, 27017: true,
}

func (im *importer) environment(name string, s *service, svc types.ServiceConfig) {
	for _, key := range slices.Sorted(maps.Keys(svc.Environment)) {
		value := svc.Environment[key]
		if value == nil {
			im.note("services.%s.environment.%s: no value (taken from the host's environment by Compose); set it in the catalogue", name, key)
			continue
		}
		s.env[key] = *value
	}
}

// looksSecret tells whether a variable's name or value marks it secret:
// its name says so, or its value holds a resource's password.
func (im *importer) looksSecret(key, value string) bool {
	if value == "" || namesAFile(key, value) {
		return false
	}
	if secretName.MatchString(key) || credentialURL.MatchString(value) || catalogue.LooksSecret(key, value) {
		return true
	}
	// A password inside a value (Server=db;Password=s3cret, MYSQL_PWD:
	// s3cret) makes it a credential, but for a user's or database's name
	// that equals it (MYSQL_USER: wordpress, with the password wordpress).
	for _, r := range im.resources {
		if r.password != "" && !(value == r.password && namesAUserOrDatabase(key)) && replaceToken(value, r.password, "") != value {
			return true
		}
	}
	return false
}

// namesAUserOrDatabase tells a variable that holds a user's or a
// database's name, which may equal a password without being one.
func namesAUserOrDatabase(key string) bool {
	key = strings.ToUpper(key)
	for _, suffix := range []string{"USER", "USERNAME", "NAME", "DATABASE", "DB", "SCHEMA"} {
		if key == suffix || strings.HasSuffix(key, "_"+suffix) {
			return true
		}
	}
	return false
}

// namesAFile tells a variable that names the file holding a secret
// (POSTGRES_PASSWORD_FILE: /run/secrets/db-password, as the official
// images read one, or DATABASE_PASSWORD: /run/secrets/db-password, as
// some apps do) from the secret itself: its value is a path.
func namesAFile(key, value string) bool {
	if catalogue.SecretFilePath(value) {
		return true
	}
	return strings.HasSuffix(strings.ToUpper(key), "_FILE") && strings.HasPrefix(value, "/") && !strings.ContainsAny(value, " \t")
}

// grpcCheck is grpc_health_probe against the service's own port, with
// an optional service name; tcpCheck is nc -z against it.
var (
	grpcCheck = regexp.MustCompile(`^(?:\S*/)?grpc_health_probe\s+-addr[= ]["']?(?:localhost|127\.0\.0\.1)?:(\d+)["']?(?:\s+-service[= ]["']?([\w.-]+)["']?)?(?:\s*\|\|\s*exit\s+1)?$`)
	tcpCheck  = regexp.MustCompile(`^nc\s+-z(?:\s+-w\s*\d+)?\s+(?:localhost|127\.0\.0\.1)\s+(\d+)(?:\s*\|\|\s*exit\s+1)?$`)
)

// portName is the catalogue's name for the service's port number, "" for
// its first port, which health checks default to; number "" means def.
func (s *service) portName(number string, def int) (string, bool) {
	port := def
	if number != "" {
		port, _ = strconv.Atoi(number)
	}
	for i, p := range s.ports {
		if p.Port == port {
			if i == 0 {
				return "", true
			}
			return p.Name, true
		}
	}
	return "", false
}

// checkSeconds keeps a health check's interval or timeout in whole
// seconds, rounded up, where the catalogue allows it.
func (im *importer) checkSeconds(name, field string, d *types.Duration) *int {
	if d == nil {
		return nil
	}
	seconds := int(math.Ceil(time.Duration(*d).Seconds()))
	if seconds < 1 || seconds > 3600 {
		im.note("services.%s.healthcheck: %s %s is not kept; tandem allows 1s to 1h", name, field, time.Duration(*d))
		return nil
	}
	if time.Duration(seconds)*time.Second != time.Duration(*d) {
		im.note("services.%s.healthcheck: %s %s is rounded up to %ds; tandem counts whole seconds", name, field, time.Duration(*d), seconds)
	}
	return &seconds
}

var httpCheck = regexp.MustCompile(`^(?:curl\s+(?:-[a-zA-Z]+\s+)*|wget\s+(?:-[a-zA-Z-]+\s+)*)(?:-O\s*-?\s+)?["']?http://(?:localhost|127\.0\.0\.1)(?::(\d+))?(/[^\s"']*)?["']?(?:\s*\|\|\s*exit\s+1)?$`)

func (im *importer) health(name string, s *service, svc types.ServiceConfig) *catalogue.Health {
	hc := svc.HealthCheck
	if hc == nil || hc.Disable || len(hc.Test) == 0 || hc.Test[0] == "NONE" {
		return nil
	}
	h := &catalogue.Health{}
	h.IntervalSeconds = im.checkSeconds(name, "interval", hc.Interval)
	h.TimeoutSeconds = im.checkSeconds(name, "timeout", hc.Timeout)
	if hc.Retries != nil {
		if *hc.Retries >= 1 && *hc.Retries <= 1000 {
			retries := int(*hc.Retries)
			h.FailureThreshold = &retries
		} else {
			im.note("services.%s.healthcheck: retries %d is not kept; tandem allows 1 to 1000", name, *hc.Retries)
		}
	}
	if hc.StartPeriod != nil {
		h.StartupSeconds = int(time.Duration(*hc.StartPeriod).Seconds())
	}
	var command []string
	switch hc.Test[0] {
	case "CMD", "CMD-SHELL":
		// curl or wget against the service's own port is an HTTP check,
		// grpc_health_probe a gRPC one, nc -z a TCP one: tandem probes
		// them all without any of these tools in the image.
		shell := strings.Join(hc.Test[1:], " ")
		if hc.Test[0] == "CMD" {
			command = hc.Test[1:]
		} else {
			command = []string{"sh", "-c", shell}
		}
		shell = strings.TrimSpace(shell)
		if m := httpCheck.FindStringSubmatch(shell); m != nil {
			if port, ok := s.portName(m[1], 80); ok {
				h.HTTP, h.Port = "/", port
				if m[2] != "" {
					h.HTTP = m[2]
				}
				return h
			}
		}
		if m := grpcCheck.FindStringSubmatch(shell); m != nil {
			if port, ok := s.portName(m[1], 0); ok {
				h.GRPC, h.Port, h.GRPCService = true, port, m[2]
				return h
			}
		}
		if m := tcpCheck.FindStringSubmatch(shell); m != nil {
			if port, ok := s.portName(m[1], 0); ok {
				h.TCP, h.Port = true, port
				return h
			}
		}
	default:
		command = hc.Test
	}
	h.Command = command
	return h
}

// topLevel keeps the project's own secrets, configs and networks, which a
// catalogue has no place for.
func (im *importer) topLevel() {
	networks := maps.Clone(im.project.Networks)
	delete(networks, "default")
	// A resource's data volume becomes tandem's RESOURCE-data; the report
	// says so where the name changes.
	volumes := maps.Clone(im.project.Volumes)
	for name := range im.resources {
		for _, v := range im.project.Services[name].Volumes {
			if v.Type == types.VolumeTypeVolume {
				delete(volumes, v.Source)
			}
		}
	}
	// A secret every mount of which is in the catalogue now is there.
	secrets := maps.Clone(im.project.Secrets)
	maps.DeleteFunc(secrets, func(name string, _ types.SecretConfig) bool { return im.secretsMapped[name] })
	for _, top := range []struct {
		field string
		value any
	}{{"configs", im.project.Configs}, {"networks", networks}, {"secrets", secrets}, {"volumes", volumes}} {
		field, value := top.field, top.value
		data, err := json.Marshal(value)
		if err != nil {
			continue
		}
		var m map[string]any
		if json.Unmarshal(data, &m) != nil || len(m) == 0 {
			continue
		}
		// A file's absolute path on this machine means nothing elsewhere.
		for _, entry := range m {
			if e, ok := entry.(map[string]any); ok {
				if file, ok := e["file"].(string); ok && im.opts.CatalogueDir != "" {
					if rel, err := filepath.Rel(im.opts.CatalogueDir, file); err == nil {
						e["file"] = filepath.ToSlash(rel)
					}
				}
			}
		}
		im.top[field] = m
		im.note("%s: %s kept under x-unmapped; a catalogue has no top-level %s", field, strings.Join(slices.Sorted(maps.Keys(m)), ", "), field)
	}
}

// scrub replaces the value of every secret found where no secret belongs,
// a service's command or args, its health check or x-unmapped, with a
// reference to the variable, which the service then receives: a
// catalogue is committed, secrets never are.
func (im *importer) scrub() {
	names := slices.Sorted(maps.Keys(im.secrets))
	replace := func(where, value string) (string, []string) {
		var found []string
		for _, name := range names {
			// Values this short are words, not secrets worth a rewrite.
			if secret := im.secrets[name]; len(secret) >= 6 && strings.Contains(value, secret) {
				rewritten := replaceToken(value, secret, "${"+name+"}")
				if rewritten == value {
					continue
				}
				value = rewritten
				found = append(found, name)
				im.note("%s: held the value of secret %s, now ${%s}; read it from the variable %s instead", where, name, name, name)
			}
		}
		return value, found
	}
	for _, sname := range slices.Sorted(maps.Keys(im.services)) {
		s := im.services[sname]
		lists := map[string][]string{"command": s.command, "args": s.args}
		if s.health != nil {
			lists["health.command"] = s.health.Command
		}
		for _, field := range slices.Sorted(maps.Keys(lists)) {
			for i, v := range lists[field] {
				clean, found := replace(fmt.Sprintf("services.%s.%s[%d]", sname, field, i), v)
				lists[field][i] = clean
				for _, name := range found {
					// A resource's setting reaches its users from the
					// uses edge; listing it as a secret too is refused.
					if !slices.Contains(s.secrets, name) && im.provided(s, name) == "" {
						s.secrets = append(s.secrets, name)
					}
				}
			}
		}
	}
	// A credential can hide anywhere x-unmapped keeps (a volume driver's
	// options, a logging URL, an x- extension), but a name or a path is
	// never one, whatever it equals: container_name: grafana stays, with
	// the password grafana.
	var walk func(where, key string, v any) any
	walk = func(where, key string, v any) any {
		switch v := v.(type) {
		case string:
			if nameFields[key] {
				return v
			}
			clean, _ := replace(where, v)
			return clean
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(v)) {
				v[k] = walk(where+"."+k, k, v[k])
			}
		case []any:
			for i := range v {
				v[i] = walk(fmt.Sprintf("%s[%d]", where, i), key, v[i])
			}
		}
		return v
	}
	for _, sname := range slices.Sorted(maps.Keys(im.unmapped)) {
		for _, field := range slices.Sorted(maps.Keys(im.unmapped[sname])) {
			im.unmapped[sname][field] = walk("x-unmapped.services."+sname+"."+field, field, im.unmapped[sname][field])
		}
	}
	for _, field := range slices.Sorted(maps.Keys(im.top)) {
		im.top[field] = walk("x-unmapped."+field, field, im.top[field])
	}
}

// nameFields are the Compose fields whose values name or place things,
// which a secret's value never is.
var nameFields = map[string]bool{
	"container_name": true, "hostname": true, "domainname": true, "name": true, "image": true,
	"working_dir": true, "user": true, "source": true, "target": true, "network_mode": true,
	"file": true, "networks": true, "volumes": true, "aliases": true,
}

// replaceToken replaces secret in value where it stands as a credential
// does: a word of its own (--requirepass s3cret), after an = or a flag's
// -p (-ps3cret), between a URL's colon and @. Inside a path or a name
// (/etc/grafana/provisioning, nextcloud-redis_net) it is a word that
// happens to equal the secret, and stays.
func replaceToken(value, secret, with string) string {
	var b strings.Builder
	from := 0
	for {
		i := strings.Index(value[from:], secret)
		if i < 0 {
			b.WriteString(value[from:])
			return b.String()
		}
		i += from
		end := i + len(secret)
		before, after := value[:i], value[end:]
		opens := before == "" || strings.ContainsAny(before[len(before)-1:], " \t=:'\"@,;") || strings.HasSuffix(before, "-p")
		closes := after == "" || strings.ContainsAny(after[:1], " \t'\"@,;&|)")
		b.WriteString(value[from:i])
		if opens && closes {
			b.WriteString(with)
		} else {
			b.WriteString(secret)
		}
		from = end
	}
}

// routes gives every public service but the first its own path, since
// outside dev all public ports share one host: /NAME.
func (im *importer) routes() {
	taken := false
	for _, name := range slices.Sorted(maps.Keys(im.services)) {
		s := im.services[name]
		public := 0
		for i, p := range s.ports {
			// Only HTTP ports that reach a cluster get a route there.
			if !p.Public || !p.Routable() || devOnly(p.Environments) {
				continue
			}
			public++
			if taken {
				s.ports[i].Path = "/" + name
				if public > 1 {
					s.ports[i].Path += "/" + p.Name
				}
				im.note("services.%s.ports: %d gets the route %s outside dev, where public ports share one host", name, p.Port, s.ports[i].Path)
			}
			taken = true
		}
	}
}

// owners gives each resource used by exactly one service to that service.
func (im *importer) owners() {
	for _, name := range slices.Sorted(maps.Keys(im.resources)) {
		var users []string
		for _, s := range slices.Sorted(maps.Keys(im.services)) {
			if slices.Contains(im.services[s].uses, name) {
				users = append(users, s)
			}
		}
		if len(users) == 1 {
			im.resources[name].owner = users[0]
		}
		if len(users) == 0 {
			im.note("resources.%s: no service depends on it; add it to the uses of those that connect to it", name)
		}
	}
	// Secrets and the variables tandem now provides are settled once
	// owners are known.
	for _, sname := range slices.Sorted(maps.Keys(im.services)) {
		s := im.services[sname]
		for _, key := range slices.Sorted(maps.Keys(s.env)) {
			value := s.env[key]
			if provided := im.provided(s, key); provided != "" {
				delete(s.env, key)
				im.note("services.%s.environment.%s: tandem provides it from uses: %s; the Compose value was %q", sname, key, provided, maskIfSecret(im, key, value))
				continue
			}
			if resource, instead := im.addressOf(s, value); resource != "" {
				im.note("services.%s.environment.%s: %s is the address of resource %s in dev only; tandem gives it in every environment as %s", sname, key, value, resource, instead)
			}
			if im.looksSecret(key, value) {
				delete(s.env, key)
				own, why := im.secretName(sname, key, value)
				if why != "" {
					// The secret has a name of its own, which the
					// variable refers to.
					s.secrets = append(s.secrets, own)
					s.env[key] = "$(" + own + ")"
					im.secrets[own] = value
					im.note("services.%s.environment.%s: a secret %s; its value moved to the dev env file as %s, which %s refers to: $(%s)", sname, key, why, own, key, own)
					continue
				}
				if !slices.Contains(s.secrets, key) {
					s.secrets = append(s.secrets, key)
				}
				im.secrets[key] = value
				im.note("services.%s.environment.%s: a secret; its value moved to the dev env file", sname, key)
			}
		}
	}
}

// secretName names the secret that holds a service's variable key: the
// variable's own name where it can be, else, with the reason, a name of
// its own. A secret's name is an identifier, as Compose interpolates it
// (spring.datasource.password is SPRING_DATASOURCE_PASSWORD), and one dev
// env file holds every service's secrets, so one that another service
// gives another value is named after the service too
// (REDIS_CACHE_REDIS_PASSWORD for redis-cache's REDIS_PASSWORD).
func (im *importer) secretName(service, key, value string) (name, why string) {
	free := func(name string) bool {
		have, taken := im.secrets[name]
		return (!taken || have == value) && im.settingOf(name) == ""
	}
	if catalogue.IsIdentifier(key) {
		if free(key) {
			return key, ""
		}
		why = "that another service sets to another value"
		if im.settingOf(key) != "" {
			why = "named like a connection setting that tandem sets"
		}
	} else {
		why = "whose name a secret cannot have"
		if name = secretVariable(key); free(name) {
			return name, why
		}
	}
	name = catalogue.EnvPrefix(service) + "_" + secretVariable(key)
	for n := 2; !free(name); n++ {
		name = fmt.Sprintf("%s_%s_%d", catalogue.EnvPrefix(service), secretVariable(key), n)
	}
	return name, why
}

// provided names the resource a variable is a connection setting of,
// when the service uses it: tandem sets that variable itself.
func (im *importer) provided(s *service, key string) string {
	if r := im.settingOf(key); slices.Contains(s.uses, r) {
		return r
	}
	return ""
}

// settingOf names the resource a variable is a connection setting of
// (DB_PASSWORD of resource db), "" for none; no secret may have its name.
func (im *importer) settingOf(variable string) string {
	for name, r := range im.resources {
		kind, _ := catalogue.LookupKind(r.kind)
		for _, setting := range kind.Settings {
			if catalogue.SettingVar(name, setting) == variable {
				return name
			}
		}
	}
	return ""
}

// addressOf names the used resource whose host:port value is, and the
// variables tandem sets that carry it.
func (im *importer) addressOf(s *service, value string) (resource, variables string) {
	for _, used := range s.uses {
		r := im.resources[used]
		if r == nil {
			continue
		}
		kind, _ := catalogue.LookupKind(r.kind)
		if value != fmt.Sprintf("%s:%d", used, kind.Port) {
			continue
		}
		if kind.Has(catalogue.SettingBrokers) {
			return used, catalogue.SettingVar(used, catalogue.SettingBrokers)
		}
		return used, catalogue.SettingVar(used, catalogue.SettingHost) + " and " + catalogue.SettingVar(used, catalogue.SettingPort)
	}
	return "", ""
}

// sharedConfig moves variables that two or more services set to one value
// into a config group.
func (im *importer) sharedConfig() {
	count := map[[2]string]int{}
	for _, s := range im.services {
		for k, v := range s.env {
			count[[2]string{k, v}]++
		}
	}
	shared := map[string]string{}
	conflicting := map[string]bool{}
	for kv, n := range count {
		if n < 2 {
			continue
		}
		if _, dup := shared[kv[0]]; dup {
			conflicting[kv[0]] = true
		}
		shared[kv[0]] = kv[1]
	}
	for k := range conflicting {
		delete(shared, k)
	}
	// A service joins the group only if it sets every variable of it to
	// the group's value, so that nobody receives a variable it did not
	// have; the others keep theirs in env. Where fewer than two would
	// join, the variable the fewest services share leaves the group.
	members := im.membersOf(shared)
	for len(shared) > 0 && len(members) < 2 {
		rarest := ""
		for _, k := range slices.Sorted(maps.Keys(shared)) {
			if rarest == "" || count[[2]string{k, shared[k]}] < count[[2]string{rarest, shared[rarest]}] {
				rarest = k
			}
		}
		delete(shared, rarest)
		members = im.membersOf(shared)
	}
	if len(shared) == 0 {
		return
	}
	for _, name := range members {
		s := im.services[name]
		s.config = []string{SharedGroup}
		for k := range shared {
			delete(s.env, k)
		}
	}
	im.shared = shared
	im.note("config.%s: %s, set alike by several services, proposed as a config group", SharedGroup, strings.Join(slices.Sorted(maps.Keys(shared)), ", "))
}

// membersOf lists the services that set every variable of group to its
// value.
func (im *importer) membersOf(group map[string]string) []string {
	var members []string
	for _, name := range slices.Sorted(maps.Keys(im.services)) {
		s := im.services[name]
		all := true
		for k, v := range group {
			if got, ok := s.env[k]; !ok || got != v {
				all = false
			}
		}
		if all {
			members = append(members, name)
		}
	}
	return members
}

// keep records an unmapped value of a Compose service.
func (im *importer) keep(service, field, key, value string) {
	u := im.unmappedOf(service)
	if key == "" {
		list, _ := u[field].([]any)
		u[field] = append(list, value)
		return
	}
	m, _ := u[field].(map[string]any)
	if m == nil {
		m = map[string]any{}
		u[field] = m
	}
	m[key] = value
}

func (im *importer) keepValue(service, field string, value any) {
	im.unmappedOf(service)[field] = value
}

func (im *importer) unmappedOf(service string) map[string]any {
	if im.unmapped[service] == nil {
		im.unmapped[service] = map[string]any{}
	}
	return im.unmapped[service]
}

// keepRest keeps every field of svc that is not in mapped (Compose's own
// defaults aside) under x-unmapped, and reports it.
func (im *importer) keepRest(name string, svc types.ServiceConfig, mapped map[string]bool) {
	where := "services." + name
	if _, isResource := im.resources[name]; isResource {
		where = "resources." + name
	}
	data, err := json.Marshal(svc)
	if err != nil {
		im.note("services.%s: could not read its remaining fields: %v", name, err)
		return
	}
	var fields map[string]any
	if err := json.Unmarshal(data, &fields); err != nil {
		return
	}
	for _, field := range slices.Sorted(maps.Keys(fields)) {
		if mapped[field] || field == "name" || empty(fields[field]) {
			continue
		}
		im.keepValue(name, field, fields[field])
		im.note("%s: Compose's %s kept under x-unmapped; tandem has no field for it", where, field)
	}
}

// onlyDefaultNetwork tells whether a service is on Compose's default
// network alone, as every service is unless it says otherwise.
func onlyDefaultNetwork(nets map[string]*types.ServiceNetworkConfig) bool {
	config, ok := nets["default"]
	return len(nets) == 1 && ok && config == nil
}

// empty tells whether a field read back from JSON holds nothing.
func empty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return v == ""
	case bool:
		return !v
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// maskIfSecret keeps a secret's value out of the report, which people
// paste into tickets.
func maskIfSecret(im *importer, key, value string) string {
	if im.looksSecret(key, value) {
		return "(secret)"
	}
	return value
}
