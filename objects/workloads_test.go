package objects

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"

	"github.com/tandemdev/tandem/catalogue"
)

// TestProbes pins the rules the goldens only show by example: liveness
// never asks the readiness question of an HTTP service, and the startup
// probe's threshold covers startupSeconds.
func TestProbes(t *testing.T) {
	t.Parallel()
	ports := []catalogue.Port{{Name: "http", Port: 8080}, {Name: "admin", Port: 9090}}
	tests := []struct {
		name                                      string
		health                                    *catalogue.Health
		wantLivenessTCP                           bool
		wantLivenessFailures, wantStartupFailures int32
	}{
		{"http check, default startup", &catalogue.Health{HTTP: "/healthz", Port: "admin"}, true, 3, 12},
		{"command check, slow starter", &catalogue.Health{Command: []string{"check"}, StartupSeconds: 61}, false, 6, 13},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			readiness, liveness, startup := probes(&catalogue.Service{Ports: ports, Health: tt.health})
			if got := liveness.TCPSocket != nil; got != tt.wantLivenessTCP {
				t.Errorf("liveness asks TCP: %v, want %v", got, tt.wantLivenessTCP)
			}
			if tt.wantLivenessTCP && (readiness.HTTPGet == nil || readiness.HTTPGet.Port.StrVal != tt.health.Port) {
				t.Errorf("readiness = %+v, want an HTTP check on port %s", readiness.ProbeHandler, tt.health.Port)
			}
			if liveness.FailureThreshold != tt.wantLivenessFailures {
				t.Errorf("liveness failures = %d, want %d", liveness.FailureThreshold, tt.wantLivenessFailures)
			}
			if startup.FailureThreshold != tt.wantStartupFailures {
				t.Errorf("startup failures = %d, want %d", startup.FailureThreshold, tt.wantStartupFailures)
			}
		})
	}
	if r, l, s := probes(&catalogue.Service{}); r != nil || l != nil || s != nil {
		t.Errorf("a service without health got probes")
	}
}

// TestProbeKinds pins each kind's readiness and liveness, and where the
// timing fields go: readiness takes them all, a derived liveness the
// timeout and an interval over 10s, an explicit liveness its own.
func TestProbeKinds(t *testing.T) {
	t.Parallel()
	ports := []catalogue.Port{{Name: "http", Port: 8080}, {Name: "grpc", Port: 9090}}
	named := func(name string) intstr.IntOrString { return intstr.FromString(name) }
	tcp := func(port string) corev1.ProbeHandler {
		return corev1.ProbeHandler{TCPSocket: &corev1.TCPSocketAction{Port: named(port)}}
	}
	tests := []struct {
		name                string
		health              *catalogue.Health
		readiness, liveness *corev1.Probe
	}{
		{
			name:      "tcp: liveness asks the same",
			health:    &catalogue.Health{TCP: true, Port: "grpc"},
			readiness: &corev1.Probe{ProbeHandler: tcp("grpc"), PeriodSeconds: 5, FailureThreshold: 3},
			liveness:  &corev1.Probe{ProbeHandler: tcp("grpc"), PeriodSeconds: 10, FailureThreshold: 3},
		},
		{
			name:   "grpc with a service: liveness on TCP, a derived liveness takes the timeout",
			health: &catalogue.Health{GRPC: true, GRPCService: "shop.Cart", Port: "grpc", IntervalSeconds: ptr.To(7), TimeoutSeconds: ptr.To(2), FailureThreshold: ptr.To(4)},
			readiness: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 9090, Service: ptr.To("shop.Cart")}},
				PeriodSeconds: 7, TimeoutSeconds: 2, FailureThreshold: 4},
			liveness: &corev1.Probe{ProbeHandler: tcp("grpc"), PeriodSeconds: 10, TimeoutSeconds: 2, FailureThreshold: 3},
		},
		{
			name:   "http with headers, in name order",
			health: &catalogue.Health{HTTP: "/ready", Headers: map[string]string{"X-B": "2", "X-A": "1"}},
			readiness: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: named("http"),
				HTTPHeaders: []corev1.HTTPHeader{{Name: "X-A", Value: "1"}, {Name: "X-B", Value: "2"}}}}, PeriodSeconds: 5, FailureThreshold: 3},
			liveness: &corev1.Probe{ProbeHandler: tcp("http"), PeriodSeconds: 10, FailureThreshold: 3},
		},
		{
			name: "an explicit liveness check, on the readiness check's port by default",
			health: &catalogue.Health{GRPC: true, Port: "grpc", TimeoutSeconds: ptr.To(2),
				Liveness: &catalogue.Health{HTTP: "/livez", IntervalSeconds: ptr.To(20), FailureThreshold: ptr.To(5)}},
			readiness: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{GRPC: &corev1.GRPCAction{Port: 9090}}, PeriodSeconds: 5, TimeoutSeconds: 2, FailureThreshold: 3},
			liveness: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/livez", Port: named("grpc")}},
				PeriodSeconds: 20, TimeoutSeconds: 2, FailureThreshold: 5},
		},
		{
			name:      "liveness with timings only tunes the derived check",
			health:    &catalogue.Health{HTTP: "/ready", Liveness: &catalogue.Health{Port: "grpc", FailureThreshold: ptr.To(9), TimeoutSeconds: ptr.To(3)}},
			readiness: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/ready", Port: named("http")}}, PeriodSeconds: 5, FailureThreshold: 3},
			liveness:  &corev1.Probe{ProbeHandler: tcp("grpc"), PeriodSeconds: 10, TimeoutSeconds: 3, FailureThreshold: 9},
		},
		{
			name:      "command: liveness runs it too, no more often than readiness, with its own threshold if set",
			health:    &catalogue.Health{Command: []string{"check"}, IntervalSeconds: ptr.To(30), Liveness: &catalogue.Health{FailureThreshold: ptr.To(2)}},
			readiness: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"check"}}}, PeriodSeconds: 30, FailureThreshold: 3},
			liveness:  &corev1.Probe{ProbeHandler: corev1.ProbeHandler{Exec: &corev1.ExecAction{Command: []string{"check"}}}, PeriodSeconds: 30, FailureThreshold: 2},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			readiness, liveness, startup := probes(&catalogue.Service{Ports: ports, Health: tt.health})
			if diff := cmp.Diff(tt.readiness, readiness); diff != "" {
				t.Errorf("readiness (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.liveness, liveness); diff != "" {
				t.Errorf("liveness (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(readiness.ProbeHandler, startup.ProbeHandler); diff != "" {
				t.Errorf("startup does not ask the readiness question (-readiness +startup):\n%s", diff)
			}
			if startup.TimeoutSeconds != readiness.TimeoutSeconds {
				t.Errorf("startup timeout %d, readiness %d", startup.TimeoutSeconds, readiness.TimeoutSeconds)
			}
		})
	}
}

// TestDeploymentPatchLeavesReplicasToTheAutoscaler: a patch that set
// replicas would fight the HorizontalPodAutoscaler on every apply.
func TestDeploymentPatchLeavesReplicasToTheAutoscaler(t *testing.T) {
	t.Parallel()
	compute := catalogue.Compute{RequestCPU: "100m", RequestMemory: "64Mi", RequestStorage: "1Gi",
		LimitCPU: "100m", LimitMemory: "64Mi", LimitStorage: "1Gi"}
	fixed := DeploymentPatch(&catalogue.Workload{Name: "orders", Replicas: 3, Compute: compute}, nil)
	if fixed.Spec.Replicas == nil || *fixed.Spec.Replicas != 3 || fixed.Spec.Template.Spec.Affinity == nil {
		t.Errorf("fixed replicas: got replicas %v, affinity %v; want 3 and spread pods", fixed.Spec.Replicas, fixed.Spec.Template.Spec.Affinity)
	}
	scaled := DeploymentPatch(&catalogue.Workload{Name: "orders", Replicas: 1, Autoscale: &catalogue.Autoscale{Min: 1, Max: 4}, Compute: compute}, nil)
	if scaled.Spec.Replicas != nil || scaled.Spec.Template.Spec.Affinity == nil {
		t.Errorf("autoscaled: got replicas %v, affinity %v; want none and spread pods", scaled.Spec.Replicas, scaled.Spec.Template.Spec.Affinity)
	}
}
