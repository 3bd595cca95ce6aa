package manifest

import (
	"math"
	"slices"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/tandemdev/tandem/catalogue"
)

// LabelService marks every pod that acts for a service, its Deployment's
// and its jobs', so that a NetworkPolicy can let exactly those in where
// the service is a user. The name label cannot: a Service selects on it,
// and job pods must not receive the service's traffic.
const LabelService = "tandem.dev/service"

// PodLabels are the labels of the pods of a service's Deployment.
func PodLabels(c *catalogue.Catalogue, service string) map[string]string {
	l := Labels(c, service)
	l[LabelService] = service
	return l
}

// JobLabels are the labels of a service's job and its pods: named after
// the job, acting for the service.
func JobLabels(c *catalogue.Catalogue, service, job string) map[string]string {
	l := Labels(c, service)
	l[LabelName] = catalogue.JobName(service, job)
	l[LabelService] = service
	return l
}

// Container is the service's container as its workload in one environment
// runs it: image, settings, requests and limits, and the secure defaults
// the catalogue did not relax. Probes and ports are the Deployment's.
func Container(w *catalogue.Workload) corev1.Container {
	s := w.Service
	container := corev1.Container{
		Name:    w.Name,
		Image:   w.Image,
		Command: slices.Clone(s.Command),
		Args:    slices.Clone(s.Args),
		Env:     ContainerEnv(w.Name, envEntries(w)),
		// Tags are mutable and pull secrets are checked only on a pull.
		ImagePullPolicy: corev1.PullAlways,
		Resources:       Requirements(w.Compute),
		SecurityContext: containerSecurity(s),
		// A read-only root filesystem still needs somewhere to write scratch files.
		VolumeMounts: []corev1.VolumeMount{{Name: "tmp", MountPath: "/tmp"}},
	}
	for _, group := range w.ConfigGroups {
		container.EnvFrom = append(container.EnvFrom, corev1.EnvFromSource{
			ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: ConfigMapName(group)}},
		})
	}
	return container
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

// PodSpec runs container as the service's ServiceAccount with the pod
// security the catalogue asks for.
func PodSpec(s *catalogue.Service, serviceAccount string, container corev1.Container) corev1.PodSpec {
	return corev1.PodSpec{
		ServiceAccountName:           serviceAccount,
		AutomountServiceAccountToken: ptr.To(AutomountToken(s)),
		SecurityContext:              podSecurity(s),
		Containers:                   []corev1.Container{container},
		Volumes: []corev1.Volume{{Name: "tmp", VolumeSource: corev1.VolumeSource{
			EmptyDir: &corev1.EmptyDirVolumeSource{},
		}}},
	}
}

// AutomountToken tells whether the service's pods get a Kubernetes API
// token; services talk to each other, not to the API, unless they say so.
func AutomountToken(s *catalogue.Service) bool {
	return s.Security != nil && s.Security.ServiceAccountToken
}

// PodSecurity runs a pod's processes as user and group id, non-root
// unless id is 0, with the runtime's default seccomp profile; volumes
// belong to the group.
func PodSecurity(id int64) *corev1.PodSecurityContext {
	sc := &corev1.PodSecurityContext{
		RunAsNonRoot:   ptr.To(id != 0),
		RunAsUser:      ptr.To(id),
		RunAsGroup:     ptr.To(id),
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
	if id != 0 {
		sc.FSGroup = ptr.To(id)
	}
	return sc
}

// ContainerSecurity is what the restricted Pod Security Standard asks of a
// container, plus a read-only root filesystem.
func ContainerSecurity(nonRoot bool) *corev1.SecurityContext {
	return &corev1.SecurityContext{
		AllowPrivilegeEscalation: ptr.To(false),
		ReadOnlyRootFilesystem:   ptr.To(true),
		RunAsNonRoot:             ptr.To(nonRoot),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
	}
}

func podSecurity(s *catalogue.Service) *corev1.PodSecurityContext { return PodSecurity(s.UserID()) }

func containerSecurity(s *catalogue.Service) *corev1.SecurityContext {
	sc := ContainerSecurity(s.UserID() != 0)
	if sec := s.Security; sec != nil {
		sc.ReadOnlyRootFilesystem = ptr.To(!sec.WritableRootFilesystem)
		for _, c := range sec.Capabilities {
			sc.Capabilities.Add = append(sc.Capabilities.Add, corev1.Capability(c))
		}
	}
	return sc
}

// Probe periods, in seconds: readiness reacts fast, liveness slower, so
// that a pod busy for a moment is taken out of rotation long before it
// is restarted.
const (
	readinessPeriod = 5
	livenessPeriod  = 10
	startupPeriod   = 5
)

// DefaultStartupSeconds is how long a service may take to start before
// liveness counts, unless its health declaration says otherwise.
const DefaultStartupSeconds = 60

// Probes turns the one health declaration into Kubernetes' three probes.
// Readiness asks the declared check. Liveness must not be the same
// question (a dependency's outage would restart every pod): for an HTTP
// check it asks whether the port still accepts connections; a command
// check has only itself to ask, so liveness gives it a minute of failures
// instead of fifteen seconds. The startup probe holds liveness off while
// the service starts (startupSeconds, default a minute).
func Probes(s *catalogue.Service) (readiness, liveness, startup *corev1.Probe) {
	h := s.Health
	if h == nil {
		return nil, nil, nil
	}
	probe := func(period, failures int32) *corev1.Probe {
		return &corev1.Probe{PeriodSeconds: period, FailureThreshold: failures}
	}
	readiness, liveness = probe(readinessPeriod, 3), probe(livenessPeriod, 3)
	startupSeconds := h.StartupSeconds
	if startupSeconds == 0 {
		startupSeconds = DefaultStartupSeconds
	}
	startup = probe(startupPeriod, int32(math.Ceil(float64(startupSeconds)/startupPeriod)))
	if h.HTTP != "" {
		port := intstr.FromString(s.HealthPort().Name)
		for _, p := range []*corev1.Probe{readiness, startup} {
			p.HTTPGet = &corev1.HTTPGetAction{Path: h.HTTP, Port: port}
		}
		liveness.TCPSocket = &corev1.TCPSocketAction{Port: port}
		return readiness, liveness, startup
	}
	for _, p := range []*corev1.Probe{readiness, liveness, startup} {
		p.Exec = &corev1.ExecAction{Command: slices.Clone(h.Command)}
	}
	liveness.FailureThreshold = 6
	return readiness, liveness, startup
}

// Spread keeps the pods of a scaled workload apart: across zones where
// the cluster has them, and preferably on different nodes. Both are
// preferences, so a single-zone or small cluster still schedules them.
func Spread(service string) ([]corev1.TopologySpreadConstraint, *corev1.Affinity) {
	selector := func() *metav1.LabelSelector { return &metav1.LabelSelector{MatchLabels: SelectorLabels(service)} }
	return []corev1.TopologySpreadConstraint{{
			MaxSkew:           1,
			TopologyKey:       "topology.kubernetes.io/zone",
			WhenUnsatisfiable: corev1.ScheduleAnyway,
			LabelSelector:     selector(),
		}}, &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
			PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{
				Weight: 100,
				PodAffinityTerm: corev1.PodAffinityTerm{
					LabelSelector: selector(),
					TopologyKey:   "kubernetes.io/hostname",
				},
			}},
		}}
}

// DefaultDenyName is the NetworkPolicy that shuts every pod of the
// namespace off from incoming traffic; the per-target policies open it.
const DefaultDenyName = catalogue.DefaultDenyPolicy

// DefaultDeny selects every pod and allows no ingress.
func DefaultDeny(c *catalogue.Catalogue) *networkingv1.NetworkPolicy {
	return &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: metav1.ObjectMeta{Name: DefaultDenyName, Labels: SystemLabels(c)},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
		},
	}
}

// UsersPolicy lets the pods of each user of target, a service or an
// in-cluster resource, reach its ports: one rule per uses edge, nothing else.
func UsersPolicy(c *catalogue.Catalogue, target string, users []string, ports []int) *networkingv1.NetworkPolicy {
	np := &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: metav1.ObjectMeta{Name: target, Labels: Labels(c, target)},
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: SelectorLabels(target)},
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

// policyPorts lists TCP ports for a NetworkPolicy rule.
func policyPorts(ports []int) []networkingv1.NetworkPolicyPort {
	out := make([]networkingv1.NetworkPolicyPort, 0, len(ports))
	for _, p := range ports {
		out = append(out, networkingv1.NetworkPolicyPort{Protocol: ptr.To(corev1.ProtocolTCP), Port: ptr.To(intstr.FromInt32(int32(p)))})
	}
	return out
}

// IngressControllerPolicy lets the environment's ingress controller reach
// a service's public ports.
func IngressControllerPolicy(c *catalogue.Catalogue, service, controllerNamespace string, ports []int) *networkingv1.NetworkPolicy {
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
