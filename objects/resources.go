package objects

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/tandemdev/tandem/catalogue"
)

// ExternalService names a backing resource that runs outside the cluster
// at host, so that its users reach it by the same name in every
// environment.
func ExternalService(c *catalogue.Catalogue, name, host string) *corev1.Service {
	return &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: objectMeta(c, name),
		Spec:       corev1.ServiceSpec{Type: corev1.ServiceTypeExternalName, ExternalName: host},
	}
}

// resourceUserID runs in-cluster resources. Their official images run as
// any uid (postgres through nss_wrapper); fsGroup makes the volume theirs.
// Ids below 10000 may collide with a node's own users.
const resourceUserID = 10001

// InClusterResource runs the backing resource name in environment from its
// official image as a one-replica StatefulSet behind a headless Service,
// with a NetworkPolicy that lets only users, the services that use it,
// in. It takes its credentials from the same connection Secret its users
// read, so the platform team creates one Secret either way.
func InClusterResource(c *catalogue.Catalogue, environment, name string, users []string) []any {
	r := c.Resources[name]
	kind := r.KindInfo()
	secret := catalogue.ConnectionSecretName(name)
	var env []corev1.EnvVar
	setup := r.SetupEnv()
	for _, setting := range kind.Settings {
		if variable, ok := setup[setting]; ok {
			env = append(env, secretEnv(variable, secret, string(setting)))
		}
	}
	server := r.ServerEnv(name)
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
	ctr := corev1.Container{
		Name:            kind.Name,
		Image:           kind.Image + ":" + r.Tag(),
		Args:            literal(r.ServerArgs()),
		Env:             env,
		ImagePullPolicy: corev1.PullAlways,
		Ports:           []corev1.ContainerPort{{Name: "server", ContainerPort: int32(kind.Port), Protocol: corev1.ProtocolTCP}},
		// The StatefulSet exists only in overlays, so it carries the
		// environment's values itself rather than a patch of them.
		Resources: requirements(c.ResourceCompute(name, environment)),
		// Readiness asks the server, as the Compose health check does;
		// liveness only whether it still accepts connections.
		ReadinessProbe: &corev1.Probe{ProbeHandler: resourceReadiness(r, kind), PeriodSeconds: 5, FailureThreshold: 3},
		LivenessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString("server")}},
			InitialDelaySeconds: 30, PeriodSeconds: 20, FailureThreshold: 3},
		SecurityContext: containerSecurity(true),
		VolumeMounts:    []corev1.VolumeMount{{Name: "data", MountPath: kind.DataDir}},
	}
	if kind.Name == "nats" {
		ctr.Ports = append(ctr.Ports, corev1.ContainerPort{Name: "monitor", ContainerPort: catalogue.NATSMonitorPort, Protocol: corev1.ProtocolTCP})
	}
	var volumes []corev1.Volume
	for i, dir := range scratch {
		volume := "scratch-" + strconv.Itoa(i)
		ctr.VolumeMounts = append(ctr.VolumeMounts, corev1.VolumeMount{Name: volume, MountPath: dir})
		volumes = append(volumes, corev1.Volume{Name: volume, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
	}
	set := &appsv1.StatefulSet{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "StatefulSet"},
		ObjectMeta: objectMeta(c, name),
		Spec: appsv1.StatefulSetSpec{
			Replicas:    ptr.To(int32(1)),
			ServiceName: name,
			Selector:    &metav1.LabelSelector{MatchLabels: selectorLabels(name)},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels(c, name)},
				Spec: corev1.PodSpec{
					AutomountServiceAccountToken: ptr.To(false),
					SecurityContext:              podSecurity(resourceUserID),
					Containers:                   []corev1.Container{ctr},
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
		ObjectMeta: objectMeta(c, name),
		Spec: corev1.ServiceSpec{
			ClusterIP: corev1.ClusterIPNone,
			Selector:  selectorLabels(name),
			Ports: []corev1.ServicePort{{Name: "server", Port: int32(kind.Port), TargetPort: intstr.FromString("server"),
				Protocol: corev1.ProtocolTCP}},
		},
	}
	return []any{set, headless, UsersPolicy(c, name, users, []catalogue.Port{{Port: kind.Port, Protocol: catalogue.ProtocolTCP}})}
}

// resourceReadiness asks a resource's server whether it serves, without
// credentials.
func resourceReadiness(r *catalogue.Resource, kind catalogue.Kind) corev1.ProbeHandler {
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
	case "rabbitmq", "mongo":
		return exec(r.ReadinessCommand()...)
	case "mariadb":
		return exec("healthcheck.sh", "--connect")
	}
	return corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("monitor")}}
}

// literal escapes arguments from Kubernetes' $(NAME) expansion ($$ is a
// $), so that the server gets them as Compose passes them in dev.
func literal(args []string) []string {
	out := make([]string, len(args))
	for i, arg := range args {
		out[i] = strings.ReplaceAll(arg, "$", "$$")
	}
	return out
}
