package runner

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFindEngine(t *testing.T) {
	t.Parallel()
	const daemonDown = "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?"
	tests := []struct {
		name     string
		onPath   []string
		replies  []*reply
		want     *Engine
		wantErr  error
		wantMsg  string
		wantRuns []string
	}{
		{
			name:     "compose plugin",
			onPath:   []string{"docker", "docker-compose"},
			replies:  []*reply{{match: "docker info", stdout: "x86_64\n"}, {match: "docker compose version", stdout: "Docker Compose version v2.29.7\n"}},
			want:     &Engine{Compose: []string{"docker", "compose"}, Arch: "amd64"},
			wantRuns: []string{"docker info --format {{.Architecture}}", "docker compose version"},
		},
		{
			name:   "docker-compose v1 where the plugin is missing",
			onPath: []string{"docker", "docker-compose"},
			replies: []*reply{{match: "docker info", stdout: "aarch64\n"},
				{match: "docker compose version", stderr: "docker: 'compose' is not a docker command.\n", err: errExit}},
			want:     &Engine{Compose: []string{"docker-compose"}, Arch: "arm64"},
			wantRuns: []string{"docker info --format {{.Architecture}}", "docker compose version"},
		},
		{
			name:    "no docker",
			wantErr: ErrNoDocker,
			wantMsg: "Docker is not installed: docker is not on PATH; install Docker Engine (https://docs.docker.com/engine/install/) and run this again",
		},
		{
			name:     "daemon down",
			onPath:   []string{"docker"},
			replies:  []*reply{{match: "docker info", stderr: "Client:\n Version: 27.3.1\n\n" + daemonDown + "\n", err: errExit}},
			wantErr:  ErrDaemonDown,
			wantMsg:  "the Docker daemon is not running (" + daemonDown + "): start it (e.g. sudo systemctl start docker, or open Docker Desktop) or check DOCKER_HOST and your docker context",
			wantRuns: []string{"docker info --format {{.Architecture}}"},
		},
		{
			name:   "no compose",
			onPath: []string{"docker"},
			replies: []*reply{{match: "docker info", stdout: "x86_64\n"},
				{match: "docker compose version", stderr: "docker: 'compose' is not a docker command.\n", err: errExit}},
			wantErr:  ErrNoCompose,
			wantMsg:  "Docker Compose is not installed: neither the docker compose plugin nor docker-compose was found; install one (e.g. apt-get install docker-compose-plugin, or docker-compose)",
			wantRuns: []string{"docker info --format {{.Architecture}}", "docker compose version"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := newFakeDocker(t, tt.replies...)
			fake.onPath = map[string]bool{}
			for _, p := range tt.onPath {
				fake.onPath[p] = true
			}
			got, err := findEngine(context.Background(), fake)
			if !errors.Is(err, tt.wantErr) || (err != nil && err.Error() != tt.wantMsg) {
				t.Fatalf("error %v, want %q", err, tt.wantMsg)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("engine (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantRuns, fake.commands()); diff != "" {
				t.Errorf("commands (-want +got):\n%s", diff)
			}
		})
	}
}

// TestExec runs real processes: what Exec runs is what the command line
// says, with the environment added and both outputs where asked.
func TestExec(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh here")
	}
	var stdout, stderr strings.Builder
	err := Exec{}.Run(context.Background(), Command{Name: "sh", Args: []string{"-c", `read line; echo "$line $TANDEM_TEST"; echo oops >&2; exit 3`},
		Env: []string{"TANDEM_TEST=from env"}, Stdin: strings.NewReader("from stdin\n"), Stdout: &stdout, Stderr: &stderr})
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 3 {
		t.Errorf("error %v, want exit status 3", err)
	}
	if stdout.String() != "from stdin from env\n" || stderr.String() != "oops\n" {
		t.Errorf("stdout %q, stderr %q", stdout.String(), stderr.String())
	}

	// output keeps the command line and what it said on failure.
	_, err = output(context.Background(), Exec{}, "sh", "-c", "echo the reason >&2; exit 1")
	if want := "sh -c echo the reason >&2; exit 1: the reason"; err == nil || err.Error() != want {
		t.Errorf("output: %v, want %q", err, want)
	}
	if out, err := output(context.Background(), Exec{}, "sh", "-c", "echo fine"); err != nil || out != "fine\n" {
		t.Errorf("output: %q, %v", out, err)
	}

	err = Exec{}.Run(context.Background(), Command{Name: "tandem-no-such-program"})
	if !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("a missing program: %v, want exec.ErrNotFound", err)
	}
	if _, err := (Exec{}).LookPath("tandem-no-such-program"); !errors.Is(err, exec.ErrNotFound) {
		t.Errorf("LookPath of a missing program: %v", err)
	}

	// A ctx that ends kills the process rather than waiting for it.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (Exec{}).Run(ctx, Command{Name: "sh", Args: []string{"-c", "sleep 10"}}); !errors.Is(err, context.Canceled) {
		t.Errorf("a cancelled run: %v", err)
	}
}
