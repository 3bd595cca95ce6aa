package project_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/project"
	"github.com/tandemdev/tandem/render/build"
	"github.com/tandemdev/tandem/render/check"
	"github.com/tandemdev/tandem/render/stale"
	"github.com/tandemdev/tandem/render/tree"
)

// shop lays the shop's catalogue out in memory where it is in the
// repository, so that what it renders must be its committed tree.
func shop(t *testing.T) *harness {
	h := newHarness(t, "/repo/examples/shop")
	h.copyFromDisk("../examples/shop/tandem.yaml", "tandem.yaml")
	return h
}

// committedShop reads the shop's committed tree (its golden files).
func committedShop(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	root := "../examples/shop/deploy"
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRenderWritesTheCommittedShop(t *testing.T) {
	t.Parallel()
	h := shop(t)
	report := h.render()
	want := committedShop(t)
	if diff := cmp.Diff(want, h.contents("deploy")); diff != "" {
		t.Fatalf("the shop rendered in memory differs from examples/shop/deploy (-committed +rendered):\n%s", diff)
	}
	rendered := len(want) - 1 // but for the tree's record
	if _, ok := want[tree.RecordFile]; !ok {
		t.Errorf("the committed tree has no %s", tree.RecordFile)
	}
	if len(report.Tree.Written) != rendered || len(report.Tree.Unchanged) != 0 || len(report.Tree.Removed) != 0 {
		t.Errorf("first render: %d written, %d unchanged, %d removed; want %d written", len(report.Tree.Written), len(report.Tree.Unchanged), len(report.Tree.Removed), rendered)
	}
	wantSecrets := []string{"CATALOG_DB_PASSWORD", "JWT_SIGNING_KEY", "ORDERS_DB_PASSWORD", "PAYMENTS_DB_PASSWORD", "PAYMENT_PROVIDER_KEY", "SESSION_KEY", "USERS_DB_PASSWORD"}
	if diff := cmp.Diff(wantSecrets, report.AddedSecrets); diff != "" || report.EnvFile != ".tandem/dev.env" {
		t.Errorf("added secrets to %s (-want +got):\n%s", report.EnvFile, diff)
	}
	state := h.files(".tandem")
	if !strings.HasPrefix(state["dev.env"], "-rw------- # Dev secrets") || state[".gitignore"] != "-rw-r--r-- # tandem's local state; never committed\n*\n" {
		t.Errorf(".tandem holds %v", state)
	}
	for _, name := range wantSecrets {
		if !strings.Contains(state["dev.env"], "\n"+name+"=") {
			t.Errorf("dev.env lacks %s", name)
		}
	}

	before := h.files("")
	again := h.render()
	if len(again.Tree.Written) != 0 || len(again.Tree.Unchanged) != rendered || again.AddedSecrets != nil {
		t.Errorf("second render: %+v", again)
	}
	if diff := cmp.Diff(before, h.files("")); diff != "" {
		t.Errorf("a second render changed files (-before +after):\n%s", diff)
	}
}

// TestBuildIsTheSameOnDiskAndInMemory: the filesystem is the only thing
// that differs between the two projects.
func TestBuildIsTheSameOnDiskAndInMemory(t *testing.T) {
	t.Parallel()
	onDisk, err := project.Open(fsys.OS{}, project.Options{File: "../examples/shop/tandem.yaml", Out: "../examples/shop/deploy"})
	if err != nil {
		t.Fatal(err)
	}
	inMemory := shop(t).open()
	for _, env := range []string{"staging", "prod"} {
		want, _, err := onDisk.Build(env)
		if err != nil {
			t.Fatal(err)
		}
		got, how, err := inMemory.Build(env)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("%s: the build in memory differs from the build on disk", env)
		}
		if !strings.HasPrefix(how, env+": ") || !strings.Contains(string(got), "kind: Deployment") {
			t.Errorf("%s: built %q: %.200s", env, how, got)
		}
	}
}

const small = `name: mini
environments:
  prod: {namespace: mini, replicas: 2}
config:
  obs: {LOG_LEVEL: info}
services:
  web:
    image: registry.example.com/web:1.0
    ports: [{name: http, port: 8080, public: true}]
    config: [obs]
    env: {GREETING: hello}
    secrets: [API_KEY]
    overrides:
      prod: {env: {GREETING: welcome}}
`

func findingsOf(t *testing.T, h *harness) []check.Finding {
	t.Helper()
	report, err := h.open().Check(context.Background(), project.CheckOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return report.Findings
}

func TestCheck(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "/repo/app")
	h.write("tandem.yaml", small)
	before := findingsOf(t, h)
	report := h.render()
	if len(before) != len(report.Tree.Written) {
		t.Errorf("before any render, %d findings for %d files to write", len(before), len(report.Tree.Written))
	}
	for _, f := range before {
		if f.Check != "drift" || !strings.HasPrefix(f.Message, "missing") {
			t.Errorf("before any render: %+v", f)
		}
	}
	if got := findingsOf(t, h); len(got) != 0 {
		t.Fatalf("after render: %+v", got)
	}

	h.write("deploy/compose.yaml", strings.Replace(h.read("deploy/compose.yaml"), "hello", "hi", 1))
	h.write("deploy/overlays/prod/patches/gone.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: gone\n")
	h.write("deploy/overlays/qa/patches/old.yaml", "kind: Deployment\n")
	h.write(".tandem/dev.env", "# mine\n")
	var got []string
	for _, f := range findingsOf(t, h) {
		got = append(got, f.Check+" "+f.File+" "+f.Message)
		if f.File == "deploy/compose.yaml" && !strings.Contains(f.Diff, "-      GREETING: hi\n+      GREETING: hello\n") {
			t.Errorf("the drift's diff: %s", f.Diff)
		}
	}
	want := []string{
		"drift deploy/compose.yaml differs from what tandem render writes; run tandem render",
		// The new patch is listed in the overlay, which render rewrites.
		"drift deploy/overlays/prod/kustomization.yaml differs from what tandem render writes; run tandem render",
		"patch deploy/overlays/prod/patches/gone.yaml patches Deployment gone, which prod no longer has; was it renamed or removed from the catalogue? (deployments in prod: web)",
		"patch deploy/overlays/qa/patches environment qa is no longer in the catalogue, so nothing applies these patches (environments: prod)",
		"dev-secrets .tandem/dev.env lacks API_KEY; run tandem render to add random values",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestRenderNeverOverwritesAPersonsFile(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "/repo/app")
	h.write("tandem.yaml", small)
	h.write("deploy/compose.yaml", "# mine\n")
	before := h.files("")
	_, err := h.open().Render()
	if !errors.Is(err, tree.ErrNotGenerated) || !strings.Contains(err.Error(), "deploy/compose.yaml: has no") {
		t.Fatalf("render over a person's file: %v", err)
	}
	if diff := cmp.Diff(before, h.files("")); diff != "" {
		t.Errorf("a refused render changed files (-before +after):\n%s", diff)
	}
}

// TestRenderFollowsLinksToTheTreeAndIncludes: the output folder may be a
// link, and a catalogue may be split over files.
func TestRenderFollowsLinksToTheTreeAndIncludes(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "/repo/app")
	h.write("tandem.yaml", "name: mini\ninclude: [services/*.yaml]\nenvironments: {prod: {}}\n")
	h.write("services/web.yaml", "services:\n  web: {image: registry.example.com/web:1.0}\n")
	if err := h.fs.MkdirAll("/repo/elsewhere", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := h.fs.Symlink("/repo/elsewhere", "/repo/app/deploy"); err != nil {
		t.Fatal(err)
	}
	h.render()
	tree := h.contents("/repo/elsewhere")
	if !strings.Contains(tree["base/services/web/deployment.yaml"], "image: registry.example.com/web:1.0") {
		t.Errorf("the linked tree holds %v", slices.Sorted(func(yield func(string) bool) {
			for p := range tree {
				if !yield(p) {
					return
				}
			}
		}))
	}
	if !strings.Contains(tree["compose.yaml"], "web:") {
		t.Error("no compose.yaml in the linked tree")
	}
}

func TestEnvAndDiff(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "/repo/app")
	h.write("tandem.yaml", small)
	p := h.open()
	vars, err := p.Env("web", "prod")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, v := range vars {
		got[v.Name] = v.Value.Value + " from " + v.Origin
	}
	if got["GREETING"] != "welcome from override prod" || !strings.HasPrefix(got["LOG_LEVEL"], "info from config group obs") {
		t.Errorf("env of web in prod: %v", got)
	}
	changes, err := p.Diff("dev", "prod")
	if err != nil {
		t.Fatal(err)
	}
	if len(changes) == 0 {
		t.Error("dev and prod differ in replicas and GREETING, but Diff found nothing")
	}
	diff, err := p.RenderedDiff("prod", "prod")
	if err != nil || diff != "" {
		t.Errorf("RenderedDiff of an environment with itself = %q, %v", diff, err)
	}
}

func TestErrors(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "/repo/app")
	if _, err := project.Open(h.fs, project.Options{}); !errors.Is(err, catalogue.ErrNotFound) {
		t.Errorf("no catalogue: %v", err)
	}
	h.write("tandem.yaml", "name: mini\nservices:\n  web: {image: web:1, prots: [80]}\n")
	_, err := project.Open(h.fs, project.Options{})
	if !errors.Is(err, catalogue.ErrInvalid) || !strings.Contains(err.Error(), `tandem.yaml:3:23: services.web.prots: unknown field "prots" (did you mean "ports"?)`) {
		t.Errorf("invalid catalogue: %v", err)
	}
	h.write("tandem.yaml", small)
	p := h.open()
	if _, _, err := p.Build("nope"); !errors.Is(err, build.ErrUnknownEnvironment) {
		t.Errorf("build of an unknown environment: %v", err)
	}
	// The environments are checked before any server is asked.
	_, err = p.Check(context.Background(), project.CheckOptions{Server: true, Envs: []string{"prd"}})
	if !errors.Is(err, project.ErrUsage) || err.Error() != "usage: --env prd: no such environment with an overlay (did you mean prod?); environments: prod" {
		t.Errorf("check --server --env prd: %v", err)
	}
	if _, err := p.PrepareUp(context.Background(), project.UpOptions{Domains: []string{"nope"}}); !errors.Is(err, catalogue.ErrUnknownName) || !project.IsInputError(err) {
		t.Errorf("up --domain nope: %v", err)
	}
}

func TestSetImageKeepsTheRestOfTheFile(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "/repo/app")
	h.write("tandem.yaml", "# the shop\n"+small)
	done, err := project.SetImage(h.fs, "tandem.yaml", "prod", []string{"web=registry.example.com/web:2.0"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"web: image in prod is now registry.example.com/web:2.0"}, done); diff != "" {
		t.Error(diff)
	}
	want := "# the shop\n" + strings.Replace(small, "prod: {env: {GREETING: welcome}}", "prod: {env: {GREETING: welcome}, image: registry.example.com/web:2.0}", 1)
	if got := h.read("tandem.yaml"); got != want {
		t.Errorf("the catalogue became:\n%s\nwant:\n%s", got, want)
	}
	if _, err := project.SetImage(h.fs, "tandem.yaml", "", []string{"web"}); !errors.Is(err, project.ErrUsage) {
		t.Errorf("an assignment without '=': %v", err)
	}
}

func TestInit(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "/repo/app")
	h.write(".gitignore", "bin/\n")
	report, err := project.Init(h.fs, "shop", "")
	if err != nil {
		t.Fatal(err)
	}
	if report.File != "/repo/app/shop/tandem.yaml" || !report.IgnoredInGit {
		t.Errorf("Init = %+v", report)
	}
	if _, err := project.Open(h.fs, project.Options{File: "shop/tandem.yaml"}); err != nil {
		t.Errorf("the starter catalogue does not load: %v", err)
	}
	if !strings.Contains(h.read("shop/tandem.yaml"), "name: shop\n") || !strings.Contains(h.read("shop/.gitignore"), ".tandem/") {
		t.Error("the starter is not named after its folder, or .gitignore lacks .tandem/")
	}
	if _, err := project.Init(h.fs, "shop", ""); !errors.Is(err, project.ErrUsage) {
		t.Errorf("a second init: %v", err)
	}
}

// TestBuildNamesAStalePatch: kustomize's own message names neither the
// patch file nor its line; the build says which patch is stale.
func TestBuildNamesAStalePatch(t *testing.T) {
	t.Parallel()
	h := newHarness(t, "/repo/app")
	h.write("tandem.yaml", small)
	h.render()
	h.write("deploy/overlays/prod/patches/gone.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: gone\nspec:\n  replicas: 1\n")
	_, _, err := h.open().Build("prod")
	if !errors.Is(err, stale.ErrPatch) || !strings.Contains(err.Error(), "overlays/prod/patches/gone.yaml:4: patches Deployment gone, which prod no longer has") {
		t.Errorf("build with a stale patch: %v", err)
	}
}
