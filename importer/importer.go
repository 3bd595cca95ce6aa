// Package importer starts a catalogue from a Compose project (Import):
// services keep their names, well-known images become typed resources,
// depends_on becomes uses, values that look secret move to the dev env
// file, variables several services share become a config group, and
// whatever has no place in a catalogue is kept under x-unmapped and listed
// in the report. It is pure: the caller loads the Compose file with
// compose-go and writes what Import returns.
package importer

import (
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/tandemdev/tandem/catalogue"
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
	// build contexts (absolute in a loaded project) become relative to it.
	CatalogueDir string
}

// kindOfImage maps an official image's name to a resource kind.
var kindOfImage = map[string]string{"postgres": "postgres", "mysql": "mysql", "mariadb": "mariadb", "redis": "redis",
	"rabbitmq": "rabbitmq", "nats": "nats", "mongo": "mongo"}

// unsupportedImages are well-known backing services without a resource
// kind; they are imported as services, and the report says so.
var unsupportedImages = map[string]bool{"apache/kafka": true, "confluentinc/cp-kafka": true, "bitnami/kafka": true}

// secretName matches variable names whose values are secrets.
var secretName = regexp.MustCompile(`(?i)(PASSWORD|PASSWD|SECRET|TOKEN|(^|_)(API_?)?KEY($|_))`)

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
}

type resource struct {
	kind, version, owner, database, user string
	password                             string
}

type service struct {
	image, build  string
	command, args []string
	ports         []catalogue.Port
	env           map[string]string
	config        []string
	secrets       []string
	uses          []string
	health        *catalogue.Health
}

// Import turns project into a catalogue.
func Import(project *types.Project, opts Options) (*Result, error) {
	im := &importer{project: project, opts: opts, resources: map[string]*resource{}, services: map[string]*service{},
		secrets: map[string]string{}, unmapped: map[string]map[string]any{}, top: map[string]any{}}
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
	im.owners()
	im.sharedConfig()
	im.routes()
	im.topLevel()
	name := opts.Name
	if name == "" {
		name = label(project.Name)
	}
	return &Result{Catalogue: im.write(name), Secrets: im.secrets, Report: im.report}, nil
}

func (im *importer) note(format string, args ...any) {
	im.report = append(im.report, fmt.Sprintf(format, args...))
}

// resourceKind tells whether image is one of the official images tandem
// runs as a resource.
func resourceKind(image string) (string, bool) {
	name, _ := splitTag(image)
	name = strings.TrimPrefix(strings.TrimPrefix(name, "docker.io/"), "library/")
	kind, ok := kindOfImage[name]
	return kind, ok
}

func splitTag(image string) (name, tag string) {
	name, _, _ = strings.Cut(image, "@")
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		return name[:i], name[i+1:]
	}
	return name, ""
}

// setupVars are the variables an official image sets itself up with.
var setupVars = map[string]map[string]string{
	"postgres": {"POSTGRES_DB": "database", "POSTGRES_USER": "user", "POSTGRES_PASSWORD": "password"},
	"mysql":    {"MYSQL_DATABASE": "database", "MYSQL_USER": "user", "MYSQL_PASSWORD": "password"},
	"rabbitmq": {"RABBITMQ_DEFAULT_USER": "user", "RABBITMQ_DEFAULT_PASS": "password"},
	// mariadb reads the MYSQL_ names too.
	"mariadb": {"MARIADB_DATABASE": "database", "MARIADB_USER": "user", "MARIADB_PASSWORD": "password",
		"MYSQL_DATABASE": "database", "MYSQL_USER": "user", "MYSQL_PASSWORD": "password"},
	"mongo": {"MONGO_INITDB_ROOT_USERNAME": "user", "MONGO_INITDB_ROOT_PASSWORD": "password"},
}

func (im *importer) resource(name, kind string, svc types.ServiceConfig) {
	r := &resource{kind: kind}
	im.resources[name] = r
	if _, tag := splitTag(svc.Image); tag != "" && tag != "latest" {
		r.version = tag
	}
	sqlName := regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	for _, key := range sortedKeys(svc.Environment) {
		value := deref(svc.Environment[key])
		switch setupVars[kind][key] {
		case "database":
			if sqlName.MatchString(value) {
				r.database = value
				continue
			}
		case "user":
			if k, _ := catalogue.LookupKind(kind); k.SQL() && sqlName.MatchString(value) {
				r.user = value
				continue
			}
			if k, _ := catalogue.LookupKind(kind); !k.SQL() {
				im.note("resources.%s: its user is %q in Compose; tandem names it after the owner (or the resource) and gives it to the services that use it", name, value)
				continue
			}
		case "password":
			r.password = value
			im.secrets[catalogue.SettingVar(name, catalogue.SettingPassword)] = value
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
	mapped := map[string]bool{"image": true, "environment": true, "healthcheck": true, "volumes": true, "ports": true, "networks": true}
	if svc.HealthCheck != nil {
		im.note("resources.%s: its health check is tandem's own for %s", name, kind)
	}
	for _, p := range svc.Ports {
		if p.Published != "" {
			im.note("resources.%s: port %s is no longer published on the host: tandem runs resources for the services that use them", name, p.Published)
		}
	}
	for _, v := range svc.Volumes {
		if v.Type == types.VolumeTypeVolume && v.Source != name+"-data" {
			im.note("resources.%s: its data lives in the volume %s-data now, not %s: copy the data over if you need it", name, name, v.Source)
		}
		if v.Type == types.VolumeTypeBind {
			im.keep(name, "volumes", "", v.Source+":"+v.Target)
			im.note("resources.%s: the bind mount %s:%s is kept under x-unmapped; tandem keeps a resource's data in a named volume", name, v.Source, v.Target)
		}
	}
	im.keepRest(name, svc, mapped)
}

func (im *importer) service(name string, svc types.ServiceConfig) error {
	s := &service{env: map[string]string{}}
	mapped := map[string]bool{"image": true, "entrypoint": true, "command": true, "environment": true, "env_file": true,
		"ports": true, "expose": true, "healthcheck": true, "depends_on": true, "profiles": true}
	switch {
	case svc.Build != nil:
		context := svc.Build.Context
		if filepath.IsAbs(context) && im.opts.CatalogueDir != "" {
			rel, err := filepath.Rel(im.opts.CatalogueDir, context)
			if err != nil {
				return err
			}
			context = rel
		}
		s.build = "./" + filepath.ToSlash(filepath.Clean(context))
		if strings.HasPrefix(filepath.ToSlash(filepath.Clean(context)), "../") || filepath.IsAbs(context) {
			im.note("services.%s.build: the context %s is outside the catalogue's folder, which tandem does not allow; move the catalogue up or the code in", name, context)
		}
		build := map[string]any{}
		if svc.Build.Dockerfile != "" && svc.Build.Dockerfile != "Dockerfile" {
			build["dockerfile"] = svc.Build.Dockerfile
		}
		if len(svc.Build.Args) > 0 {
			build["args"] = svc.Build.Args
		}
		if svc.Build.Target != "" {
			build["target"] = svc.Build.Target
		}
		if len(build) > 0 {
			im.keepValue(name, "build", build)
			im.note("services.%s.build: %s kept under x-unmapped; tandem builds the context's Dockerfile as it is", name, strings.Join(sortedKeys(build), ", "))
		}
		mapped["build"] = true
	default:
		s.image = svc.Image
	}
	if image, _ := splitTag(svc.Image); unsupportedImages[image] {
		im.note("services.%s: %s has no resource kind in tandem (%s), so it stays a service", name, image, strings.Join(catalogue.KindNames(), ", "))
	}
	s.command, s.args = []string(svc.Entrypoint), []string(svc.Command)

	for _, dep := range sortedKeys(svc.DependsOn) {
		s.uses = append(s.uses, dep)
	}
	if len(svc.Profiles) > 0 {
		im.note("services.%s: it was in profile %s; tandem up runs the services you name and what they use", name, strings.Join(svc.Profiles, ", "))
	}
	im.ports(name, s, svc)
	im.environment(name, s, svc)
	s.health = im.health(name, s, svc)
	if nets := svc.Networks; len(nets) > 0 && !(len(nets) == 1 && nets["default"] == nil) {
		im.keepValue(name, "networks", sortedKeys(nets))
		im.note("services.%s.networks: kept under x-unmapped; tandem derives networks from uses", name)
	}
	mapped["networks"] = true
	im.keepRest(name, svc, mapped)
	im.services[name] = s
	return nil
}

func (im *importer) ports(name string, s *service, svc types.ServiceConfig) {
	seen := map[int]bool{}
	add := func(target int, published string) {
		if seen[target] {
			return
		}
		seen[target] = true
		p := catalogue.Port{Name: "http", Port: target}
		if len(s.ports) > 0 {
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
		s.ports = append(s.ports, p)
	}
	for _, p := range svc.Ports {
		if p.Protocol != "" && p.Protocol != "tcp" {
			im.keep(name, "ports", "", fmt.Sprintf("%s:%d/%s", p.Published, p.Target, p.Protocol))
			im.note("services.%s.ports: %d/%s kept under x-unmapped; tandem's ports are TCP", name, p.Target, p.Protocol)
			continue
		}
		add(int(p.Target), p.Published)
	}
	for _, e := range svc.Expose {
		if n, err := strconv.Atoi(strings.TrimSuffix(e, "/tcp")); err == nil {
			add(n, "")
		}
	}
}

func (im *importer) environment(name string, s *service, svc types.ServiceConfig) {
	for _, key := range sortedKeys(svc.Environment) {
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
	if secretName.MatchString(key) && value != "" {
		return true
	}
	for _, r := range im.resources {
		if r.password != "" && strings.Contains(value, r.password) {
			return true
		}
	}
	return false
}

var httpCheck = regexp.MustCompile(`^(?:curl\s+(?:-[a-zA-Z]+\s+)*|wget\s+(?:-[a-zA-Z-]+\s+)*)(?:-O\s*-?\s+)?["']?https?://(?:localhost|127\.0\.0\.1)(?::(\d+))?(/[^\s"']*)?["']?(?:\s*\|\|\s*exit\s+1)?$`)

func (im *importer) health(name string, s *service, svc types.ServiceConfig) *catalogue.Health {
	hc := svc.HealthCheck
	if hc == nil || hc.Disable || len(hc.Test) == 0 || hc.Test[0] == "NONE" {
		return nil
	}
	h := &catalogue.Health{}
	if hc.StartPeriod != nil {
		h.StartupSeconds = int(time.Duration(*hc.StartPeriod).Seconds())
	}
	var command []string
	switch hc.Test[0] {
	case "CMD", "CMD-SHELL":
		// curl or wget against the service's own port is an HTTP check,
		// which tandem probes without either in the image.
		shell := strings.Join(hc.Test[1:], " ")
		if hc.Test[0] == "CMD" {
			command = hc.Test[1:]
		} else {
			command = []string{"sh", "-c", shell}
		}
		if m := httpCheck.FindStringSubmatch(strings.TrimSpace(shell)); m != nil {
			port := 80
			if m[1] != "" {
				port, _ = strconv.Atoi(m[1])
			}
			for _, p := range s.ports {
				if p.Port == port {
					h.HTTP, h.Port = "/", p.Name
					if m[2] != "" {
						h.HTTP = m[2]
					}
					if p.Name == s.ports[0].Name {
						h.Port = ""
					}
					return h
				}
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
	for _, top := range []struct {
		field string
		value any
	}{{"configs", im.project.Configs}, {"networks", networks}, {"secrets", im.project.Secrets}} {
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
		im.note("%s: %s kept under x-unmapped; a catalogue has no top-level %s", field, strings.Join(sortedKeys(m), ", "), field)
	}
}

// routes gives every public service but the first its own path, since
// outside dev all public ports share one host: /NAME.
func (im *importer) routes() {
	taken := false
	for _, name := range sortedKeys(im.services) {
		s := im.services[name]
		for i, p := range s.ports {
			if !p.Public {
				continue
			}
			if taken {
				s.ports[i].Path = "/" + name
				if i > 0 {
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
	for _, name := range sortedKeys(im.resources) {
		var users []string
		for _, s := range sortedKeys(im.services) {
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
	for _, sname := range sortedKeys(im.services) {
		s := im.services[sname]
		for _, key := range sortedKeys(s.env) {
			value := s.env[key]
			if provided := im.provided(s, key); provided != "" {
				delete(s.env, key)
				im.note("services.%s.environment.%s: tandem provides it from uses: %s (%s); the Compose value was %q", sname, key, provided, key, value)
				continue
			}
			if im.looksSecret(key, value) {
				delete(s.env, key)
				s.secrets = append(s.secrets, key)
				if other, ok := im.secrets[key]; ok && other != value {
					im.note("services.%s.environment.%s: another service sets this secret to another value; the dev env file keeps one, set them apart by name", sname, key)
					continue
				}
				im.secrets[key] = value
				im.note("services.%s.environment.%s: a secret; its value moved to the dev env file", sname, key)
			}
		}
	}
}

// provided names the resource a variable is a connection setting of,
// when the service uses it: tandem sets that variable itself.
func (im *importer) provided(s *service, key string) string {
	for _, used := range s.uses {
		r := im.resources[used]
		if r == nil {
			continue
		}
		kind, _ := catalogue.LookupKind(r.kind)
		for _, setting := range kind.Settings {
			if catalogue.SettingVar(used, setting) == key {
				return used
			}
		}
	}
	return ""
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
	if len(shared) == 0 {
		return
	}
	// A service joins the group only if it sets every variable of it to
	// the group's value, so that nobody receives a variable it did not
	// have; the others keep theirs in env.
	var members []string
	for _, name := range sortedKeys(im.services) {
		s := im.services[name]
		all := true
		for k, v := range shared {
			if got, ok := s.env[k]; !ok || got != v {
				all = false
			}
		}
		if all {
			members = append(members, name)
		}
	}
	if len(members) < 2 {
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
	im.note("config.%s: %s, set alike by several services, proposed as a config group", SharedGroup, strings.Join(sortedKeys(shared), ", "))
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
	for _, field := range sortedKeys(fields) {
		if mapped[field] || field == "name" || empty(fields[field]) {
			continue
		}
		if nets, ok := fields[field].(map[string]any); field == "networks" && ok && len(nets) == 1 && nets["default"] == nil {
			if _, isDefault := nets["default"]; isDefault {
				continue // Compose's own default network
			}
		}
		im.keepValue(name, field, fields[field])
		im.note("%s: Compose's %s kept under x-unmapped; tandem has no field for it", where, field)
	}
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

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

var notInLabel = regexp.MustCompile(`[^a-z0-9-]+`)

// label makes a project name a DNS-1123 label.
func label(s string) string {
	l := strings.Trim(notInLabel.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(l) > 63 {
		l = strings.Trim(l[:63], "-")
	}
	if l == "" {
		return "system"
	}
	return l
}
