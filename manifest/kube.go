package manifest

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	kusttypes "sigs.k8s.io/kustomize/api/types"

	"github.com/tandemdev/tandem/catalogue"
)

// Label keys tandem sets on every object it generates.
const (
	LabelName      = "app.kubernetes.io/name"
	LabelPartOf    = "app.kubernetes.io/part-of"
	LabelManagedBy = "app.kubernetes.io/managed-by"
	LabelDomain    = "tandem.dev/domain"
)

// SelectorLabels select a service's pods; they never change, since a
// Deployment's selector is immutable.
func SelectorLabels(service string) map[string]string {
	return map[string]string{LabelName: service}
}

// Labels are the labels of a service's objects.
func Labels(c *catalogue.Catalogue, service string) map[string]string {
	l := SelectorLabels(service)
	l[LabelPartOf] = c.Name
	l[LabelManagedBy] = "tandem"
	if s := c.Services[service]; s != nil && s.Domain != "" {
		l[LabelDomain] = s.Domain
	}
	return l
}

// SystemLabels are the labels of objects that belong to no one service.
func SystemLabels(c *catalogue.Catalogue) map[string]string {
	return map[string]string{LabelPartOf: c.Name, LabelManagedBy: "tandem"}
}

// ConfigMapName is the ConfigMap that carries a config group.
func ConfigMapName(group string) string { return group + "-config" }

// ContainerEnv turns resolved variables into container env entries.
// Connection settings and secrets become Secret references: outside dev
// tandem knows their names, never their values.
func ContainerEnv(service string, vars []catalogue.EnvVar) []corev1.EnvVar {
	out := make([]corev1.EnvVar, 0, len(vars))
	for _, v := range vars {
		switch {
		case v.Secret:
			out = append(out, secretEnv(v.Name, catalogue.ServiceSecretName(service), v.Name))
		case v.Resource != "":
			out = append(out, secretEnv(v.Name, catalogue.ConnectionSecretName(v.Resource), string(v.Setting)))
		default:
			out = append(out, corev1.EnvVar{Name: v.Name, Value: v.Value})
		}
	}
	return out
}

func secretEnv(name, secret, key string) corev1.EnvVar {
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{
		SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: secret}, Key: key},
	}}
}

// Requirements turns resolved compute into requests and limits.
func Requirements(c catalogue.Compute) corev1.ResourceRequirements {
	return corev1.ResourceRequirements{
		Requests: corev1.ResourceList{
			corev1.ResourceCPU:              resource.MustParse(c.RequestCPU),
			corev1.ResourceMemory:           resource.MustParse(c.RequestMemory),
			corev1.ResourceEphemeralStorage: resource.MustParse(c.RequestStorage),
		},
		Limits: corev1.ResourceList{
			corev1.ResourceCPU:              resource.MustParse(c.LimitCPU),
			corev1.ResourceMemory:           resource.MustParse(c.LimitMemory),
			corev1.ResourceEphemeralStorage: resource.MustParse(c.LimitStorage),
		},
	}
}

// NewKustomization returns an empty kustomization with its type set.
func NewKustomization() *kusttypes.Kustomization {
	return &kusttypes.Kustomization{TypeMeta: kusttypes.TypeMeta{
		APIVersion: kusttypes.KustomizationVersion,
		Kind:       kusttypes.KustomizationKind,
	}}
}
