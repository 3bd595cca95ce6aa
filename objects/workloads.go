package objects

import (
	"maps"
	"math"
	"slices"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/tandemdev/tandem/catalogue"
)

// ServiceAccount is the identity a service's pods and jobs run as. It
// lives with the pod spec because both answer whether the pods get an API
// token (automountToken).
func ServiceAccount(c *catalogue.Catalogue, w *catalogue.Workload) *corev1.ServiceAccount {
	return &corev1.ServiceAccount{
		TypeMeta:                     metav1.TypeMeta{APIVersion: "v1", Kind: "ServiceAccount"},
		ObjectMeta:                   objectMeta(c, w.Name),
		AutomountServiceAccountToken: ptr.To(automountToken(w.Service)),
	}
}

// Deployment runs the service. Its replica count is left to the overlays,
// which set it or hand it to an autoscaler (DeploymentPatch).
func Deployment(c *catalogue.Catalogue, w *catalogue.Workload) *appsv1.Deployment {
	s := w.Service
	ctr := container(w)
	for _, p := range w.Ports {
		ctr.Ports = append(ctr.Ports, corev1.ContainerPort{Name: p.Name, ContainerPort: int32(p.Port), Protocol: transport(p)})
	}
	ctr.ReadinessProbe, ctr.LivenessProbe, ctr.StartupProbe = probes(s)
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: objectMeta(c, w.Name),
		Spec: appsv1.DeploymentSpec{
			Selector: &metav1.LabelSelector{MatchLabels: selectorLabels(w.Name)},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: podMeta(podLabels(c, w.Name), s),
				Spec:       podSpec(w, ctr, false),
			},
			Strategy: strategy(s),
		},
	}
}

// strategy replaces the pod of a service with persistent data instead of
// rolling it: its volume has one writer and attaches to one node, so a
// new pod beside the old one would wait for it forever.
func strategy(s *catalogue.Service) appsv1.DeploymentStrategy {
	if s.Persistent() {
		return appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType}
	}
	return appsv1.DeploymentStrategy{}
}

// DeploymentPatch is what an environment's workload sets over the base
// Deployment: requests and limits, the env entries given (those that
// differ from the base), the replica count unless an autoscaler owns it,
// the grace period, command and args where the environment overrides
// them (a strategic merge replaces such lists whole), and, where more
// than one pod may run, how they spread. It names nothing else, so that a
// strategic merge leaves the rest of the base as it is.
func DeploymentPatch(w *catalogue.Workload, env []catalogue.EnvVar) *appsv1.Deployment {
	spec := podPatch(w, env)
	if w.Scaled() {
		spec.TopologySpreadConstraints, spec.Affinity = spread(w.Name)
	}
	patch := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: w.Name},
		Spec:       appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: spec}},
	}
	if w.Autoscale == nil {
		patch.Spec.Replicas = ptr.To(int32(w.Replicas))
	}
	return patch
}

// podPatch is what an environment sets over the base's pod spec.
func podPatch(w *catalogue.Workload, env []catalogue.EnvVar) corev1.PodSpec {
	spec := corev1.PodSpec{Containers: []corev1.Container{{
		Name:      w.Name,
		Resources: requirements(w.Compute),
		Env:       containerEnv(w.Name, env),
	}}}
	if o := overrideOf(w); o != nil {
		if o.TerminationGracePeriodSeconds != nil {
			spec.TerminationGracePeriodSeconds = w.TerminationGracePeriodSeconds
		}
		if o.Command != nil {
			spec.Containers[0].Command = slices.Clone(w.Command)
		}
		if o.Args != nil {
			spec.Containers[0].Args = slices.Clone(w.Args)
		}
	}
	return spec
}

// overrideOf is the catalogue's override of the workload's environment, or nil.
func overrideOf(w *catalogue.Workload) *catalogue.Override {
	if w.Service == nil {
		return nil
	}
	return w.Service.Overrides[w.Env]
}

// container is the service's container as its workload in one environment
// runs it: image, settings, requests and limits, and the secure defaults
// the catalogue did not relax. Probes and ports are the Deployment's.
func container(w *catalogue.Workload) corev1.Container {
	s := w.Service
	return corev1.Container{
		Name:    w.Name,
		Image:   w.Image,
		Command: slices.Clone(w.Command),
		Args:    slices.Clone(w.Args),
		Env:     containerEnv(w.Name, envEntries(w)),
		EnvFrom: envFrom(w.ConfigGroups),
		// Tags are mutable and pull secrets are checked only on a pull.
		ImagePullPolicy: corev1.PullAlways,
		Resources:       requirements(w.Compute),
		SecurityContext: serviceContainerSecurity(s),
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

// requirements turns resolved compute into requests and limits.
func requirements(c catalogue.Compute) corev1.ResourceRequirements {
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

// podSpec runs container as the service's ServiceAccount with the pod
// security and grace period the catalogue asks for.
func podSpec(w *catalogue.Workload, container corev1.Container, job bool) corev1.PodSpec {
	s := w.Service
	volumes, mounts := podVolumes(s, w.Name, job)
	container.VolumeMounts = mounts
	return corev1.PodSpec{
		ServiceAccountName:            w.Name,
		AutomountServiceAccountToken:  ptr.To(automountToken(s)),
		SecurityContext:               podSecurity(s.UserID()),
		TerminationGracePeriodSeconds: w.TerminationGracePeriodSeconds,
		Containers:                    []corev1.Container{container},
		Volumes:                       volumes,
	}
}

// automountToken tells whether the service's pods get a Kubernetes API
// token; services talk to each other, not to the API, unless they say so.
func automountToken(s *catalogue.Service) bool {
	return s.Security != nil && s.Security.ServiceAccountToken
}

// podSecurity runs a pod's processes as user and group id, non-root
// unless id is 0, with the runtime's default seccomp profile; volumes
// belong to the group.
func podSecurity(id int64) *corev1.PodSecurityContext {
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

// containerSecurity is what the restricted Pod Security Standard asks of a
// container, plus a read-only root filesystem.
func containerSecurity(nonRoot bool) *corev1.SecurityContext {
	return &corev1.SecurityContext{
		AllowPrivilegeEscalation: ptr.To(false),
		ReadOnlyRootFilesystem:   ptr.To(true),
		RunAsNonRoot:             ptr.To(nonRoot),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
	}
}

// serviceContainerSecurity relaxes the secure defaults only where the
// service's security block says so.
func serviceContainerSecurity(s *catalogue.Service) *corev1.SecurityContext {
	sc := containerSecurity(s.UserID() != 0)
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

// probes turns the one health declaration into Kubernetes' three probes.
// Readiness asks the declared check. Liveness must not be the same
// question where a dependency's outage could fail it (every pod would be
// restarted): unless health.liveness names its own check, an HTTP or gRPC
// check's liveness asks whether the port still accepts connections, a TCP
// check's asks just that already, and a command check, having only itself
// to ask, gets a minute of failures instead of fifteen seconds. The
// startup probe asks the readiness question and holds liveness off while
// the service starts (startupSeconds, default a minute).
func probes(s *catalogue.Service) (readiness, liveness, startup *corev1.Probe) {
	h := s.Health
	if h == nil {
		return nil, nil, nil
	}
	readiness = &corev1.Probe{
		ProbeHandler:     handler(h, s.HealthPort()),
		PeriodSeconds:    orDefault(h.IntervalSeconds, readinessPeriod),
		FailureThreshold: orDefault(h.FailureThreshold, 3),
	}
	// An unset timeout leaves Kubernetes' default of a second, as tandem
	// has always rendered it.
	timeout := orDefault(h.TimeoutSeconds, 0)
	readiness.TimeoutSeconds = timeout

	l := h.Liveness
	if l == nil {
		l = &catalogue.Health{}
	}
	// A derived liveness check asks no more often than readiness does,
	// nor more often than every livenessPeriod: it must be slower to act.
	liveness = &corev1.Probe{
		PeriodSeconds:    orDefault(l.IntervalSeconds, max(livenessPeriod, orDefault(h.IntervalSeconds, 0))),
		FailureThreshold: orDefault(l.FailureThreshold, 3),
		TimeoutSeconds:   orDefault(l.TimeoutSeconds, timeout),
	}
	switch kind := h.DerivedLivenessKind(); {
	case l.Kind() != "":
		liveness.ProbeHandler = handler(l, s.LivenessPort())
	case kind == catalogue.HealthCommand:
		liveness.ProbeHandler = handler(h, s.HealthPort())
		liveness.FailureThreshold = orDefault(l.FailureThreshold, 6)
	default:
		liveness.TCPSocket = &corev1.TCPSocketAction{Port: intstr.FromString(s.LivenessPort().Name)}
	}

	startupSeconds := h.StartupSeconds
	if startupSeconds == 0 {
		startupSeconds = DefaultStartupSeconds
	}
	startup = &corev1.Probe{
		ProbeHandler:     handler(h, s.HealthPort()),
		PeriodSeconds:    startupPeriod,
		FailureThreshold: int32(math.Ceil(float64(startupSeconds) / startupPeriod)),
		TimeoutSeconds:   timeout,
	}
	return readiness, liveness, startup
}

// handler is the Kubernetes form of one check of kind http, tcp, grpc or
// command, on port.
func handler(h *catalogue.Health, port catalogue.Port) corev1.ProbeHandler {
	switch h.Kind() {
	case catalogue.HealthHTTP:
		get := &corev1.HTTPGetAction{Path: h.HTTP, Port: intstr.FromString(port.Name)}
		for _, name := range slices.Sorted(maps.Keys(h.Headers)) {
			get.HTTPHeaders = append(get.HTTPHeaders, corev1.HTTPHeader{Name: name, Value: h.Headers[name]})
		}
		return corev1.ProbeHandler{HTTPGet: get}
	case catalogue.HealthTCP:
		return corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: intstr.FromString(port.Name)}}
	case catalogue.HealthGRPC:
		// A gRPC probe takes a port number: the API has no named form.
		grpc := &corev1.GRPCAction{Port: int32(port.Port)}
		if h.GRPCService != "" {
			grpc.Service = ptr.To(h.GRPCService)
		}
		return corev1.ProbeHandler{GRPC: grpc}
	}
	return corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: slices.Clone(h.Command)}}
}

// seconds is a timing the catalogue may leave unset, as Kubernetes takes it.
func orDefault(v *int, def int32) int32 {
	if v == nil {
		return def
	}
	return int32(*v)
}

// spread keeps the pods of a scaled workload apart: across zones where
// the cluster has them, and preferably on different nodes. Both are
// preferences, so a single-zone or small cluster still schedules them.
func spread(service string) ([]corev1.TopologySpreadConstraint, *corev1.Affinity) {
	selector := func() *metav1.LabelSelector { return &metav1.LabelSelector{MatchLabels: selectorLabels(service)} }
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
