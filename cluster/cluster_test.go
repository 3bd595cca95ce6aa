package cluster

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/validation/field"
	dynamicfake "k8s.io/client-go/dynamic/fake"
	clienttesting "k8s.io/client-go/testing"
	"sigs.k8s.io/yaml"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
)

// shopManifests is what tandem builds for the shop's orders in prod, cut
// down to what a dry run looks at, plus an object of a kind no server
// serves here and a cluster-wide one.
const shopManifests = `apiVersion: v1
kind: Service
metadata:
  name: orders
  namespace: shop
  labels: {app.kubernetes.io/name: orders}
spec:
  ports: [{name: http, port: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: orders
  namespace: shop
  labels: {app.kubernetes.io/name: orders}
spec:
  template:
    spec:
      containers: [{name: orders, image: orders:1.0}]
---
apiVersion: batch/v1
kind: Job
metadata:
  name: orders-migrate
  namespace: shop-jobs
  labels: {app.kubernetes.io/name: orders-migrate, tandem.dev/service: orders}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: tandem-reader
---
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: orders
  namespace: shop
  labels: {app.kubernetes.io/name: orders}
`

var namespacesResource = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}

// server is the fake API server of a test: the objects it holds, what it
// answers to a patch, and what it was asked.
type server struct {
	client   *Client
	fake     *dynamicfake.FakeDynamicClient
	warnings *warnings
}

// newServer is an API server that serves Services, Deployments, Jobs and
// ClusterRoles and holds the namespaces named.
func newServer(t *testing.T, namespaces ...string) *server {
	t.Helper()
	var objects []runtime.Object
	for _, ns := range namespaces {
		objects = append(objects, &unstructured.Unstructured{Object: map[string]any{
			"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}}})
	}
	fake := dynamicfake.NewSimpleDynamicClient(runtime.NewScheme(), objects...)
	mapper := meta.NewDefaultRESTMapper(nil)
	mapper.Add(schema.GroupVersionKind{Version: "v1", Kind: "Service"}, meta.RESTScopeNamespace)
	mapper.Add(schema.GroupVersionKind{Group: "apps", Version: "v1", Kind: "Deployment"}, meta.RESTScopeNamespace)
	mapper.Add(schema.GroupVersionKind{Group: "batch", Version: "v1", Kind: "Job"}, meta.RESTScopeNamespace)
	mapper.Add(schema.GroupVersionKind{Group: "rbac.authorization.k8s.io", Version: "v1", Kind: "ClusterRole"}, meta.RESTScopeRoot)
	w := &warnings{}
	// A warning of an earlier request is not about any object here.
	w.HandleWarningHeader(299, "-", "left over from an earlier request")
	return &server{client: newClient("prod", "https://prod.example:6443", fake, mapper, w), fake: fake, warnings: w}
}

// onPatch makes the server answer every dry-run apply with answer, which
// may warn through s.warnings as a response's Warning header would.
func (s *server) onPatch(answer func(obj *unstructured.Unstructured) error) {
	s.fake.PrependReactor("patch", "*", func(action clienttesting.Action) (bool, runtime.Object, error) {
		obj := &unstructured.Unstructured{}
		if err := obj.UnmarshalJSON(action.(clienttesting.PatchAction).GetPatch()); err != nil {
			return true, nil, err
		}
		return true, obj, answer(obj)
	})
}

// applied are the objects the server was asked to dry-run, as
// "resource namespace/name" with the patch type.
func (s *server) applied() []string {
	var out []string
	for _, a := range s.fake.Actions() {
		if p, ok := a.(clienttesting.PatchAction); ok {
			out = append(out, a.GetResource().Resource+" "+a.GetNamespace()+"/"+p.GetName()+" "+string(p.GetPatchType()))
		}
	}
	return out
}

func TestDryRun(t *testing.T) {
	t.Parallel()
	s := newServer(t, "shop")
	s.onPatch(func(obj *unstructured.Unstructured) error {
		switch obj.GetKind() {
		case "Deployment":
			s.warnings.HandleWarningHeader(299, "-", `would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false`)
			return apierrors.NewInvalid(schema.GroupKind{Group: "apps", Kind: "Deployment"}, obj.GetName(), field.ErrorList{
				field.Invalid(field.NewPath("spec", "template", "spec", "containers").Index(0).Child("securityContext", "runAsUser"), -1, "must be greater than or equal to 0"),
				field.Required(field.NewPath("spec", "selector"), ""),
			})
		case "ClusterRole":
			s.warnings.HandleWarningHeader(299, "-", "rbac: no rules")
		}
		return nil
	})
	problems, err := s.client.DryRun(context.Background(), []byte(shopManifests), false)
	if err != nil {
		t.Fatal(err)
	}
	rejected := `Deployment.apps "orders" is invalid: [spec.template.spec.containers[0].securityContext.runAsUser: Invalid value: -1: must be greater than or equal to 0, spec.selector: Required value]`
	want := []Problem{
		{Kind: "Namespace", Name: "shop-jobs", Message: "does not exist in this cluster; create it (the platform's choice of labels, quotas and Pod Security level) or pass --create-namespaces"},
		{Kind: "Deployment", Namespace: "shop", Name: "orders", Labels: map[string]string{"app.kubernetes.io/name": "orders"}, Message: rejected,
			Fields: []string{"spec.template.spec.containers[0].securityContext.runAsUser", "spec.selector"}},
		{Kind: "Deployment", Namespace: "shop", Name: "orders", Labels: map[string]string{"app.kubernetes.io/name": "orders"}, Warning: true,
			Message: `would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false`},
		{Kind: "ClusterRole", Name: "tandem-reader", Warning: true, Message: "rbac: no rules"},
		{Kind: "ServiceMonitor", Namespace: "shop", Name: "orders", Labels: map[string]string{"app.kubernetes.io/name": "orders"},
			Message: `the server does not serve monitoring.coreos.com/v1, Kind=ServiceMonitor: no matches for kind "ServiceMonitor" in version "monitoring.coreos.com/v1"`},
	}
	if diff := cmp.Diff(want, problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}

	// Every object the server serves, outside a missing namespace, is
	// submitted once as a server-side apply.
	if diff := cmp.Diff([]string{
		"services shop/orders " + string(types.ApplyPatchType),
		"deployments shop/orders " + string(types.ApplyPatchType),
		"clusterroles /tandem-reader " + string(types.ApplyPatchType),
	}, s.applied()); diff != "" {
		t.Errorf("applied (-want +got):\n%s", diff)
	}

	// What the server said names the catalogue field a user changes.
	c, err := catalogue.Load(fsys.OS{}, "../examples/shop/tandem.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var sources []string
	for _, p := range problems {
		sources = append(sources, p.Object()+": "+Source(c, p))
	}
	if diff := cmp.Diff([]string{
		"Namespace shop-jobs: ",
		"Deployment shop/orders: services.orders.security",
		"Deployment shop/orders: services.orders.security",
		"ClusterRole tandem-reader: ",
		"ServiceMonitor shop/orders: services.orders",
	}, sources); diff != "" {
		t.Errorf("sources (-want +got):\n%s", diff)
	}
}

// TestDryRunCreateNamespaces: with createNamespaces a missing namespace is
// created, the one change a check makes, and its objects are checked.
func TestDryRunCreateNamespaces(t *testing.T) {
	t.Parallel()
	s := newServer(t, "shop")
	s.onPatch(func(*unstructured.Unstructured) error { return nil })
	problems, err := s.client.DryRun(context.Background(), []byte(shopManifests), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(problems) != 1 || problems[0].Kind != "ServiceMonitor" {
		t.Errorf("problems: %+v", problems)
	}
	var created []string
	for _, a := range s.fake.Actions() {
		if c, ok := a.(clienttesting.CreateAction); ok {
			obj := c.GetObject().(*unstructured.Unstructured)
			created = append(created, a.GetResource().Resource+" "+obj.GetName())
		}
	}
	if diff := cmp.Diff([]string{"namespaces shop-jobs"}, created); diff != "" {
		t.Errorf("created (-want +got):\n%s", diff)
	}
	if _, err := s.fake.Resource(namespacesResource).Get(context.Background(), "shop-jobs", metav1.GetOptions{}); err != nil {
		t.Errorf("the namespace was not created: %v", err)
	}
	if got := s.applied(); len(got) != 4 || !strings.HasPrefix(got[2], "jobs shop-jobs/orders-migrate ") {
		t.Errorf("applied: %q", got)
	}
}

func TestDryRunErrors(t *testing.T) {
	t.Parallel()
	forbidden := apierrors.NewForbidden(namespacesResource.GroupResource(), "shop", errors.New(`User "ci" cannot get resource "namespaces"`))
	tests := []struct {
		name             string
		manifests        string
		verb             string
		err              error
		createNamespaces bool
		want             string
	}{
		{
			name: "looking up a namespace", manifests: shopManifests, verb: "get", err: forbidden,
			want: `looking up namespace shop in prod: namespaces "shop" is forbidden: User "ci" cannot get resource "namespaces"`,
		},
		{
			name: "creating a namespace", manifests: shopManifests, verb: "create", createNamespaces: true,
			err:  apierrors.NewForbidden(namespacesResource.GroupResource(), "shop", errors.New(`User "ci" cannot create resource "namespaces"`)),
			want: `creating namespace shop: namespaces "shop" is forbidden: User "ci" cannot create resource "namespaces"`,
		},
		{
			name: "manifests that do not parse", manifests: "kind: [Deployment\n",
			want: "document 1: yaml: line 1: did not find expected ',' or ']'",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newServer(t)
			if tt.verb != "" {
				s.fake.PrependReactor(tt.verb, "namespaces", func(clienttesting.Action) (bool, runtime.Object, error) { return true, nil, tt.err })
			}
			problems, err := s.client.DryRun(context.Background(), []byte(tt.manifests), tt.createNamespaces)
			if err == nil || err.Error() != tt.want || problems != nil {
				t.Errorf("got %v, %+v\nwant %s", err, problems, tt.want)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	t.Parallel()
	objects, err := decode([]byte(shopManifests))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range objects {
		names = append(names, o.GetKind()+"/"+o.GetName())
	}
	if diff := cmp.Diff([]string{"Service/orders", "Deployment/orders", "Job/orders-migrate", "ClusterRole/tandem-reader", "ServiceMonitor/orders"}, names); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"shop", "shop-jobs"}, namespaces(objects)); diff != "" {
		t.Errorf("namespaces (-want +got):\n%s", diff)
	}
	// The server is sent the object as it was built.
	data, err := objects[1].MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	want, err := yaml.YAMLToJSON([]byte(strings.Split(shopManifests, "---\n")[1]))
	if err != nil {
		t.Fatal(err)
	}
	if strings.TrimSpace(string(data)) != string(want) {
		t.Errorf("sent %s\nwant %s", data, want)
	}
}

func TestProblemObject(t *testing.T) {
	t.Parallel()
	if got := (Problem{Kind: "Deployment", Namespace: "shop", Name: "orders"}).Object(); got != "Deployment shop/orders" {
		t.Errorf("namespaced: %q", got)
	}
	if got := (Problem{Kind: "Namespace", Name: "shop"}).Object(); got != "Namespace shop" {
		t.Errorf("cluster-wide: %q", got)
	}
}
