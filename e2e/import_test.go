package e2e

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestImportedCorpusBuildsMatchKubectl takes every real-world Compose
// file of the importer's corpus through the commands a team would run
// first: import, render, then build for each cluster environment, whose
// bytes must be kubectl kustomize's; docker-compose must accept the dev
// environment.
func TestImportedCorpusBuildsMatchKubectl(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("../importer/testdata/realworld/*/compose.yaml")
	if len(files) < 30 {
		t.Fatalf("want the importer's corpus of at least 30 files, have %d", len(files))
	}
	for _, file := range files {
		name := filepath.Base(filepath.Dir(file))
		if name == "nginx-proxy-separate-containers" {
			continue // compose-go refuses it, as docker-compose does
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), name)
			copyTree(t, filepath.Dir(file), dir, func(string, fs.DirEntry) bool { return false })
			mustRun(t, dir, tandemBin, "import", "compose.yaml")
			mustRun(t, dir, tandemBin, "render")
			for _, env := range []string{"staging", "prod"} {
				want := mustRun(t, dir, "kubectl", "kustomize", filepath.Join("deploy", "overlays", env))
				if got := mustRun(t, dir, tandemBin, "build", env); got != want {
					t.Errorf("tandem build %s differs from kubectl kustomize (-kubectl +tandem):\n%s", env, cmp.Diff(want, got))
				}
			}
			composeConfig(t, dir, strings.ToLower(name))
		})
	}
}
