package objects

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/tandemdev/tandem/catalogue"
)

// configMapName is the ConfigMap that carries a config group.
func configMapName(group string) string { return catalogue.ConfigGroupMapName(group) }

// ConfigMap carries a config group's values to every service that lists
// the group, through envFrom, so that a shared value is set in one place.
func ConfigMap(c *catalogue.Catalogue, group string, data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: configMapName(group), Labels: systemLabels(c)},
		Data:       data,
	}
}

// envFrom reads the config groups' ConfigMaps, in the order the service
// lists them.
func envFrom(groups []string) []corev1.EnvFromSource {
	var out []corev1.EnvFromSource
	for _, group := range groups {
		out = append(out, corev1.EnvFromSource{
			ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: configMapName(group)}},
		})
	}
	return out
}

// containerEnv turns resolved variables into container env entries.
// Connection settings and secrets become Secret references: outside dev
// tandem knows their names, never their values.
func containerEnv(service string, vars []catalogue.EnvVar) []corev1.EnvVar {
	out := make([]corev1.EnvVar, 0, len(vars))
	for _, v := range catalogue.InReferenceOrder(vars) {
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

// secretEnv sets variable name from key of a Secret the platform team
// creates.
func secretEnv(name, secret, key string) corev1.EnvVar {
	return corev1.EnvVar{Name: name, ValueFrom: &corev1.EnvVarSource{
		SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: secret}, Key: key},
	}}
}
