package objects

import (
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/tandemdev/tandem/catalogue"
)

// DefaultDeny shuts every pod of the namespace off from incoming traffic;
// the policies of UsersPolicy and IngressControllerPolicy open it, edge by
// edge.
func DefaultDeny(c *catalogue.Catalogue) *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: metav1.ObjectMeta{Name: catalogue.DefaultDenyPolicy, Labels: systemLabels(c)},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
		},
	}
}

// UsersPolicy lets the pods of each user of target, a service or an
// in-cluster resource, reach its ports: one rule per uses edge, nothing else.
func UsersPolicy(c *catalogue.Catalogue, target string, users []string, ports []catalogue.Port) *networkingv1.NetworkPolicy {
	np := &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: objectMeta(c, target),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: selectorLabels(target)},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress:     []networkingv1.NetworkPolicyIngressRule{},
		},
	}
	for _, user := range users {
		np.Spec.Ingress = append(np.Spec.Ingress, networkingv1.NetworkPolicyIngressRule{
			From:  []networkingv1.NetworkPolicyPeer{{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{LabelService: user}}}},
			Ports: policyPorts(ports),
		})
	}
	return np
}

// IngressControllerPolicy lets the environment's ingress controller reach
// a service's public ports.
func IngressControllerPolicy(c *catalogue.Catalogue, service, controllerNamespace string, ports []catalogue.Port) *networkingv1.NetworkPolicy {
	np := UsersPolicy(c, service, nil, nil)
	np.Name = service + "-ingress"
	np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{
		From: []networkingv1.NetworkPolicyPeer{{NamespaceSelector: &metav1.LabelSelector{
			MatchLabels: map[string]string{"kubernetes.io/metadata.name": controllerNamespace},
		}}},
		Ports: policyPorts(ports),
	}}
	return np
}

// ExternalPolicy lets clients from anywhere reach a service's public
// ports, where its Service is a load balancer or node port: such traffic
// arrives from outside addresses, which the default deny would drop.
func ExternalPolicy(c *catalogue.Catalogue, service string, ports []catalogue.Port) *networkingv1.NetworkPolicy {
	np := UsersPolicy(c, service, nil, nil)
	np.Name = catalogue.ExternalPolicyName(service)
	np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{Ports: policyPorts(ports)}}
	return np
}

// policyPorts lists the pods' ports, not the Service's, for a
// NetworkPolicy rule: policies apply after the Service has translated.
func policyPorts(ports []catalogue.Port) []networkingv1.NetworkPolicyPort {
	out := make([]networkingv1.NetworkPolicyPort, 0, len(ports))
	for _, p := range ports {
		out = append(out, networkingv1.NetworkPolicyPort{Protocol: ptr.To(transport(p)), Port: ptr.To(intstr.FromInt32(int32(p.Port)))})
	}
	return out
}

// transport is the port's Kubernetes protocol.
func transport(p catalogue.Port) corev1.Protocol {
	if p.UDP() {
		return corev1.ProtocolUDP
	}
	return corev1.ProtocolTCP
}
