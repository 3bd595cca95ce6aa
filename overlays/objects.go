package overlays

import (
	"maps"
	"path"
	"slices"
	"strconv"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/manifest"
)

// serviceObjects are what an environment adds to a service's base: a
// disruption budget where more than one pod runs, an autoscaler, the
// service's jobs, and its public route.
func serviceObjects(c *catalogue.Catalogue, base, w *catalogue.Workload) []any {
	var out []any
	if w.Scaled() {
		out = append(out, disruptionBudget(c, w))
	}
	if w.Autoscale != nil {
		out = append(out, autoscaler(c, w))
	}
	for _, name := range w.Service.JobNames() {
		out = append(out, job(c, base, w, name))
	}
	if e := c.Environments[w.Env]; e != nil && e.Ingress != nil {
		if public := w.Service.PublicPorts(); len(public) > 0 {
			out = append(out, ingress(c, w.Name, e.Ingress, public),
				manifest.IngressControllerPolicy(c, w.Name, e.Ingress.ControllerNamespaceOrDefault(), catalogue.PortNumbers(public)))
		}
	}
	return out
}

// disruptionBudget lets a voluntary disruption (a node drain, an upgrade)
// take one pod at a time.
func disruptionBudget(c *catalogue.Catalogue, w *catalogue.Workload) *policyv1.PodDisruptionBudget {
	return &policyv1.PodDisruptionBudget{
		TypeMeta:   metav1.TypeMeta{APIVersion: "policy/v1", Kind: "PodDisruptionBudget"},
		ObjectMeta: metav1.ObjectMeta{Name: w.Name, Labels: manifest.Labels(c, w.Name)},
		Spec: policyv1.PodDisruptionBudgetSpec{
			MaxUnavailable: ptr.To(intstr.FromInt32(1)),
			Selector:       &metav1.LabelSelector{MatchLabels: manifest.SelectorLabels(w.Name)},
		},
	}
}

func autoscaler(c *catalogue.Catalogue, w *catalogue.Workload) *autoscalingv2.HorizontalPodAutoscaler {
	a := w.Autoscale
	return &autoscalingv2.HorizontalPodAutoscaler{
		TypeMeta:   metav1.TypeMeta{APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler"},
		ObjectMeta: metav1.ObjectMeta{Name: w.Name, Labels: manifest.Labels(c, w.Name)},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: w.Name},
			MinReplicas:    ptr.To(int32(a.Min)),
			MaxReplicas:    int32(a.Max),
			Metrics: []autoscalingv2.MetricSpec{{
				Type: autoscalingv2.ResourceMetricSourceType,
				Resource: &autoscalingv2.ResourceMetricSource{
					Name:   corev1.ResourceCPU,
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To(int32(a.CPU))},
				},
			}},
		},
	}
}

// job runs one of the service's jobs with the service's image, settings
// and identity. The image is the base's, so that the overlay's image
// setting rewrites the job exactly like the Deployment.
func job(c *catalogue.Catalogue, base, w *catalogue.Workload, name string) any {
	j := w.Service.Jobs[name]
	full := catalogue.JobName(w.Name, name)
	container := manifest.Container(w)
	container.Name = full
	container.Image = base.Image
	// The job runs the service's command unless it names its own.
	container.Args = slices.Clone(j.Args)
	if len(j.Command) > 0 {
		container.Command = slices.Clone(j.Command)
	}
	spec := manifest.PodSpec(w.Service, w.Name, container)
	spec.RestartPolicy = corev1.RestartPolicyNever
	template := corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: manifest.JobLabels(c, w.Name, name)},
		Spec:       spec,
	}
	jobSpec := batchv1.JobSpec{BackoffLimit: ptr.To(int32(3)), Template: template}
	meta := metav1.ObjectMeta{Name: full, Labels: manifest.JobLabels(c, w.Name, name)}
	if j.Schedule == "" {
		return &batchv1.Job{TypeMeta: metav1.TypeMeta{APIVersion: "batch/v1", Kind: "Job"}, ObjectMeta: meta, Spec: jobSpec}
	}
	return &batchv1.CronJob{
		TypeMeta:   metav1.TypeMeta{APIVersion: "batch/v1", Kind: "CronJob"},
		ObjectMeta: meta,
		Spec: batchv1.CronJobSpec{
			Schedule: j.Schedule,
			// A run that could not start within five minutes is skipped,
			// and runs never overlap: both are what a cleanup or report
			// job expects and what a missed node or a slow run breaks.
			StartingDeadlineSeconds: ptr.To(int64(300)),
			ConcurrencyPolicy:       batchv1.ForbidConcurrent,
			JobTemplate:             batchv1.JobTemplateSpec{Spec: jobSpec},
		},
	}
}

// ingress routes the environment's host and each public port's path to
// the service.
func ingress(c *catalogue.Catalogue, service string, in *catalogue.Ingress, ports []catalogue.Port) *networkingv1.Ingress {
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
		ObjectMeta: metav1.ObjectMeta{Name: service, Labels: manifest.Labels(c, service)},
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

// renderResource writes what env needs of a backing resource and returns
// its folder, or "" when the resource is a managed service without a
// declared endpoint: then its users' connection Secret is all there is.
func renderResource(files *manifest.Batch, c *catalogue.Catalogue, env, name string, users []string) string {
	r := c.Resources[name]
	var objects []any
	switch {
	case r.RunsInCluster(env):
		objects = inClusterResource(c, name, r, users)
	case r.Endpoints[env] != "":
		objects = []any{&corev1.Service{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: manifest.Labels(c, name)},
			Spec:       corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: r.Endpoints[env]},
		}}
	default:
		return ""
	}
	dir := manifest.OverlayResourceDir(env, name)
	files.Add(path.Join(dir, resourcesFile), objects...)
	k := manifest.NewKustomization()
	k.Resources = []string{resourcesFile}
	files.Add(path.Join(dir, manifest.Kustomization), k)
	return dir
}

// resourceUserID runs in-cluster resources. Their official images run as
// any uid (postgres through nss_wrapper); fsGroup makes the volume theirs.
// Ids below 10000 may collide with a node's own users.
const resourceUserID = 10001

// inClusterResource runs a resource from its official image as a
// one-replica StatefulSet behind a headless Service, reachable only by the
// services that use it. It takes its credentials from the same connection
// Secret its users read, so the platform team creates one Secret either way.
func inClusterResource(c *catalogue.Catalogue, name string, r *catalogue.Resource, users []string) []any {
	kind := r.KindInfo()
	secret := catalogue.ConnectionSecretName(name)
	fromSecret := func(variable string, setting catalogue.Setting) corev1.EnvVar {
		return corev1.EnvVar{Name: variable, ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
			LocalObjectReference: corev1.LocalObjectReference{Name: secret}, Key: string(setting),
		}}}
	}
	var env []corev1.EnvVar
	for _, setting := range kind.Settings {
		if variable, ok := kind.SettingEnv[setting]; ok {
			env = append(env, fromSecret(variable, setting))
		}
	}
	server := kind.ServerEnv(name)
	for _, variable := range slices.Sorted(maps.Keys(server)) {
		env = append(env, corev1.EnvVar{Name: variable, Value: server[variable]})
	}
	// Where the server writes besides its data: an emptyDir each, since
	// the root filesystem is read-only.
	scratch := []string{"/tmp"}
	switch kind.Name {
	case "postgres":
		// A volume's root holds lost+found, which initdb refuses.
		env = append(env, corev1.EnvVar{Name: "PGDATA", Value: kind.DataDir + "/pgdata"})
		scratch = append(scratch, "/var/run/postgresql")
	case "mysql", "mariadb":
		scratch = append(scratch, "/var/run/mysqld")
	}
	labels := manifest.Labels(c, name)
	container := corev1.Container{
		Name:            kind.Name,
		Image:           kind.Image + ":" + r.Tag(),
		Args:            slices.Clone(kind.Args),
		Env:             env,
		ImagePullPolicy: corev1.PullAlways,
		Ports:           []corev1.ContainerPort{{Name: "server", ContainerPort: int32(kind.Port), Protocol: corev1.ProtocolTCP}},
		Resources: manifest.Requirements(catalogue.Compute{
			RequestCPU: "250m", RequestMemory: "512Mi", RequestStorage: catalogue.DefaultStorage,
			LimitCPU: "1", LimitMemory: "512Mi", LimitStorage: catalogue.DefaultStorage,
		}),
		// Readiness asks the server, as the Compose health check does;
		// liveness only whether it still accepts connections.
		ReadinessProbe: &corev1.Probe{ProbeHandler: resourceReadiness(kind), PeriodSeconds: 5, FailureThreshold: 3},
		LivenessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("server")}},
			InitialDelaySeconds: 30, PeriodSeconds: 20, FailureThreshold: 3},
		SecurityContext: manifest.ContainerSecurity(true),
		VolumeMounts:    []corev1.VolumeMount{{Name: "data", MountPath: kind.DataDir}},
	}
	if kind.Name == "nats" {
		container.Ports = append(container.Ports, corev1.ContainerPort{Name: "monitor", ContainerPort: catalogue.NATSMonitorPort, Protocol: corev1.ProtocolTCP})
	}
	var volumes []corev1.Volume
	for i, dir := range scratch {
		volume := "scratch-" + strconv.Itoa(i)
		container.VolumeMounts = append(container.VolumeMounts, corev1.VolumeMount{Name: volume, MountPath: dir})
		volumes = append(volumes, corev1.Volume{Name: volume, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
	}
	set := &appsv1.StatefulSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: manifest.Labels(c, name)},
		Spec: appsv1.StatefulSetSpec{
			Replicas:    ptr.To(int32(1)),
			ServiceName: name,
			Selector:    &metav1.LabelSelector{MatchLabels: manifest.SelectorLabels(name)},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					AutomountServiceAccountToken: ptr.To(false),
					SecurityContext:              manifest.PodSecurity(resourceUserID),
					Containers:                   []corev1.Container{container},
					Volumes:                      volumes,
				},
			},
			VolumeClaimTemplates: []corev1.PersistentVolumeClaim{{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
				ObjectMeta: metav1.ObjectMeta{Name: "data"},
				Spec: corev1.PersistentVolumeClaimSpec{
					AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
					Resources: corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{
						corev1.ResourceStorage: resource.MustParse(r.StorageSize()),
					}},
				},
			}},
		},
	}
	headless := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: manifest.Labels(c, name)},
		Spec: corev1.ServiceSpec{
			ClusterIP: corev1.ClusterIPNone,
			Selector:  manifest.SelectorLabels(name),
			Ports: []corev1.ServicePort{{Name: "server", Port: int32(kind.Port), TargetPort: intstr.FromString("server"),
				Protocol: corev1.ProtocolTCP}},
		},
	}
	return []any{set, headless, manifest.UsersPolicy(c, name, users, []int{kind.Port})}
}

// resourceReadiness asks a resource's server whether it serves, without
// credentials.
func resourceReadiness(kind catalogue.Kind) corev1.ProbeHandler {
	exec := func(command ...string) corev1.ProbeHandler {
		return corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: command}}
	}
	port := strconv.Itoa(kind.Port)
	switch kind.Name {
	case "postgres":
		return exec("pg_isready", "-h", "127.0.0.1", "-p", port)
	case "mysql":
		return exec("mysqladmin", "ping", "-h", "127.0.0.1", "-P", port, "--silent")
	case "redis":
		return exec("redis-cli", "-p", port, "ping")
	case "rabbitmq":
		return exec("rabbitmq-diagnostics", "-q", "ping")
	case "mariadb":
		return exec("healthcheck.sh", "--connect")
	case "mongo":
		return exec("mongosh", "--quiet", "--eval", "db.adminCommand('ping')")
	}
	return corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("monitor")}}
}
