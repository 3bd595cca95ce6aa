package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// kubeconfig makes text the kubeconfig Connect reads, through KUBECONFIG
// as for kubectl.
func kubeconfig(t *testing.T, text string) {
	t.Helper()
	file := filepath.Join(t.TempDir(), "config")
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("KUBECONFIG", file)
}

// config is a kubeconfig with contexts dev, prod (its cluster at server)
// and lost (its cluster missing).
func config(currentContext, server string) string {
	return `apiVersion: v1
kind: Config
current-context: ` + currentContext + `
clusters:
- name: dev
  cluster: {server: "https://dev.example:6443"}
- name: prod
  cluster: {server: "` + server + `"}
contexts:
- name: dev
  context: {cluster: dev, user: ci}
- name: prod
  context: {cluster: prod, user: ci}
- name: lost
  context: {cluster: gone, user: ci}
users:
- name: ci
  user: {token: not-a-secret}
`
}

func TestConnect(t *testing.T) {
	kubeconfig(t, config("dev", "https://prod.example:6443"))
	for _, tt := range []struct{ context, server string }{{"", "https://dev.example:6443"}, {"prod", "https://prod.example:6443"}} {
		c, err := Connect(tt.context)
		if err != nil {
			t.Fatal(err)
		}
		if c.Server != tt.server || (tt.context != "" && c.Context != tt.context) || (tt.context == "" && c.Context != "dev") {
			t.Errorf("Connect(%q): context %q, server %q", tt.context, c.Context, c.Server)
		}
	}

	for _, tt := range []struct {
		name, config, context, want string
	}{
		{"no current context", config("", "https://prod.example:6443"), "",
			"no cluster to check against: the kubeconfig has no current context; pass --context"},
		{"unknown context", config("dev", "https://prod.example:6443"), "staging",
			`no cluster to check against: the kubeconfig has no context "staging" (contexts: dev, lost, prod)`},
		{"context without a cluster", config("dev", "https://prod.example:6443"), "lost",
			"no cluster to check against: context lost: "},
		{"unreadable", "clusters: [", "",
			"no cluster to check against: reading the kubeconfig: "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			kubeconfig(t, tt.config)
			_, err := Connect(tt.context)
			if !errors.Is(err, ErrConfig) || !strings.HasPrefix(err.Error(), tt.want) || (!strings.HasSuffix(tt.want, ": ") && err.Error() != tt.want) {
				t.Errorf("got %v\nwant %s", err, tt.want)
			}
		})
	}
}

// TestDryRunOnTheWire runs Connect and DryRun against an HTTP server that
// answers as an API server does, so that what is sent (a dry-run,
// strictly validated, forced server-side apply) and how Warning headers and
// rejections come back are what a real server sees and says.
func TestDryRunOnTheWire(t *testing.T) {
	var mu sync.Mutex
	var patches []string
	reply := func(w http.ResponseWriter, code int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		json.NewEncoder(w).Encode(v)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, metav1.APIVersions{TypeMeta: metav1.TypeMeta{Kind: "APIVersions"}, Versions: []string{"v1"}})
	})
	mux.HandleFunc("GET /apis", func(w http.ResponseWriter, r *http.Request) {
		apps := metav1.GroupVersionForDiscovery{GroupVersion: "apps/v1", Version: "v1"}
		reply(w, 200, metav1.APIGroupList{TypeMeta: metav1.TypeMeta{Kind: "APIGroupList", APIVersion: "v1"},
			Groups: []metav1.APIGroup{{Name: "apps", Versions: []metav1.GroupVersionForDiscovery{apps}, PreferredVersion: apps}}})
	})
	mux.HandleFunc("GET /api/v1", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, metav1.APIResourceList{TypeMeta: metav1.TypeMeta{Kind: "APIResourceList"}, GroupVersion: "v1",
			APIResources: []metav1.APIResource{{Name: "namespaces", Kind: "Namespace", Verbs: []string{"get", "create"}}}})
	})
	mux.HandleFunc("GET /apis/apps/v1", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, metav1.APIResourceList{TypeMeta: metav1.TypeMeta{Kind: "APIResourceList"}, GroupVersion: "apps/v1",
			APIResources: []metav1.APIResource{{Name: "deployments", Namespaced: true, Kind: "Deployment", Verbs: []string{"get", "patch"}}}})
	})
	mux.HandleFunc("GET /api/v1/namespaces/shop", func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "shop"}})
	})
	mux.HandleFunc("PATCH /apis/apps/v1/namespaces/shop/deployments/{name}", func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		patches = append(patches, r.PathValue("name")+" "+r.Header.Get("Content-Type")+" "+r.URL.RawQuery)
		mu.Unlock()
		if r.PathValue("name") == "payments" {
			reply(w, 422, metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusFailure, Code: 422,
				Reason:  metav1.StatusReasonInvalid,
				Message: `Deployment.apps "payments" is invalid: spec.template.spec.containers[0].resources.limits: Invalid value: "1x": quantities must match the regular expression`,
				Details: &metav1.StatusDetails{Name: "payments", Group: "apps", Kind: "Deployment", Causes: []metav1.StatusCause{
					{Type: metav1.CauseTypeFieldValueInvalid, Field: "spec.template.spec.containers[0].resources.limits"}}}})
			return
		}
		w.Header().Add("Warning", `299 - "would violate PodSecurity \"restricted:latest\": runAsNonRoot != true"`)
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})
	api := httptest.NewServer(mux)
	defer api.Close()
	kubeconfig(t, config("prod", api.URL))

	c, err := Connect("")
	if err != nil {
		t.Fatal(err)
	}
	manifests := `apiVersion: apps/v1
kind: Deployment
metadata: {name: orders, namespace: shop, labels: {app.kubernetes.io/name: orders}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: payments, namespace: shop, labels: {app.kubernetes.io/name: payments}}
`
	problems, err := c.DryRun(context.Background(), []byte(manifests), false)
	if err != nil {
		t.Fatal(err)
	}
	want := []Problem{
		{Kind: "Deployment", Namespace: "shop", Name: "orders", Labels: map[string]string{"app.kubernetes.io/name": "orders"}, Warning: true,
			Message: `would violate PodSecurity "restricted:latest": runAsNonRoot != true`},
		{Kind: "Deployment", Namespace: "shop", Name: "payments", Labels: map[string]string{"app.kubernetes.io/name": "payments"},
			Message: `Deployment.apps "payments" is invalid: spec.template.spec.containers[0].resources.limits: Invalid value: "1x": quantities must match the regular expression`,
			Fields:  []string{"spec.template.spec.containers[0].resources.limits"}},
	}
	if diff := cmp.Diff(want, problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	const sent = " application/apply-patch+yaml dryRun=All&fieldManager=tandem-check&fieldValidation=Strict&force=true"
	if diff := cmp.Diff([]string{"orders" + sent, "payments" + sent}, patches); diff != "" {
		t.Errorf("patches (-want +got):\n%s", diff)
	}
}
