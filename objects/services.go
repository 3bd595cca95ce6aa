package objects

import (
	"maps"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/tandemdev/tandem/catalogue"
)

// Service gives a service with ports a stable name in the cluster, the
// one its users' URLs name; ports target the container's by name, so that
// a container port can change without the Service.
func Service(c *catalogue.Catalogue, w *catalogue.Workload) *corev1.Service {
	svc := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: objectMeta(c, w.Name),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceType(w.ServiceType),
			Selector: selectorLabels(w.Name),
		},
	}
	if l := w.Service.Labels; l != nil {
		maps.Copy(svc.Labels, l.Service)
	}
	if a := w.Service.Annotations; a != nil && len(a.Service) > 0 {
		svc.Annotations = maps.Clone(a.Service)
	}
	for _, p := range w.Ports {
		svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{
			Name: p.Name, Port: int32(p.ClusterPort()), TargetPort: intstr.FromString(p.Name), Protocol: transport(p),
		})
	}
	return svc
}

// ServicePatch changes the type of a service's Service in an environment,
// and pins the node ports the catalogue names where the type has them;
// it names nothing else, so that a strategic merge keeps the base's
// ports. The base never pins a node port: an environment whose Service
// is a ClusterIP could not drop it again.
func ServicePatch(w *catalogue.Workload) *corev1.Service {
	svc := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: w.Name},
		Spec:       corev1.ServiceSpec{Type: corev1.ServiceType(w.ServiceType)},
	}
	if w.External() {
		for _, p := range w.Ports {
			if p.NodePort != 0 {
				// The base's target port again: a typed port cannot leave
				// it out, and 0 would replace it.
				svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{
					Name: p.Name, Port: int32(p.ClusterPort()), TargetPort: intstr.FromString(p.Name), Protocol: transport(p), NodePort: int32(p.NodePort),
				})
			}
		}
	}
	return svc
}

// Ingress routes an environment's host and each public port's path to
// the service.
func Ingress(c *catalogue.Catalogue, service string, in *catalogue.Ingress, ports []catalogue.Port) *networkingv1.Ingress {
	rule := networkingv1.HTTPIngressRuleValue{}
	for _, p := range ports {
		rule.Paths = append(rule.Paths, networkingv1.HTTPIngressPath{
			Path:     p.RoutePath(),
			PathType: ptr.To(networkingv1.PathTypePrefix),
			Backend: networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{
				Name: service, Port: networkingv1.ServiceBackendPort{Name: p.Name},
			}},
		})
	}
	ing := &networkingv1.Ingress{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "Ingress"},
		ObjectMeta: objectMeta(c, service),
		Spec: networkingv1.IngressSpec{
			Rules: []networkingv1.IngressRule{{Host: in.Host, IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &rule}}},
		},
	}
	if in.Class != "" {
		ing.Spec.IngressClassName = ptr.To(in.Class)
	}
	if in.TLSSecret != "" {
		ing.Spec.TLS = []networkingv1.IngressTLS{{Hosts: []string{in.Host}, SecretName: in.TLSSecret}}
	}
	return ing
}
