package e2e

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
)

// apiServerBinaries builds kube-apiserver and etcd once per machine
// (apiserver/build.sh) and returns their folder.
func apiServerBinaries(t *testing.T) string {
	t.Helper()
	build := exec.Command("sh", "apiserver/build.sh")
	build.Stderr = os.Stderr
	out, err := build.Output()
	if err != nil {
		t.Fatalf("building kube-apiserver and etcd: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// apiServer is a kube-apiserver with its etcd, on loopback, with a fresh
// data folder; both stop when the test ends, whether it passed or not.
type apiServer struct {
	kubeconfig string
	url, token string
}

func startAPIServer(t *testing.T, bin string) *apiServer {
	t.Helper()
	dir := t.TempDir()
	etcdClient, etcdPeer, securePort := freePort(t), freePort(t), freePort(t)
	start(t, dir, "etcd", filepath.Join(bin, "etcd"),
		"--name", "default", "--data-dir", filepath.Join(dir, "etcd"), "--unsafe-no-fsync",
		"--listen-client-urls", fmt.Sprintf("http://127.0.0.1:%d", etcdClient),
		"--advertise-client-urls", fmt.Sprintf("http://127.0.0.1:%d", etcdClient),
		"--listen-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", etcdPeer),
		"--initial-advertise-peer-urls", fmt.Sprintf("http://127.0.0.1:%d", etcdPeer),
		"--initial-cluster", fmt.Sprintf("default=http://127.0.0.1:%d", etcdPeer))

	token := "tandem-e2e-token"
	write(t, filepath.Join(dir, "tokens.csv"), token+",admin,admin,system:masters\n")
	writeServiceAccountKey(t, filepath.Join(dir, "sa.key"), filepath.Join(dir, "sa.pub"))
	start(t, dir, "kube-apiserver", filepath.Join(bin, "kube-apiserver"),
		"--etcd-servers", fmt.Sprintf("http://127.0.0.1:%d", etcdClient),
		"--bind-address", "127.0.0.1", "--advertise-address", "127.0.0.1",
		"--secure-port", fmt.Sprint(securePort), "--cert-dir", filepath.Join(dir, "certs"),
		"--token-auth-file", filepath.Join(dir, "tokens.csv"),
		"--authorization-mode", "RBAC",
		"--service-account-issuer", "https://kubernetes.default.svc",
		"--service-account-key-file", filepath.Join(dir, "sa.pub"),
		"--service-account-signing-key-file", filepath.Join(dir, "sa.key"),
		"--service-cluster-ip-range", "10.96.0.0/24",
		"--enable-priority-and-fairness=false")

	s := &apiServer{kubeconfig: filepath.Join(dir, "kubeconfig"), url: fmt.Sprintf("https://127.0.0.1:%d", securePort), token: token}
	write(t, s.kubeconfig, fmt.Sprintf(`apiVersion: v1
kind: Config
clusters: [{name: e2e, cluster: {server: %q, insecure-skip-tls-verify: true}}]
users: [{name: admin, user: {token: %q}}]
contexts: [{name: e2e, context: {cluster: e2e, user: admin}}]
current-context: e2e
`, s.url, token))
	s.waitReady(t, dir)
	return s
}

// start runs a server process whose output goes to a log file, shown if
// the test fails; it is killed when the test ends, and with the test
// binary if that dies first.
func start(t *testing.T, dir, name, bin string, args ...string) {
	t.Helper()
	logPath := filepath.Join(dir, name+".log")
	log, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		log.Close()
		if t.Failed() {
			data, _ := os.ReadFile(logPath)
			lines := strings.Split(strings.TrimSpace(string(data)), "\n")
			t.Logf("last lines of %s:\n%s", name, strings.Join(lines[max(0, len(lines)-20):], "\n"))
		}
	})
}

func (s *apiServer) waitReady(t *testing.T, dir string) {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	deadline := time.Now().Add(90 * time.Second)
	for {
		req, _ := http.NewRequest("GET", s.url+"/readyz", nil)
		req.Header.Set("Authorization", "Bearer "+s.token)
		resp, err := client.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("kube-apiserver not ready after 90s (last: %v); logs in %s", err, dir)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// kubectl runs kubectl against the server.
func (s *apiServer) kubectl(t *testing.T, args ...string) string {
	t.Helper()
	return mustRun(t, "", "kubectl", append([]string{"--kubeconfig", s.kubeconfig}, args...)...)
}

// restrict makes a namespace enforce, audit and warn about the restricted
// Pod Security Standard.
func (s *apiServer) restrict(t *testing.T, name string) {
	t.Helper()
	s.kubectl(t, "label", "namespace", name, "pod-security.kubernetes.io/enforce=restricted",
		"pod-security.kubernetes.io/warn=restricted", "pod-security.kubernetes.io/audit=restricted")
}

func writeServiceAccountKey(t *testing.T, keyPath, pubPath string) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	write(t, keyPath, string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)})))
	write(t, pubPath, string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pub})))
}

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestCheckServerAgainstKubeAPIServer: every environment of every example
// is accepted by a real kube-apiserver, in namespaces that enforce the
// restricted Pod Security Standard, with no warning; and the check fails,
// with the server's own words, on a namespace that is missing, a field
// the API does not have and a privileged container.
func TestCheckServerAgainstKubeAPIServer(t *testing.T) {
	server := startAPIServer(t, apiServerBinaries(t))
	catalogues, _ := filepath.Glob("../examples/*/tandem.yaml")
	if len(catalogues) == 0 {
		t.Fatal("no examples")
	}
	for _, file := range catalogues {
		example := filepath.Base(filepath.Dir(file))
		if _, real := realSystems[example]; real {
			// The real systems' images run as root, which the restricted
			// standard rejects by design; TestRealSystemsMatchTheirPublishedManifests
			// and kube-score cover their builds.
			continue
		}
		if example != "shop" {
			t.Fatalf("example %s: copy it like the shop before checking it here", example)
		}
		dir := shop(t)
		mustRun(t, dir, tandemBin, "render")
		c, err := catalogue.Load(fsys.OS{}, filepath.Join(dir, "tandem.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		check := func(args ...string) result {
			cmd := exec.Command(tandemBin, append([]string{"check", "--server"}, args...)...)
			cmd.Dir = dir
			cmd.Env = append(os.Environ(), "KUBECONFIG="+server.kubeconfig)
			var stdout, stderr strings.Builder
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			cmd.Run()
			return result{stdout.String(), stderr.String(), cmd.ProcessState.ExitCode()}
		}

		// Before the namespaces exist, each one is a finding, and nothing
		// is created.
		r := check()
		for _, env := range c.DeployEnvironments() {
			want := fmt.Sprintf("server: %s: Namespace %s: does not exist in this cluster", env, c.Namespace(env))
			if r.code != 1 || !strings.Contains(r.stdout, want) {
				t.Errorf("%s without namespaces: exit %d, no %q in\n%s%s", example, r.code, want, r.stdout, r.stderr)
			}
		}
		if namespaces := server.kubectl(t, "get", "namespaces", "-o", "name"); strings.Contains(namespaces, c.Namespace("prod")) {
			t.Errorf("check --server created a namespace without --create-namespaces:\n%s", namespaces)
		}

		// --create-namespaces creates what is missing, and only that.
		r = check("--env", "staging", "--create-namespaces")
		if namespaces := server.kubectl(t, "get", "namespaces", "-o", "name"); r.code != 0 || !strings.Contains(namespaces, "namespace/"+c.Namespace("staging")+"\n") ||
			strings.Contains(namespaces, "namespace/"+c.Namespace("prod")+"\n") {
			t.Errorf("check --server --env staging --create-namespaces: exit %d, namespaces:\n%s\n%s%s", r.code, namespaces, r.stdout, r.stderr)
		}

		// The namespaces enforce the restricted Pod Security Standard
		// (no controller manager runs, so a namespace cannot be deleted:
		// staging's is labelled as it is).
		server.restrict(t, c.Namespace("staging"))
		for _, env := range c.DeployEnvironments() {
			if env != "staging" {
				server.kubectl(t, "create", "namespace", c.Namespace(env))
				server.restrict(t, c.Namespace(env))
			}
		}
		r = check()
		if r.code != 0 || !strings.Contains(r.stdout, "ok: the API server of context e2e") {
			t.Fatalf("%s: tandem check --server: exit %d\n%s%s", example, r.code, r.stdout, r.stderr)
		}
		// Nothing was stored: a dry run only.
		if objects := server.kubectl(t, "get", "deployments,services,networkpolicies", "--all-namespaces", "-o", "name"); strings.TrimSpace(objects) != "service/kubernetes" {
			t.Errorf("the dry run stored objects:\n%s", objects)
		}

		// A platform patch with a misspelt field and one that makes a
		// container privileged are rejected; a service that the catalogue
		// lets run as root passes the API but not the namespace's Pod
		// Security level, which the server warns about. check says each in
		// the server's words, with the catalogue field where it is tandem's.
		patches := filepath.Join(dir, "deploy", "overlays", "prod", "patches")
		if err := os.MkdirAll(patches, 0o755); err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(patches, "typo.yaml"), "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: orders}\nspec:\n  template:\n    spec:\n      nodeSelecter: {pool: ordering}\n")
		write(t, filepath.Join(patches, "privileged.yaml"), "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: payments}\nspec:\n  template:\n    spec:\n      containers:\n      - name: payments\n        securityContext: {privileged: true}\n")
		data, err := os.ReadFile(filepath.Join(dir, "tandem.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		root := strings.Replace(string(data), "    domain: engagement\n", "    domain: engagement\n    security: {runAsRoot: true}\n", 1)
		write(t, filepath.Join(dir, "tandem.yaml"), root)
		mustRun(t, dir, tandemBin, "render")
		r = check("--env", "prod")
		for _, want := range []string{
			`server: prod: Deployment shop/orders (services.orders, patched by deploy/overlays/prod/patches/typo.yaml): failed to create typed patch object (shop/orders; apps/v1, Kind=Deployment): .spec.template.spec.nodeSelecter: field not declared in schema`,
			`server: prod: Deployment shop/payments (services.payments, patched by deploy/overlays/prod/patches/privileged.yaml): Deployment.apps "payments" is invalid: [spec.template.spec.containers[0].securityContext.privileged: Forbidden: disallowed by cluster policy`,
			`server: prod: Deployment shop/notifications (services.notifications.security): warning: would violate PodSecurity "restricted:latest": `,
		} {
			if r.code != 1 || !strings.Contains(r.stdout, want) {
				t.Errorf("broken patches: exit %d, no %q in\n%s%s", r.code, want, r.stdout, r.stderr)
			}
		}
		if strings.Contains(r.stdout, "server: staging:") {
			t.Errorf("--env prod checked staging too:\n%s", r.stdout)
		}
	}
}

// TestJobsApplyAgainAfterAnImageChange: a Job's pod template cannot
// change, so a Job named the same in every version makes the second
// deploy's `kubectl apply` fail with "field is immutable". Each version is
// a Job of its own; applying the same version again changes nothing.
func TestJobsApplyAgainAfterAnImageChange(t *testing.T) {
	server := startAPIServer(t, apiServerBinaries(t))
	dir := shop(t)
	mustRun(t, dir, tandemBin, "render")
	server.kubectl(t, "create", "namespace", "shop-staging")
	apply := func() string {
		t.Helper()
		manifests := filepath.Join(t.TempDir(), "staging.yaml")
		write(t, manifests, mustRun(t, dir, tandemBin, "build", "staging"))
		return server.kubectl(t, "apply", "-f", manifests)
	}
	jobs := func() []string {
		t.Helper()
		return strings.Fields(server.kubectl(t, "get", "jobs", "--namespace", "shop-staging", "-o", "name"))
	}

	apply()
	first := jobs()
	if len(first) != 1 || !strings.HasPrefix(first[0], "job.batch/orders-migrate-") {
		t.Fatalf("jobs after the first deploy: %q", first)
	}
	if out := apply(); !strings.Contains(out, first[0]+" unchanged") {
		t.Errorf("applying the same version again:\n%s", out)
	}

	mustRun(t, dir, tandemBin, "set-image", "--env", "staging", "orders=registry.example.com/shop/orders:1.5.0")
	mustRun(t, dir, tandemBin, "render")
	out := apply()
	second := jobs()
	if len(second) != 2 || !slices.Contains(second, first[0]) || !strings.Contains(out, " created") {
		t.Fatalf("jobs after the image change: %q\n%s", second, out)
	}
	image := server.kubectl(t, "get", "--namespace", "shop-staging", slices.DeleteFunc(second, func(j string) bool { return j == first[0] })[0],
		"-o", "jsonpath={.spec.template.spec.containers[0].image}")
	if image != "registry.example.com/shop/orders:1.5.0" {
		t.Errorf("the new version's Job runs %s", image)
	}
}
