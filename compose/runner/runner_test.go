package runner

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
)

// psOutput is what `docker ps --format` prints for containers in each
// state up meets, plus a one-off `compose run` container.
const psOutput = "orders-db\tid1\trunning\tFalse\tUp 5 seconds (healthy)\n" +
	"events\tid2\trunning\tFalse\tUp 2 seconds (health: starting)\n" +
	"payments\tid3\trunning\tFalse\tUp 40 seconds (unhealthy)\n" +
	"notifications\tid4\trunning\tFalse\tUp 3 seconds\n" +
	"quitter\tid5\texited\tFalse\tExited (1) 2 seconds ago\n" +
	"orders\tid6\trunning\tTrue\tUp 1 second\n"

func TestParseContainers(t *testing.T) {
	got := parseContainers(psOutput)
	want := map[string]Container{
		"orders-db":     {Service: "orders-db", ID: "id1", State: "running", Health: "healthy", Status: "Up 5 seconds (healthy)"},
		"events":        {Service: "events", ID: "id2", State: "running", Health: "starting", Status: "Up 2 seconds (health: starting)"},
		"payments":      {Service: "payments", ID: "id3", State: "running", Health: "unhealthy", Status: "Up 40 seconds (unhealthy)"},
		"notifications": {Service: "notifications", ID: "id4", State: "running", Status: "Up 3 seconds"},
		"quitter":       {Service: "quitter", ID: "id5", State: "exited", Status: "Exited (1) 2 seconds ago"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if len(parseContainers("")) != 0 {
		t.Error("no containers parsed as some")
	}
}

func TestReadyAndFailed(t *testing.T) {
	states := parseContainers(psOutput)
	for name, want := range map[string]struct{ ready, failed bool }{
		"orders-db":     {ready: true},
		"events":        {},
		"payments":      {failed: true},
		"notifications": {ready: true},
		"quitter":       {failed: true},
	} {
		if c := states[name]; c.Ready() != want.ready || c.Failed() != want.failed {
			t.Errorf("%s: ready %v failed %v, want %+v", name, c.Ready(), c.Failed(), want)
		}
	}
}

// TestOneShotUnits: a job is ready once it exited 0 and failed when it
// exited otherwise; a long-running service that exited 0 has failed.
func TestOneShotUnits(t *testing.T) {
	job, server := Unit{Name: "orders-migrate", OneShot: true}, Unit{Name: "orders"}
	for _, tt := range []struct {
		status              string
		state               string
		jobReady, jobFailed bool
		serverFailed        bool
	}{
		{"Up 2 seconds", "running", false, false, false},
		{"Exited (0) 1 second ago", "exited", true, false, true},
		{"Exited (3) 1 second ago", "exited", false, true, true},
		{"Created", "created", false, false, false},
	} {
		c := Container{State: tt.state, Status: tt.status}
		if job.Ready(c) != tt.jobReady || job.Failed(c) != tt.jobFailed || server.Failed(c) != tt.serverFailed {
			t.Errorf("%s: job ready %v failed %v, server failed %v; want %+v", tt.status, job.Ready(c), job.Failed(c), server.Failed(c), tt)
		}
	}
}

func shopPlan(t *testing.T, names ...string) Plan {
	t.Helper()
	c, err := catalogue.Load(fsys.OS{}, "../../examples/shop/tandem.yaml")
	if err != nil {
		t.Fatal(err)
	}
	selection, err := c.Selection(names, nil)
	if err != nil {
		t.Fatal(err)
	}
	return NewPlan(c, selection)
}

func TestNewPlan(t *testing.T) {
	plan := shopPlan(t, "bff", "notifications")
	byName := map[string]Unit{}
	for _, u := range plan {
		byName[u.Name] = u
	}
	if diff := cmp.Diff(Unit{Name: "bff", Uses: []string{"auth", "catalog", "cart", "orders", "cache"}, Healthcheck: true, Build: true,
		Ports: []HostPort{{Name: "http", Port: 8080}}}, byName["bff"]); diff != "" {
		t.Errorf("bff (-want +got):\n%s", diff)
	}
	if u := byName["notifications"]; !u.Healthcheck || !u.Build || len(u.Ports) != 0 {
		t.Errorf("notifications: %+v", u)
	}
	if u := byName["orders-db"]; !u.Healthcheck || u.Build {
		t.Errorf("orders-db: %+v", u)
	}
	// The migrate job runs before orders, once what it needs of orders'
	// uses (the resources) is ready; the scheduled reconcile job is not run.
	if diff := cmp.Diff(Unit{Name: "orders-migrate", Uses: []string{"orders-db", "events"}, Build: true, OneShot: true}, byName["orders-migrate"]); diff != "" {
		t.Errorf("orders-migrate (-want +got):\n%s", diff)
	}
	if uses := byName["orders"].Uses; uses[len(uses)-1] != "orders-migrate" {
		t.Errorf("orders does not wait for its migrate job: %v", uses)
	}
	if len(plan) != 14 {
		t.Errorf("plan has %d units, want the 13 services and resources of the shop and orders-migrate: %v", len(plan), plan.Names())
	}
}

// TestProgress follows up through three polls: what waits on what before
// Compose creates a container, then each state change once.
func TestProgress(t *testing.T) {
	plan := shopPlan(t, "orders")
	var out bytes.Buffer
	p := newProgress(plan, &out)
	p.update(map[string]Container{})
	p.update(parseContainers("orders-db\ta\trunning\tFalse\tUp 1 second (health: starting)\nevents\tb\trunning\tFalse\tUp 1 second (healthy)\npayments-db\tc\trunning\tFalse\tUp 1 second (healthy)\n"))
	p.update(parseContainers("orders-db\ta\trunning\tFalse\tUp 2 seconds (health: starting)\nevents\tb\trunning\tFalse\tUp 2 seconds (healthy)\npayments-db\tc\trunning\tFalse\tUp 2 seconds (healthy)\n"))
	want := `  events               creating
  orders               waiting for orders-db, events, payments, orders-migrate
  orders-db            creating
  orders-migrate       waiting for orders-db, events
  payments             waiting for payments-db, events
  payments-db          creating
  events               healthy
  orders               waiting for orders-db, payments, orders-migrate
  orders-db            starting (health check pending)
  orders-migrate       waiting for orders-db
  payments             creating
  payments-db          healthy
`
	if diff := cmp.Diff(want, out.String()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestProgressOfCreatedContainers: docker compose v2 creates every
// container before it starts any; a created container still waits.
func TestProgressOfCreatedContainers(t *testing.T) {
	plan := shopPlan(t, "orders")
	var out bytes.Buffer
	p := newProgress(plan, &out)
	p.update(parseContainers("orders\ta\tcreated\tFalse\tCreated\npayments\tb\tcreated\tFalse\tCreated\n" +
		"orders-db\tc\trunning\tFalse\tUp 1 second (healthy)\nevents\td\trunning\tFalse\tUp 1 second (healthy)\npayments-db\te\trunning\tFalse\tUp 1 second (healthy)\n" +
		"orders-migrate\tf\texited\tFalse\tExited (0) 1 second ago\n"))
	for _, want := range []string{"  orders               waiting for payments\n", "  payments             created\n", "  orders-migrate       completed\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no %q in:\n%s", want, out.String())
		}
	}
}

func TestWriteStatus(t *testing.T) {
	plan := shopPlan(t, "bff")
	states := map[string]Container{"bff": {State: "running", Health: "healthy"}, "cache": {State: "exited"}}
	var out bytes.Buffer
	if err := WriteStatus(&out, plan, states); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(out.String(), "\n")
	for _, want := range []string{"SERVICE         STATE        URL", "bff             healthy      http://localhost:8080", "cache           exited", "auth            not running"} {
		found := false
		for _, l := range lines {
			found = found || strings.TrimRight(l, " ") == want
		}
		if !found {
			t.Errorf("no line %q in:\n%s", want, out.String())
		}
	}
}

func TestProjectName(t *testing.T) {
	a, b := ProjectName("shop", "/home/ann/shop"), ProjectName("shop", "/home/ann/shop-2")
	if a == b || !strings.HasPrefix(a, "shop-") || len(a) != len("shop-")+8 {
		t.Errorf("project names %q and %q", a, b)
	}
	if a != ProjectName("shop", "/home/ann/shop") {
		t.Error("the project name of a folder changes")
	}
}

func TestGoArch(t *testing.T) {
	for machine, want := range map[string]string{"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64", "s390x": "s390x"} {
		if got := goArch(machine); got != want {
			t.Errorf("goArch(%q) = %q, want %q", machine, got, want)
		}
	}
}

// TestPlanOfEnvironments: up runs what exists in dev, publishes dev's
// ports (the debugger's too), waits for one-shot services to complete,
// and refuses a service of the clusters only.
func TestPlanOfEnvironments(t *testing.T) {
	t.Parallel()
	c, err := catalogue.Load(fsys.OS{}, "../../render/testdata/perenv.tandem.yaml")
	if err != nil {
		t.Fatal(err)
	}
	all, err := c.Selection(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	plan := NewPlan(c, all)
	if diff := cmp.Diff([]string{"api", "api-migrate", "db", "gateway", "loadgen", "mailcatcher", "seed", "warmer", "worker"}, plan.Names()); diff != "" {
		t.Errorf("units (-want +got):\n%s", diff)
	}
	for _, u := range plan {
		if u.Name == "seed" {
			if diff := cmp.Diff(Unit{Name: "seed", Uses: []string{"db"}, Build: true, OneShot: true}, u); diff != "" {
				t.Errorf("seed (-want +got):\n%s", diff)
			}
		}
	}
	if !plan.ready("seed", map[string]Container{"seed": {State: "exited", Status: "Exited (0) 1 second ago"}}) {
		t.Error("a one-shot service that exited 0 is not ready")
	}
	for _, u := range plan {
		if u.Name == "api" {
			if diff := cmp.Diff([]HostPort{{Name: "http", Port: 8080}, {Name: "debug", Port: 40000}}, u.Ports); diff != "" {
				t.Errorf("api's host ports (-want +got):\n%s", diff)
			}
		}
	}
	if _, err := c.Selection([]string{"reports"}, nil); err == nil || !strings.Contains(err.Error(), `service "reports" does not run in dev (environments: staging, prod)`) {
		t.Errorf("up reports: %v", err)
	}
}
