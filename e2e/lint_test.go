package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// kubeScoreVersion is pinned so that a new release's new checks change
// this test only when someone decides to take them.
const kubeScoreVersion = "v1.20.0"

// kubeScore returns the kube-score binary, installed under .tools/bin
// with go install the first time (it runs offline from then on).
func kubeScore(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../.tools/bin")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "kube-score")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	install := exec.Command("go", "install", "github.com/zegl/kube-score/cmd/kube-score@"+kubeScoreVersion)
	install.Env = append(os.Environ(), "GOBIN="+dir)
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("installing kube-score: %v\n%s", err, out)
	}
	return bin
}

// acceptedFindings are, per environment, the kube-score findings the
// shop's manifests keep on purpose, each with the reason.
var acceptedFindings = map[string][]string{
	"prod": {
		// Egress is left open: a service's outbound destinations include
		// managed databases, the payment provider and the OpenTelemetry
		// collector, which the catalogue does not declare, so a generated
		// egress policy would either break them or allow everything.
		// Ingress is what tandem restricts, edge by edge.
		"The pod does not have a matching egress NetworkPolicy",
	},
	"staging": {
		"The pod does not have a matching egress NetworkPolicy",
		// Staging runs one replica of each service by the catalogue's choice.
		"Deployment few replicas",
	},
}

// TestKubeScoreFindsNothingInTheShop runs an established linter, kube-score,
// on every environment's build of the shop: every finding is either
// accepted above, with its reason, or fails the test.
func TestKubeScoreFindsNothingInTheShop(t *testing.T) {
	bin := kubeScore(t)
	dir := shop(t)
	for _, env := range []string{"staging", "prod"} {
		manifests := filepath.Join(t.TempDir(), env+".yaml")
		built := mustRun(t, dir, tandemBin, "build", env)
		if err := os.WriteFile(manifests, []byte(built), 0o644); err != nil {
			t.Fatal(err)
		}
		// kube-score exits 1 when it finds something; the lines say what.
		out, _ := exec.Command(bin, "score", "--output-format", "ci", manifests).Output()
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		checked := 0
		for _, line := range lines {
			if strings.HasPrefix(line, "[OK]") || strings.HasPrefix(line, "[SKIPPED]") {
				checked++
				continue
			}
			accepted := false
			for _, finding := range acceptedFindings[env] {
				accepted = accepted || strings.HasSuffix(line, ": "+finding)
			}
			if !accepted {
				t.Errorf("%s: kube-score: %s", env, line)
			}
		}
		// A run that checked nothing (a broken install, an empty build)
		// must not pass.
		if checked < 100 {
			t.Errorf("%s: kube-score checked only %d things:\n%s", env, checked, out)
		}
	}
}
