package stale

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/render/build"
	"github.com/tandemdev/tandem/render/internal/rendertest"
)

func TestStalePatchesNameFileLineAndTarget(t *testing.T) {
	t.Parallel()
	platform := manifest.Files{
		"overlays/prod/patches/ok.yaml": []byte("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 5\n"),
		"overlays/prod/patches/two.yaml": []byte("# first document is fine\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n" +
			"---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  labels: {a: b}\n  name: wbe\n"),
		"overlays/prod/patches/ops.yaml": []byte("- op: replace\n  path: /spec/replicas\n  value: 3\n"),
	}
	c, files := rendertest.Render(t, "../testdata/minimal.tandem.yaml", platform)
	stale, err := Patches(c, files.Merge(platform), "prod")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"overlays/prod/patches/ops.yaml:1: not a strategic merge patch (it needs kind and metadata.name), so it cannot say what it patches in prod",
		"overlays/prod/patches/two.yaml:11: patches Deployment wbe, which prod no longer has; was it renamed or removed from the catalogue? (deployments in prod: web, worker)",
	}
	var got []string
	for _, s := range stale {
		got = append(got, s.Error())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stale patches (-want +got):\n%s", diff)
	}

	_, err = build.Overlay(c, files.Merge(platform), "prod")
	if err == nil || errors.Is(err, ErrPatch) {
		t.Fatalf("kustomize's own error was expected from the build: %v", err)
	}
	err = Explain(c, files.Merge(platform), "prod", err)
	if !errors.Is(err, ErrPatch) || !strings.Contains(err.Error(), want[1]) {
		t.Errorf("Explain of a build with a stale patch: %v", err)
	}
	// What stale patches do not cause, Explain leaves as it is.
	if err := Explain(c, files.Merge(platform), "prod", nil); err != nil {
		t.Errorf("Explain(nil) = %v", err)
	}
	_, unknown := build.Overlay(c, files.Merge(platform), "prd")
	if err := Explain(c, files.Merge(platform), "prd", unknown); err != unknown {
		t.Errorf("Explain of an unknown environment: %v", err)
	}
}
