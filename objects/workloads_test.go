package objects

import (
	"testing"

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
