package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/internal/synth"
	"github.com/tandemdev/tandem/internal/testfs"
)

var tandemBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tandem-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tandemBin = filepath.Join(dir, "tandem")
	// The health probe is embedded into tandem, so it is built first.
	generate := exec.Command("go", "generate", "../compose/probe")
	generate.Stdout, generate.Stderr = os.Stdout, os.Stderr
	if err := generate.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building the health probe:", err)
		os.Exit(1)
	}
	build := exec.Command("go", "build", "-o", tandemBin, "../cmd/tandem")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building tandem:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	stdout, stderr string
	code           int
}

// run runs a program in dir; a failure to start it fails the test, with
// the command line, since that means a missing tool.
func run(t *testing.T, dir, name string, args ...string) result {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("%s %s: %v (is it installed? make tools installs what the tests need)", name, strings.Join(args, " "), err)
	}
	return result{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}
}

func mustRun(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	r := run(t, dir, name, args...)
	if r.code != 0 {
		t.Fatalf("%s %s: exit %d\n%s", name, strings.Join(args, " "), r.code, r.stderr)
	}
	return r.stdout
}

// shop copies the shop example, catalogue and service sources, into a
// fresh folder, as a user's checkout would have it.
func shop(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	copyTree(t, "../examples/shop", dir, func(rel string, d fs.DirEntry) bool {
		return rel == "deploy" || rel == ".tandem" || d.Name() == "bin"
	})
	return dir
}

// copyTree copies the files below src to dst, leaving out what skip
// names (a folder with everything in it).
func copyTree(t *testing.T, src, dst string, skip func(rel string, d fs.DirEntry) bool) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if skip(rel, d) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestBuildMatchesKubectlKustomize is the contract of `tandem build`: the
// bytes `kubectl kustomize` prints for the tree `tandem render` wrote,
// platform patches included.
func TestBuildMatchesKubectlKustomize(t *testing.T) {
	t.Parallel()
	dir := shop(t)
	patches := filepath.Join(dir, "deploy", "overlays", "prod", "patches")
	if err := os.MkdirAll(patches, 0o755); err != nil {
		t.Fatal(err)
	}
	patch := "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: orders\nspec:\n  template:\n    spec:\n      nodeSelector:\n        pool: ordering\n"
	if err := os.WriteFile(filepath.Join(patches, "orders-pool.yaml"), []byte(patch), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, tandemBin, "render")
	for _, env := range []string{"staging", "prod"} {
		t.Run(env, func(t *testing.T) {
			want := mustRun(t, dir, "kubectl", "kustomize", filepath.Join("deploy", "overlays", env))
			got := mustRun(t, dir, tandemBin, "build", env)
			if got != want {
				t.Errorf("tandem build %s differs from kubectl kustomize (-kubectl +tandem):\n%s", env, cmp.Diff(want, got))
			}
			if env == "prod" && !strings.Contains(got, "pool: ordering") {
				t.Error("the platform patch is not applied")
			}
			if !strings.Contains(got, "namespace: shop") {
				t.Errorf("no namespace in %s", env)
			}
		})
	}

	// A component spans every service, so build falls back to one whole
	// kustomize build; the bytes must still be kubectl's.
	component := filepath.Join(dir, "deploy", "components", "team")
	if err := os.MkdirAll(component, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(component, "kustomization.yaml"),
		[]byte("apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nlabels:\n- pairs: {team: shop}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, tandemBin, "render")
	want := mustRun(t, dir, "kubectl", "kustomize", filepath.Join("deploy", "overlays", "prod"))
	r := run(t, dir, tandemBin, "build", "prod", "--verbose")
	if r.code != 0 || r.stdout != want || !strings.Contains(r.stderr, "prod: one kustomize build, because components apply across services") {
		t.Errorf("with a component: exit %d, %s\n(-kubectl +tandem):\n%s", r.code, r.stderr, cmp.Diff(want, r.stdout))
	}
	if !strings.Contains(r.stdout, "team: shop") {
		t.Error("the component's label is not applied")
	}
}

// composeCommand is `docker compose` where the plugin exists, else the
// standalone docker-compose, which is what `tandem up` will use too.
func composeCommand(t *testing.T) []string {
	t.Helper()
	if exec.Command("docker", "compose", "version").Run() == nil {
		return []string{"docker", "compose"}
	}
	if _, err := exec.LookPath("docker-compose"); err != nil {
		t.Fatal("neither `docker compose` nor docker-compose is installed; make tools installs docker-compose")
	}
	return []string{"docker-compose"}
}

func TestComposeFileAcceptedByDockerCompose(t *testing.T) {
	t.Parallel()
	dir := shop(t)
	mustRun(t, dir, tandemBin, "render")
	cfg := composeConfig(t, dir, "shop")
	for _, want := range []string{"orders-db:", "image: postgres:16", "condition: service_healthy", "ORDERS_DB_URL: postgres://orders:"} {
		if !strings.Contains(cfg, want) {
			t.Errorf("docker compose config lacks %q:\n%s", want, cfg)
		}
	}
	env, err := os.ReadFile(filepath.Join(dir, ".tandem", "dev.env"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(env)), "\n") {
		name, value, ok := strings.Cut(line, "=")
		if ok && name == "SESSION_KEY" && !strings.Contains(cfg, "SESSION_KEY: "+value) {
			t.Errorf("the dev secret SESSION_KEY did not reach the bff:\n%s", cfg)
		}
	}

	// Without the env file Compose must stop and say what to do.
	compose := composeCommand(t)
	args := append(compose[1:], "-p", "shop", "-f", filepath.Join("deploy", "compose.yaml"), "config")
	r := run(t, dir, compose[0], args...)
	if r.code == 0 || !strings.Contains(r.stderr, "is not set; tandem render adds it to .tandem/dev.env") {
		t.Errorf("compose config without dev secrets: exit %d, %s", r.code, r.stderr)
	}
}

// TestPodSettingsAcceptedByDockerCompose: the grace period and the pod
// labels of the podsettings fixture reach Compose as Compose reads them,
// on the service and on its jobs.
func TestPodSettingsAcceptedByDockerCompose(t *testing.T) {
	t.Parallel()
	dir := fixtureDir(t, "podsettings")
	// Compose checks that a build context exists.
	if err := os.Mkdir(filepath.Join(dir, "api"), 0o755); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, tandemBin, "render")
	cfg := composeConfig(t, dir, "podsettings")
	// Compose's own rendering: 5s, labels as a mapping, per service.
	for _, want := range []string{"stop_grace_period: 5s", "team: payments", "tier: backend", "team: ops"} {
		if !strings.Contains(cfg, want) {
			t.Errorf("docker compose config lacks %q:\n%s", want, cfg)
		}
	}
	if strings.Contains(cfg, "prometheus.io") {
		t.Errorf("annotations reached the Compose file:\n%s", cfg)
	}
}

// TestAddressesReachTheContainerAsWritten: what Compose itself makes of
// the addresses fixture's variables is what the application must read:
// addresses in its own forms, references filled in (a dev secret's value
// included), escapes undone.
func TestAddressesReachTheContainerAsWritten(t *testing.T) {
	t.Parallel()
	dir := fixtureDir(t, "addresses")
	if err := os.MkdirAll(filepath.Join(dir, "frontend"), 0o755); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, tandemBin, "render")
	env, err := os.ReadFile(filepath.Join(dir, ".tandem", "dev.env"))
	if err != nil {
		t.Fatal(err)
	}
	password := ""
	for _, line := range strings.Split(string(env), "\n") {
		if value, ok := strings.CutPrefix(line, "ORDERS_DB_PASSWORD="); ok {
			password = strings.Trim(value, "'\"")
		}
	}
	if password == "" {
		t.Fatalf("no ORDERS_DB_PASSWORD in dev.env:\n%s", env)
	}
	var cfg struct {
		Services map[string]struct {
			Environment map[string]string `yaml:"environment"`
			Command     []string          `yaml:"command"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal([]byte(composeConfig(t, dir, "addr")), &cfg); err != nil {
		t.Fatal(err)
	}
	for service, want := range map[string]map[string]string{
		"frontend": {
			"PRODUCT_CATALOG_SERVICE_ADDR": "productcatalog:3550",
			"CHECKOUT_SERVICE_ADDR":        "checkout:5050",
			"CHECKOUT_METRICS_URL":         "http://checkout:9090/metrics",
			"REDIS_ADDR":                   "cart-db:6379",
			"ADS_URL":                      "http://ads:9555",
			"ADS_GREETING_URL":             "http://ads:9555/greeting",
			"LITERAL":                      "$(NOT_A_REFERENCE)",
		},
		"checkout": {
			"DATABASE_ADDR":    "orders-db:5432",
			"DSN":              "postgres://checkout:" + password + "@orders-db:5432/checkout?sslmode=disable",
			"DATABASE_OPTIONS": "sslmode=require&user=checkout",
		},
	} {
		for name, value := range want {
			// config prints a Compose file, escaping $ again as $$;
			// the container sees it unescaped.
			if got := strings.ReplaceAll(cfg.Services[service].Environment[name], "$$", "$"); got != value {
				t.Errorf("%s: %s = %q, want %q", service, name, got, value)
			}
		}
	}
	// Arguments too, as Kubernetes fills them in from the variables.
	var arguments []string
	for _, arg := range cfg.Services["frontend"].Command {
		arguments = append(arguments, strings.ReplaceAll(arg, "$$", "$"))
	}
	if want := []string{"--catalog=productcatalog:3550", "--home=$HOME"}; !slices.Equal(arguments, want) {
		t.Errorf("frontend's arguments are %q, want %q", arguments, want)
	}
}

// TestVolumesAcceptedByDockerCompose: Compose itself reads the volumes
// fixture's mounts as tandem means them: data in a named volume, config
// read-only from the repository, scratch in memory with its limit, secrets
// read-only from the files render writes.
func TestVolumesAcceptedByDockerCompose(t *testing.T) {
	t.Parallel()
	dir := fixtureDir(t, "volumes")
	// Compose checks that a build context exists.
	if err := os.MkdirAll(filepath.Join(dir, "web", "public"), 0o755); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, tandemBin, "render")
	env, err := os.ReadFile(filepath.Join(dir, ".tandem", "dev.env"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"WIKI_API_KEY", "DB_PASSWORD"} {
		value, err := os.ReadFile(filepath.Join(dir, ".tandem", "secrets", name))
		if err != nil || !strings.Contains(string(env), "\n"+name+"="+string(value)+"\n") {
			t.Errorf("render wrote %q (%v) as %s's file, not its value in dev.env:\n%s", value, err, name, env)
		}
	}
	var cfg struct {
		Services map[string]struct {
			Volumes []struct {
				Type, Source, Target string
				ReadOnly             bool `yaml:"read_only"`
				Tmpfs                struct{ Size any }
			}
		}
	}
	if err := yaml.Unmarshal([]byte(composeConfig(t, dir, "vol")), &cfg); err != nil {
		t.Fatal(err)
	}
	mounts := map[string]string{}
	for name, svc := range cfg.Services {
		for _, v := range svc.Volumes {
			mounts[name+" "+v.Target] = fmt.Sprintf("%s %s ro=%t size=%v", v.Type, filepath.Base(v.Source), v.ReadOnly, v.Tmpfs.Size)
		}
	}
	for mount, want := range map[string]string{
		"wiki /data":                            "volume wiki-data ro=false size=<nil>",
		"wiki /var/cache/wiki":                  "tmpfs . ro=false size=268435456",
		"web /etc/nginx/nginx.conf":             "bind nginx.conf ro=true size=<nil>",
		"web /etc/nginx/conf.d":                 "bind conf.d ro=true size=<nil>",
		"web /usr/share/nginx/html":             "bind public ro=false size=<nil>",
		"web-warm /etc/nginx/conf.d":            "bind conf.d ro=true size=<nil>",
		"web-warm /var/run/nginx":               "tmpfs . ro=false size=<nil>",
		"web /usr/share/nginx/html/vendor":      "volume . ro=false size=<nil>",
		"web-warm /usr/share/nginx/html/vendor": "volume . ro=false size=<nil>",
		"wiki /run/secrets/api-key":             "bind WIKI_API_KEY ro=true size=<nil>",
		"web /run/secrets/db-password":          "bind DB_PASSWORD ro=true size=<nil>",
	} {
		if got := mounts[mount]; got != want {
			t.Errorf("%s: %q, want %q", mount, got, want)
		}
	}
}

// TestDollarPathsAcceptedByDockerCompose: Compose interpolates every
// value of its file, host paths too. From a catalogue folder whose path
// holds a $, with D set in Compose's environment, Compose resolves each
// build context and mount to the folder the catalogue names, literally,
// below the catalogue's folder (issue 19).
func TestDollarPathsAcceptedByDockerCompose(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "a$b")
	writeFiles(t, dir, map[string]string{
		"tandem.yaml": `name: dollar
services:
  web:
    build: "${D:-..}/ctx"
    ports: [{name: http, port: 8080}]
    health: {http: /healthz}
    volumes:
      - {path: /etc/app.conf, config: app.conf}
      - {path: /src, source: "$HOME"}
`,
		"app.conf":                "x=1\n",
		"${D:-..}/ctx/Dockerfile": "FROM scratch\n",
		"$HOME/main.go":           "package main\n",
	})
	want := map[string]string{
		"build":         filepath.Join(dir, "${D:-..}", "ctx"),
		"/tandem/probe": filepath.Join(dir, ".tandem", "probe"),
		"/etc/app.conf": filepath.Join(dir, "app.conf"),
		"/src":          filepath.Join(dir, "$HOME"),
	}
	// The tree in the catalogue's folder, and beside it, where the
	// Compose file names the catalogue's folder, $ and all.
	for _, out := range []string{"deploy", filepath.Join("..", "out")} {
		mustRun(t, dir, tandemBin, "render", "-o", out)
		compose := composeCommand(t)
		cmd := exec.Command(compose[0], append(compose[1:], "-p", "dollar", "-f", filepath.Join(out, "compose.yaml"), "config")...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "D=/etc", "HOME=/root", "b=/b")
		var stderr strings.Builder
		cmd.Stderr = &stderr
		stdout, err := cmd.Output()
		if err != nil {
			t.Fatalf("%s: %v\n%s", cmd, err, stderr.String())
		}
		var cfg struct {
			Services map[string]struct {
				Build   struct{ Context string }
				Volumes []struct{ Source, Target string }
			}
		}
		if err := yaml.Unmarshal(stdout, &cfg); err != nil {
			t.Fatalf("%v\n%s", err, stdout)
		}
		web := cfg.Services["web"]
		// config prints a Compose file, where a $ may be escaped again.
		got := map[string]string{"build": strings.ReplaceAll(web.Build.Context, "$$", "$")}
		for _, v := range web.Volumes {
			got[v.Target] = strings.ReplaceAll(v.Source, "$$", "$")
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("-o %s: paths as Compose resolves them (-want +got):\n%s\n%s", out, diff, stdout)
		}
	}
}

func TestMalformedCatalogueExits2AndChangesNothing(t *testing.T) {
	t.Parallel()
	dir := shop(t)
	mustRun(t, dir, tandemBin, "render")
	catalogue := filepath.Join(dir, "tandem.yaml")
	data, _ := os.ReadFile(catalogue)
	broken := strings.Replace(string(data), "    domain: ordering\n    ports: [{name: http, port: 8080}, {name: metrics", "    domain: ordering\n    prots: [{name: http, port: 8080}, {name: metrics", 1)
	if broken == string(data) {
		t.Fatal("fixture edit did not apply")
	}
	if err := os.WriteFile(catalogue, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	line := strings.Count(strings.Split(broken, "    prots:")[0], "\n") + 1
	before := testfs.Snapshot(t, dir)
	for _, args := range [][]string{{"render"}, {"build", "prod"}} {
		r := run(t, dir, tandemBin, args...)
		want := fmt.Sprintf(`tandem: tandem.yaml:%d:5: services.orders.prots: unknown field "prots" (did you mean "ports"?)`+"\n", line)
		if r.code != 2 || r.stderr != want || r.stdout != "" {
			t.Errorf("tandem %v: exit %d, stdout %q, stderr %q; want exit 2 and %q", args, r.code, r.stdout, r.stderr, want)
		}
	}
	if diff := cmp.Diff(before, testfs.Snapshot(t, dir)); diff != "" {
		t.Errorf("the folder changed (-before +after):\n%s", diff)
	}
}

// git runs git in dir, failing the test on error.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	return mustRun(t, dir, "git", append([]string{"-c", "user.name=tandem", "-c", "user.email=tandem@example.com"}, args...)...)
}

// TestPlatformPatchesSurviveInAGitRepository is the three-owner workflow:
// developers change the catalogue, the platform team owns a patch, tandem
// renders around it and names it when it goes stale.
func TestPlatformPatchesSurviveInAGitRepository(t *testing.T) {
	t.Parallel()
	dir := shop(t)
	git(t, dir, "init", "-q")
	mustRun(t, dir, tandemBin, "render")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-qm", "render the shop")

	patchPath := filepath.Join("deploy", "overlays", "prod", "patches", "orders-pool.yaml")
	patch := "# Platform team: ordering runs on its own node pool.\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: orders\nspec:\n  template:\n    spec:\n      nodeSelector: {pool: ordering}\n"
	if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, patchPath)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, patchPath), []byte(patch), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, tandemBin, "render")
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-qm", "platform: pin ordering to its pool")
	if r := run(t, dir, tandemBin, "check"); r.code != 0 {
		t.Fatalf("check after render: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// A developer changes the catalogue: check fails until render runs.
	catalogue := filepath.Join(dir, "tandem.yaml")
	data, _ := os.ReadFile(catalogue)
	if err := os.WriteFile(catalogue, []byte(strings.Replace(string(data), "replicas: 4", "replicas: 6", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, dir, tandemBin, "check")
	if r.code != 1 || !strings.Contains(r.stdout, "drift: deploy/overlays/prod/services/orders/deployment-patch.yaml: differs") {
		t.Errorf("check after a catalogue change: exit %d\n%s", r.code, r.stdout)
	}
	mustRun(t, dir, tandemBin, "render")
	if changed := git(t, dir, "status", "--porcelain"); changed != " M deploy/overlays/prod/services/orders/deployment-patch.yaml\n M tandem.yaml\n" {
		t.Errorf("render changed more than the orders patch:\n%s", changed)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, patchPath)); string(got) != patch {
		t.Errorf("the platform patch changed:\n%s", got)
	}
	built := mustRun(t, dir, "kubectl", "kustomize", filepath.Join("deploy", "overlays", "prod"))
	if !strings.Contains(built, "pool: ordering") || !strings.Contains(built, "replicas: 6") {
		t.Error("kubectl kustomize does not apply both the patch and the change")
	}

	// Renaming the patched service leaves the patch stale: named, with its line.
	renamed := strings.NewReplacer("\n  orders:\n", "\n  order-service:\n", "owner: orders\n", "owner: order-service\n",
		"uses: [auth, catalog, cart, orders, cache]", "uses: [auth, catalog, cart, order-service, cache]").Replace(string(data))
	if err := os.WriteFile(catalogue, []byte(renamed), 0o644); err != nil {
		t.Fatal(err)
	}
	r = run(t, dir, tandemBin, "render")
	stale := "deploy/overlays/prod/patches/orders-pool.yaml:5: patches Deployment orders, which prod no longer has"
	if r.code != 0 || !strings.Contains(r.stderr, "warning: "+stale) {
		t.Errorf("render with a stale patch: exit %d\n%s", r.code, r.stderr)
	}
	r = run(t, dir, tandemBin, "check")
	if r.code != 1 || !strings.Contains(r.stdout, "patch: "+stale) {
		t.Errorf("check with a stale patch: exit %d\n%s", r.code, r.stdout)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, patchPath)); string(got) != patch {
		t.Errorf("the stale platform patch was changed:\n%s", got)
	}
}

// TestSplitBuildMatchesKubectlAt200Services: on a synthetic catalogue of
// 200 services (shared config groups, platform patches, one of them
// spanning two services and a config group) tandem build splits the
// overlay into units and prints kubectl kustomize's bytes; with a
// component it falls back to one build, and still does.
func TestSplitBuildMatchesKubectlAt200Services(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "tandem.yaml"), synth.Catalogue(200), 0o644); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, filepath.Join(dir, "deploy"), synth.PlatformPatches(200))
	check := func(wantHow string) string {
		t.Helper()
		mustRun(t, dir, tandemBin, "render")
		want := mustRun(t, dir, "kubectl", "kustomize", filepath.Join("deploy", "overlays", "prod"))
		r := run(t, dir, tandemBin, "build", "prod", "--verbose")
		if r.code != 0 || !strings.Contains(r.stderr, wantHow) {
			t.Fatalf("tandem build prod: exit %d, stderr %q; want %q", r.code, r.stderr, wantHow)
		}
		if r.stdout != want {
			t.Errorf("tandem build prod (%s) differs from kubectl kustomize (-kubectl +tandem):\n%s", wantHow, cmp.Diff(want, r.stdout))
		}
		return r.stdout
	}
	split := check("prod: 202 units, each built alone")
	for _, want := range []string{"priorityClassName: high", "OTEL_TRACES_SAMPLER: parentbased_traceidratio", "pool: pool-0"} {
		if !strings.Contains(split, want) {
			t.Errorf("a platform patch is missing from the build: no %q", want)
		}
	}
	writeFiles(t, filepath.Join(dir, "deploy"), map[string][]byte{
		"components/team/kustomization.yaml": []byte("apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nlabels:\n- pairs: {team: synth}\n"),
	})
	check("prod: one kustomize build, because components apply across services")
}

func writeFiles[C string | []byte](t *testing.T, dir string, files map[string]C) {
	t.Helper()
	for p, content := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// composeConfig is what Compose itself makes of the Compose file that
// tandem render wrote in dir, with the dev secrets where there are any.
func composeConfig(t *testing.T, dir, project string) string {
	t.Helper()
	compose := composeCommand(t)
	args := compose[1:]
	if _, err := os.Stat(filepath.Join(dir, ".tandem", "dev.env")); err == nil {
		args = append(args, "--env-file", filepath.Join(".tandem", "dev.env"))
	}
	args = append(args, "-p", project, "-f", filepath.Join("deploy", "compose.yaml"), "config")
	return mustRun(t, dir, compose[0], args...)
}

// fixtureDir is a folder holding render's fixture as tandem.yaml, with
// the files of its folder <fixture>-config, which it mounts, if any.
func fixtureDir(t *testing.T, fixture string) string {
	t.Helper()
	dir := t.TempDir()
	testdata := filepath.Join("..", "render", "testdata")
	data, err := os.ReadFile(filepath.Join(testdata, fixture+".tandem.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tandem.yaml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	files := filepath.Join(testdata, fixture+"-config")
	if _, err := os.Stat(files); err != nil {
		return dir
	}
	copyTree(t, files, filepath.Join(dir, fixture+"-config"), func(string, fs.DirEntry) bool { return false })
	return dir
}

// TestFixtureGoldensMatchKubectl: the builds that render's golden tests
// pin, for the fixtures that exercise what the shop does not, are what
// kubectl kustomize makes of the rendered tree.
func TestFixtureGoldensMatchKubectl(t *testing.T) {
	t.Parallel()
	for _, fixture := range []string{"addresses", "health", "minimal", "perenv", "podsettings", "production", "volumes"} {
		dir := fixtureDir(t, fixture)
		mustRun(t, dir, tandemBin, "render")
		goldens, _ := filepath.Glob(filepath.Join("..", "render", "testdata", fixture+".*.golden"))
		if len(goldens) == 0 {
			t.Fatalf("no build goldens of %s", fixture)
		}
		for _, golden := range goldens {
			env := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(golden), fixture+"."), ".golden")
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got := mustRun(t, dir, "kubectl", "kustomize", filepath.Join("deploy", "overlays", env)); got != string(want) {
				t.Errorf("%s %s: kubectl kustomize differs from the golden build (-golden +kubectl):\n%s", fixture, env, cmp.Diff(string(want), got))
			}
		}
	}
}

// TestGraphSVGShowsEveryServiceAndResource draws the shop with the real
// Graphviz (make tools installs it) and checks the picture the README
// shows is the current one.
func TestGraphSVGShowsEveryServiceAndResource(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("dot"); err != nil {
		t.Fatal("Graphviz's dot is not installed; make tools installs it")
	}
	svg := mustRun(t, "", tandemBin, "graph", "-f", "../examples/shop/tandem.yaml", "--format", "svg")
	c, err := catalogue.Load(fsys.OS{}, "../examples/shop/tandem.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range append(c.ServiceNames(), c.ResourceNames()...) {
		// Graphviz writes '-' as an entity.
		if !strings.Contains(svg, "<title>"+strings.ReplaceAll(name, "-", "&#45;")+"</title>") {
			t.Errorf("%s is not in the SVG", name)
		}
	}
	if committed, err := os.ReadFile("../docs/shop-graph.svg"); err != nil || string(committed) != svg {
		t.Errorf("docs/shop-graph.svg is not the shop's current graph (%v); run tandem graph -f examples/shop/tandem.yaml --format svg > docs/shop-graph.svg", err)
	}
}

// TestBashCompletion loads the bash script into a real bash and completes
// the way a user's Tab key would.
func TestBashCompletion(t *testing.T) {
	t.Parallel()
	bin := t.TempDir()
	if err := os.Symlink(tandemBin, filepath.Join(bin, "tandem")); err != nil {
		t.Fatal(err)
	}
	dir := shop(t)
	complete := func(line string) string {
		script := `source <(tandem completion bash)
COMP_WORDS=(` + line + `); COMP_CWORD=$((${#COMP_WORDS[@]}-1))
_tandem_complete
printf '%s\n' "${COMPREPLY[@]}"`
		cmd := exec.Command("bash", "-c", script)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("bash: %v\n%s", err, out)
		}
		return string(out)
	}
	for line, want := range map[string]string{
		`tandem bu`:           "build\n",
		`tandem build ""`:     "prod\nstaging\n",
		`tandem build st`:     "staging\n",
		`tandem up orders pa`: "payments\n",
		`tandem up --ti`:      "--timeout\n",
	} {
		if got := complete(line); got != want {
			t.Errorf("completing %q: %q, want %q", line, got, want)
		}
	}
}

// TestCheckFindsADeletedUsesEdge: without its uses edge, bff still runs in
// dev, but a cluster's default-deny NetworkPolicy blocks its calls to
// orders; check must fail and name both, and the code's line. The unit
// test in project deletes every edge of the shop in turn.
func TestCheckFindsADeletedUsesEdge(t *testing.T) {
	t.Parallel()
	dir := shop(t)
	catalogue := filepath.Join(dir, "tandem.yaml")
	data, err := os.ReadFile(catalogue)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), "uses: [auth, catalog, cart, orders, cache]", "uses: [auth, catalog, cart, cache]", 1)
	if edited == string(data) {
		t.Fatal("the shop's bff no longer uses orders as this test expects")
	}
	if err := os.WriteFile(catalogue, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, dir, tandemBin, "render")
	r := run(t, dir, tandemBin, "check")
	code, _ := os.ReadFile(filepath.Join(dir, "services", "bff", "main.go"))
	line := strings.Count(string(code[:strings.Index(string(code), `"ORDERS_URL"`)]), "\n") + 1
	want := fmt.Sprintf("uses: services/bff/main.go:%d: bff reads ORDERS_URL, the address of orders, but does not use orders", line)
	if r.code != 1 || !strings.Contains(r.stdout, want) || !strings.Contains(r.stdout, "1 finding(s)") {
		t.Errorf("check without the edge bff -> orders: exit %d, want 1 and %q\n%s%s", r.code, want, r.stdout, r.stderr)
	}
}
