package render

import (
	"path"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/manifest"
)

// Base renders the environment-neutral kustomize base: per service a
// ServiceAccount, a Deployment, when it has ports a Service, and when
// others use it a NetworkPolicy letting exactly them in; per config group a
// ConfigMap; and a NetworkPolicy that denies all other ingress.
func Base(c *catalogue.Catalogue) (manifest.Files, error) {
	var files manifest.Batch
	root := manifest.NewKustomization()

	if len(c.Config) > 0 {
		dir := manifest.BaseConfigDir()
		k := manifest.NewKustomization()
		for _, group := range c.ConfigNames() {
			// Prefixed, so that no group name can collide with kustomization.yaml.
			name := "configmap-" + group + ".yaml"
			files.Add(path.Join(dir, name), configMap(c, group, c.ConfigValues(group, "")))
			k.Resources = append(k.Resources, name)
		}
		files.Add(path.Join(dir, manifest.Kustomization), k)
		root.Resources = append(root.Resources, "config")
	}

	network := manifest.BaseNetworkDir()
	files.Add(path.Join(network, defaultDenyFile), manifest.DefaultDeny(c))
	netKustomization := manifest.NewKustomization()
	netKustomization.Resources = []string{defaultDenyFile}
	files.Add(path.Join(network, manifest.Kustomization), netKustomization)
	root.Resources = append(root.Resources, manifest.Rel(manifest.BaseDir, network))

	users := c.Users()
	for _, w := range c.Resolve("") {
		dir := manifest.BaseServiceDir(w.Name)
		k := manifest.NewKustomization()
		objects := []fileObject{
			{"serviceaccount.yaml", serviceAccount(c, w)},
			{"deployment.yaml", deployment(c, w)},
		}
		if len(w.Service.Ports) > 0 {
			objects = append(objects, fileObject{"service.yaml", service(c, w)})
		}
		if users := users[w.Name]; len(users) > 0 {
			objects = append(objects, fileObject{"networkpolicy.yaml", manifest.UsersPolicy(c, w.Name, users, catalogue.PortNumbers(w.Service.Ports))})
		}
		for _, o := range objects {
			files.Add(path.Join(dir, o.file), o.obj)
			k.Resources = append(k.Resources, o.file)
		}
		files.Add(path.Join(dir, manifest.Kustomization), k)
		root.Resources = append(root.Resources, path.Join("services", w.Name))
	}
	files.Add(path.Join(manifest.BaseDir, manifest.Kustomization), root)
	return files.Files()
}

const defaultDenyFile = "default-deny.yaml"

// fileObject is one manifest and the file it goes to.
type fileObject struct {
	file string
	obj  any
}

func objectMeta(c *catalogue.Catalogue, name, service string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Labels: manifest.Labels(c, service)}
}

func configMap(c *catalogue.Catalogue, group string, data map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: manifest.ConfigMapName(group), Labels: map[string]string{
			manifest.LabelPartOf:    c.Name,
			manifest.LabelManagedBy: "tandem",
		}},
		Data: data,
	}
}

func serviceAccount(c *catalogue.Catalogue, w *catalogue.Workload) *corev1.ServiceAccount {
	return &corev1.ServiceAccount{
		TypeMeta:                     metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta:                   objectMeta(c, w.Name, w.Name),
		AutomountServiceAccountToken: ptr.To(manifest.AutomountToken(w.Service)),
	}
}

// deployment runs the service. Its replica count is left to the overlays,
// which set it or hand it to an autoscaler.
func deployment(c *catalogue.Catalogue, w *catalogue.Workload) *appsv1.Deployment {
	s := w.Service
	container := manifest.Container(w)
	for _, p := range s.Ports {
		container.Ports = append(container.Ports, corev1.ContainerPort{Name: p.Name, ContainerPort: int32(p.Port), Protocol: corev1.ProtocolTCP})
	}
	container.ReadinessProbe, container.LivenessProbe, container.StartupProbe = manifest.Probes(s)
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: objectMeta(c, w.Name, w.Name),
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: manifest.SelectorLabels(w.Name)},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: manifest.PodLabels(c, w.Name)},
				Spec:       manifest.PodSpec(s, w.Name, container),
			},
		},
	}
}

func service(c *catalogue.Catalogue, w *catalogue.Workload) *corev1.Service {
	svc := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: objectMeta(c, w.Name, w.Name),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: manifest.SelectorLabels(w.Name),
		},
	}
	for _, p := range w.Service.Ports {
		svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{
			Name: p.Name, Port: int32(p.Port), TargetPort: intstr.FromString(p.Name), Protocol: corev1.ProtocolTCP,
		})
	}
	return svc
}
