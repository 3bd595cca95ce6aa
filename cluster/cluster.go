// Package cluster asks a real Kubernetes API server whether it accepts
// what tandem builds: a server-side dry run of every object, which runs the
// server's decoding, validation and admission (Pod Security among them)
// and stores nothing.
package cluster

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/yaml"

	"github.com/tandemdev/tandem/manifest"
)

// ErrConfig is returned when no usable kubeconfig or context exists.
var ErrConfig = errors.New("no cluster to check against")

// FieldManager is who the dry-run applies as.
const FieldManager = "tandem-check"

// Client talks to the cluster of one kubeconfig context.
type Client struct {
	// Context and Server say which cluster this is, for messages.
	Context, Server string
	dynamic         dynamic.Interface
	mapper          meta.RESTMapper
	namespaces      dynamic.NamespaceableResourceInterface
	warnings        *warnings
}

// Connect loads the kubeconfig as kubectl does (KUBECONFIG, else
// ~/.kube/config) and uses context, or its current context when empty.
func Connect(kubeContext string) (*Client, error) {
	loader := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(clientcmd.NewDefaultClientConfigLoadingRules(),
		&clientcmd.ConfigOverrides{CurrentContext: kubeContext})
	raw, err := loader.RawConfig()
	if err != nil {
		return nil, fmt.Errorf("%w: reading the kubeconfig: %v", ErrConfig, err)
	}
	name := kubeContext
	if name == "" {
		name = raw.CurrentContext
	}
	if name == "" {
		return nil, fmt.Errorf("%w: the kubeconfig has no current context; pass --context", ErrConfig)
	}
	if _, ok := raw.Contexts[name]; !ok {
		return nil, fmt.Errorf("%w: the kubeconfig has no context %q (contexts: %s)", ErrConfig, name, strings.Join(slices.Sorted(maps.Keys(raw.Contexts)), ", "))
	}
	cfg, err := loader.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("%w: context %s: %v", ErrConfig, name, err)
	}
	w := &warnings{}
	cfg.WarningHandler = w
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, err
	}
	return newClient(name, cfg.Host, dyn, restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disc)), w), nil
}

// newClient is a Client over the API server calls a dry run makes: dyn
// for the objects, mapper for which resource serves a kind, and w for the
// Warning headers of dyn's responses. Tests give it client-go's fakes.
func newClient(kubeContext, server string, dyn dynamic.Interface, mapper meta.RESTMapper, w *warnings) *Client {
	return &Client{
		Context:    kubeContext,
		Server:     server,
		dynamic:    dyn,
		mapper:     mapper,
		namespaces: dyn.Resource(schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}),
		warnings:   w,
	}
}

// warnings collects the Warning headers of responses. Requests are made
// one at a time, so what arrived during one belongs to its object.
type warnings struct {
	mu   sync.Mutex
	list []string
}

func (w *warnings) HandleWarningHeader(_ int, _ string, text string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.list = append(w.list, text)
}

func (w *warnings) take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := w.list
	w.list = nil
	return out
}

// Problem is what the server said about one object, or about a namespace.
type Problem struct {
	Kind, Namespace, Name string
	Labels                map[string]string
	// Warning is set for a warning; the object was accepted.
	Warning bool
	Message string
	// Fields are the object's fields the server named, when it did.
	Fields []string
}

// Object names the object as kubectl does.
func (p Problem) Object() string {
	if p.Namespace == "" {
		return p.Kind + " " + p.Name
	}
	return p.Kind + " " + p.Namespace + "/" + p.Name
}

// DryRun submits every object of manifests (a YAML stream) as a server-side
// apply that is not persisted, with strict field validation, and returns
// every rejection and warning. Objects in a namespace that does not exist
// are reported as such, unless createNamespaces, which creates it (the one
// change this makes).
func (c *Client) DryRun(ctx context.Context, manifests []byte, createNamespaces bool) ([]Problem, error) {
	objects, err := decode(manifests)
	if err != nil {
		return nil, err
	}
	var problems []Problem
	missing := map[string]bool{}
	for _, ns := range namespaces(objects) {
		_, err := c.namespaces.Get(ctx, ns, metav1.GetOptions{})
		switch {
		case err == nil:
			continue
		case !apierrors.IsNotFound(err):
			return nil, fmt.Errorf("looking up namespace %s in %s: %w", ns, c.Context, err)
		case createNamespaces:
			created := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns}}}
			if _, err := c.namespaces.Create(ctx, created, metav1.CreateOptions{FieldManager: FieldManager}); err != nil {
				return nil, fmt.Errorf("creating namespace %s: %w", ns, err)
			}
		default:
			missing[ns] = true
			problems = append(problems, Problem{Kind: "Namespace", Name: ns,
				Message: "does not exist in this cluster; create it (the platform's choice of labels, quotas and Pod Security level) or pass --create-namespaces"})
		}
	}
	for _, obj := range objects {
		if missing[obj.GetNamespace()] {
			continue
		}
		problems = append(problems, c.dryRun(ctx, obj)...)
	}
	return problems, nil
}

func (c *Client) dryRun(ctx context.Context, obj *unstructured.Unstructured) []Problem {
	about := Problem{Kind: obj.GetKind(), Namespace: obj.GetNamespace(), Name: obj.GetName(), Labels: obj.GetLabels()}
	gvk := obj.GroupVersionKind()
	mapping, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if err != nil {
		about.Message = fmt.Sprintf("the server does not serve %s: %v", gvk, err)
		return []Problem{about}
	}
	var resource dynamic.ResourceInterface = c.dynamic.Resource(mapping.Resource)
	if mapping.Scope.Name() == meta.RESTScopeNameNamespace {
		resource = c.dynamic.Resource(mapping.Resource).Namespace(obj.GetNamespace())
	}
	data, err := obj.MarshalJSON()
	if err != nil {
		about.Message = err.Error()
		return []Problem{about}
	}
	c.warnings.take()
	_, err = resource.Patch(ctx, obj.GetName(), types.ApplyPatchType, data, metav1.PatchOptions{
		DryRun:          []string{metav1.DryRunAll},
		FieldManager:    FieldManager,
		Force:           ptr.To(true),
		FieldValidation: metav1.FieldValidationStrict,
	})
	var out []Problem
	if err != nil {
		p := about
		p.Message = err.Error()
		var status apierrors.APIStatus
		if errors.As(err, &status) && status.Status().Details != nil {
			for _, cause := range status.Status().Details.Causes {
				if cause.Field != "" {
					p.Fields = append(p.Fields, cause.Field)
				}
			}
		}
		out = append(out, p)
	}
	for _, text := range c.warnings.take() {
		p := about
		p.Warning, p.Message = true, text
		out = append(out, p)
	}
	return out
}

func decode(manifests []byte) ([]*unstructured.Unstructured, error) {
	docs, err := manifest.Documents(manifests)
	if err != nil {
		return nil, err
	}
	out := make([]*unstructured.Unstructured, 0, len(docs))
	for _, doc := range docs {
		obj := &unstructured.Unstructured{}
		if err := yaml.Unmarshal(doc, &obj.Object); err != nil {
			return nil, err
		}
		out = append(out, obj)
	}
	return out, nil
}

func namespaces(objects []*unstructured.Unstructured) []string {
	seen := map[string]bool{}
	for _, o := range objects {
		if ns := o.GetNamespace(); ns != "" {
			seen[ns] = true
		}
	}
	return slices.Sorted(maps.Keys(seen))
}
