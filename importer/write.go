package importer

import (
	"bytes"
	"maps"
	"slices"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/tandemdev/tandem/catalogue"
)

// write encodes the catalogue, in the order people read one: name,
// environments, config, resources, services, then what was not mapped.
func (im *importer) write(name string) []byte {
	root := mapping(false)
	root.HeadComment = "Imported by tandem import. Review it: the report it printed lists\n" +
		"everything that changed on the way, and x-unmapped (ignored by tandem)\n" +
		"holds what has no place in a catalogue."
	add(root, "name", str(name))
	envs := mapping(false)
	add(envs, catalogue.DevEnvironment, mapping(true))
	for _, env := range clusterEnvironments {
		m := mapping(true)
		if im.builds() {
			image := mapping(true)
			add(image, "registry", str(placeholderRegistry+"/"+name))
			add(image, "tag", str(placeholderTag))
			add(m, "image", image)
		}
		add(envs, env, m)
	}
	add(root, "environments", envs)
	if len(im.shared) > 0 {
		config := mapping(false)
		add(config, SharedGroup, stringMap(im.shared, false))
		add(root, "config", config)
	}
	if len(im.resources) > 0 {
		resources := mapping(false)
		for _, rname := range slices.Sorted(maps.Keys(im.resources)) {
			r := im.resources[rname]
			m := mapping(true)
			add(m, "kind", str(r.kind))
			addIf(m, "version", r.version)
			addIf(m, "owner", r.owner)
			addIf(m, "database", r.database)
			addIf(m, "user", r.user)
			if len(r.args) > 0 {
				add(m, "args", list(r.args))
			}
			// staging runs what it can in the cluster; prod, and staging
			// for what tandem does not run, reach a managed service at a
			// host left for the team to fill in.
			endpoints := map[string]string{"prod": r.placeholderHost(rname)}
			if kind, _ := catalogue.LookupKind(r.kind); kind.NotInCluster == "" {
				add(m, "inCluster", list([]string{"staging"}))
			} else {
				endpoints["staging"] = r.placeholderHost(rname)
			}
			add(m, "endpoints", stringMap(endpoints, true))
			add(resources, rname, m)
		}
		add(root, "resources", resources)
	}
	services := mapping(false)
	for _, sname := range slices.Sorted(maps.Keys(im.services)) {
		add(services, sname, im.services[sname].node())
	}
	add(root, "services", services)
	if len(im.unmapped) > 0 || len(im.top) > 0 {
		unmapped := mapping(false)
		for _, field := range slices.Sorted(maps.Keys(im.top)) {
			var n yaml.Node
			if err := n.Encode(im.top[field]); err == nil {
				add(unmapped, field, &n)
			}
		}
		if len(im.unmapped) > 0 {
			byService := mapping(false)
			for _, sname := range slices.Sorted(maps.Keys(im.unmapped)) {
				var n yaml.Node
				if err := n.Encode(im.unmapped[sname]); err == nil {
					add(byService, sname, &n)
				}
			}
			add(unmapped, "services", byService)
		}
		unmapped.HeadComment = "What the Compose file had that tandem has no field for, kept to be\nmoved by hand (a volume, a restart policy, ...); tandem ignores x- keys."
		add(root, "x-unmapped", unmapped)
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(root); err != nil {
		panic(err) // nodes built here always encode
	}
	enc.Close()
	return buf.Bytes()
}

func (s *service) node() *yaml.Node {
	m := mapping(false)
	addIf(m, "image", s.image)
	addIf(m, "build", s.build)
	if s.oneShot {
		add(m, "oneShot", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
	}
	if s.onRequest {
		add(m, "onRequest", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
	}
	if len(s.environments) > 0 {
		add(m, "environments", list(s.environments))
	}
	if len(s.command) > 0 {
		add(m, "command", list(s.command))
	}
	if len(s.args) > 0 {
		add(m, "args", list(s.args))
	}
	if len(s.ports) > 0 {
		ports := seq(false)
		for _, p := range s.ports {
			pm := mapping(true)
			add(pm, "name", str(p.Name))
			add(pm, "port", num(p.Port))
			if p.Public {
				add(pm, "public", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
			}
			if p.HostPort != 0 {
				add(pm, "hostPort", num(p.HostPort))
			}
			addIf(pm, "hostIP", p.HostIP)
			addIf(pm, "protocol", p.Protocol)
			if len(p.Environments) > 0 {
				add(pm, "environments", list(p.Environments))
			}
			addIf(pm, "path", p.Path)
			ports.Content = append(ports.Content, pm)
		}
		add(m, "ports", ports)
	}
	if len(s.config) > 0 {
		add(m, "config", list(s.config))
	}
	if len(s.volumes) > 0 {
		volumes := seq(false)
		for _, v := range s.volumes {
			vm := mapping(true)
			add(vm, "path", str(v.Path))
			addIf(vm, "name", v.Name)
			addIf(vm, "persistent", v.Persistent)
			addIf(vm, "config", v.Config)
			if v.Scratch == "true" {
				add(vm, "scratch", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
			} else {
				addIf(vm, "scratch", v.Scratch)
			}
			addIf(vm, "source", v.Source)
			if len(v.Keep) > 0 {
				add(vm, "keep", list(v.Keep))
			}
			addIf(vm, "secret", v.Secret)
			volumes.Content = append(volumes.Content, vm)
		}
		add(m, "volumes", volumes)
	}
	if len(s.env) > 0 {
		add(m, "env", stringMap(s.env, false))
	}
	if len(s.secrets) > 0 {
		add(m, "secrets", list(s.secrets))
	}
	if len(s.uses) > 0 {
		add(m, "uses", list(s.uses))
	}
	if s.gracePeriod != nil {
		add(m, "terminationGracePeriodSeconds", num(*s.gracePeriod))
	}
	if len(s.labels) > 0 {
		labels := mapping(false)
		add(labels, "pod", stringMap(s.labels, false))
		add(m, "labels", labels)
	}
	if h := s.health; h != nil {
		hm := mapping(true)
		addIf(hm, "http", h.HTTP)
		if h.TCP {
			add(hm, "tcp", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
		}
		if h.GRPC {
			add(hm, "grpc", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: "true"})
		}
		addIf(hm, "grpcService", h.GRPCService)
		addIf(hm, "port", h.Port)
		if len(h.Command) > 0 {
			add(hm, "command", list(h.Command))
		}
		for _, timing := range []struct {
			key   string
			value *int
		}{{"intervalSeconds", h.IntervalSeconds}, {"timeoutSeconds", h.TimeoutSeconds}, {"failureThreshold", h.FailureThreshold}} {
			if timing.value != nil {
				add(hm, timing.key, num(*timing.value))
			}
		}
		if h.StartupSeconds > 0 {
			add(hm, "startupSeconds", num(h.StartupSeconds))
		}
		add(m, "health", hm)
	}
	return m
}

func mapping(flow bool) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	if flow {
		n.Style = yaml.FlowStyle
	}
	return n
}

func seq(flow bool) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	if flow {
		n.Style = yaml.FlowStyle
	}
	return n
}

// str is a string scalar; the encoder quotes it where YAML would read it
// as something else (a number, true, null).
func str(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }

func num(n int) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(n)}
}

func list(values []string) *yaml.Node {
	n := seq(true)
	for _, v := range values {
		n.Content = append(n.Content, str(v))
	}
	return n
}

func stringMap(values map[string]string, flow bool) *yaml.Node {
	m := mapping(flow)
	for _, k := range slices.Sorted(maps.Keys(values)) {
		add(m, k, str(values[k]))
	}
	return m
}

func add(m *yaml.Node, key string, value *yaml.Node) {
	m.Content = append(m.Content, str(key), value)
}

func addIf(m *yaml.Node, key, value string) {
	if value != "" {
		add(m, key, str(value))
	}
}

// The environments import adds beside dev, so that tandem build works at
// once: staging runs the resources in the cluster, prod expects them
// managed.
var clusterEnvironments = []string{"staging", "prod"}

// Placeholders that cannot be mistaken for real values and resolve
// nowhere: example.com is reserved for examples, .invalid never resolves.
const (
	placeholderRegistry = "registry.example.com"
	placeholderTag      = "0.1.0"
	placeholderDomain   = "replace-me.invalid"
)

func (r *resource) placeholderHost(name string) string { return name + "." + placeholderDomain }

// builds tells whether any service is built from source, whose images
// then need a registry in the clusters.
func (im *importer) builds() bool {
	for _, s := range im.services {
		if s.build != "" {
			return true
		}
	}
	return false
}
