// Package synth writes synthetic catalogues of any size for benchmarks and
// scale tests: a realistic mix of config groups, resources owned by
// services, shared resources, uses edges, overrides and secrets.
package synth

import (
	"fmt"
	"strings"

	"github.com/tandemdev/tandem/manifest"
)

// Catalogue returns the text of a valid catalogue with n services.
func Catalogue(n int) []byte {
	var b strings.Builder
	b.WriteString(`name: synth
environments:
  dev: {}
  staging: {replicas: 1, image: {registry: registry.example.com/synth, tag: 2.0.0-rc.1}}
  prod:
    namespace: synth
    replicas: 2
    image: {registry: registry.example.com/synth, tag: 1.9.0}
    config:
      observability: {LOG_LEVEL: warn}
config:
  observability: {LOG_FORMAT: json, LOG_LEVEL: info, OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel:4317"}
  http-server: {HTTP_READ_TIMEOUT: 5s, HTTP_WRITE_TIMEOUT: 10s}
  features: {FEATURE_FLAGS_URL: "http://flags:8080"}
resources:
  cache: {kind: redis}
  events: {kind: nats}
`)
	for i := 0; i < n; i += 3 {
		fmt.Fprintf(&b, "  svc-%d-db: {kind: postgres, owner: svc-%d}\n", i, i)
	}
	b.WriteString("services:\n")
	for i := range n {
		fmt.Fprintf(&b, "  svc-%d:\n    build: ./services/svc-%d\n    domain: domain-%d\n", i, i, i%12)
		if i%50 == 0 {
			fmt.Fprintf(&b, "    ports: [{name: http, port: 8080, public: true, hostPort: %d, path: /svc-%d}]\n", 10000+i, i)
		} else {
			b.WriteString("    ports: [{name: http, port: 8080}]\n")
		}
		b.WriteString("    config: [observability, http-server]\n")
		fmt.Fprintf(&b, "    env: {SERVICE_INDEX: \"%d\"}\n", i)
		if i%4 == 0 {
			b.WriteString("    secrets: [API_KEY]\n")
		}
		uses := []string{"cache"}
		if i%3 == 0 {
			uses = append(uses, fmt.Sprintf("svc-%d-db", i))
		}
		if i%5 == 0 {
			uses = append(uses, "events")
		}
		for _, d := range []int{i - 1, i - 7} {
			if d >= 0 {
				uses = append(uses, fmt.Sprintf("svc-%d", d))
			}
		}
		fmt.Fprintf(&b, "    uses: [%s]\n", strings.Join(uses, ", "))
		b.WriteString("    health: {http: /healthz}\n")
		if i%10 == 0 {
			fmt.Fprintf(&b, "    overrides:\n      prod: {replicas: 4, resources: {cpu: 500m, memory: 512Mi}, env: {POOL: \"big-%d\"}}\n", i)
		}
	}
	return []byte(b.String())
}

// PlatformPatches returns the platform team's patches for a catalogue of
// n services, as they would sit in its rendered tree: every 25th service
// pinned to a node pool in prod, two of them also given more memory by a
// second file, and one file patching two services and a config group.
func PlatformPatches(n int) manifest.Files {
	files := manifest.Files{}
	for i := 0; i < n; i += 25 {
		files[fmt.Sprintf("%s/pool-svc-%d.yaml", manifest.PlatformPatchesDir("prod"), i)] = []byte(fmt.Sprintf(
			"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc-%d\nspec:\n  template:\n    spec:\n      nodeSelector:\n        pool: pool-%d\n", i, i%3))
	}
	// One file for several services and a shared config group, as a
	// platform team writes a change that spans them.
	if n > 2 {
		files[manifest.PlatformPatchesDir("prod")+"/spread.yaml"] = []byte(
			"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc-1\nspec:\n  template:\n    spec:\n      priorityClassName: high\n" +
				"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: observability-config\ndata:\n  OTEL_TRACES_SAMPLER: parentbased_traceidratio\n" +
				"---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc-2\nspec:\n  template:\n    spec:\n      priorityClassName: high\n")
	}
	for i := 0; i < n && i < 100; i += 50 {
		files[fmt.Sprintf("%s/memory-svc-%d.yaml", manifest.PlatformPatchesDir("prod"), i)] = []byte(fmt.Sprintf(
			"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: svc-%d\nspec:\n  template:\n    spec:\n      containers:\n      - name: svc-%d\n        resources:\n          limits:\n            memory: 1Gi\n", i, i))
	}
	return files
}
