package validate

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/robfig/cron/v3"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"sigs.k8s.io/yaml"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/manifest"
)

// Manifests checks the manifests of a build (a YAML stream) the way the API
// server would where that can be done offline: each object decodes
// strictly (no unknown or misspelt field) into its k8s.io/api type; names,
// labels and selectors follow apimachinery's rules; a workload's selector
// matches its pods, probes and Services name ports that exist, requests do
// not exceed limits; and what an object refers to by name in its namespace
// (ConfigMaps, ServiceAccounts, Services, scale targets) is in the build.
// Secrets are the exception: outside dev the platform creates them.
func Manifests(manifests []byte) []error {
	objects, err := decodeStrict(manifests)
	if err != nil {
		return []error{err}
	}
	v := validator{present: map[string]bool{}, servicePorts: map[string]map[string]bool{}, configKeys: map[string]map[string]bool{}}
	for _, o := range objects {
		v.present[o.key()] = true
		if cm, ok := o.obj.(*corev1.ConfigMap); ok {
			keys := map[string]bool{}
			for k := range cm.Data {
				keys[k] = true
			}
			v.configKeys[o.namespace+"/"+o.name] = keys
		}
		if svc, ok := o.obj.(*corev1.Service); ok {
			ports := map[string]bool{}
			for _, p := range svc.Spec.Ports {
				ports[p.Name] = true
			}
			v.servicePorts[o.namespace+"/"+o.name] = ports
		}
	}
	for _, o := range objects {
		v.object(o)
	}
	return v.errs
}

// decoded is one object of a build with its typed form.
type decoded struct {
	kind, name, namespace string
	obj                   any
	meta                  metav1.ObjectMeta
	// size is the object's length as YAML, near what it is as JSON.
	size int
}

// Limits the API server and its controllers hold objects to, beyond
// what the name rules say.
const (
	// maxObjectBytes is etcd's default request limit, 1.5 MiB.
	maxObjectBytes = 3 << 19
	// maxConfigMapBytes is the most a ConfigMap's data may hold.
	maxConfigMapBytes = 1 << 20
)

func (d decoded) key() string { return d.kind + "/" + d.namespace + "/" + d.name }

// typed are the kinds tandem generates or platform patches commonly add,
// by apiVersion and kind.
var typed = map[string]func() any{
	"v1/ConfigMap":                           func() any { return &corev1.ConfigMap{} },
	"v1/Secret":                              func() any { return &corev1.Secret{} },
	"v1/Service":                             func() any { return &corev1.Service{} },
	"v1/ServiceAccount":                      func() any { return &corev1.ServiceAccount{} },
	"v1/Namespace":                           func() any { return &corev1.Namespace{} },
	"apps/v1/Deployment":                     func() any { return &appsv1.Deployment{} },
	"apps/v1/StatefulSet":                    func() any { return &appsv1.StatefulSet{} },
	"batch/v1/Job":                           func() any { return &batchv1.Job{} },
	"batch/v1/CronJob":                       func() any { return &batchv1.CronJob{} },
	"policy/v1/PodDisruptionBudget":          func() any { return &policyv1.PodDisruptionBudget{} },
	"autoscaling/v2/HorizontalPodAutoscaler": func() any { return &autoscalingv2.HorizontalPodAutoscaler{} },
	"networking.k8s.io/v1/NetworkPolicy":     func() any { return &networkingv1.NetworkPolicy{} },
	"networking.k8s.io/v1/Ingress":           func() any { return &networkingv1.Ingress{} },
}

func decodeStrict(manifests []byte) ([]decoded, error) {
	docs, err := manifest.Documents(manifests)
	if err != nil {
		return nil, err
	}
	var out []decoded
	for i, doc := range docs {
		var head struct {
			APIVersion string            `json:"apiVersion"`
			Kind       string            `json:"kind"`
			Metadata   metav1.ObjectMeta `json:"metadata"`
		}
		if err := yaml.Unmarshal(doc, &head); err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		newObject, known := typed[head.APIVersion+"/"+head.Kind]
		if !known {
			// Custom resources and kinds tandem does not know pass through;
			// the API server is their judge.
			continue
		}
		obj := newObject()
		if err := yaml.UnmarshalStrict(doc, obj); err != nil {
			return nil, fmt.Errorf("%s %s does not decode strictly as %s %s: %w", head.Kind, head.Metadata.Name, head.APIVersion, head.Kind, err)
		}
		out = append(out, decoded{kind: head.Kind, name: head.Metadata.Name, namespace: head.Metadata.Namespace, obj: obj, meta: head.Metadata, size: len(doc)})
	}
	return out, nil
}

type validator struct {
	present map[string]bool
	// servicePorts holds each Service's port names, by namespace/name.
	servicePorts map[string]map[string]bool
	// configKeys holds each ConfigMap's keys, by namespace/name.
	configKeys map[string]map[string]bool
	errs       []error
}

func (v *validator) fail(o decoded, format string, args ...any) {
	v.errs = append(v.errs, fmt.Errorf("%s %s: %s", o.kind, o.name, fmt.Sprintf(format, args...)))
}

func (v *validator) fields(o decoded, errs field.ErrorList) {
	for _, err := range errs {
		v.fail(o, "%v", err)
	}
}

// requires reports a reference to an object of kind that the build lacks.
func (v *validator) requires(o decoded, path, kind, name string) {
	if !v.present[kind+"/"+o.namespace+"/"+name] {
		v.fail(o, "%s refers to %s %s, which the build does not contain", path, kind, name)
	}
}

func (v *validator) object(o decoded) {
	nameRule := validation.IsDNS1123Subdomain
	switch o.kind {
	case "Service":
		nameRule = validation.IsDNS1035Label
	case "Namespace":
		nameRule = validation.IsDNS1123Label
	}
	for _, msg := range nameRule(o.name) {
		v.fail(o, "metadata.name: %s", msg)
	}
	if (o.kind == "StatefulSet" || o.kind == "CronJob") && len(o.name) > catalogue.MaxControllerName {
		v.fail(o, "metadata.name: %d characters; a %s's name may be at most %d, or its pods cannot be created", len(o.name), o.kind, catalogue.MaxControllerName)
	}
	if o.kind == "Job" && len(o.name) > validation.DNS1123LabelMaxLength {
		v.fail(o, "metadata.name: %d characters; a Job's name is a label of its pods, which holds at most %d", len(o.name), validation.DNS1123LabelMaxLength)
	}
	if o.size > maxObjectBytes {
		v.fail(o, "the object is %d KiB; the API server stores objects up to 1.5 MiB", o.size>>10)
	}
	v.fields(o, apivalidation.ValidateAnnotations(o.meta.Annotations, field.NewPath("metadata", "annotations")))
	if o.namespace != "" {
		for _, msg := range validation.IsDNS1123Label(o.namespace) {
			v.fail(o, "metadata.namespace: %s", msg)
		}
	}
	v.fields(o, metav1validation.ValidateLabels(o.meta.Labels, field.NewPath("metadata", "labels")))

	switch obj := o.obj.(type) {
	case *corev1.ConfigMap:
		total := 0
		for k, d := range obj.Data {
			total += len(k) + len(d)
		}
		if total > maxConfigMapBytes {
			v.fail(o, "data: %d KiB; a ConfigMap holds at most 1 MiB", total>>10)
		}
	case *appsv1.Deployment:
		v.workload(o, obj.Spec.Selector, obj.Spec.Template, field.NewPath("spec"))
	case *appsv1.StatefulSet:
		v.workload(o, obj.Spec.Selector, obj.Spec.Template, field.NewPath("spec"))
		v.requires(o, "spec.serviceName", "Service", obj.Spec.ServiceName)
	case *batchv1.Job:
		v.pod(o, obj.Spec.Template, field.NewPath("spec", "template"))
	case *batchv1.CronJob:
		if _, err := cron.ParseStandard(obj.Spec.Schedule); err != nil {
			v.fail(o, "spec.schedule: %v", err)
		}
		v.pod(o, obj.Spec.JobTemplate.Spec.Template, field.NewPath("spec", "jobTemplate", "spec", "template"))
	case *corev1.Service:
		v.service(o, obj)
	case *policyv1.PodDisruptionBudget:
		v.selector(o, obj.Spec.Selector, field.NewPath("spec", "selector"))
	case *networkingv1.NetworkPolicy:
		v.selector(o, &obj.Spec.PodSelector, field.NewPath("spec", "podSelector"))
		for i, rule := range obj.Spec.Ingress {
			for j, peer := range rule.From {
				p := field.NewPath("spec", "ingress").Index(i).Child("from").Index(j)
				if peer.PodSelector != nil {
					v.selector(o, peer.PodSelector, p.Child("podSelector"))
				}
				if peer.NamespaceSelector != nil {
					v.selector(o, peer.NamespaceSelector, p.Child("namespaceSelector"))
				}
			}
		}
	case *autoscalingv2.HorizontalPodAutoscaler:
		if obj.Spec.MinReplicas != nil && *obj.Spec.MinReplicas > obj.Spec.MaxReplicas {
			v.fail(o, "spec.minReplicas %d exceeds spec.maxReplicas %d", *obj.Spec.MinReplicas, obj.Spec.MaxReplicas)
		}
		v.requires(o, "spec.scaleTargetRef", obj.Spec.ScaleTargetRef.Kind, obj.Spec.ScaleTargetRef.Name)
	case *networkingv1.Ingress:
		for _, rule := range obj.Spec.Rules {
			// No host matches every host; *.example.com one label's worth.
			if host := strings.TrimPrefix(rule.Host, "*."); host != "" {
				for _, msg := range validation.IsDNS1123Subdomain(host) {
					v.fail(o, "spec.rules.host %q: %s", rule.Host, msg)
				}
			}
			if rule.HTTP == nil {
				continue
			}
			for _, p := range rule.HTTP.Paths {
				if b := p.Backend.Service; b != nil {
					v.requires(o, "a backend", "Service", b.Name)
					if b.Port.Name != "" && v.present["Service/"+o.namespace+"/"+b.Name] && !v.servicePorts[o.namespace+"/"+b.Name][b.Port.Name] {
						v.fail(o, "a backend names port %q, which Service %s does not have", b.Port.Name, b.Name)
					}
				}
			}
		}
	}
}

// selector checks a label selector and returns it parsed, nil if invalid.
func (v *validator) selector(o decoded, s *metav1.LabelSelector, p *field.Path) labels.Selector {
	if s == nil {
		v.fail(o, "%s: required", p)
		return nil
	}
	v.fields(o, metav1validation.ValidateLabelSelector(s, metav1validation.LabelSelectorValidationOptions{}, p))
	parsed, err := metav1.LabelSelectorAsSelector(s)
	if err != nil {
		v.fail(o, "%s: %v", p, err)
		return nil
	}
	return parsed
}

func (v *validator) workload(o decoded, s *metav1.LabelSelector, t corev1.PodTemplateSpec, p *field.Path) {
	if sel := v.selector(o, s, p.Child("selector")); sel != nil {
		if sel.Empty() || !sel.Matches(labels.Set(t.Labels)) {
			v.fail(o, "%s does not select the pods of %s", p.Child("selector"), p.Child("template"))
		}
	}
	v.pod(o, t, p.Child("template"))
}

func (v *validator) pod(o decoded, t corev1.PodTemplateSpec, p *field.Path) {
	v.fields(o, metav1validation.ValidateLabels(t.Labels, p.Child("metadata", "labels")))
	spec := t.Spec
	if sa := spec.ServiceAccountName; sa != "" && sa != "default" {
		v.requires(o, p.Child("spec", "serviceAccountName").String(), "ServiceAccount", sa)
	}
	volumes := map[string]bool{}
	for _, vol := range spec.Volumes {
		volumes[vol.Name] = true
	}
	if len(spec.Containers) == 0 {
		v.fail(o, "%s: at least one container is required", p.Child("spec", "containers"))
	}
	names := map[string]bool{}
	type indexed struct {
		path *field.Path
		c    corev1.Container
	}
	var all []indexed
	for i, c := range spec.InitContainers {
		all = append(all, indexed{p.Child("spec", "initContainers").Index(i), c})
	}
	for i, c := range spec.Containers {
		all = append(all, indexed{p.Child("spec", "containers").Index(i), c})
	}
	for _, ic := range all {
		c, cp := ic.c, ic.path
		for _, msg := range validation.IsDNS1123Label(c.Name) {
			v.fail(o, "%s: %s", cp.Child("name"), msg)
		}
		if names[c.Name] {
			v.fail(o, "%s: duplicate container name %s", cp.Child("name"), c.Name)
		}
		names[c.Name] = true
		if c.Image == "" {
			v.fail(o, "%s: required", cp.Child("image"))
		}
		ports := map[string]bool{}
		numbers := map[int32]bool{}
		for _, port := range c.Ports {
			numbers[port.ContainerPort] = true
			if port.Name == "" {
				continue
			}
			for _, msg := range validation.IsValidPortName(port.Name) {
				v.fail(o, "%s %s: %s", cp.Child("ports"), port.Name, msg)
			}
			if ports[port.Name] {
				v.fail(o, "%s: duplicate port name %s", cp.Child("ports"), port.Name)
			}
			ports[port.Name] = true
		}
		for _, named := range []struct {
			name  string
			probe *corev1.Probe
		}{{"readinessProbe", c.ReadinessProbe}, {"livenessProbe", c.LivenessProbe}, {"startupProbe", c.StartupProbe}} {
			name, probe := named.name, named.probe
			if probe == nil {
				continue
			}
			var port string
			switch {
			case probe.HTTPGet != nil:
				port = probe.HTTPGet.Port.StrVal
			case probe.TCPSocket != nil:
				port = probe.TCPSocket.Port.StrVal
			case probe.GRPC != nil && !numbers[probe.GRPC.Port]:
				// A gRPC probe has no named form: its number must still
				// be one the container declares.
				v.fail(o, "%s asks port %d, which the container does not declare", cp.Child(name), probe.GRPC.Port)
			}
			if port != "" && !ports[port] {
				v.fail(o, "%s names port %q, which the container does not declare", cp.Child(name), port)
			}
		}
		// Kubernetes fills in $(NAME) from envFrom and from the env
		// entries listed before; any other reference reaches the
		// application as written.
		defined := map[string]bool{}
		for _, from := range c.EnvFrom {
			if from.ConfigMapRef != nil {
				for k := range v.configKeys[o.namespace+"/"+from.ConfigMapRef.Name] {
					defined[from.Prefix+k] = true
				}
			}
		}
		for _, e := range c.Env {
			for _, msg := range validation.IsEnvVarName(e.Name) {
				v.fail(o, "%s %s: %s", cp.Child("env"), e.Name, msg)
			}
			for _, ref := range catalogue.References(e.Value) {
				if !defined[ref] {
					v.fail(o, "%s %s: $(%s) names no variable defined before it, so the container sees it as written", cp.Child("env"), e.Name, ref)
				}
			}
			defined[e.Name] = true
		}
		for _, from := range c.EnvFrom {
			if from.ConfigMapRef != nil && (from.ConfigMapRef.Optional == nil || !*from.ConfigMapRef.Optional) {
				v.requires(o, cp.Child("envFrom").String(), "ConfigMap", from.ConfigMapRef.Name)
			}
		}
		for _, m := range c.VolumeMounts {
			if !volumes[m.Name] && !v.claimTemplate(o, m.Name) {
				v.fail(o, "%s: no volume named %s", cp.Child("volumeMounts"), m.Name)
			}
		}
		for _, resource := range slices.Sorted(maps.Keys(c.Resources.Limits)) {
			limit := c.Resources.Limits[resource]
			if request, ok := c.Resources.Requests[resource]; ok && request.Cmp(limit) > 0 {
				v.fail(o, "%s: the %s request %s exceeds its limit %s", cp.Child("resources"), resource, request.String(), limit.String())
			}
		}
	}
}

// claimTemplate tells whether a StatefulSet provides the volume named name
// through a volume claim template.
func (v *validator) claimTemplate(o decoded, name string) bool {
	set, ok := o.obj.(*appsv1.StatefulSet)
	if !ok {
		return false
	}
	for _, claim := range set.Spec.VolumeClaimTemplates {
		if claim.Name == name {
			return true
		}
	}
	return false
}

func (v *validator) service(o decoded, s *corev1.Service) {
	if s.Spec.Type == corev1.ServiceTypeExternalName {
		for _, msg := range validation.IsDNS1123Subdomain(s.Spec.ExternalName) {
			v.fail(o, "spec.externalName %q: %s", s.Spec.ExternalName, msg)
		}
		return
	}
	if len(s.Spec.Ports) == 0 {
		v.fail(o, "spec.ports: required")
	}
	seen := map[string]bool{}
	for _, p := range s.Spec.Ports {
		if len(s.Spec.Ports) > 1 && p.Name == "" {
			v.fail(o, "spec.ports: every port needs a name when there are several")
		}
		if seen[p.Name] {
			v.fail(o, "spec.ports: duplicate name %s", p.Name)
		}
		seen[p.Name] = true
	}
}
