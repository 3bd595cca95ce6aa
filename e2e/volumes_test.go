package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tandemdev/tandem/compose/runner"
)

// filesCatalogue runs testdata/filesd with a volume of each kind that
// dev has: persistent data, a read-only config file, scratch space and a
// secret as a file, and publishes it on the loopback address only.
const filesCatalogue = `name: files
services:
  files:
    build: ./filesd
    ports: [{name: http, port: 8080, public: true, hostIP: 127.0.0.1, hostPort: %d}]
    volumes:
      - {path: /data, persistent: 1Gi}
      - {path: /etc/filesd/greeting.txt, config: ./conf/greeting.txt}
      - {path: /scratch, scratch: 16Mi}
      - {path: /run/secrets/token, secret: FILES_TOKEN}
    secrets: [FILES_TOKEN]
    health: {http: /healthz, intervalSeconds: 1}
`

// TestUpMountsVolumesAsDeclared: a non-root FROM scratch service started
// by tandem up reads its config file and its secret's file, the value in
// the dev env file, and can change neither, writes its scratch space, and
// finds its data again after tandem down and up.
func TestUpMountsVolumesAsDeclared(t *testing.T) {
	requireDocker(t)
	dir := t.TempDir()
	context := filepath.Join(dir, "filesd")
	buildStatic(t, "./testdata/filesd", filepath.Join(context, "filesd"))
	// Docker gives a new named volume the owner of the image's folder at
	// its path, as a non-root image that keeps data must provide.
	if err := os.MkdirAll(filepath.Join(context, "data"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "conf"), 0o755); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	dockerfile := "FROM scratch\nCOPY filesd /filesd\nCOPY --chown=65532:65532 data /data\nUSER 65532:65532\nENTRYPOINT [\"/filesd\"]\n"
	writeFiles(t, dir, map[string]string{
		"filesd/Dockerfile": dockerfile,
		"conf/greeting.txt": "hello from the repository",
		"tandem.yaml":       fmt.Sprintf(filesCatalogue, port),
		".tandem/dev.env":   "FILES_TOKEN=from the dev env file\n",
	})
	t.Cleanup(func() { run(t, dir, tandemBin, "down", "--volumes", "--images") })

	state := func() map[string]any {
		t.Helper()
		mustRun(t, dir, tandemBin, "up", "files")
		return filesState(t, port)
	}
	first := state()
	for key, want := range map[string]any{"starts": 1.0, "config": "hello from the repository", "configWritable": false, "scratch": true,
		"secret": "from the dev env file", "secretWritable": false} {
		if first[key] != want {
			t.Errorf("first start: %s = %v, want %v (all: %v)", key, first[key], want, first)
		}
	}
	mustRun(t, dir, tandemBin, "down")
	if again := state(); again["starts"] != 2.0 {
		t.Errorf("after down and up the data volume counts %v starts, want 2: it did not keep the data", again["starts"])
	}
}

// TestUpLeavesOnRequestServicesAlone: a bare tandem up starts what a
// developer needs every day and leaves a tool on request alone, with the
// job it waits for; naming the tool starts it, its job first, and
// leaves what runs running.
func TestUpLeavesOnRequestServicesAlone(t *testing.T) {
	requireDocker(t)
	dir := t.TempDir()
	context := filepath.Join(dir, "filesd")
	buildStatic(t, "./testdata/filesd", filepath.Join(context, "filesd"))
	port := freePort(t)
	writeFiles(t, dir, map[string]string{
		"filesd/Dockerfile": "FROM scratch\nCOPY filesd /filesd\nUSER 65532:65532\nENTRYPOINT [\"/filesd\"]\n",
		"tandem.yaml": fmt.Sprintf(`name: tools
services:
  app:
    build: ./filesd
    volumes: [{path: /data, scratch: true}, {path: /scratch, scratch: true}]
    ports: [{name: http, port: 8080, public: true, hostIP: 127.0.0.1, hostPort: %d}]
    health: {http: /healthz, intervalSeconds: 1}
  tool:
    build: ./filesd
    volumes: [{path: /data, scratch: true}, {path: /scratch, scratch: true}]
    onRequest: true
    environments: [dev]
    ports: [{name: http, port: 8080}]
    health: {http: /healthz, intervalSeconds: 1}
    jobs: {prepare: {command: [/filesd, -h], before: start}}
`, port),
	})
	project := runner.ProjectName("tools", dir)
	t.Cleanup(func() { run(t, dir, tandemBin, "down", "--images") })

	mustRun(t, dir, tandemBin, "up")
	if containers, _, _ := projectObjects(t, project); !slices.Equal(containers, []string{"app"}) {
		t.Fatalf("a bare tandem up started %v; want app alone", containers)
	}
	first := strings.TrimSpace(mustRun(t, "", "docker", "ps", "--quiet", "--filter", "label=com.docker.compose.project="+project, "--filter", "label=com.docker.compose.service=app"))
	out := mustRun(t, dir, tandemBin, "up", "tool")
	if containers, _, _ := projectObjects(t, project); !slices.Equal(containers, []string{"app", "tool", "tool-prepare"}) {
		t.Fatalf("tandem up tool left %v:\n%s", containers, out)
	}
	if !regexp.MustCompile(`tool\s+healthy`).MatchString(out) {
		t.Errorf("tool did not turn healthy:\n%s", out)
	}
	again := strings.TrimSpace(mustRun(t, "", "docker", "ps", "--quiet", "--filter", "label=com.docker.compose.project="+project, "--filter", "label=com.docker.compose.service=app"))
	if again != first {
		t.Errorf("starting the tool replaced app's container (%s, now %s)", first, again)
	}
	mustRun(t, dir, tandemBin, "down")
	if containers, _, _ := projectObjects(t, project); len(containers) > 0 {
		t.Errorf("tandem down left %v", containers)
	}
}

// TestUpKeepsTheImagesFilesBelowASourceFolder: a source folder hides what
// the image has at its path, but the folders it keeps (node_modules, say)
// are the image's: the service reads the image's file below the mount.
func TestUpKeepsTheImagesFilesBelowASourceFolder(t *testing.T) {
	requireDocker(t)
	dir := t.TempDir()
	buildStatic(t, "./testdata/filesd", filepath.Join(dir, "filesd", "filesd"))
	port := freePort(t)
	writeFiles(t, dir, map[string]string{
		"filesd/Dockerfile":              "FROM scratch\nCOPY filesd /filesd\nCOPY app /app\nUSER 65532:65532\nENTRYPOINT [\"/filesd\"]\n",
		"filesd/app/vendor/greeting.txt": "from the image",
		"src/greeting.txt":               "from the repository",
		"tandem.yaml": fmt.Sprintf(`name: keep
services:
  app:
    build: ./filesd
    args: [-config, /app/vendor/greeting.txt]
    volumes:
      - {path: /app, source: ./src, keep: [vendor]}
      - {path: /data, scratch: true}
      - {path: /scratch, scratch: true}
    ports: [{name: http, port: 8080, public: true, hostIP: 127.0.0.1, hostPort: %d}]
    health: {http: /healthz, intervalSeconds: 1}
`, port),
	})
	t.Cleanup(func() { run(t, dir, tandemBin, "down", "--volumes", "--images") })
	mustRun(t, dir, tandemBin, "up")
	if state := filesState(t, port); state["config"] != "from the image" {
		t.Errorf("below the source folder the service read %q, want the image's file (state %v)", state["config"], state)
	}
}

// filesState is what testdata/filesd, published on port, found.
func filesState(t *testing.T, port int) map[string]any {
	t.Helper()
	resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/state", port))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var state map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&state); err != nil {
		t.Fatal(err)
	}
	return state
}
