package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/compose/probe"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/internal/safe"
	"github.com/tandemdev/tandem/internal/testfs"
	"github.com/tandemdev/tandem/project"
	"github.com/urfave/cli/v2"
)

// run drives the real command line in-process.
func run(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = Run(context.Background(), Streams{In: strings.NewReader(""), Out: &out, Err: &errOut}, append([]string{"tandem"}, args...))
	return code, out.String(), errOut.String()
}

// shopCopy copies the shop's catalogue into a fresh folder.
func shopCopy(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	data, err := os.ReadFile("../../../examples/shop/tandem.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tandem.yaml"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func TestRenderAndBuild(t *testing.T) {
	t.Parallel()
	dir := shopCopy(t)
	file, out := filepath.Join(dir, "tandem.yaml"), filepath.Join(dir, "deploy")
	code, stdout, stderr := run(t, "render", "-f", file, "-o", out)
	if code != ExitOK {
		t.Fatalf("render: exit %d: %s", code, stderr)
	}
	if !strings.Contains(stdout, "100 written, 0 unchanged, 0 removed") || !strings.Contains(stdout, "SESSION_KEY") {
		t.Errorf("render output: %q", stdout)
	}
	env, err := os.Stat(filepath.Join(dir, ".tandem", "dev.env"))
	if err != nil || env.Mode().Perm() != 0o600 {
		t.Errorf("dev env file: %v, %v; want mode 0600", env, err)
	}
	if ignore, err := os.ReadFile(filepath.Join(dir, ".tandem", ".gitignore")); err != nil || !strings.Contains(string(ignore), "\n*\n") {
		t.Errorf(".tandem/.gitignore does not ignore the folder: %q, %v", ignore, err)
	}
	// The Compose file's http, tcp and grpc checks run the probe from .tandem.
	var probeWant []byte
	if want, err := probe.Binary(runtime.GOARCH); errors.Is(err, probe.ErrMissing) {
		if !strings.Contains(stderr, "warning: the health checks in compose.yaml need .tandem/probe: this tandem was built without its health probe") {
			t.Errorf("a tandem without its probe rendered without saying so: %q", stderr)
		}
	} else {
		got, err := os.ReadFile(filepath.Join(dir, ".tandem", "probe"))
		info, statErr := os.Stat(filepath.Join(dir, ".tandem", "probe"))
		if err != nil || statErr != nil || !bytes.Equal(got, want) || info.Mode().Perm() != 0o755 {
			t.Errorf("the probe was not installed as an executable: %v, %v", err, statErr)
		}
		// An older tandem's probe may not know every kind of check: the
		// next render replaces it.
		if err := os.WriteFile(filepath.Join(dir, ".tandem", "probe"), []byte("an older probe"), 0o755); err != nil {
			t.Fatal(err)
		}
		probeWant = want
	}

	code, stdout, _ = run(t, "render", "-f", file, "-o", out)
	if code != ExitOK || !strings.Contains(stdout, "0 written, 100 unchanged, 0 removed") || strings.Contains(stdout, "added") {
		t.Errorf("second render: exit %d, %q", code, stdout)
	}
	if got, err := os.ReadFile(filepath.Join(dir, ".tandem", "probe")); probeWant != nil && (err != nil || !bytes.Equal(got, probeWant)) {
		t.Errorf("render kept an older tandem's probe: %v", err)
	}

	code, stdout, stderr = run(t, "build", "prod", "-f", file, "-o", out)
	if code != ExitOK || !strings.HasPrefix(stdout, "apiVersion: v1\n") || !strings.Contains(stdout, "image: registry.example.com/shop/orders:1.4.2\n") {
		t.Errorf("build prod: exit %d, stderr %q, stdout starts %q", code, stderr, stdout[:min(len(stdout), 200)])
	}

	// --verbose says how: unit by unit, or whole and why.
	code, split, stderr := run(t, "build", "prod", "--verbose", "-f", file, "-o", out)
	if code != ExitOK || split != stdout || stderr != "tandem: prod: 12 units, each built alone, merged in kustomize's order\n" {
		t.Errorf("build prod --verbose: exit %d, stderr %q", code, stderr)
	}
	component := filepath.Join(out, "components", "team")
	if err := os.MkdirAll(component, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(component, "kustomization.yaml"), []byte("apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nlabels:\n- pairs: {team: shop}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, whole, stderr := run(t, "build", "prod", "--verbose", "-f", file, "-o", out)
	if code != ExitOK || !strings.Contains(whole, "team: shop") || stderr != "tandem: prod: one kustomize build, because components apply across services\n" {
		t.Errorf("build prod --verbose with a component: exit %d, stderr %q", code, stderr)
	}
}

func TestRenderKeepsDevSecretValues(t *testing.T) {
	t.Parallel()
	dir := shopCopy(t)
	envFile := filepath.Join(dir, ".tandem", "dev.env")
	if err := os.MkdirAll(filepath.Dir(envFile), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(envFile, []byte("SESSION_KEY=mine\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "render", "-f", filepath.Join(dir, "tandem.yaml"), "-o", filepath.Join(dir, "deploy")); code != ExitOK {
		t.Fatalf("render: %s", stderr)
	}
	data, _ := os.ReadFile(envFile)
	if !strings.HasPrefix(string(data), "SESSION_KEY=mine\n") || strings.Count(string(data), "SESSION_KEY=") != 1 {
		t.Errorf("developer's value not kept:\n%s", data)
	}

	// Complete env file, no .gitignore yet: render still makes it ignored.
	ignore := filepath.Join(dir, ".tandem", ".gitignore")
	if err := os.Remove(ignore); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := run(t, "render", "-f", filepath.Join(dir, "tandem.yaml"), "-o", filepath.Join(dir, "deploy")); code != ExitOK || strings.Contains(stdout, "added") {
		t.Fatalf("render: exit %d, %q, %s", code, stdout, stderr)
	}
	if _, err := os.Stat(ignore); err != nil {
		t.Errorf("no .gitignore beside a complete dev env file: %v", err)
	}
}

// TestInvalidInputChangesNothing: a bad catalogue is reported with its
// position, exits 2 and leaves the previous render as it was.
func TestInvalidInputChangesNothing(t *testing.T) {
	t.Parallel()
	dir := shopCopy(t)
	file, out := filepath.Join(dir, "tandem.yaml"), filepath.Join(dir, "deploy")
	if code, _, stderr := run(t, "render", "-f", file, "-o", out); code != ExitOK {
		t.Fatal(stderr)
	}
	data, _ := os.ReadFile(file)
	broken := strings.Replace(string(data), "uses: [orders-db, events, payments]", "uses: [orders-db, event, payments]", 1)
	upTo, _, _ := strings.Cut(broken, "uses: [orders-db, event, payments]")
	line, column := strings.Count(upTo, "\n")+1, len(upTo)-strings.LastIndex(upTo, "\n")+len("uses: [orders-db, ")
	if err := os.WriteFile(file, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	before := testfs.Snapshot(t, dir)
	for _, args := range [][]string{{"render"}, {"build", "prod"}} {
		code, stdout, stderr := run(t, append(args, "-f", file, "-o", out)...)
		want := fmt.Sprintf("tandem: %s:%d:%d: services.orders.uses[1]: unknown service or resource \"event\" (did you mean \"events\"?)\n", file, line, column)
		if code != ExitInput || stderr != want || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and %q", args, code, stdout, stderr, want)
		}
	}
	if diff := cmp.Diff(before, testfs.Snapshot(t, dir)); diff != "" {
		t.Errorf("a failed render changed files (-before +after):\n%s", diff)
	}
}

func TestRenderRefusesHandWrittenFiles(t *testing.T) {
	t.Parallel()
	dir := shopCopy(t)
	out := filepath.Join(dir, "deploy")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "compose.yaml"), []byte("services: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := testfs.Snapshot(t, dir)
	code, _, stderr := run(t, "render", "-f", filepath.Join(dir, "tandem.yaml"), "-o", out)
	if code != ExitInput || !strings.Contains(stderr, filepath.Join(out, "compose.yaml")+`: has no "# Code generated by tandem; DO NOT EDIT." header`) {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
	if diff := cmp.Diff(before, testfs.Snapshot(t, dir)); diff != "" {
		t.Errorf("a refused render changed files (-before +after):\n%s", diff)
	}
}

func TestUsageErrors(t *testing.T) {
	t.Parallel()
	dir := shopCopy(t)
	file := filepath.Join(dir, "tandem.yaml")
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"rendr"}, `unknown command "rendr"`},
		{[]string{"render", "--nope"}, "flag provided but not defined: -nope"},
		{[]string{"render", "extra"}, `render takes no arguments, got ["extra"]`},
		{[]string{"build", "prod", "staging", "-f", file}, "build takes one environment, e.g. tandem build prod"},
		{[]string{"build", "-f", file}, "build takes one environment, e.g. tandem build prod"},
		{[]string{"build", "dev", "-f", file}, "dev runs locally from compose.yaml; it has no kustomize overlay (choose one of: prod, staging)"},
		{[]string{"build", "qa", "-f", file}, `unknown environment: "qa" (choose one of: prod, staging)`},
		{[]string{"up", "order", "-f", file}, `no service or resource "order" in ` + file + ` (did you mean "orders"?)`},
		{[]string{"up", "--domain", "ordring", "-f", file}, `no service has domain "ordring" (domains: catalog, engagement, identity, ordering, payments, storefront) (did you mean "ordering"?)`},
		{[]string{"logs", "paymnts", "-f", file}, `no service or resource "paymnts"`},
		{[]string{"down", "orders", "-f", file}, "down takes no arguments; it stops the whole project"},
		{[]string{"ps", "orders", "-f", file}, "ps takes no arguments"},
	}
	for _, tt := range tests {
		code, _, stderr := run(t, tt.args...)
		if code != ExitInput || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 with %q", tt.args, code, stderr, tt.want)
		}
	}
}

func TestMissingCatalogueIsAClearError(t *testing.T) {
	t.Parallel()
	missing := filepath.Join(t.TempDir(), "tandem.yaml")
	code, _, stderr := run(t, "render", "-f", missing)
	if code != ExitInput || stderr != "tandem: no catalogue: "+missing+" does not exist; run tandem in the catalogue's folder or pass it with -f FILE\n" {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}

// TestHelpShowsExamples: every command's help shows how to run it.
func TestHelpShowsExamples(t *testing.T) {
	t.Parallel()
	for _, cmd := range commands(Streams{}) {
		code, stdout, _ := run(t, cmd.Name, "--help")
		if code != ExitOK || !regexp.MustCompile(`Examples?:\n(.*\n)*\s+.*tandem `+regexp.QuoteMeta(cmd.Name)+`\b`).MatchString(stdout) {
			t.Errorf("%s --help: exit %d\n%s", cmd.Name, code, stdout)
		}
	}
}

func TestFlagsFirst(t *testing.T) {
	t.Parallel()
	commands := []*cli.Command{{Name: "build", Flags: []cli.Flag{fileFlag(), &cli.BoolFlag{Name: "verbose"}}}}
	tests := []struct{ in, want []string }{
		{[]string{"tandem", "build", "prod", "-f", "x.yaml"}, []string{"tandem", "build", "-f", "x.yaml", "prod"}},
		{[]string{"tandem", "build", "prod", "--verbose", "--file=x.yaml"}, []string{"tandem", "build", "--verbose", "--file=x.yaml", "prod"}},
		{[]string{"tandem", "build", "--", "-odd"}, []string{"tandem", "build", "--", "-odd"}},
		{[]string{"tandem", "other", "a", "-f", "x"}, []string{"tandem", "other", "a", "-f", "x"}},
	}
	for _, tt := range tests {
		if got := flagsFirst(commands, tt.in); !cmp.Equal(got, tt.want) {
			t.Errorf("flagsFirst(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestEnvAndDiffCommands(t *testing.T) {
	t.Parallel()
	dir := shopCopy(t)
	file := filepath.Join(dir, "tandem.yaml")
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"env", "notifications", "--env", "prod", "-f", file}, ExitOK, "SMTP_HOST                    smtp.example.com                      override prod\n                               overrides mailhog                   service\n"},
		{[]string{"env", "bff", "-f", file, "--output", "json"}, ExitOK, `"value": "****** (from .tandem/dev.env)"`},
		{[]string{"env", "bff", "-f", file, "--output", "yaml"}, ExitInput, `--output is text or json, not "yaml"`},
		{[]string{"env", "-f", file}, ExitInput, "env takes one service"},
		{[]string{"env", "bf", "-f", file}, ExitInput, `no service "bf"`},
		{[]string{"diff", "staging", "prod", "-f", file}, ExitFindings, "  replicas                     1                                                   4\n"},
		{[]string{"diff", "prod", "prod", "-f", file}, ExitOK, "prod and prod do not differ\n"},
		{[]string{"diff", "staging", "prod", "--rendered", "-f", file, "-o", filepath.Join(dir, "deploy")}, ExitFindings, "-  namespace: shop-staging\n+  namespace: shop\n"},
		{[]string{"diff", "staging", "-f", file}, ExitInput, "diff takes two environments"},
	}
	for _, tt := range tests {
		code, stdout, stderr := run(t, tt.args...)
		if code != tt.code || !strings.Contains(stdout+stderr, tt.want) {
			t.Errorf("%v: exit %d (want %d), output does not contain %q:\n%s%s", tt.args, code, tt.code, tt.want, stdout, stderr)
		}
		if code == ExitFindings && stderr != "" {
			t.Errorf("%v: findings also printed an error: %q", tt.args, stderr)
		}
	}
}

func TestCheckCommand(t *testing.T) {
	t.Parallel()
	dir := shopCopy(t)
	file, out := filepath.Join(dir, "tandem.yaml"), filepath.Join(dir, "deploy")
	if code, _, stderr := run(t, "render", "-f", file, "-o", out); code != ExitOK {
		t.Fatal(stderr)
	}
	code, stdout, _ := run(t, "check", "-f", file, "-o", out)
	if code != ExitOK || stdout != "ok: catalogue valid, rendered tree fresh, platform patches match, 2 environments build\n" {
		t.Errorf("fresh tree: exit %d, %q", code, stdout)
	}

	data, _ := os.ReadFile(file)
	if err := os.WriteFile(file, []byte(strings.Replace(string(data), "replicas: 4", "replicas: 5", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	patchFile := filepath.ToSlash(out) + "/overlays/prod/services/orders/deployment-patch.yaml"
	code, stdout, _ = run(t, "check", "-f", file, "-o", out)
	if code != ExitFindings || !strings.Contains(stdout, "drift: "+patchFile+": differs from what tandem render writes") ||
		!strings.Contains(stdout, "--- a/"+patchFile+"\n+++ b/"+patchFile+"\n") || !strings.Contains(stdout, "-  replicas: 4\n+  replicas: 5\n") {
		t.Errorf("after a catalogue change: exit %d\n%s", code, stdout)
	}
	code, stdout, _ = run(t, "check", "-f", file, "-o", out, "--output", "json")
	if code != ExitFindings || !strings.Contains(stdout, `"ok": false`) || !strings.Contains(stdout, `"file": "`+patchFile+`"`) {
		t.Errorf("json: exit %d\n%s", code, stdout)
	}

	envFile := filepath.Join(dir, ".tandem", "dev.env")
	if err := os.WriteFile(envFile, []byte("SESSION_KEY=x\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, stdout, _ = run(t, "check", "-f", file, "-o", out); !strings.Contains(stdout, "dev-secrets: "+filepath.ToSlash(envFile)+": lacks CATALOG_DB_PASSWORD, JWT_SIGNING_KEY") {
		t.Errorf("incomplete dev env file not reported:\n%s", stdout)
	}

	if err := os.WriteFile(file, []byte("name: shop\nservices: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "check", "-f", file, "-o", out); code != ExitInput || !strings.Contains(stderr, "services: missing") {
		t.Errorf("invalid catalogue: exit %d, %q", code, stderr)
	}
}

func TestSetImageCommand(t *testing.T) {
	t.Parallel()
	dir := shopCopy(t)
	file := filepath.Join(dir, "tandem.yaml")
	before, _ := os.ReadFile(file)

	code, stdout, stderr := run(t, "set-image", "orders=registry.example.com/shop/orders:1.4.3", "cart=registry.example.com/shop/cart:1.4.3", "--env", "prod", "-f", file)
	if code != ExitOK || !strings.Contains(stdout, "orders: image in prod is now registry.example.com/shop/orders:1.4.3\n") {
		t.Fatalf("exit %d, %q, %q", code, stdout, stderr)
	}
	after, _ := os.ReadFile(file)
	orders := "      prod: {replicas: 4, resources: {cpu: 500m, memory: 512Mi}, image: registry.example.com/shop/orders:1.4.3}\n"
	cart := "    health: {http: /healthz}\n    overrides:\n      prod: {image: registry.example.com/shop/cart:1.4.3}\n"
	if !strings.Contains(string(after), orders) || !strings.Contains(string(after), cart) {
		t.Errorf("set-image did not write the expected lines:\n%s", after)
	}
	restored := strings.Replace(strings.Replace(string(after), orders, "      prod: {replicas: 4, resources: {cpu: 500m, memory: 512Mi}}\n", 1),
		cart, "    health: {http: /healthz}\n", 1)
	if restored != string(before) {
		t.Errorf("set-image changed more than the image lines:\n%s", cmp.Diff(string(before), restored))
	}
	if code, stdout, _ := run(t, "env", "cart", "--env", "prod", "-f", file); code != ExitOK {
		t.Errorf("catalogue no longer loads after set-image: %s", stdout)
	}

	// All or nothing: a bad assignment leaves the catalogue as it was.
	code, _, stderr = run(t, "set-image", "orders=registry.example.com/shop/orders:1.4.4", "nope=x:1", "--env", "prod", "-f", file)
	if code != ExitInput || !strings.Contains(stderr, `no service "nope"`) {
		t.Errorf("bad service: exit %d, %q", code, stderr)
	}
	if now, _ := os.ReadFile(file); string(now) != string(after) {
		t.Error("a failed set-image changed the catalogue")
	}
	if code, _, stderr := run(t, "set-image", "orders", "-f", file); code != ExitInput || !strings.Contains(stderr, `"orders" is not SERVICE=IMAGE`) {
		t.Errorf("malformed assignment: exit %d, %q", code, stderr)
	}
}

// TestSetImageWithCROnlyLines: the shop written with CR alone between
// lines, which panicked (issue 19), takes the edit in its own line ending.
func TestSetImageWithCROnlyLines(t *testing.T) {
	t.Parallel()
	dir := shopCopy(t)
	file := filepath.Join(dir, "tandem.yaml")
	data, _ := os.ReadFile(file)
	if err := os.WriteFile(file, []byte(strings.ReplaceAll(string(data), "\n", "\r")), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "set-image", "orders=registry.example.com/shop/orders:1.4.3", "cart=registry.example.com/shop/cart:1.4.3", "--env", "prod", "-f", file)
	if code != ExitOK {
		t.Fatalf("exit %d, %q, %q", code, stdout, stderr)
	}
	after, _ := os.ReadFile(file)
	orders := "      prod: {replicas: 4, resources: {cpu: 500m, memory: 512Mi}, image: registry.example.com/shop/orders:1.4.3}\r"
	cart := "    health: {http: /healthz}\r    overrides:\r      prod: {image: registry.example.com/shop/cart:1.4.3}\r"
	if !strings.Contains(string(after), orders) || !strings.Contains(string(after), cart) || strings.Contains(string(after), "\n") {
		t.Errorf("set-image did not write the expected lines:\n%q", after)
	}
}

// panicWriter panics on every write, as a bug anywhere in a command would.
type panicWriter struct{}

func (panicWriter) Write([]byte) (int, error) { panic("a bug") }

// TestPanicIsAnInternalError: a panic is tandem's bug, reported as one with
// its stack and exit code 3, not 2 as Go exits, which says "your input".
func TestPanicIsAnInternalError(t *testing.T) {
	t.Parallel()
	var stderr strings.Builder
	code := Run(context.Background(), Streams{In: strings.NewReader(""), Out: panicWriter{}, Err: &stderr}, []string{"tandem", "schema"})
	if code != ExitInternal || !strings.HasPrefix(stderr.String(), "tandem: internal error: a bug\n") ||
		!strings.Contains(stderr.String(), "panicWriter.Write") || !strings.Contains(stderr.String(), "This is a bug in tandem") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr.String())
	}
}

// TestExitCodes: what an action returns decides the exit code; a panic on
// one of its goroutines, which safe.Go returns as an error, is a bug.
func TestExitCodes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err    error
		code   int
		stderr string
	}{
		{nil, ExitOK, ""},
		{errFindings, ExitFindings, ""},
		{&actionError{fmt.Errorf("rendering: %w", &safe.PanicError{Value: "boom", Stack: []byte("goroutine 7")})}, ExitInternal, "tandem: internal error: boom\ngoroutine 7\nThis is a bug in tandem"},
		{&actionError{fmt.Errorf("%w: tandem.yaml:1:1: bad", catalogue.ErrInvalid)}, ExitInput, "tandem: invalid catalogue: tandem.yaml:1:1: bad\n"},
		{&actionError{errors.New("docker is not running")}, ExitFindings, "tandem: docker is not running\n"},
		{errors.New("flag provided but not defined: -x"), ExitInput, "tandem: flag provided"},
	}
	for _, tt := range tests {
		var stderr strings.Builder
		if code := exitCode(Streams{Err: &stderr}, tt.err); code != tt.code || !strings.HasPrefix(stderr.String(), tt.stderr) {
			t.Errorf("%v: exit %d, want %d; stderr %q", tt.err, code, tt.code, stderr.String())
		}
	}
}

// TestPlatformFilesThatCannotApply: a patches folder whose environment is
// gone, a linked patch and a patch that is not YAML are all reported.
func TestPlatformFilesThatCannotApply(t *testing.T) {
	t.Parallel()
	dir := shopCopy(t)
	file, out := filepath.Join(dir, "tandem.yaml"), filepath.Join(dir, "deploy")
	if code, _, stderr := run(t, "render", "-f", file, "-o", out); code != ExitOK {
		t.Fatal(stderr)
	}
	patches := filepath.Join(out, "overlays", "prod", "patches")
	if err := os.MkdirAll(patches, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(patches, "broken.yaml"), []byte("kind: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, _ := run(t, "check", "-f", file, "-o", out)
	if code != ExitFindings || !strings.Contains(stdout, "patch: "+filepath.ToSlash(patches)+"/broken.yaml:1: not valid YAML:") {
		t.Errorf("broken patch: exit %d\n%s", code, stdout)
	}
	os.Remove(filepath.Join(patches, "broken.yaml"))

	if err := os.WriteFile(filepath.Join(patches, "pool.yaml"), []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: orders}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(file)
	renamed := strings.NewReplacer("  prod:\n    namespace: shop\n", "  production:\n    namespace: shop\n", "\n      prod:", "\n      production:",
		"endpoints: {prod:", "endpoints: {production:", "inCluster: [staging, prod]", "inCluster: [staging, production]").Replace(string(data))
	if err := os.WriteFile(file, []byte(renamed), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := run(t, "render", "-f", file, "-o", out)
	orphan := filepath.ToSlash(patches) + ": environment prod is no longer in the catalogue, so nothing applies these patches (environments: production, staging)"
	if code != ExitOK || !strings.Contains(stderr, "warning: "+orphan) {
		t.Errorf("render with an orphaned patches folder: exit %d, %q", code, stderr)
	}
	if code, stdout, _ := run(t, "check", "-f", file, "-o", out); code != ExitFindings || !strings.Contains(stdout, "patch: "+orphan) {
		t.Errorf("check with an orphaned patches folder: exit %d\n%s", code, stdout)
	}

	linked := filepath.Join(out, "overlays", "production", "patches")
	if err := os.MkdirAll(linked, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(patches, "pool.yaml"), filepath.Join(linked, "pool.yaml")); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := run(t, "build", "production", "-f", file, "-o", out); code == ExitOK || !strings.Contains(stderr, "pool.yaml is not a regular file; copy the patch into place instead of linking it") {
		t.Errorf("linked patch: exit %d, %q", code, stderr)
	}
}

func TestSymlinkedOutputFolder(t *testing.T) {
	t.Parallel()
	dir := shopCopy(t)
	real := filepath.Join(dir, "real-deploy")
	if err := os.Mkdir(real, 0o755); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "deploy")
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "tandem.yaml")
	if code, _, stderr := run(t, "render", "-f", file, "-o", link); code != ExitOK {
		t.Fatal(stderr)
	}
	if code, stdout, _ := run(t, "check", "-f", file, "-o", link); code != ExitOK {
		t.Errorf("check through a linked output folder: exit %d\n%s", code, stdout)
	}
}

// TestCheckServerUsage: --server's flags are checked before anything is
// asked of a cluster, and an unknown context or an unreachable server is
// explained. (The e2e suite runs --server against a real kube-apiserver.)
func TestCheckServerUsage(t *testing.T) {
	dir := shopCopy(t)
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kubeconfig, []byte(`apiVersion: v1
kind: Config
clusters: [{name: down, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: down, context: {cluster: down, user: u}}]
current-context: down
`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", kubeconfig)
	file := filepath.Join(dir, "tandem.yaml")
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--context", "down"}, ExitInput, "--context, --env and --create-namespaces go with --server"},
		{[]string{"--server", "--env", "prd"}, ExitInput, "--env prd: no such environment with an overlay (did you mean prod?); environments: prod, staging"},
		{[]string{"--server", "--context", "nope"}, ExitInput, `no cluster to check against: the kubeconfig has no context "nope" (contexts: down)`},
		{[]string{"--server", "--env", "prod"}, ExitFindings, "prod: the API server of context down: looking up namespace shop in down: "},
	} {
		code, _, stderr := run(t, append([]string{"check", "-f", file, "-o", filepath.Join(dir, "deploy")}, tt.args...)...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("check %v: exit %d, %q; want exit %d and %q", tt.args, code, stderr, tt.code, tt.want)
		}
	}
}

// TestInitStartsACatalogueThatRenders: init writes a starter catalogue
// that tandem accepts, with its schema and the .gitignore line, once.
func TestInitStartsACatalogueThatRenders(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "My Shop")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".gitignore"), []byte("bin/"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := run(t, "init", dir)
	if code != ExitOK || !strings.Contains(stdout, ".gitignore now ignores .tandem/") {
		t.Fatalf("init: exit %d, %q, %q", code, stdout, stderr)
	}
	c, err := catalogue.Load(fsys.OS{}, filepath.Join(dir, "tandem.yaml"))
	if err != nil || c.Name != "my-shop" {
		t.Fatalf("the starter catalogue: %v, name %q", err, c.Name)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "tandem.yaml"))
	if !strings.HasPrefix(string(data), "# yaml-language-server: $schema=./tandem.schema.json\n") {
		t.Errorf("no schema line at the top:\n%s", data)
	}
	schema, _ := os.ReadFile(filepath.Join(dir, project.SchemaFile))
	if want, _ := catalogue.JSONSchema(); !bytes.Equal(schema, want) {
		t.Error("the schema beside the catalogue is not tandem schema's")
	}
	if ignore, _ := os.ReadFile(filepath.Join(dir, ".gitignore")); string(ignore) != "bin/\n# tandem: dev secrets and the health probe, never committed\n.tandem/\n" {
		t.Errorf(".gitignore:\n%s", ignore)
	}
	if code, _, stderr := run(t, "render", "-f", filepath.Join(dir, "tandem.yaml"), "-o", filepath.Join(dir, "deploy")); code != ExitOK {
		t.Fatalf("render of the starter: %s", stderr)
	}
	if code, _, stderr := run(t, "build", "prod", "-f", filepath.Join(dir, "tandem.yaml"), "-o", filepath.Join(dir, "deploy")); code != ExitOK {
		t.Fatalf("build prod of the starter: %s", stderr)
	}

	before := testfs.Snapshot(t, dir)
	if code, _, stderr := run(t, "init", dir); code != ExitInput || !strings.Contains(stderr, "init never overwrites a catalogue") {
		t.Errorf("second init: exit %d, %q", code, stderr)
	}
	if code, _, stderr := run(t, "init", "--name", "Bad_Name", t.TempDir()); code != ExitInput || !strings.Contains(stderr, `--name "Bad_Name"`) {
		t.Errorf("init with a bad name: exit %d, %q", code, stderr)
	}
	if diff := cmp.Diff(before, testfs.Snapshot(t, dir)); diff != "" {
		t.Errorf("a refused init changed the folder (-before +after):\n%s", diff)
	}
}

func TestSchemaCommandPrintsTheSchema(t *testing.T) {
	t.Parallel()
	code, stdout, _ := run(t, "schema")
	want, _ := catalogue.JSONSchema()
	if code != ExitOK || stdout != string(want) {
		t.Errorf("schema: exit %d, %d bytes", code, len(stdout))
	}
}

// TestGraphFormats: dot and mermaid print the graph; svg without Graphviz
// says what to install; an unknown format is a usage error.
func TestGraphFormats(t *testing.T) {
	file := filepath.Join(shopCopy(t), "tandem.yaml")
	for _, tt := range []struct {
		format string
		code   int
		want   string
	}{
		{"dot", ExitOK, "\"the outside\" -> \"bff\" [style=bold];"},
		{"mermaid", ExitOK, "world ==> n_bff"},
		{"png", ExitInput, "--format png: choose dot, mermaid or svg"},
	} {
		code, stdout, stderr := run(t, "graph", "-f", file, "--format", tt.format)
		if code != tt.code || !strings.Contains(stdout+stderr, tt.want) {
			t.Errorf("graph --format %s: exit %d, %q%q", tt.format, code, stdout, stderr)
		}
	}
	t.Setenv("PATH", t.TempDir())
	if code, _, stderr := run(t, "graph", "-f", file, "--format", "svg"); code != ExitFindings || !strings.Contains(stderr, "--format svg needs Graphviz's dot, which is not on PATH: install graphviz") {
		t.Errorf("svg without dot: exit %d, %q", code, stderr)
	}
}

// TestCompletion: a shell's request completes environments, services and
// flags from the catalogue named by -f, and nothing after a flag that
// takes a value (the shell completes a file there); the scripts are there
// for each shell.
func TestCompletion(t *testing.T) {
	file := filepath.Join(shopCopy(t), "tandem.yaml")
	for _, tt := range []struct {
		args []string
		word string // under the cursor
		want string
	}{
		{[]string{"build", "-f", file}, "", "prod\nstaging\n"},
		{[]string{"build", "-f", file}, "st", "prod\nstaging\n"},
		{[]string{"diff", "-f", file, "dev"}, "", "prod\nstaging\n"},
		{[]string{"env", "-f", file}, "", "auth\nbff\ncart\ncatalog\nnotifications\norders\npayments\n"},
		{[]string{"set-image", "-f", file, "auth="}, "", "bff=\ncart=\ncatalog=\nnotifications=\norders=\npayments=\n"},
		{[]string{"logs", "orders", "-f", file}, "", "auth\nbff\ncache\ncart\ncatalog\ncatalog-db\nevents\nnotifications\norders-db\norders-migrate\npayments\npayments-db\npayments-reconcile\nusers-db\n"},
		{[]string{"build", "-f", "/nonexistent/tandem.yaml"}, "", ""},
		{[]string{"up", "-f", file}, "--ti", "--timeout\n"},
		{[]string{"check"}, "--o", "--out\n--output\n"},
		{[]string{"build", "-f"}, "", ""},
		{[]string{"up", "-f", file, "-v"}, "", "auth\nbff\ncart\ncatalog\nnotifications\norders\npayments\n"},
	} {
		t.Setenv(completionWordVar, tt.word)
		code, stdout, stderr := run(t, append(tt.args, "--generate-bash-completion")...)
		if code != ExitOK || stdout != tt.want {
			t.Errorf("completing %v at %q: exit %d, %q (stderr %q), want %q", tt.args, tt.word, code, stdout, stderr, tt.want)
		}
	}
	for _, shell := range []string{"bash", "zsh", "fish"} {
		if code, stdout, _ := run(t, "completion", shell); code != ExitOK || !strings.Contains(stdout, "--generate-bash-completion") {
			t.Errorf("completion %s: exit %d, %q", shell, code, stdout)
		}
	}
	if code, _, stderr := run(t, "completion", "tcsh"); code != ExitInput || !strings.Contains(stderr, "bash, zsh or fish") {
		t.Errorf("completion tcsh: exit %d, %q", code, stderr)
	}
}

// TestImportWritesACatalogueAndTheDevSecrets: import writes a catalogue
// that loads and the secrets' values into a private dev env file, and
// refuses to overwrite a catalogue.
func TestImportWritesACatalogueAndTheDevSecrets(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("../../../importer/testdata/shop")); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"tandem.yaml.golden", "report.golden"} {
		os.Remove(filepath.Join(dir, name))
	}
	out := filepath.Join(dir, "tandem.yaml")
	code, stdout, stderr := run(t, "import", filepath.Join(dir, "docker-compose.yml"), "-o", out)
	if code != ExitOK || !strings.Contains(stdout, "services.orders.environment.DATABASE_URL: a secret; its value moved to the dev env file") {
		t.Fatalf("import: exit %d\n%s%s", code, stdout, stderr)
	}
	if _, err := catalogue.Load(fsys.OS{}, out); err != nil {
		t.Fatal(err)
	}
	envFile := filepath.Join(dir, ".tandem", "dev.env")
	env, err := os.ReadFile(envFile)
	if err != nil || !strings.Contains(string(env), "DATABASE_URL=postgres://orders:orders-secret@orders-db:5432/orders\n") ||
		!strings.Contains(string(env), "MYSQL_DSN='catalog:catalog-secret@tcp(catalog-db:3306)/catalog'\n") {
		t.Errorf("dev env file (%v):\n%s", err, env)
	}
	if info, err := os.Stat(envFile); err != nil || info.Mode().Perm() != 0o600 {
		t.Errorf("dev env file mode: %v %v", info.Mode(), err)
	}
	before := testfs.Snapshot(t, dir)
	if code, _, stderr := run(t, "import", filepath.Join(dir, "docker-compose.yml"), "-o", out); code != ExitInput || !strings.Contains(stderr, "import never overwrites a catalogue") {
		t.Errorf("second import: exit %d, %q", code, stderr)
	}
	if code, _, stderr := run(t, "import", filepath.Join(dir, "missing.yml"), "-o", filepath.Join(dir, "other.yaml")); code != ExitInput || !strings.Contains(stderr, "missing.yml") {
		t.Errorf("import of a missing file: exit %d, %q", code, stderr)
	}
	if diff := cmp.Diff(before, testfs.Snapshot(t, dir)); diff != "" {
		t.Errorf("a refused import changed the folder (-before +after):\n%s", diff)
	}
}

// TestCheckSaysWhatItBuilt: a catalogue without cluster environments is
// not said to build "0 environments", and one environment is one.
func TestCheckSaysWhatItBuilt(t *testing.T) {
	t.Parallel()
	for envs, want := range map[string]string{
		"":                           "ok: catalogue valid, rendered tree fresh; no cluster environment to build (declare one under environments, e.g. prod: {})\n",
		"environments: {prod: {}}\n": "ok: catalogue valid, rendered tree fresh, platform patches match, 1 environment builds\n",
	} {
		dir := t.TempDir()
		file := filepath.Join(dir, "tandem.yaml")
		if err := os.WriteFile(file, []byte("name: shop\n"+envs+"services: {web: {image: web:1.0}}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if code, _, stderr := run(t, "render", "-f", file, "-o", filepath.Join(dir, "deploy")); code != ExitOK {
			t.Fatal(stderr)
		}
		if code, stdout, stderr := run(t, "check", "-f", file, "-o", filepath.Join(dir, "deploy")); code != ExitOK || stdout != want {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", envs, code, stdout, stderr)
		}
	}
}
