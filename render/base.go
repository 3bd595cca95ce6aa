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

// The user and group pods run as when the catalogue does not say otherwise:
// the conventional "nonroot" id of distroless images.
const nonRootID = 65532

// Base renders the environment-neutral kustomize base: per service a
// ServiceAccount, a Deployment and, when it has ports, a Service; per
// config group a ConfigMap.
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
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta: objectMeta(c, w.Name, w.Name),
		// Services talk to each other, not to the Kubernetes API.
		AutomountServiceAccountToken: ptr.To(false),
	}
}

func deployment(c *catalogue.Catalogue, w *catalogue.Workload) *appsv1.Deployment {
	s := w.Service
	container := corev1.Container{
		Name:            w.Name,
		Image:           w.Image,
		Command:         s.Command,
		Args:            s.Args,
		Env:             manifest.ContainerEnv(w.Name, envEntries(w)),
		Resources:       manifest.Requirements(w.Compute),
		SecurityContext: containerSecurity(),
		// A read-only root filesystem still needs somewhere to write scratch files.
		VolumeMounts: []corev1.VolumeMount{{Name: "tmp", MountPath: "/tmp"}},
	}
	for _, group := range w.ConfigGroups {
		container.EnvFrom = append(container.EnvFrom, corev1.EnvFromSource{
			ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: manifest.ConfigMapName(group)}},
		})
	}
	for _, p := range s.Ports {
		container.Ports = append(container.Ports, corev1.ContainerPort{Name: p.Name, ContainerPort: int32(p.Port), Protocol: corev1.ProtocolTCP})
	}
	if h := probeHandler(s); h != nil {
		container.StartupProbe = &corev1.Probe{ProbeHandler: *h, PeriodSeconds: 2, FailureThreshold: 30}
		container.ReadinessProbe = &corev1.Probe{ProbeHandler: *h, PeriodSeconds: 5, FailureThreshold: 3}
		container.LivenessProbe = &corev1.Probe{ProbeHandler: *h, PeriodSeconds: 10, FailureThreshold: 3}
	}
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: objectMeta(c, w.Name, w.Name),
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(int32(w.Replicas)),
			Selector: &metav1.LabelSelector{MatchLabels: manifest.SelectorLabels(w.Name)},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: manifest.Labels(c, w.Name)},
				Spec: corev1.PodSpec{
					ServiceAccountName:           w.Name,
					AutomountServiceAccountToken: ptr.To(false),
					SecurityContext: &corev1.PodSecurityContext{
						RunAsNonRoot:   ptr.To(true),
						RunAsUser:      ptr.To(int64(nonRootID)),
						RunAsGroup:     ptr.To(int64(nonRootID)),
						FSGroup:        ptr.To(int64(nonRootID)),
						SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
					},
					Containers: []corev1.Container{container},
					Volumes: []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{
						EmptyDir: &corev1.EmptyDirVolumeSource{},
					}}},
				},
			},
		},
	}
}

// envEntries are the variables a container lists itself. Config group
// values arrive through envFrom, and Kubernetes lets env entries win over
// envFrom, which is the catalogue's precedence too.
func envEntries(w *catalogue.Workload) []catalogue.EnvVar {
	var out []catalogue.EnvVar
	for _, v := range w.Vars {
		if v.Origin.Level != catalogue.LevelConfigGroup {
			out = append(out, v)
		}
	}
	return out
}

func containerSecurity() *corev1.SecurityContext {
	return &corev1.SecurityContext{
		AllowPrivilegeEscalation: ptr.To(false),
		ReadOnlyRootFilesystem:   ptr.To(true),
		RunAsNonRoot:             ptr.To(true),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
	}
}

func probeHandler(s *catalogue.Service) *corev1.ProbeHandler {
	switch {
	case s.Health == nil:
		return nil
	case s.Health.HTTP != "":
		return &corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{
			Path: s.Health.HTTP,
			Port: intstr.FromString(s.HealthPort().Name),
		}}
	default:
		return &corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: s.Health.Command}}
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
