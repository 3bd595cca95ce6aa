package catalogue

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestExpandFollowsKubernetes: the cases of Kubernetes' own expansion
// tests (third_party/forked/golang/expansion), which Compose must match.
func TestExpandFollowsKubernetes(t *testing.T) {
	t.Parallel()
	vars := map[string]string{"VAR_A": "A", "VAR_B": "B", "VAR_EMPTY": "", "VAR_REF": "$(VAR_A)"}
	lookup := func(name string) (string, bool) { v, ok := vars[name]; return v, ok }
	for in, want := range map[string]string{
		"$(VAR_A)":                 "A",
		"___$(VAR_B)___":           "___B___",
		"$(VAR_A)-$(VAR_A)":        "A-A",
		"$(VAR_EMPTY)":             "",
		"$(VAR_REF)":               "$(VAR_A)", // one level, as in Kubernetes
		"$(UNKNOWN)":               "$(UNKNOWN)",
		"$$(VAR_A)":                "$(VAR_A)",
		"$$$(VAR_A)":               "$A",
		"$$$$(VAR_A)":              "$$(VAR_A)",
		"$(VAR_A":                  "$(VAR_A",
		"$()":                      "$()",
		"$VAR_A":                   "$VAR_A",
		"$":                        "$",
		"f000-$$VAR_A":             "f000-$VAR_A",
		"$(VAR_A)$(VAR_B)$$":       "AB$",
		"${VAR_A}":                 "${VAR_A}",
		"http://$(VAR_A):$(VAR_B)": "http://A:B",
	} {
		if got := Expand(in, lookup, func(s string) string { return s }); got != want {
			t.Errorf("Expand(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestExpandQuotesOnlyTheLiteralParts(t *testing.T) {
	t.Parallel()
	quote := func(s string) string { return "[" + s + "]" }
	got := Expand("a$$b$(X)c$(Y)", func(name string) (string, bool) { return "x", name == "X" }, quote)
	if want := "[a$b]x[c][$(Y)]"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if diff := cmp.Diff([]string{"X", "Y"}, References("a$$(Z)$(X)c$(Y)$(")); diff != "" {
		t.Errorf("References (-want +got):\n%s", diff)
	}
}

func TestInReferenceOrderPutsReferencesAfterWhatTheyName(t *testing.T) {
	t.Parallel()
	vars := []EnvVar{
		{Name: "ADDR", Value: "$(HOST):$(PORT)"},
		{Name: "HOST", Value: "db"},
		{Name: "NOTE", Value: "$$(ADDR) stays"},
		{Name: "PORT", Value: "5432"},
		{Name: "URL", Value: "tcp://$(ADDR)"},
		{Name: "ZONE", Value: "$(UNKNOWN)"},
	}
	var got []string
	for _, v := range InReferenceOrder(vars) {
		got = append(got, v.Name)
	}
	if diff := cmp.Diff([]string{"HOST", "PORT", "ADDR", "NOTE", "URL", "ZONE"}, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}

// TestUsesFillAddressesPerEnvironment: Compose reaches a service on its
// container port, a cluster on its Service's port; a resource's address
// refers to its connection settings, which each environment fills in.
func TestUsesFillAddressesPerEnvironment(t *testing.T) {
	t.Parallel()
	c, err := Parse(nil, "tandem.yaml", []byte(`name: shop
environments: {prod: {image: {tag: "1"}}}
resources: {db: {kind: postgres}}
services:
  web:
    image: web:1
    uses:
      - {name: api, port: grpc, env: {API_ADDR: host:port, API_METRICS: "http://{host}:{port:metrics}/m", API_HOST: host, API_PORT: port, API_SCHEME: "{scheme}"}}
      - {name: db, env: {DB_ADDR: host:port, DSN: url}}
      - plain
  api:
    image: api:1
    ports: [{name: grpc, port: 9000, servicePort: 90}, {name: metrics, port: 9090, servicePort: 80}]
  plain:
    image: plain:1
    ports: [{name: web, port: 8080, servicePort: 80, protocol: https}]
`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]string{
		DevEnvironment: {"API_ADDR": "api:9000", "API_METRICS": "http://api:9090/m", "API_HOST": "api", "API_PORT": "9000", "API_SCHEME": "grpc",
			"DB_ADDR": "$(DB_HOST):$(DB_PORT)", "DSN": "$(DB_URL)", "PLAIN_URL": "https://plain:8080"},
		"prod": {"API_ADDR": "api:90", "API_METRICS": "http://api:80/m", "API_HOST": "api", "API_PORT": "90", "API_SCHEME": "grpc",
			"DB_ADDR": "$(DB_HOST):$(DB_PORT)", "DSN": "$(DB_URL)", "PLAIN_URL": "https://plain:80"},
	}
	for env, vars := range want {
		w := c.Resolve(env)[2] // web
		for name, value := range vars {
			if v, ok := w.Var(name); !ok || v.Value != value {
				t.Errorf("%s: %s = %q (set: %v), want %q", env, name, v.Value, ok, value)
			}
		}
		if _, ok := w.Var("API_URL"); ok {
			t.Errorf("%s: API_URL is set, though the use names its own variables", env)
		}
	}
}

// TestUseWithEmptyEnvSetsNothing: env: {} is an edge without a variable,
// for an app that finds the service by itself; no env keeps NAME_URL.
func TestUseWithEmptyEnvSetsNothing(t *testing.T) {
	t.Parallel()
	c, err := Parse(nil, "tandem.yaml", []byte(`name: shop
services:
  web: {image: web:1, uses: [{name: api, env: {}}, {name: other}]}
  api: {image: api:1, ports: [{name: http, port: 80}]}
  other: {image: other:1, ports: [{name: http, port: 81}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range c.Resolve(DevEnvironment)[2].Vars { // web
		names = append(names, v.Name)
	}
	if diff := cmp.Diff([]string{"OTHER_URL"}, names); diff != "" {
		t.Errorf("variables (-want +got):\n%s", diff)
	}
}

// TestOwnAddressIsHowOthersReachTheService: an app that registers itself
// gets the name and port others use, per environment.
func TestOwnAddressIsHowOthersReachTheService(t *testing.T) {
	t.Parallel()
	c, err := Parse(nil, "tandem.yaml", []byte(`name: shop
environments: {prod: {image: {tag: "1"}}}
services:
  auth:
    image: auth:1
    ports: [{name: http, port: 8080, servicePort: 80}]
    address: {HOST_NAME: host, SELF_URL: url}
`))
	if err != nil {
		t.Fatal(err)
	}
	for env, want := range map[string]string{DevEnvironment: "http://auth:8080", "prod": "http://auth:80"} {
		w := c.Resolve(env)[0]
		host, _ := w.Var("HOST_NAME")
		url, _ := w.Var("SELF_URL")
		if host.Value != "auth" || url.Value != want {
			t.Errorf("%s: HOST_NAME=%q SELF_URL=%q, want auth and %s", env, host.Value, url.Value, want)
		}
	}
}

// TestServicesThatNeverMeetMayShareNodePortsAndRoutes: node ports and
// routes are one per cluster, so two services in different environments
// may pin the same; within one environment they still clash.
func TestServicesThatNeverMeetMayShareNodePortsAndRoutes(t *testing.T) {
	t.Parallel()
	catalogue := func(secondEnv string) []byte {
		return []byte(`name: shop
environments: {staging: {image: {tag: "1"}}, prod: {image: {tag: "1"}}}
services:
  edge:
    image: edge:1
    environments: [staging]
    serviceType: NodePort
    ports: [{name: http, port: 8080, public: true, nodePort: 30080}]
  edge2:
    image: edge:2
    environments: [` + secondEnv + `]
    serviceType: NodePort
    ports: [{name: http, port: 8080, public: true, hostPort: 8081, nodePort: 30080}]
`)
	}
	if _, err := Parse(nil, "tandem.yaml", catalogue("prod")); err != nil {
		t.Errorf("services in different environments: %v", err)
	}
	_, err := Parse(nil, "tandem.yaml", catalogue("staging"))
	for _, want := range []string{"node port 30080 is already pinned by services.edge.ports[0].nodePort", "the route / is taken by services.edge.ports[0]"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("services in one environment: %v, want %q", err, want)
		}
	}
}
