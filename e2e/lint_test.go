package e2e

import (
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
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
		scoreBuild(t, bin, dir, env, acceptedFindings[env])
	}
}

// realSystemFindings are, per real system, the kube-score findings of its
// prod build that the upstream images force, each with the reason. A
// finding of some objects only starts with their container, "(name) ",
// as kube-score writes it, or with the object, "name: ".
var realSystemFindings = map[string][]string{
	"sockshop": {
		// As the shop's: outbound destinations are not declared.
		"The pod does not have a matching egress NetworkPolicy",
		// Upstream runs one replica of each service.
		"Deployment few replicas",
		// Upstream's front end is reached on a node port.
		"The service is of type NodePort",
		// catalogue-db (MySQL) and user-db (MongoDB) are upstream's images
		// with their data baked in; their entrypoints run as root and
		// catalogue-db's writes beside its data.
		"(catalogue-db) The container is running with a low user ID",
		"(catalogue-db) The container running with a low group ID",
		"(catalogue-db) The pod has a container with a writable root filesystem",
		"(user-db) The container is running with a low user ID",
		"(user-db) The container running with a low group ID",
		// catalogue-db and user-db have no health endpoint: the port is
		// the only signal, for readiness and liveness alike.
		"catalogue-db: Container has the same readiness and liveness probe",
		"user-db: Container has the same readiness and liveness probe",
	},
	"teastore": {
		"The pod does not have a matching egress NetworkPolicy",
		"Deployment few replicas",
		"The service is of type NodePort",
		// Every TeaStore image edits Tomcat's configuration in place with
		// sed when it starts (dockerbase/start.sh), as root.
		"The container is running with a low user ID",
		"The container running with a low group ID",
		"The pod has a container with a writable root filesystem",
		// registry, persistence, image, recommender and the database have
		// no health endpoint: the port is the only signal.
		"teastore-db: Container has the same readiness and liveness probe",
		"teastore-registry: Container has the same readiness and liveness probe",
		"teastore-persistence: Container has the same readiness and liveness probe",
		"teastore-image: Container has the same readiness and liveness probe",
		"teastore-recommender: Container has the same readiness and liveness probe",
	},
}

// TestKubeScoreOnTheRealSystems runs kube-score on the prod build of each
// real system in examples/: no CRITICAL finding but those its upstream
// images force, listed above.
func TestKubeScoreOnTheRealSystems(t *testing.T) {
	bin := kubeScore(t)
	for _, name := range slices.Sorted(maps.Keys(realSystems)) {
		t.Run(name, func(t *testing.T) {
			scoreBuild(t, bin, filepath.Join("..", "examples", name), "prod", realSystemFindings[name])
		})
	}
}

// scoreBuild runs kube-score on the build of env of the catalogue in dir
// and fails on every finding not accepted: one whose line ends with an
// accepted message, or, for "name: message", names that object.
func scoreBuild(t *testing.T, bin, dir, env string, accepted []string) {
	t.Helper()
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
		// "[CRITICAL] name/namespace apps/v1/Deployment: message"
		_, object, _ := strings.Cut(line, "] ")
		object, _, _ = strings.Cut(object, "/")
		ok := false
		for _, finding := range accepted {
			if name, message, found := strings.Cut(finding, ": "); found {
				ok = ok || name == object && strings.HasSuffix(line, ": "+message)
				continue
			}
			// A container's finding reads ": (container) message".
			ok = ok || strings.HasSuffix(line, ": "+finding) || strings.HasSuffix(line, ") "+finding)
		}
		if !ok {
			t.Errorf("%s: kube-score: %s", env, line)
		}
	}
	// A run that checked nothing (a broken install, an empty build)
	// must not pass.
	if checked < 100 {
		t.Errorf("%s: kube-score checked only %d things:\n%s", env, checked, out)
	}
}
