package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandemdev/tandem/compose/runner"
)

// healthCatalogue runs testdata/healthd, a static binary in a FROM
// scratch image, three ways: a gRPC health server asked about the service
// it serves, the same asked about one it does not know, and a bare TCP
// listener. Nothing in the image can check its health; tandem's probe
// has to.
const healthCatalogue = `name: health
services:
  greeter:
    build: ./healthd
    args: [-grpc, ":9090", -serving, e2e.Greeter]
    ports: [{name: grpc, port: 9090}]
    health: {grpc: true, grpcService: e2e.Greeter, intervalSeconds: 1}
  relay:
    build: ./healthd
    args: [-tcp, ":7000"]
    ports: [{name: relay, port: 7000}]
    health: {tcp: true, intervalSeconds: 1}
  stranger:
    build: ./healthd
    args: [-grpc, ":9090"]
    ports: [{name: grpc, port: 9090}]
    health: {grpc: true, grpcService: e2e.Nobody, intervalSeconds: 1, failureThreshold: 2}
`

// TestUpWaitsForGRPCAndTCPHealthFromScratch: `tandem up` reports a gRPC
// and a TCP service healthy only once Docker's health checks, run by the
// mounted probe in images without tools, say so; and a gRPC service that
// does not serve the name asked for never becomes healthy, with the
// probe's reason.
func TestUpWaitsForGRPCAndTCPHealthFromScratch(t *testing.T) {
	requireDocker(t)
	dir := t.TempDir()
	context := filepath.Join(dir, "healthd")
	buildStatic(t, "./testdata/healthd", filepath.Join(context, "healthd"))
	dockerfile := "FROM scratch\nCOPY healthd /healthd\nUSER 65532:65532\nENTRYPOINT [\"/healthd\"]\n"
	for file, data := range map[string]string{filepath.Join(context, "Dockerfile"): dockerfile, filepath.Join(dir, "tandem.yaml"): healthCatalogue} {
		if err := os.WriteFile(file, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	project := runner.ProjectName("health", dir)
	t.Cleanup(func() { run(t, dir, tandemBin, "down", "--volumes", "--images") })

	out := mustRun(t, dir, tandemBin, "up", "greeter", "relay")
	for _, service := range []string{"greeter", "relay"} {
		if !strings.Contains(out, service+strings.Repeat(" ", 21-len(service))+"healthy") {
			t.Errorf("tandem up does not report %s healthy:\n%s", service, out)
		}
		id := strings.TrimSpace(mustRun(t, dir, "docker", "ps", "--quiet", "--filter", "label=com.docker.compose.project="+project,
			"--filter", "label=com.docker.compose.service="+service))
		if status := strings.TrimSpace(mustRun(t, dir, "docker", "inspect", "--format", "{{.State.Health.Status}}", id)); status != "healthy" {
			t.Errorf("Docker says %s is %q", service, status)
		}
	}

	r := run(t, dir, tandemBin, "up", "stranger", "--timeout", "60s")
	for _, want := range []string{
		"tandem: a service did not become healthy: stranger is unhealthy",
		`grpc.health.v1.Health/Check of "e2e.Nobody": grpc-status 5 NOT_FOUND: unknown service`,
	} {
		if r.code != 1 || !strings.Contains(r.stderr, want) {
			t.Errorf("tandem up stranger: exit %d, want 1 and %q in stderr:\n%s", r.code, want, r.stderr)
		}
	}
}

// buildStatic builds the command pkg as a static binary at out, for a
// FROM scratch image.
func buildStatic(t *testing.T, pkg, out string) {
	t.Helper()
	build := exec.Command("go", "build", "-trimpath", "-o", out, pkg)
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if output, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building %s: %v\n%s", pkg, err, output)
	}
}
