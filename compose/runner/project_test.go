package runner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// compose is the start of every Compose command line of testProject.
const compose = "docker compose --project-name shop-1a2b3c4d --file /home/ann/shop/deploy/compose.yaml --project-directory /home/ann/shop/deploy"

// ps is the command line that lists testProject's containers.
const ps = "docker ps --all --no-trunc --filter label=com.docker.compose.project=shop-1a2b3c4d"

func testProject(fake *fakeDocker) *Project {
	return &Project{Engine: &Engine{Compose: []string{"docker", "compose"}, Arch: "amd64"}, Name: "shop-1a2b3c4d",
		File: "/home/ann/shop/deploy/compose.yaml", PollInterval: time.Millisecond, Commander: fake}
}

// upPlan is a database, a migration job that runs once it is healthy, and
// an API that waits for both.
var upPlan = Plan{
	{Name: "api", Uses: []string{"db", "migrate"}, Healthcheck: true, Build: true, Ports: []HostPort{{Name: "http", Port: 8080}}},
	{Name: "db", Healthcheck: true},
	{Name: "migrate", Uses: []string{"db"}, Build: true, OneShot: true},
}

// psLines is `docker ps` output, one container a line as "service state
// status", in the format containers asks for.
func psLines(containers ...string) string {
	var b strings.Builder
	for i, c := range containers {
		f := strings.SplitN(c, " ", 3)
		fmt.Fprintf(&b, "%s\tid-%s-%d\t%s\tFalse\t%s\n", f[0], f[0], i, f[1], f[2])
	}
	return b.String()
}

func TestComposeCommand(t *testing.T) {
	dir := t.TempDir()
	envFile := filepath.Join(dir, ".env")
	p := &Project{Engine: &Engine{Compose: []string{"docker", "compose"}}, Name: "shop-1a2b3c4d", File: filepath.Join(dir, "compose.yaml"), EnvFile: envFile}
	base := "docker compose --project-name shop-1a2b3c4d --file " + p.File + " --project-directory " + dir

	// The env file is passed only once it exists: a catalogue with secrets
	// starts without one.
	if got, want := p.command("up").String(), base+" up"; got != want {
		t.Errorf("without the env file:\n got %s\nwant %s", got, want)
	}
	if err := os.WriteFile(envFile, []byte("SESSION_KEY=x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got, want := p.command("up").String(), base+" --env-file "+envFile+" up"; got != want {
		t.Errorf("with the env file:\n got %s\nwant %s", got, want)
	}
	if env := p.command("build").Env; env != nil {
		t.Errorf("docker compose gets environment %v", env)
	}

	// docker-compose v1 builds without BuildKit unless the user chose.
	p.Engine.Compose = []string{"docker-compose"}
	t.Setenv("COMPOSE_DOCKER_CLI_BUILD", "")
	os.Unsetenv("COMPOSE_DOCKER_CLI_BUILD")
	t.Setenv("DOCKER_BUILDKIT", "1")
	cmd := p.command("build", "api")
	if want := "docker-compose --project-name shop-1a2b3c4d --file " + p.File + " --project-directory " + dir + " --env-file " + envFile + " build api"; cmd.String() != want {
		t.Errorf("docker-compose:\n got %s\nwant %s", cmd, want)
	}
	if diff := cmp.Diff([]string{"COMPOSE_DOCKER_CLI_BUILD=0"}, cmd.Env); diff != "" {
		t.Errorf("docker-compose environment (-want +got):\n%s", diff)
	}
}

func TestCheckFile(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "compose.yaml")
	p := &Project{File: file}
	err := p.CheckFile()
	if want := "no Compose file: " + file + " does not exist; run tandem up (or tandem render) first"; !errors.Is(err, ErrNotGenerated) || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := p.CheckFile(); err != nil {
		t.Errorf("a rendered file: %v", err)
	}
}

func TestCheckPorts(t *testing.T) {
	t.Parallel()
	taken, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := taken.Addr().(*net.TCPAddr).Port
	plan := Plan{{Name: "api", Ports: []HostPort{{Name: "http", Port: port}}}, {Name: "db"}}

	fake := newFakeDocker(t, &reply{match: ps, stdout: psLines("db running Up 3 seconds (healthy)")})
	err = testProject(fake).CheckPorts(context.Background(), plan)
	want := fmt.Sprintf("a port is already taken: api's http port is published on host port %d, which something else on this machine already uses (bind: address already in use); "+
		"stop it (see `docker ps` or `ss -ltnp`) or give the port another hostPort in the catalogue", port)
	if !errors.Is(err, ErrPortTaken) || err.Error() != want {
		t.Errorf("a port something else listens on:\n got %v\nwant %s", err, want)
	}

	// A second up keeps the project's own containers on their ports.
	fake = newFakeDocker(t, &reply{match: ps, stdout: psLines("api running Up 3 seconds (healthy)")})
	if err := testProject(fake).CheckPorts(context.Background(), plan); err != nil {
		t.Errorf("the project's own port: %v", err)
	}

	// A port nobody listens on is free.
	taken.Close()
	fake = newFakeDocker(t, &reply{match: ps})
	if err := testProject(fake).CheckPorts(context.Background(), plan); err != nil {
		t.Errorf("a free port: %v", err)
	}

	fake = newFakeDocker(t, &reply{match: ps, stderr: "permission denied while trying to connect to the Docker daemon socket\n", err: errExit})
	err = testProject(fake).CheckPorts(context.Background(), plan)
	if want := ps + ` --format {{.Label "com.docker.compose.service"}}	{{.ID}}	{{.State}}	{{.Label "com.docker.compose.oneoff"}}	{{.Status}}: permission denied while trying to connect to the Docker daemon socket`; err == nil || err.Error() != want {
		t.Errorf("docker ps failing:\n got %v\nwant %s", err, want)
	}
}

func TestBuild(t *testing.T) {
	t.Parallel()
	var log strings.Builder
	for i := 1; i <= 20; i++ {
		fmt.Fprintf(&log, "#%d step %d\n", i, i)
	}
	fake := newFakeDocker(t,
		&reply{match: compose + " build api", stdout: "#1 building api\n"},
		&reply{match: compose + " build migrate", stdout: log.String(), err: errExit})
	var out bytes.Buffer
	err := testProject(fake).Build(context.Background(), upPlan, &out)

	// Units build one at a time, so that the first failure names its
	// service; what has no build is skipped.
	if diff := cmp.Diff([]string{compose + " build api", compose + " build migrate"}, fake.commands()); diff != "" {
		t.Errorf("commands (-want +got):\n%s", diff)
	}
	want := "an image failed to build: the image of migrate did not build:\n"
	for i := 6; i <= 20; i++ {
		want += fmt.Sprintf("    #%d step %d\n", i, i)
	}
	want += "fix its Dockerfile or build context (a file it copies may have to be built first) and run tandem up again"
	if !errors.Is(err, ErrBuildFailed) || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	if !regexp.MustCompile(`^  api                  building image\n  api                  image built \(\d+\.\ds\)\n  migrate              building image\n$`).MatchString(out.String()) {
		t.Errorf("progress:\n%s", out.String())
	}
}

// TestBuildVerbose: Compose's own output is passed through with Verbose,
// and an interrupt says that nothing was started.
func TestBuildVerbose(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	fake := newFakeDocker(t, &reply{match: " build api", stdout: "#1 building api\n", block: true})
	p := testProject(fake)
	p.Verbose = true
	var out bytes.Buffer
	go func() {
		for fake.ran(" build api") == 0 {
			time.Sleep(time.Millisecond)
		}
		cancel()
	}()
	err := p.Build(ctx, upPlan, &out)
	if want := "interrupted while building the image of api; nothing was started"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
	if want := "  api                  building image\n#1 building api\n"; out.String() != want {
		t.Errorf("output %q, want %q", out.String(), want)
	}
}

func TestUp(t *testing.T) {
	t.Parallel()
	fake := newFakeDocker(t,
		&reply{match: ps, stdout: ""},
		&reply{match: ps, stdout: psLines("db running Up 1 second (health: starting)", "migrate created Created", "api created Created")},
		&reply{match: ps, stdout: psLines("db running Up 2 seconds (healthy)", "migrate running Up 1 second", "api created Created")},
		&reply{match: ps, stdout: psLines("db running Up 3 seconds (healthy)", "migrate exited Exited (0) 1 second ago", "api running Up 1 second (health: starting)")},
		&reply{match: ps, stdout: psLines("db running Up 4 seconds (healthy)", "migrate exited Exited (0) 2 seconds ago", "api running Up 2 seconds (healthy)")},
		&reply{match: compose + " up", stdout: "Container shop-1a2b3c4d-db-1  Started\n"},
	)
	var out bytes.Buffer
	states, err := testProject(fake).Up(context.Background(), upPlan, time.Minute, &out)
	if err != nil {
		t.Fatal(err)
	}
	if n := fake.ran(compose + " up --detach --no-build --no-color --remove-orphans api db migrate"); n != 1 {
		t.Errorf("compose up ran %d times: %q", n, fake.commands())
	}
	want := `  api                  waiting for db, migrate
  db                   creating
  migrate              waiting for db
  db                   starting (health check pending)
  api                  waiting for migrate
  db                   healthy
  migrate              running
  api                  starting (health check pending)
  migrate              completed
  api                  healthy
`
	got := out.String()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
	if states["api"].Health != "healthy" || states["migrate"].Status != "Exited (0) 2 seconds ago" {
		t.Errorf("final states: %+v", states)
	}
}

// TestUpWithoutHealthChecks: a unit without a health check is ready once it
// runs, and up waits a little longer to catch one that exits at once.
func TestUpWithoutHealthChecks(t *testing.T) {
	t.Parallel()
	fake := newFakeDocker(t,
		&reply{match: ps, stdout: psLines("web running Up 1 second")},
		&reply{match: compose + " up"},
	)
	start := time.Now()
	states, err := testProject(fake).Up(context.Background(), Plan{{Name: "web"}}, time.Minute, &bytes.Buffer{})
	if err != nil || states["web"].State != "running" {
		t.Fatalf("%v, %+v", err, states)
	}
	if elapsed := time.Since(start); elapsed < settle {
		t.Errorf("up returned after %s, before the %s a service must stay running", elapsed, settle)
	}
}

func TestUpFailures(t *testing.T) {
	t.Parallel()
	var composeLog strings.Builder
	for i := 1; i <= 20; i++ {
		fmt.Fprintf(&composeLog, "line %d\n", i)
	}
	var logTail string
	for i := 6; i <= 20; i++ {
		logTail += fmt.Sprintf("\n    line %d", i)
	}
	starting := psLines("db running Up 1 second (health: starting)")
	tests := []struct {
		name    string
		replies []*reply
		cancel  bool
		want    string
		wantErr error
	}{
		{
			name: "unhealthy",
			replies: []*reply{
				{match: ps, stdout: psLines("db running Up 40 seconds (unhealthy)", "migrate created Created")},
				{match: compose + " up", stderr: "dependency failed to start: container shop-1a2b3c4d-db-1 is unhealthy\n", err: errExit},
				{match: "docker inspect --format {{with .State.Health}}{{range .Log}}{{.Output}}{{end}}{{end}} id-db-0",
					stdout: "connection refused\nconnection refused\n"},
				{match: "docker logs --tail 10 id-db-0", stdout: "FATAL: data directory has wrong ownership\n"},
			},
			wantErr: ErrNotHealthy,
			want: "a service did not become healthy: db is unhealthy (Up 40 seconds (unhealthy))\n" +
				"  last health check output:\n    connection refused\n    connection refused\n" +
				"  last log lines:\n    FATAL: data directory has wrong ownership\n" +
				"see `tandem logs db`; `tandem down` stops the rest",
		},
		{
			name: "job failed after compose finished",
			replies: []*reply{
				{match: ps, stdout: psLines("db running Up 4 seconds (healthy)", "migrate exited Exited (3) 1 second ago")},
				{match: compose + " up"},
				{match: "docker logs --tail 10 id-migrate-1", stderr: "no such table: orders\n"},
			},
			wantErr: ErrNotHealthy,
			want: "a service did not become healthy: migrate is exited (Exited (3) 1 second ago)\n" +
				"  last log lines:\n    no such table: orders\n" +
				"see `tandem logs migrate`; `tandem down` stops the rest",
		},
		{
			name: "compose failed",
			replies: []*reply{
				{match: ps, stdout: ""},
				{match: compose + " up", stdout: composeLog.String(), err: errExit},
			},
			wantErr: ErrStartFailed,
			want:    "docker compose up failed:" + logTail,
		},
		{
			name: "timeout while compose waits",
			replies: []*reply{
				{match: ps, stdout: starting},
				{match: compose + " up", block: true},
			},
			wantErr: ErrNotHealthy,
			want:    "a service did not become healthy: after 50ms, still not ready: api, db, migrate; see `tandem logs api`, or wait longer with --timeout",
		},
		{
			name: "timeout after compose finished",
			replies: []*reply{
				{match: ps, stdout: starting},
				{match: compose + " up"},
			},
			wantErr: ErrNotHealthy,
			want:    "a service did not become healthy: after 50ms, still not ready: api, db, migrate; see `tandem logs api`, or wait longer with --timeout",
		},
		{
			name: "timeout with everything ready",
			replies: []*reply{
				{match: ps, stdout: psLines("db running Up 4 seconds (healthy)", "migrate exited Exited (0) 1 second ago", "api running Up 1 second (healthy)")},
				{match: compose + " up", stdout: composeLog.String(), block: true},
			},
			wantErr: ErrNotHealthy,
			want:    "a service did not become healthy: after 50ms, docker compose up had not finished:" + logTail,
		},
		{
			name: "interrupted",
			replies: []*reply{
				{match: ps, stdout: starting},
				{match: compose + " up", block: true},
			},
			cancel: true,
			want:   "interrupted; what started is still running: `tandem ps` shows it, `tandem down` stops it",
		},
		{
			name: "docker ps failed",
			replies: []*reply{
				{match: ps, err: errExit},
				{match: compose + " up"},
			},
			want: ps + ` --format {{.Label "com.docker.compose.service"}}	{{.ID}}	{{.State}}	{{.Label "com.docker.compose.oneoff"}}	{{.Status}}: exit status 1`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if tt.cancel {
				cancel()
			}
			fake := newFakeDocker(t, tt.replies...)
			_, err := testProject(fake).Up(ctx, upPlan, 50*time.Millisecond, &bytes.Buffer{})
			if err == nil || err.Error() != tt.want || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
				t.Errorf("got %v\nwant %s", err, tt.want)
			}
		})
	}
}

func TestDown(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		volumes, images bool
		want            string
	}{
		{false, false, compose + " down --remove-orphans"},
		{true, false, compose + " down --remove-orphans --volumes"},
		{true, true, compose + " down --remove-orphans --volumes --rmi local"},
	} {
		fake := newFakeDocker(t, &reply{match: " down"})
		if err := testProject(fake).Down(context.Background(), tt.volumes, tt.images, &bytes.Buffer{}); err != nil {
			t.Error(err)
		}
		if diff := cmp.Diff([]string{tt.want}, fake.commands()); diff != "" {
			t.Errorf("volumes %v, images %v (-want +got):\n%s", tt.volumes, tt.images, diff)
		}
	}
	// Services of a profile go too, whether or not the Compose version
	// would take them down by itself.
	fake := newFakeDocker(t, &reply{match: " down"})
	withProfiles := testProject(fake)
	withProfiles.Profiles = []string{"jobs", "on-request"}
	if err := withProfiles.Down(context.Background(), false, false, &bytes.Buffer{}); err != nil {
		t.Error(err)
	}
	if diff := cmp.Diff([]string{compose + " --profile jobs --profile on-request down --remove-orphans"}, fake.commands()); diff != "" {
		t.Errorf("with profiles (-want +got):\n%s", diff)
	}
	fake = newFakeDocker(t, &reply{match: " down", stderr: "network shop_default has active endpoints\n", err: errExit})
	err := testProject(fake).Down(context.Background(), false, false, &bytes.Buffer{})
	if want := "docker compose down failed:\n    network shop_default has active endpoints"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}

func TestStatus(t *testing.T) {
	t.Parallel()
	fake := newFakeDocker(t, &reply{match: ps, stdout: psOutput})
	got, err := testProject(fake).Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(parseContainers(psOutput), got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestLogs(t *testing.T) {
	t.Parallel()
	fake := newFakeDocker(t, &reply{match: " logs", stdout: "api-1  | listening on :8080\n", stderr: "db-1  | ready\n"})
	var stdout, stderr bytes.Buffer
	if err := testProject(fake).Logs(context.Background(), []string{"api", "db"}, true, "20", &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{compose + " logs --no-color --follow --tail 20 api db"}, fake.commands()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if stdout.String() != "api-1  | listening on :8080\n" || stderr.String() != "db-1  | ready\n" {
		t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}

	fake = newFakeDocker(t, &reply{match: " logs", err: errExit})
	err := testProject(fake).Logs(context.Background(), nil, false, "", &stdout, &stderr)
	if want := "docker compose logs: exit status 1"; err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
	if got, want := fake.commands()[0], compose+" logs --no-color"; got != want {
		t.Errorf("got %s, want %s", got, want)
	}

	// Following ends with an interrupt, which is no failure.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	fake = newFakeDocker(t, &reply{match: " logs", block: true})
	if err := testProject(fake).Logs(ctx, nil, true, "", &stdout, &stderr); err != nil {
		t.Errorf("interrupted: %v", err)
	}
}
