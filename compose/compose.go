// Package compose renders the dev environment of a catalogue as one
// Compose file (Render): every service and every backing resource as a
// container, dependencies as depends_on, connection settings as
// environment variables, and dev secrets interpolated from the git-ignored
// env file, never written into the Compose file.
package compose

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/schema"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/devstate"
	"github.com/tandemdev/tandem/internal/safe"
	"github.com/tandemdev/tandem/manifest"
)

// probeTarget is where containers see the probe, mounted read-only.
const probeTarget = "/tandem/probe"

// Options are what the Compose renderer needs to know beyond the catalogue.
type Options struct {
	// ProjectDir is the catalogue's folder relative to the folder the
	// Compose file is written to, so build contexts resolve from there.
	ProjectDir string
}

// Render returns the Compose file of the dev environment, checked as
// compose-go's loader checks one: against the Compose Specification's
// schema, and for references to undefined services and volumes.
func Render(c *catalogue.Catalogue, opts Options) ([]byte, error) {
	project := devProject(c, opts)
	data, err := marshal(project)
	if err != nil {
		return nil, fmt.Errorf("encoding the compose file: %w", err)
	}
	if err := checkReferences(project); err != nil {
		return nil, fmt.Errorf("the rendered compose file does not load: %w", err)
	}
	return manifest.WithHeader(data), nil
}

// devProject is the dev environment as a Compose project.
func devProject(c *catalogue.Catalogue, opts Options) *types.Project {
	project := &types.Project{Services: types.Services{}, Volumes: types.Volumes{}}
	onRequest := c.ResourcesOnRequest()
	for _, name := range c.ResourceNames() {
		svc, volume := resourceService(name, c.Resources[name])
		if owner := c.Resources[name].Owner; owner != "" {
			// The resource is on its own network, which only its owner
			// joins: no other container can even resolve its name.
			svc.Networks = map[string]*types.ServiceNetworkConfig{name: nil}
			if project.Networks == nil {
				project.Networks = types.Networks{}
			}
			project.Networks[name] = types.NetworkConfig{}
		}
		if onRequest[name] {
			// As tandem up leaves it alone unless a tool it serves starts.
			svc.Profiles = []string{OnRequestProfile}
		}
		project.Services[name] = svc
		project.Volumes[volume] = types.VolumeConfig{}
	}
	for _, w := range c.Resolve(catalogue.DevEnvironment) {
		svc := appService(c, w, opts)
		for _, name := range w.Service.JobNames() {
			job := jobService(c, w, svc, name)
			if w.Service.Jobs[name].Before == catalogue.JobBeforeStart {
				if svc.DependsOn == nil {
					svc.DependsOn = types.DependsOnConfig{}
				}
				svc.DependsOn[job.Name] = types.ServiceDependency{Condition: types.ServiceConditionCompletedSuccessfully, Required: true}
			}
			project.Services[job.Name] = job
		}
		project.Services[w.Name] = svc
		for _, v := range w.Service.Volumes {
			if v.Kind() == catalogue.VolumePersistent {
				project.Volumes[catalogue.VolumeObjectName(w.Name, v)] = types.VolumeConfig{}
			}
		}
	}
	return project
}

// devVolumes are a service's volumes as dev mounts them: persistent data
// in a named volume, config files and source folders from the
// repository (config read-only), scratch space in memory.
func devVolumes(service string, volumes []catalogue.Volume, projectDir string) []types.ServiceVolumeConfig {
	var out []types.ServiceVolumeConfig
	for _, v := range volumes {
		switch v.Kind() {
		case catalogue.VolumePersistent:
			out = append(out, types.ServiceVolumeConfig{Type: types.VolumeTypeVolume, Source: catalogue.VolumeObjectName(service, v), Target: v.Path})
		case catalogue.VolumeConfig:
			out = append(out, types.ServiceVolumeConfig{Type: types.VolumeTypeBind, Source: hostPath(projectDir, v.Config), Target: v.Path, ReadOnly: true})
		case catalogue.VolumeSource:
			out = append(out, types.ServiceVolumeConfig{Type: types.VolumeTypeBind, Source: hostPath(projectDir, v.Source), Target: v.Path})
			// An anonymous volume over the bind mount, which Docker
			// fills with the image's files at that path.
			for _, kept := range v.Keep {
				out = append(out, types.ServiceVolumeConfig{Type: types.VolumeTypeVolume, Target: path.Join(v.Path, kept)})
			}
		case catalogue.VolumeSecret:
			out = append(out, types.ServiceVolumeConfig{Type: types.VolumeTypeBind, Source: hostPath(projectDir, devstate.SecretFile(v.Secret)), Target: v.Path, ReadOnly: true})
		case catalogue.VolumeScratch:
			tmpfs := types.ServiceVolumeConfig{Type: types.VolumeTypeTmpfs, Target: v.Path}
			if limit := v.ScratchLimit(); limit != "" {
				q := resource.MustParse(limit)
				tmpfs.Tmpfs = &types.ServiceVolumeTmpfs{Size: types.UnitBytes(q.Value())}
			}
			out = append(out, tmpfs)
		}
	}
	return out
}

// DevSecrets lists the variables the dev env file must define: every
// service secret and every resource password, sorted.
func DevSecrets(c *catalogue.Catalogue) []string {
	seen := map[string]bool{}
	for _, name := range c.ResourceNames() {
		if c.Resources[name].KindInfo().Has(catalogue.SettingPassword) {
			seen[catalogue.SettingVar(name, catalogue.SettingPassword)] = true
		}
	}
	for _, name := range c.ServicesIn(catalogue.DevEnvironment) {
		for _, secret := range c.Services[name].Secrets {
			seen[secret] = true
		}
	}
	out := make([]string, 0, len(seen))
	for name := range seen {
		out = append(out, name)
	}
	sort.Strings(out)
	return out
}

// SecretFiles lists the dev secrets that dev's containers mount as files,
// which devstate writes from the dev env file, sorted.
func SecretFiles(c *catalogue.Catalogue) []string {
	seen := map[string]bool{}
	for _, name := range c.ServicesIn(catalogue.DevEnvironment) {
		for _, v := range c.Services[name].Volumes {
			if v.Kind() == catalogue.VolumeSecret {
				seen[v.Secret] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// secretRef interpolates a dev secret; Compose stops with this message when
// the env file lacks it.
func secretRef(name string) string {
	return fmt.Sprintf("${%s:?%s is not set; tandem render adds it to %s}", name, name, devstate.EnvFile)
}

// escape protects a literal value from Compose interpolation, so that the
// container sees what Kubernetes would give it: a $ in a command reaches
// the container's shell instead of being filled in from the host.
func escape(value string) string { return strings.ReplaceAll(value, "$", "$$") }

// hostPath is a path of the host, relative to the catalogue's folder, as
// the Compose file gives it: below projectDir, and escaped, since Compose
// interpolates every value. Unescaped, a catalogue folder whose path holds
// a $ would break every build and mount, and a build context written as
// "${D:-..}/x" would be resolved by Compose outside the project (issue 19).
func hostPath(projectDir, rel string) string { return escape(path.Join(projectDir, rel)) }

func escapeAll(values []string) []string {
	if values == nil {
		return nil
	}
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = escape(v)
	}
	return out
}

// expandAll is values as the Compose file gives them: $(NAME) filled in
// with NAME's Compose value, the rest escaped, as for variables.
func expandAll(values []string, vars map[string]string) []string {
	if values == nil {
		return nil
	}
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = catalogue.Expand(v, func(name string) (string, bool) {
			value, ok := vars[name]
			return value, ok
		}, escape)
	}
	return out
}

func appService(c *catalogue.Catalogue, w *catalogue.Workload, opts Options) types.ServiceConfig {
	s := w.Service
	svc := types.ServiceConfig{Name: w.Name}
	values := devValues(c, w)
	// Kubernetes fills in $(NAME) in a command and its arguments too.
	svc.Entrypoint = expandAll(w.Command, values)
	svc.Command = expandAll(w.Args, values)
	svc.Environment = types.MappingWithEquals{}
	if s.Build != "" {
		svc.Build = &types.BuildConfig{Context: hostPath(opts.ProjectDir, s.Build)}
	} else {
		svc.Image = w.Image
	}
	for name, value := range values {
		svc.Environment[name] = &value
	}
	if g := w.TerminationGracePeriodSeconds; g != nil {
		svc.StopGracePeriod = seconds(*g)
	}
	// A pod's labels are what a container's are in dev; annotations have
	// no counterpart in Compose.
	if s.Labels != nil && len(s.Labels.Pod) > 0 {
		svc.Labels = maps.Clone(types.Labels(s.Labels.Pod))
	}
	for _, p := range w.Ports {
		if p.Public {
			protocol := "tcp"
			if p.UDP() {
				protocol = "udp"
			}
			svc.Ports = append(svc.Ports, types.ServicePortConfig{
				Target: uint32(p.Port), Published: strconv.Itoa(p.PublishedPort()), HostIP: p.HostIP, Protocol: protocol, Mode: "ingress",
			})
		}
	}
	if s.Health != nil {
		svc.HealthCheck = appHealthCheck(s)
		if usesProbe(s.Health) {
			svc.Volumes = append(svc.Volumes, types.ServiceVolumeConfig{
				Type: types.VolumeTypeBind, Source: hostPath(opts.ProjectDir, devstate.ProbeFile), Target: probeTarget, ReadOnly: true,
			})
		}
	}
	svc.Volumes = append(svc.Volumes, devVolumes(w.Name, s.Volumes, opts.ProjectDir)...)
	if s.OneShot {
		// It runs once, like a job; restarting it would run it again.
		svc.Restart = "no"
	}
	if s.OnRequest {
		// docker compose up without names leaves it alone, as tandem
		// up does; naming it starts it.
		svc.Profiles = []string{OnRequestProfile}
	}
	for _, used := range c.UsedIn(s, catalogue.DevEnvironment) {
		if svc.DependsOn == nil {
			svc.DependsOn = types.DependsOnConfig{}
		}
		condition := types.ServiceConditionStarted
		switch {
		case c.Services[used] != nil && c.Services[used].OneShot:
			condition = types.ServiceConditionCompletedSuccessfully
		case hasHealthCheck(c, used):
			condition = types.ServiceConditionHealthy
		}
		svc.DependsOn[used] = types.ServiceDependency{Condition: condition, Required: true}
		if r := c.Resources[used]; r != nil && r.Owner == w.Name {
			if svc.Networks == nil {
				// Naming a network drops the implicit default one.
				svc.Networks = map[string]*types.ServiceNetworkConfig{"default": nil}
			}
			svc.Networks[used] = nil
		}
	}
	return svc
}

// jobService runs one of a service's jobs once, as the service would run
// it: same image or build, settings and networks, without ports or health
// check. It waits for the resources the service uses, not for its services:
// a migration needs its database, and a service that itself waits for the
// job must not make it wait for the services' start-up as well. A scheduled
// job has no scheduler in dev; it is in the "jobs" profile, so `docker
// compose run` starts it on demand and `up` leaves it alone.
func jobService(c *catalogue.Catalogue, w *catalogue.Workload, svc types.ServiceConfig, name string) types.ServiceConfig {
	j := w.Service.Jobs[name]
	job := types.ServiceConfig{Name: catalogue.JobName(w.Name, name)}
	if svc.Build != nil {
		build := *svc.Build
		job.Build = &build
	}
	job.Image = svc.Image
	// The job runs the service's command unless it names its own; dev's
	// command is the service container's alone (see objects.Job).
	vars := map[string]string{}
	for name, value := range svc.Environment {
		vars[name] = *value
	}
	job.Entrypoint, job.Command = expandAll(w.Service.Command, vars), expandAll(j.Args, vars)
	if len(j.Command) > 0 {
		job.Entrypoint = expandAll(j.Command, vars)
	}
	job.Environment = maps.Clone(svc.Environment)
	// The service's files and scratch space, and the image's files kept
	// below a source folder, but not its persistent data, which its pod in
	// a cluster alone may attach; nor the health probe.
	for _, v := range svc.Volumes {
		if (v.Type != types.VolumeTypeVolume || v.Source == "") && v.Target != probeTarget {
			job.Volumes = append(job.Volumes, v)
		}
	}
	for _, used := range c.UsedResources(w.Service) {
		if job.DependsOn == nil {
			job.DependsOn = types.DependsOnConfig{}
		}
		job.DependsOn[used] = svc.DependsOn[used]
	}
	job.Networks = maps.Clone(svc.Networks)
	// Like the job's pod in a cluster, it stops and is labelled as the
	// service's.
	job.StopGracePeriod = svc.StopGracePeriod
	job.Labels = maps.Clone(svc.Labels)
	job.Restart = "no"
	switch {
	case j.Schedule != "":
		job.Profiles = []string{JobsProfile}
	case w.Service.OnRequest:
		job.Profiles = []string{OnRequestProfile}
	}
	return job
}

// OnRequestProfile holds the Compose services that start only when named,
// with the jobs they wait for.
const OnRequestProfile = "on-request"

// JobsProfile holds the Compose services of scheduled jobs.
const JobsProfile = "jobs"

// hasHealthCheck tells whether the Compose service named name reports
// health: every backing resource does, and every service with a health
// declaration.
func hasHealthCheck(c *catalogue.Catalogue, name string) bool {
	if _, ok := c.Resources[name]; ok {
		return true
	}
	s := c.Services[name]
	return s != nil && s.Health != nil && s.Health.Kind() != ""
}

// NeedsProbe tells whether the Compose file mounts tandem's health probe.
func NeedsProbe(c *catalogue.Catalogue) bool {
	for _, s := range c.Services {
		if s.In(catalogue.DevEnvironment) && s.Health != nil && usesProbe(s.Health) {
			return true
		}
	}
	return false
}

// devValues are the workload's variables as the Compose file gives them.
// A $(NAME) reference is filled in here, since Compose would not: with
// NAME's own Compose value, which may interpolate a dev secret, so that the
// container sees what Kubernetes would give it. Config group values reach
// pods through envFrom, which Kubernetes never expands, so neither does
// this (validation rejects references there).
func devValues(c *catalogue.Catalogue, w *catalogue.Workload) map[string]string {
	out := make(map[string]string, len(w.Vars))
	var value func(v catalogue.EnvVar) string
	value = func(v catalogue.EnvVar) string {
		if done, ok := out[v.Name]; ok {
			return done
		}
		out[v.Name] = devValue(c, v) // stands in, should validation have missed a cycle
		if !v.Secret && v.Resource == "" && v.Origin.Level != catalogue.LevelConfigGroup {
			out[v.Name] = catalogue.Expand(v.Value, func(name string) (string, bool) {
				ref, ok := w.Var(name)
				if !ok {
					return "", false
				}
				return value(ref), true
			}, escape)
		}
		return out[v.Name]
	}
	for _, v := range w.Vars {
		value(v)
	}
	return out
}

// usesProbe tells whether a check runs tandem's probe: every kind but a
// command, which the image brings.
func usesProbe(h *catalogue.Health) bool {
	return h.Kind() != "" && h.Kind() != catalogue.HealthCommand
}

// appHealthCheck is a service's one Compose healthcheck: its readiness
// check (Compose has no liveness; it only reports health), with the
// check's timing where set. http, tcp and grpc checks run tandem's probe
// inside the container's network namespace, where the service answers on
// its own port, whatever is published on the host.
func appHealthCheck(s *catalogue.Service) *types.HealthCheckConfig {
	h := s.Health
	var probe []string
	if h.TimeoutSeconds != nil {
		// The probe's own deadline, so that it, not Docker, says why.
		probe = append(probe, "-timeout", fmt.Sprintf("%ds", *h.TimeoutSeconds))
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(s.HealthPort().Port))
	var test []string
	switch h.Kind() {
	case catalogue.HealthHTTP:
		for _, name := range slices.Sorted(maps.Keys(h.Headers)) {
			probe = append(probe, "-header", name+": "+h.Headers[name])
		}
		test = append([]string{"CMD", probeTarget}, append(probe, "http://"+addr+h.HTTP)...)
	case catalogue.HealthTCP:
		test = append([]string{"CMD", probeTarget}, append(probe, "tcp", addr)...)
	case catalogue.HealthGRPC:
		probe = append(probe, "grpc", addr)
		if h.GRPCService != "" {
			probe = append(probe, h.GRPCService)
		}
		test = append([]string{"CMD", probeTarget}, probe...)
	default:
		test = append([]string{"CMD"}, h.Command...)
	}
	check := healthCheck(escapeAll(test))
	if h.IntervalSeconds != nil {
		check.Interval = seconds(*h.IntervalSeconds)
	}
	if h.TimeoutSeconds != nil {
		check.Timeout = seconds(*h.TimeoutSeconds)
	}
	if h.FailureThreshold != nil {
		retries := uint64(*h.FailureThreshold)
		check.Retries = &retries
	}
	startPeriod(check, h)
	return check
}

// devValue is a variable's value in the Compose file. Connection settings
// point at the resource's container; passwords and secrets are interpolated
// from the dev env file.
func devValue(c *catalogue.Catalogue, v catalogue.EnvVar) string {
	switch {
	case v.Secret:
		return secretRef(v.Name)
	case v.Resource != "" && v.Setting == catalogue.SettingPassword:
		return secretRef(catalogue.SettingVar(v.Resource, v.Setting))
	case v.Resource != "":
		// Inside a URL a plain reference reads better; the service's own
		// password variable already stops Compose when the value is missing.
		return ConnectionValue(c, v.Resource, v.Setting, "${"+catalogue.SettingVar(v.Resource, catalogue.SettingPassword)+"}")
	default:
		return escape(v.Value)
	}
}

// ConnectionValue is the value of a resource's connection setting in dev,
// where password stands for the resource's password.
func ConnectionValue(c *catalogue.Catalogue, name string, setting catalogue.Setting, password string) string {
	r := c.Resources[name]
	kind := r.KindInfo()
	switch setting {
	case catalogue.SettingHost:
		return name
	case catalogue.SettingPort:
		return strconv.Itoa(kind.Port)
	case catalogue.SettingDatabase:
		return r.DatabaseName(name)
	case catalogue.SettingUser:
		return r.UserName(name)
	case catalogue.SettingPassword:
		return password
	}
	hostPort := fmt.Sprintf("%s:%d", name, kind.Port)
	if setting == catalogue.SettingBrokers {
		return hostPort
	}
	switch kind.Name {
	case "postgres":
		return fmt.Sprintf("postgres://%s:%s@%s/%s?sslmode=disable", r.UserName(name), password, hostPort, r.DatabaseName(name))
	case "mysql", "mariadb":
		return fmt.Sprintf("mysql://%s:%s@%s/%s", r.UserName(name), password, hostPort, r.DatabaseName(name))
	case "mongo":
		return fmt.Sprintf("mongodb://%s:%s@%s/", r.UserName(name), password, hostPort)
	case "rabbitmq":
		return fmt.Sprintf("amqp://%s:%s@%s/", r.UserName(name), password, hostPort)
	case "redis":
		return fmt.Sprintf("redis://%s/0", hostPort)
	}
	return fmt.Sprintf("%s://%s", kind.URLScheme, hostPort)
}

// resourceService runs a backing resource from its official image with a
// named volume for its data and a health check that depends_on waits for.
func resourceService(name string, r *catalogue.Resource) (types.ServiceConfig, string) {
	kind := r.KindInfo()
	volume := catalogue.ResourceVolumeName(name)
	env := r.ServerEnv(name)
	setup := map[catalogue.Setting]string{
		catalogue.SettingDatabase: r.DatabaseName(name),
		catalogue.SettingUser:     r.UserName(name),
		catalogue.SettingPassword: secretRef(catalogue.SettingVar(name, catalogue.SettingPassword)),
	}
	for setting, variable := range r.SetupEnv() {
		env[variable] = setup[setting]
	}
	var test []string
	switch kind.Name {
	case "postgres":
		test = []string{"CMD", "pg_isready", "-U", r.UserName(name), "-d", r.DatabaseName(name)}
	case "mysql":
		test = []string{"CMD-SHELL", `mysqladmin ping -h 127.0.0.1 -u "$$MYSQL_USER" --password="$$MYSQL_PASSWORD" --silent`}
		if r.Root() {
			test = []string{"CMD-SHELL", `mysqladmin ping -h 127.0.0.1 -u root --password="$$MYSQL_ROOT_PASSWORD" --silent`}
		}
	case "redis":
		test = []string{"CMD", "redis-cli", "ping"}
	case "nats":
		test = []string{"CMD-SHELL", fmt.Sprintf("wget -q --spider http://127.0.0.1:%d/healthz || exit 1", catalogue.NATSMonitorPort)}
	case "rabbitmq", "mongo":
		test = append([]string{"CMD"}, r.ReadinessCommand()...)
	case "mariadb":
		test = []string{"CMD", "healthcheck.sh", "--connect", "--innodb_initialized"}
	case "kafka":
		test = []string{"CMD", "/opt/kafka/bin/kafka-broker-api-versions.sh", "--bootstrap-server", fmt.Sprintf("localhost:%d", kind.Port)}
	}
	svc := types.ServiceConfig{Name: name}
	svc.Image = kind.Image + ":" + r.Tag()
	svc.Command = escapeAll(r.ServerArgs())
	svc.Environment = types.MappingWithEquals{}
	svc.HealthCheck = healthCheck(test)
	if kind.Name == "kafka" {
		// Its check starts a JVM: not every two seconds, and give it time.
		interval, timeout, retries := types.Duration(5*time.Second), types.Duration(20*time.Second), uint64(24)
		svc.HealthCheck.Interval, svc.HealthCheck.Timeout, svc.HealthCheck.Retries = &interval, &timeout, &retries
	}
	svc.Volumes = []types.ServiceVolumeConfig{{Type: types.VolumeTypeVolume, Source: volume, Target: kind.DataDir}}
	for k, v := range env {
		svc.Environment[k] = &v
	}
	return svc, volume
}

func healthCheck(test []string) *types.HealthCheckConfig {
	interval := types.Duration(2 * time.Second)
	timeout := types.Duration(5 * time.Second)
	retries := uint64(30)
	return &types.HealthCheckConfig{Test: test, Interval: &interval, Timeout: &timeout, Retries: &retries}
}

// startPeriod gives a slow starter its start-up time, during which failed
// checks do not count, as the startup probe does in Kubernetes.
func startPeriod(check *types.HealthCheckConfig, h *catalogue.Health) {
	if h.StartupSeconds > 0 {
		check.StartPeriod = seconds(h.StartupSeconds)
	}
}

// seconds is a catalogue's count of seconds as a Compose duration.
func seconds[N int | int64](n N) *types.Duration {
	d := types.Duration(time.Duration(n) * time.Second)
	return &d
}

// marshal encodes the project for both Compose implementations users have:
// the Compose Specification as docker compose v2 reads it, without the two
// fields docker-compose v1.29 rejects (the top-level name, which `tandem up`
// passes as the project name instead, and depends_on's required, whose
// default is the value tandem would write).
func marshal(p *types.Project) ([]byte, error) {
	// Encoding is most of a render's time for many services, and in one
	// piece it would run on one core: each service is encoded alone, on
	// every core, under the same two keys as in the whole file so that
	// the emitter indents its lines as it would there.
	shell := *p
	shell.Services = types.Services{}
	var doc yaml.Node
	if err := doc.Encode(&shell); err != nil {
		return nil, err
	}
	deleteKey(&doc, "name")
	names, err := encoderOrder(p.ServiceNames())
	if err != nil {
		return nil, err
	}
	fragments := make([][]byte, len(names))
	errs := make([]error, len(names))
	err = safe.Each(len(names), func(i int) {
		fragments[i], errs[i] = serviceFragment(names[i], p.Services[names[i]])
	})
	if err != nil {
		return nil, err // a panic
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	rest, err := encodeNode(&doc)
	if err != nil {
		return nil, err
	}
	if err := checkSchema(rest); err != nil {
		return nil, err
	}
	empty := []byte("services: {}\n")
	if len(names) == 0 {
		return rest, nil
	}
	if !bytes.HasPrefix(rest, empty) {
		return nil, fmt.Errorf("services are not the Compose file's first key")
	}
	out := []byte("services:\n")
	for _, f := range fragments {
		out = append(out, f...)
	}
	return append(out, rest[len(empty):]...), nil
}

// encoderOrder sorts keys as the YAML encoder sorts a map's keys, which
// puts svc-9 before svc-10.
func encoderOrder(keys []string) ([]string, error) {
	set := make(map[string]bool, len(keys))
	for _, k := range keys {
		set[k] = true
	}
	var node yaml.Node
	if err := node.Encode(set); err != nil {
		return nil, err
	}
	sorted := make([]string, 0, len(keys))
	for i := 0; i < len(node.Content); i += 2 {
		sorted = append(sorted, node.Content[i].Value)
	}
	return sorted, nil
}

// serviceFragment encodes one service as the lines it takes in the
// file's services mapping, checked against the Compose Specification's
// JSON schema (see checkSchema).
func serviceFragment(name string, svc types.ServiceConfig) ([]byte, error) {
	// Encoded as a map, as in the whole project, so that the encoder
	// quotes names YAML 1.1 reads as booleans ("on", "yes").
	var services yaml.Node
	if err := services.Encode(types.Services{name: svc}); err != nil {
		return nil, err
	}
	// Compose v1 rejects depends_on's required, which compose-go adds.
	if deps := lookup(services.Content[1], "depends_on"); deps != nil {
		for j := 1; j < len(deps.Content); j += 2 {
			deleteKey(deps.Content[j], "required")
		}
	}
	shortPortsWithHostIP(services.Content[1])
	root := &yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: "services"}, &services}}
	// The schema sees what the text will say: the encoder quotes what
	// would read back as another type.
	var dict map[string]any
	if err := root.Decode(&dict); err != nil {
		return nil, err
	}
	if err := schema.Validate(dict); err != nil {
		return nil, err
	}
	out, err := encodeNode(root)
	if err != nil {
		return nil, err
	}
	fragment, ok := bytes.CutPrefix(out, []byte("services:\n"))
	if !ok {
		return nil, fmt.Errorf("encoding service %s: unexpected %q", name, out)
	}
	return fragment, nil
}

// shortPortsWithHostIP writes a port published on one host address in
// the short syntax, HOST_IP:PUBLISHED:TARGET/PROTOCOL: docker-compose
// v1.29 rejects host_ip in the long one, and both read the short one.
func shortPortsWithHostIP(service *yaml.Node) {
	ports := lookup(service, "ports")
	if ports == nil {
		return
	}
	for i, port := range ports.Content {
		hostIP := lookup(port, "host_ip")
		if hostIP == nil {
			continue
		}
		host := hostIP.Value
		if strings.Contains(host, ":") {
			host = "[" + host + "]"
		}
		short := fmt.Sprintf("%s:%s:%s/%s", host, lookup(port, "published").Value, lookup(port, "target").Value, lookup(port, "protocol").Value)
		ports.Content[i] = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: short, Style: yaml.DoubleQuotedStyle}
	}
}

func encodeNode(n *yaml.Node) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, err
	}
	return buf.Bytes(), enc.Close()
}

func lookup(m *yaml.Node, key string) *yaml.Node {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func deleteKey(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = append(m.Content[:i], m.Content[i+2:]...)
			return
		}
	}
}

// checkSchema validates a Compose file, or a piece of one, against the
// Compose Specification's JSON schema, as compose-go's loader does; the
// schema relates no part of a file to another (checkReferences does).
// The whole loader (LoadStrict) runs in tests on every file they render:
// at run time it took three quarters of a render.
func checkSchema(data []byte) error {
	var dict map[string]any
	if err := yaml.Unmarshal(data, &dict); err != nil {
		return err
	}
	return schema.Validate(dict)
}

// LoadStrict loads a rendered Compose file with compose-go's whole loader,
// as docker compose would, and checks its references. Interpolation is
// skipped: the dev secrets it refers to live only on developers' machines.
//
// compose-go's consistency check searches for depends_on cycles along every
// path, which takes exponential time on a deep graph (100 services that
// each wait on two earlier ones did not finish in minutes); the catalogue
// has already ruled cycles out in linear time, so that check is skipped
// and the references it also covers are checked here.
func LoadStrict(projectName string, data []byte) (*types.Project, error) {
	project, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  "/",
		ConfigFiles: []types.ConfigFile{{Filename: manifest.ComposeFile, Content: data}},
		Environment: types.Mapping{},
	}, func(o *loader.Options) {
		o.SkipInterpolation = true
		o.SkipResolveEnvironment = true
		o.SkipConsistencyCheck = true
		// The default cap of 100,000 nodes rejects a few thousand services;
		// a file has fewer nodes than bytes, so this bound only stops runaways.
		o.MaxNodeVisits = max(100_000, len(data))
		o.SetProjectName(projectName, true)
		// Every service, also those of a profile (on request, scheduled
		// jobs), is checked.
		o.Profiles = []string{"*"}
	})
	if err != nil {
		return nil, err
	}
	return project, checkReferences(project)
}

// checkReferences finds depends_on entries and named volumes that name
// nothing the project defines.
func checkReferences(p *types.Project) error {
	for _, name := range p.ServiceNames() {
		svc := p.Services[name]
		for dep := range svc.DependsOn {
			if _, ok := p.Services[dep]; !ok {
				return fmt.Errorf("service %q depends on undefined service %q", name, dep)
			}
		}
		for _, v := range svc.Volumes {
			// An anonymous volume has no source to define.
			if _, ok := p.Volumes[v.Source]; v.Type == types.VolumeTypeVolume && v.Source != "" && !ok {
				return fmt.Errorf("service %q refers to undefined volume %s", name, v.Source)
			}
		}
	}
	return nil
}
