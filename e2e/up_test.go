package e2e

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tandemdev/tandem/compose/runner"
	"github.com/tandemdev/tandem/internal/testfs"
)

// skipDockerEnv names the variable that, set to 1, lets the Docker tests
// skip where Docker is missing. Unset, as in CI, a missing Docker fails
// them, like every other missing tool (doc.go).
const skipDockerEnv = "TANDEM_E2E_SKIP_DOCKER"

// noDocker fails the test for want of Docker, or skips it where
// TANDEM_E2E_SKIP_DOCKER=1 says so on purpose.
func noDocker(t *testing.T, why string) {
	t.Helper()
	if os.Getenv(skipDockerEnv) == "1" {
		t.Skip(why)
	}
	t.Fatalf("%s; the Docker tests need a running Docker Engine (set %s=1 to skip them)", why, skipDockerEnv)
}

// requireDocker fails a test where no Docker daemon answers; every other
// missing piece is built or fails the test.
func requireDocker(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("docker"); err != nil {
		noDocker(t, "no Docker here (docker is not on PATH)")
	}
	if out, err := exec.Command("docker", "info", "--format", "{{.ServerVersion}}").CombinedOutput(); err != nil {
		noDocker(t, "no Docker daemon answers: "+strings.TrimSpace(string(out)))
	}
	composeCommand(t)
}

// shopWithImages is a copy of the shop whose bff publishes a free host
// port, with everything `tandem up` needs that no registry can give: the
// services' static binaries (their Dockerfiles copy them) and the resource
// images, built from Debian packages by images/resources/build.sh (cached
// in Docker between runs).
func shopWithImages(t *testing.T) (dir string, bffPort int) {
	t.Helper()
	dir = shop(t)
	bffPort = freePort(t)
	edit(t, filepath.Join(dir, "tandem.yaml"), "ports: [{name: http, port: 8080, public: true}]",
		fmt.Sprintf("ports: [{name: http, port: 8080, public: true, hostPort: %d}]", bffPort))

	services, err := filepath.Glob(filepath.Join(dir, "services", "*"))
	if err != nil {
		t.Fatal(err)
	}
	for _, svc := range services {
		name := filepath.Base(svc)
		build := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(svc, "bin", name), "./services/"+name)
		build.Dir = "../examples/shop"
		build.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			t.Fatalf("building the shop's %s: %v\n%s", name, err, out)
		}
	}

	mustRun(t, dir, tandemBin, "render")
	compose, err := os.ReadFile(filepath.Join(dir, "deploy", "compose.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	images := regexp.MustCompile(`(?m)^    image: (\S+)$`).FindAllStringSubmatch(string(compose), -1)
	args := []string{"../images/resources/build.sh"}
	for _, m := range images {
		args = append(args, m[1])
	}
	build := exec.Command("sh", args...)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the resource images %v: %v\n%s", args[1:], err, out)
	}
	return dir, bffPort
}

func edit(t *testing.T, file, old, new string) {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), old) {
		t.Fatalf("%s has no %q", file, old)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// projectObjects lists what Docker holds for a Compose project:
// containers by service, networks and volumes.
func projectObjects(t *testing.T, project string) (containers, networks, volumes []string) {
	t.Helper()
	list := func(args ...string) []string {
		out, err := exec.Command("docker", append(args, "--filter", "label=com.docker.compose.project="+project)...).Output()
		if err != nil {
			t.Fatalf("docker %v: %v", args, err)
		}
		names := strings.Fields(string(out))
		sort.Strings(names)
		return names
	}
	return list("ps", "--all", "--format", `{{.Label "com.docker.compose.service"}}`),
		list("network", "ls", "--format", "{{.Name}}"),
		list("volume", "ls", "--format", "{{.Name}}")
}

// TestUpStartsWhatAServiceUsesAndNothingElse is the dev loop: `tandem up
// orders` starts exactly orders' dependency closure, `tandem up bff` the
// rest of the storefront, the BFF answers with data that went through
// mysql, redis, postgres and NATS, and `tandem down --volumes` leaves
// nothing behind.
func TestUpStartsWhatAServiceUsesAndNothingElse(t *testing.T) {
	requireDocker(t)
	dir, bffPort := shopWithImages(t)
	project := runner.ProjectName("shop", dir)
	t.Cleanup(func() { run(t, dir, tandemBin, "down", "--volumes", "--images") })

	out := mustRun(t, dir, tandemBin, "up", "orders")
	containers, _, _ := projectObjects(t, project)
	if diff := cmp.Diff([]string{"events", "orders", "orders-db", "orders-migrate", "payments", "payments-db"}, containers); diff != "" {
		t.Fatalf("tandem up orders started (-want +got):\n%s\noutput:\n%s", diff, out)
	}
	for _, want := range []string{"Compose project " + project, "orders               waiting for", "orders-migrate       completed", "orders               healthy", "shop is up:"} {
		if !strings.Contains(out, want) {
			t.Errorf("tandem up orders printed no %q:\n%s", want, out)
		}
	}
	// A database is reachable from its owner only: payments cannot even
	// resolve orders-db, while orders connects (and gets no HTTP answer
	// from postgres, which is all the probe can tell).
	if got := probeFrom(t, project, "payments", "http://orders-db:5432/"); !strings.Contains(got, "lookup orders-db") {
		t.Errorf("payments reached orders-db, which only orders may use: %q", got)
	}
	if got := probeFrom(t, project, "orders", "http://orders-db:5432/"); strings.Contains(got, "lookup orders-db") || strings.Contains(got, "connection refused") {
		t.Errorf("orders cannot reach its own orders-db: %q", got)
	}

	out = mustRun(t, dir, tandemBin, "up", "bff")
	containers, _, _ = projectObjects(t, project)
	want := []string{"auth", "bff", "cache", "cart", "catalog", "catalog-db", "events", "orders", "orders-db", "orders-migrate", "payments", "payments-db", "users-db"}
	if diff := cmp.Diff(want, containers); diff != "" {
		t.Fatalf("after tandem up bff (-want +got):\n%s", diff)
	}
	bffURL := fmt.Sprintf("http://localhost:%d", bffPort)
	if !regexp.MustCompile(`bff\s+healthy\s+` + regexp.QuoteMeta(bffURL)).MatchString(out) {
		t.Errorf("the summary does not show the bff's URL %s:\n%s", bffURL, out)
	}
	ps := mustRun(t, dir, tandemBin, "ps")
	if !strings.Contains(ps, "payments-db") || strings.Contains(ps, "notifications") {
		t.Errorf("tandem ps:\n%s", ps)
	}

	shopper := &shopper{t: t, url: bffURL, token: session(t, dir, "ann")}
	if status, _, _ := shopper.call("GET", "/api/products", "", "not-a-session"); status != http.StatusUnauthorized {
		t.Errorf("without a session the BFF answered %d", status)
	}
	status, products, header := shopper.call("GET", "/api/products", "", shopper.token)
	if status != http.StatusOK || !strings.Contains(products, `"sku":"mug"`) || header.Get("X-Cache") != "miss" {
		t.Errorf("first products call: %d, X-Cache %q, %s", status, header.Get("X-Cache"), products)
	}
	status, again, header := shopper.call("GET", "/api/products", "", shopper.token)
	if status != http.StatusOK || again != products || header.Get("X-Cache") != "hit" {
		t.Errorf("second products call, from redis: %d, X-Cache %q, %s", status, header.Get("X-Cache"), again)
	}

	status, body, _ := shopper.call("POST", "/api/orders", `{"product": "mug", "quantity": 2}`, shopper.token)
	var placed struct{ ID int64 }
	if err := json.Unmarshal([]byte(body), &placed); status != http.StatusCreated || err != nil || placed.ID == 0 {
		t.Fatalf("placing an order: %d %s", status, body)
	}
	// The payment arrives through NATS: payments consumes the event and
	// records it in its own postgres.
	var order struct {
		Product  string
		Quantity int
		Payment  string
	}
	for deadline := time.Now().Add(20 * time.Second); ; {
		status, body, _ = shopper.call("GET", fmt.Sprintf("/api/orders/%d", placed.ID), "", shopper.token)
		if err := json.Unmarshal([]byte(body), &order); status != http.StatusOK || err != nil {
			t.Fatalf("reading the order: %d %s", status, body)
		}
		if order.Payment == "captured" || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if order.Product != "mug" || order.Quantity != 2 || order.Payment != "captured" {
		t.Errorf("the order read back from postgres: %+v", order)
	}
	logs := mustRun(t, dir, tandemBin, "logs", "payments")
	if !strings.Contains(logs, fmt.Sprintf("order %d: payment captured", placed.ID)) {
		t.Errorf("tandem logs payments:\n%s", logs)
	}
	if logs := mustRun(t, dir, tandemBin, "logs", "orders-migrate"); !strings.Contains(logs, "schema applied") {
		t.Errorf("tandem logs orders-migrate:\n%s", logs)
	}
	// The nightly job has no scheduler in dev; it runs on demand.
	composeCmd := composeCommand(t)
	compose := exec.Command(composeCmd[0], append(composeCmd[1:], "--project-name", project, "--file", filepath.Join(dir, "deploy", "compose.yaml"),
		"--env-file", filepath.Join(dir, ".tandem", "dev.env"), "run", "--rm", "payments-reconcile")...)
	if composeCmd[0] == "docker-compose" {
		// As tandem up does: v1's BuildKit path needs a buildx plugin this machine lacks.
		compose.Env = append(os.Environ(), "COMPOSE_DOCKER_CLI_BUILD=0", "DOCKER_BUILDKIT=0")
	}
	if reconcile, err := compose.CombinedOutput(); err != nil || !strings.Contains(string(reconcile), "reconciled: 1 captured payments") {
		t.Errorf("docker-compose run payments-reconcile: %v\n%s", err, reconcile)
	}

	mustRun(t, dir, tandemBin, "down")
	containers, networks, volumes := projectObjects(t, project)
	var dataVolumes []string
	for _, resource := range []string{"cache", "catalog-db", "events", "orders-db", "payments-db", "users-db"} {
		dataVolumes = append(dataVolumes, project+"_"+resource+"-data")
	}
	if len(containers)+len(networks) > 0 || !cmp.Equal(volumes, dataVolumes) {
		t.Errorf("after tandem down, left: containers %v, networks %v; volumes %v, want the resources' data kept: %v", containers, networks, volumes, dataVolumes)
	}
	mustRun(t, dir, tandemBin, "down", "--volumes", "--images")
	containers, networks, volumes = projectObjects(t, project)
	images := strings.Fields(mustRun(t, dir, "docker", "images", "--format", "{{.Repository}}", "--filter", "reference="+project+"*"))
	if len(containers)+len(networks)+len(volumes)+len(images) > 0 {
		t.Errorf("after tandem down --volumes --images, left: containers %v, networks %v, volumes %v, images %v", containers, networks, volumes, images)
	}
}

// probeFrom runs the HTTP probe mounted in service's container against url
// and returns what it printed.
func probeFrom(t *testing.T, project, service, url string) string {
	t.Helper()
	id := strings.TrimSpace(mustRun(t, "", "docker", "ps", "--quiet", "--filter", "label=com.docker.compose.project="+project,
		"--filter", "label=com.docker.compose.service="+service))
	out, _ := exec.Command("docker", "exec", id, "/tandem/probe", url).CombinedOutput()
	return string(out)
}

type shopper struct {
	t          *testing.T
	url, token string
}

func (s *shopper) call(method, path, body, token string) (int, string, http.Header) {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	return resp.StatusCode, string(data), resp.Header
}

// session signs a session token for user with the dev SESSION_KEY that
// tandem generated, as the shop's login would.
func session(t *testing.T, dir, user string) string {
	t.Helper()
	env, err := os.ReadFile(filepath.Join(dir, ".tandem", "dev.env"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(env), "\n") {
		if key, ok := strings.CutPrefix(line, "SESSION_KEY="); ok {
			mac := hmac.New(sha256.New, []byte(key))
			mac.Write([]byte(user))
			return user + "." + hex.EncodeToString(mac.Sum(nil))
		}
	}
	t.Fatal("no SESSION_KEY in .tandem/dev.env")
	return ""
}

// TestUpWithoutDockerChangesNothing: with no docker on PATH, or a daemon
// that does not answer, up says so and what to do, exits 1, and writes
// nothing.
func TestUpWithoutDockerChangesNothing(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		env  []string
		want string
	}{
		"no docker":   {[]string{"PATH=" + t.TempDir()}, "tandem: Docker is not installed: docker is not on PATH; install Docker Engine"},
		"daemon down": {[]string{"DOCKER_HOST=unix:///nonexistent/docker.sock"}, "tandem: the Docker daemon is not running ("},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := exec.LookPath("docker"); err != nil && name == "daemon down" {
				noDocker(t, "no docker CLI here to find the daemon missing")
			}
			dir := shop(t)
			before := testfs.Snapshot(t, dir)
			cmd := exec.Command(tandemBin, "up", "orders")
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), tc.env...)
			out, _ := cmd.CombinedOutput()
			if cmd.ProcessState.ExitCode() != 1 || !strings.HasPrefix(string(out), tc.want) {
				t.Errorf("exit %d, output:\n%s\nwant exit 1 and %q", cmd.ProcessState.ExitCode(), out, tc.want)
			}
			if diff := cmp.Diff(before, testfs.Snapshot(t, dir)); diff != "" {
				t.Errorf("the folder changed (-before +after):\n%s", diff)
			}
		})
	}
}

// TestUpFailuresAreExplained covers what goes wrong on a working Docker: a
// host port taken, an image that does not build, a service that never
// becomes healthy. Each exits 1 with a message that names the service and
// what to do.
func TestUpFailuresAreExplained(t *testing.T) {
	requireDocker(t)
	dir, bffPort := shopWithImages(t)
	t.Cleanup(func() { run(t, dir, tandemBin, "down", "--volumes", "--images") })

	t.Run("port taken", func(t *testing.T) {
		l, err := net.Listen("tcp", fmt.Sprintf(":%d", bffPort))
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		before := testfs.Snapshot(t, dir)
		r := run(t, dir, tandemBin, "up", "bff")
		want := fmt.Sprintf("tandem: a port is already taken: bff's http port is published on host port %d, which something else on this machine already uses", bffPort)
		if r.code != 1 || !strings.HasPrefix(r.stderr, want) {
			t.Errorf("exit %d, stderr:\n%s\nwant exit 1 and %q", r.code, r.stderr, want)
		}
		if diff := cmp.Diff(before, testfs.Snapshot(t, dir)); diff != "" {
			t.Errorf("the folder changed (-before +after):\n%s", diff)
		}
	})

	t.Run("image does not build", func(t *testing.T) {
		binary := filepath.Join(dir, "services", "cart", "bin", "cart")
		if err := os.Rename(binary, binary+".away"); err != nil {
			t.Fatal(err)
		}
		defer os.Rename(binary+".away", binary)
		r := run(t, dir, tandemBin, "up", "cart")
		if r.code != 1 || !strings.Contains(r.stderr, "tandem: an image failed to build: the image of cart did not build:") ||
			!strings.Contains(r.stderr, "bin/cart") || !strings.Contains(r.stderr, "fix its Dockerfile or build context") {
			t.Errorf("exit %d, stderr:\n%s", r.code, r.stderr)
		}
	})

	t.Run("never healthy", func(t *testing.T) {
		// Redis answers on the port, but not in HTTP: the probe fails.
		catalogue, err := os.ReadFile(filepath.Join(dir, "tandem.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		sick := string(catalogue) + `
  sick:
    image: redis:7
    ports: [{name: http, port: 6379}]
    health: {http: /healthz}
  quitter:
    image: redis:7
    command: [/bin/false]
`
		if err := os.WriteFile(filepath.Join(dir, "tandem.yaml"), []byte(sick), 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.WriteFile(filepath.Join(dir, "tandem.yaml"), catalogue, 0o644)

		r := run(t, dir, tandemBin, "up", "sick", "--timeout", "8s")
		if r.code != 1 || !strings.Contains(r.stderr, "tandem: a service did not become healthy: after 8s, still not ready: sick; see `tandem logs sick`") {
			t.Errorf("unhealthy: exit %d, stderr:\n%s", r.code, r.stderr)
		}
		if !strings.Contains(r.stdout, "sick                 starting (health check pending)") {
			t.Errorf("no progress for sick:\n%s", r.stdout)
		}

		r = run(t, dir, tandemBin, "up", "quitter")
		if r.code != 1 || !strings.Contains(r.stderr, "tandem: a service did not become healthy: quitter is exited (Exited (1)") {
			t.Errorf("exited: exit %d, stderr:\n%s", r.code, r.stderr)
		}
	})
}

// TestUpLogsInToMySQLAsRoot: with user: root, as import writes for a
// Compose file that set up root alone, the server is set up by its root
// password and the service logs in as root with it: catalog turns healthy
// only once it has pinged its database.
func TestUpLogsInToMySQLAsRoot(t *testing.T) {
	requireDocker(t)
	dir, _ := shopWithImages(t)
	edit(t, filepath.Join(dir, "tandem.yaml"), "catalog-db:  {kind: mysql, version: \"8.4\", owner: catalog,",
		"catalog-db:  {kind: mysql, version: \"8.4\", owner: catalog, user: root,")
	project := runner.ProjectName("shop", dir)
	t.Cleanup(func() { run(t, dir, tandemBin, "down", "--volumes", "--images") })

	out := mustRun(t, dir, tandemBin, "up", "catalog")
	if !regexp.MustCompile(`catalog\s+healthy`).MatchString(out) {
		t.Fatalf("catalog did not turn healthy:\n%s", out)
	}
	id := strings.TrimSpace(mustRun(t, "", "docker", "ps", "--quiet", "--filter", "label=com.docker.compose.project="+project,
		"--filter", "label=com.docker.compose.service=catalog"))
	env := mustRun(t, "", "docker", "inspect", "--format", "{{range .Config.Env}}{{println .}}{{end}}", id)
	if !slices.Contains(strings.Fields(env), "CATALOG_DB_USER=root") {
		t.Errorf("catalog does not log in as root:\n%s", env)
	}
	if logs := mustRun(t, dir, tandemBin, "logs", "catalog-db"); !strings.Contains(logs, "created database catalog for root") {
		t.Errorf("catalog-db was not set up for root:\n%s", logs)
	}
}
