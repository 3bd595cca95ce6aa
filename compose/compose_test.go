package compose

import (
	"context"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/internal/golden"
	"github.com/tandemdev/tandem/internal/synth"
)

func parse(t *testing.T, data []byte) *catalogue.Catalogue {
	t.Helper()
	c, err := catalogue.Parse(fsys.OS{}, "tandem.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func load(t *testing.T, file string) *catalogue.Catalogue {
	t.Helper()
	c, err := catalogue.Load(fsys.OS{}, file)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestGolden renders the kinds fixture and the renderers' shared
// addresses fixture, whose cluster side render's goldens hold.
func TestGolden(t *testing.T) {
	t.Parallel()
	for name, fixture := range map[string]string{
		"kinds":     "testdata/kinds.tandem.yaml",
		"addresses": "../render/testdata/addresses.tandem.yaml",
		"perenv":    "../render/testdata/perenv.tandem.yaml",
	} {
		got, err := Render(load(t, fixture), Options{ProjectDir: ".."})
		if err != nil {
			t.Fatal(err)
		}
		golden.Check(t, "testdata/"+name+".compose.yaml", got)
		if _, err := LoadStrict(name, got); err != nil {
			t.Errorf("%s: compose-go's loader rejects the rendered file: %v", name, err)
		}
	}
}

// TestEveryKindIsRunnable keeps the kinds fixture complete: a kind added
// to the catalogue must show up in the golden file with a volume for its
// data and a health check that its users' depends_on can wait for.
func TestEveryKindIsRunnable(t *testing.T) {
	t.Parallel()
	c := load(t, "testdata/kinds.tandem.yaml")
	covered := map[string]string{}
	for name, r := range c.Resources {
		covered[r.Kind] = name
	}
	for _, kind := range catalogue.KindNames() {
		name, ok := covered[kind]
		if !ok {
			t.Errorf("testdata/kinds.tandem.yaml has no resource of kind %s", kind)
			continue
		}
		svc, volume := resourceService(name, c.Resources[name])
		if svc.HealthCheck == nil || len(svc.HealthCheck.Test) < 2 {
			t.Errorf("kind %s: no health check, so its users cannot wait for it", kind)
		}
		if len(svc.Volumes) != 1 || svc.Volumes[0].Source != volume || svc.Volumes[0].Target == "" {
			t.Errorf("kind %s: its data is not on the volume %s: %+v", kind, volume, svc.Volumes)
		}
	}
}

func TestDevSecrets(t *testing.T) {
	t.Parallel()
	got := DevSecrets(load(t, "testdata/kinds.tandem.yaml"))
	want := []string{"API_TOKEN", "DOCS_PASSWORD", "LEGACY_PASSWORD", "MARIA_PASSWORD", "MY_PASSWORD", "PG_PASSWORD", "QUEUE_PASSWORD"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("DevSecrets (-want +got):\n%s", diff)
	}
}

func TestSecretsNeverLiteral(t *testing.T) {
	t.Parallel()
	c := load(t, "../examples/shop/tandem.yaml")
	got, err := Render(c, Options{ProjectDir: ".."})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range DevSecrets(c) {
		for _, line := range strings.Split(string(got), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), name+":") && !strings.Contains(line, "${"+name+":?") {
				t.Errorf("%s is not interpolated from the dev env file: %s", name, line)
			}
		}
	}
}

func TestCheckRejectsInvalidCompose(t *testing.T) {
	t.Parallel()
	for file, want := range map[string]string{
		"services:\n  web:\n    image: web\n    depends_on: {db: {condition: service_started}}\n":      `service "web" depends on undefined service "db"`,
		"services:\n  web:\n    image: web\n    volumes: [{type: volume, source: data, target: /d}]\n": `service "web" refers to undefined volume data`,
		"services:\n  web:\n    image: web\n    prots: [80]\n":                                         "prots",
	} {
		var err error
		if strings.Contains(want, "undefined") {
			var project types.Project
			if yaml.Unmarshal([]byte(file), &project) != nil {
				t.Fatalf("cannot read %q", file)
			}
			err = checkReferences(&project)
		} else {
			err = checkSchema([]byte(file))
		}
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want an error naming %q", file, err, want)
		}
		if _, err := LoadStrict("shop", []byte(file)); err == nil {
			t.Errorf("compose-go loaded %q", file)
		}
	}
	// What only the loader's decoding catches, LoadStrict does (tests run
	// it on every file they render).
	if _, err := LoadStrict("shop", []byte("services:\n  web:\n    image: web\n    healthcheck: {interval: soon}\n")); err == nil {
		t.Error("compose-go loaded a healthcheck interval of soon")
	}
}

// TestDeepDependencyGraphsRender guards against compose-go's cycle
// search, which is exponential in the paths of a deep depends_on graph:
// were it back, this test would not finish.
func TestDeepDependencyGraphsRender(t *testing.T) {
	t.Parallel()
	c, err := catalogue.Parse(fsys.OS{}, "tandem.yaml", synth.Catalogue(300))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Render(c, Options{ProjectDir: ".."}); err != nil {
		t.Fatal(err)
	}
}

// TestMarshalInPiecesMatchesWhole: the services encoded one by one, on
// every core, give the bytes of the whole project encoded at once, in
// the encoder's order of keys (svc-9 before svc-10), with its quoting of
// names and with long values.
func TestMarshalInPiecesMatchesWhole(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("a long argument ", 12)
	for name, c := range map[string]*catalogue.Catalogue{
		"kinds": load(t, "testdata/kinds.tandem.yaml"),
		"synth": parse(t, synth.Catalogue(200)),
		"long": parse(t, []byte("name: long\nservices:\n  app:\n    image: app:1.0\n    command: [sh, -c, '"+long+"']\n"+
			"    env: {NOTE: '"+long+"', QUOTED: 'it''s \""+long+"\"'}\n")),
		// YAML 1.1 reads these names as booleans: docker-compose v1 would
		// not find the service "on" that "yes" depends on.
		"booleans": parse(t, []byte("name: booleans\nservices:\n  \"on\": {image: on:1.0, ports: [{name: http, port: 80}]}\n"+
			"  \"yes\": {image: yes:1.0, uses: [\"on\"]}\n  \"n\": {image: n:1.0}\n")),
	} {
		project := devProject(c, Options{ProjectDir: ".."})
		got, err := marshal(project)
		if err != nil {
			t.Fatal(err)
		}
		var doc yaml.Node
		if err := doc.Encode(project); err != nil {
			t.Fatal(err)
		}
		deleteKey(&doc, "name")
		services := lookup(&doc, "services")
		for i := 1; i < len(services.Content); i += 2 {
			if deps := lookup(services.Content[i], "depends_on"); deps != nil {
				for j := 1; j < len(deps.Content); j += 2 {
					deleteKey(deps.Content[j], "required")
				}
			}
		}
		want, err := encodeNode(&doc)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("%s: encoded in pieces differs from encoded whole (-whole +pieces):\n%s", name, diff)
		}
		if name == "booleans" && !strings.Contains(string(got), "\n  \"on\":\n") {
			t.Errorf("booleans: the service on is not quoted:\n%s", got)
		}
	}
}

// TestProbeAndHealthForEveryKind: every kind of check reports health, so
// those who use the service wait for it, and all but a command run
// tandem's probe, which must then be mounted.
func TestProbeAndHealthForEveryKind(t *testing.T) {
	t.Parallel()
	tests := []struct {
		health               string
		wantProbe, wantCheck bool
	}{
		{"{http: /healthz}", true, true},
		{"{tcp: true}", true, true},
		{"{grpc: true, grpcService: shop.Cart}", true, true},
		{"{command: [app, ping]}", false, true},
		{"", false, false},
	}
	for _, tt := range tests {
		health := ""
		if tt.health != "" {
			health = "\n    health: " + tt.health
		}
		c := parse(t, []byte("name: kinds\nservices:\n  app:\n    image: app:1.0\n    ports: [{name: grpc, port: 9090}]"+health+
			"\n  user: {image: user:1.0, uses: [app]}\n"))
		if got := NeedsProbe(c); got != tt.wantProbe {
			t.Errorf("%q: NeedsProbe = %v, want %v", tt.health, got, tt.wantProbe)
		}
		if got := hasHealthCheck(c, "app"); got != tt.wantCheck {
			t.Errorf("%q: hasHealthCheck = %v, want %v", tt.health, got, tt.wantCheck)
		}
		project := devProject(c, Options{ProjectDir: ".."})
		app, user := project.Services["app"], project.Services["user"]
		mounted := len(app.Volumes) == 1 && app.Volumes[0].Target == probeTarget && app.Volumes[0].ReadOnly
		if mounted != tt.wantProbe {
			t.Errorf("%q: probe mounted %v, want %v: %+v", tt.health, mounted, tt.wantProbe, app.Volumes)
		}
		if healthy := user.DependsOn["app"].Condition == types.ServiceConditionHealthy; healthy != tt.wantCheck {
			t.Errorf("%q: user waits for app's health: %v, want %v", tt.health, healthy, tt.wantCheck)
		}
	}
}

// TestHostPathsAreEscaped: Compose interpolates every value, host paths
// too. Read back as Compose reads it, with interpolation and D set, the
// file names the folders the catalogue does, literally, below a
// catalogue folder whose path holds a $ (issue 19).
func TestHostPathsAreEscaped(t *testing.T) {
	t.Parallel()
	f := fsys.NewMemory("/work/a$b")
	if err := f.WriteFile("/work/a$b/app.conf", []byte("x=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := catalogue.Parse(f, "tandem.yaml", []byte(`name: shop
services:
  web:
    build: "${D:-..}/${D:-..}/ctx"
    ports: [{name: http, port: 8080}]
    health: {http: /healthz}
    volumes:
      - {path: /etc/app.conf, config: app.conf}
      - {path: /src, source: "$HOME/src"}
`))
	if err != nil {
		t.Fatal(err)
	}
	data, err := Render(c, Options{ProjectDir: "../a$b"})
	if err != nil {
		t.Fatal(err)
	}
	project, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  "/work/out",
		ConfigFiles: []types.ConfigFile{{Filename: "compose.yaml", Content: data}},
		Environment: types.Mapping{"D": "/etc", "HOME": "/root"},
	}, func(o *loader.Options) { o.SetProjectName("shop", true) })
	if err != nil {
		t.Fatal(err)
	}
	web := project.Services["web"]
	got := []string{web.Build.Context}
	for _, v := range web.Volumes {
		got = append(got, v.Source)
	}
	want := []string{"/work/a$b/${D:-..}/${D:-..}/ctx", "/work/a$b/.tandem/probe", "/work/a$b/app.conf", "/work/a$b/$HOME/src"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("host paths as Compose resolves them (-want +got):\n%s\n%s", diff, data)
	}
}
