package validate

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/objects"
	"github.com/tandemdev/tandem/render/build"
	"github.com/tandemdev/tandem/render/internal/rendertest"
)

// TestShopIsProductionGrade builds every environment of the shop and
// checks what a careful platform team would: every object valid, every
// pod secure with probes and limits, a disruption budget for every scaled
// Deployment, and network access exactly along the catalogue's uses edges.
func TestShopIsProductionGrade(t *testing.T) {
	t.Parallel()
	c, files := rendertest.Render(t, "../../examples/shop/tandem.yaml", nil)
	for _, env := range c.DeployEnvironments() {
		t.Run(env, func(t *testing.T) {
			t.Parallel()
			built, err := build.Overlay(c, files, env)
			if err != nil {
				t.Fatal(err)
			}
			for _, err := range Manifests(built) {
				t.Error(err)
			}
			docs, err := decodeStrict(built)
			if err != nil {
				t.Fatal(err)
			}
			checkPods(t, docs)
			checkDisruptionBudgets(t, c, env, docs)
			checkNetworkPolicies(t, c, env, docs)
		})
	}
}

func checkPods(t *testing.T, docs []decoded) {
	t.Helper()
	pods := 0
	for _, o := range docs {
		var spec corev1.PodSpec
		switch obj := o.obj.(type) {
		case *appsv1.Deployment:
			spec = obj.Spec.Template.Spec
			for _, c := range spec.Containers {
				if c.ReadinessProbe == nil || c.LivenessProbe == nil {
					t.Errorf("Deployment %s: container %s lacks a readiness or liveness probe", o.name, c.Name)
				}
			}
		case *appsv1.StatefulSet:
			spec = obj.Spec.Template.Spec
		case *batchv1.Job:
			spec = obj.Spec.Template.Spec
		case *batchv1.CronJob:
			spec = obj.Spec.JobTemplate.Spec.Template.Spec
		default:
			continue
		}
		pods++
		ps := spec.SecurityContext
		if ps == nil || ps.RunAsNonRoot == nil || !*ps.RunAsNonRoot || ps.SeccompProfile == nil || ps.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
			t.Errorf("%s %s: pod security context %+v", o.kind, o.name, ps)
		}
		if spec.AutomountServiceAccountToken == nil || *spec.AutomountServiceAccountToken {
			t.Errorf("%s %s mounts an API token", o.kind, o.name)
		}
		for _, c := range spec.Containers {
			sc := c.SecurityContext
			if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem ||
				sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) > 0 {
				t.Errorf("%s %s: container %s security context %+v", o.kind, o.name, c.Name, sc)
			}
			for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage} {
				if _, ok := c.Resources.Limits[r]; !ok {
					t.Errorf("%s %s: container %s has no %s limit", o.kind, o.name, c.Name, r)
				}
				if _, ok := c.Resources.Requests[r]; !ok {
					t.Errorf("%s %s: container %s has no %s request", o.kind, o.name, c.Name, r)
				}
			}
		}
	}
	if pods < 3 {
		t.Errorf("only %d workloads in the build", pods)
	}
}

func checkDisruptionBudgets(t *testing.T, c *catalogue.Catalogue, env string, docs []decoded) {
	t.Helper()
	budgets := map[string]bool{}
	for _, o := range docs {
		if pdb, ok := o.obj.(*policyv1.PodDisruptionBudget); ok {
			budgets[pdb.Spec.Selector.MatchLabels[objects.LabelName]] = true
		}
	}
	for _, w := range c.Resolve(env) {
		if w.Scaled() != budgets[w.Name] {
			t.Errorf("%s: scaled %v, but has a PodDisruptionBudget: %v", w.Name, w.Scaled(), budgets[w.Name])
		}
	}
}

// checkNetworkPolicies: one rule per uses edge into a pod in the namespace,
// nothing else from pods, and the ingress controller only to public ports.
func checkNetworkPolicies(t *testing.T, c *catalogue.Catalogue, env string, docs []decoded) {
	t.Helper()
	want := map[string]int{}
	for _, name := range c.ServiceNames() {
		for _, used := range c.Services[name].UsedNames() {
			if r := c.Resources[used]; r != nil && !r.RunsInCluster(env) {
				continue // a managed service, outside the cluster
			}
			want[name+" -> "+used] = 1
		}
	}
	got := map[string]int{}
	denyAll := false
	for _, o := range docs {
		np, ok := o.obj.(*networkingv1.NetworkPolicy)
		if !ok {
			continue
		}
		target := np.Spec.PodSelector.MatchLabels[objects.LabelName]
		if target == "" {
			denyAll = len(np.Spec.PodSelector.MatchLabels) == 0 && len(np.Spec.PodSelector.MatchExpressions) == 0 && len(np.Spec.Ingress) == 0
			continue
		}
		for _, rule := range np.Spec.Ingress {
			for _, peer := range rule.From {
				switch {
				case peer.PodSelector != nil && peer.NamespaceSelector == nil && len(peer.PodSelector.MatchLabels) == 1:
					got[peer.PodSelector.MatchLabels[objects.LabelService]+" -> "+target]++
				case peer.NamespaceSelector != nil && peer.PodSelector == nil:
					got["ingress controller -> "+target]++
				default:
					t.Errorf("NetworkPolicy %s: a peer tandem does not generate: %+v", np.Name, peer)
				}
			}
			if len(rule.Ports) == 0 {
				t.Errorf("NetworkPolicy %s opens every port", np.Name)
			}
		}
	}
	if !denyAll {
		t.Error("no default-deny NetworkPolicy")
	}
	if e := c.Environments[env]; e != nil && e.Ingress != nil {
		for _, name := range c.ServiceNames() {
			for _, p := range c.Services[name].Ports {
				if p.Public {
					want["ingress controller -> "+name] = 1
					break
				}
			}
		}
	}
	for edge, n := range got {
		if want[edge] != n {
			t.Errorf("%s is allowed by %d rules, want %d", edge, n, want[edge])
		}
	}
	for edge := range want {
		if got[edge] == 0 {
			t.Errorf("%s is not allowed by any NetworkPolicy", edge)
		}
	}
	// A database is reachable from its owner only.
	for _, name := range c.ResourceNames() {
		r := c.Resources[name]
		if r.Owner == "" || !r.RunsInCluster(env) {
			continue
		}
		for edge := range got {
			if strings.HasSuffix(edge, " -> "+name) && edge != r.Owner+" -> "+name {
				t.Errorf("%s is owned by %s, but %s", name, r.Owner, edge)
			}
		}
	}
}

// TestValidateCatchesBrokenObjects proves each check can fail.
func TestValidateCatchesBrokenObjects(t *testing.T) {
	t.Parallel()
	deployment := func(mutate string) string {
		return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: api, labels: {app: api}}
spec:
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      serviceAccountName: api
      containers:
      - name: api
        image: api:1.0
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /healthz, port: http}}
        resources: {requests: {cpu: 100m}, limits: {cpu: 200m}}
%s---
apiVersion: v1
kind: ServiceAccount
metadata: {name: api}
`, mutate)
	}
	for _, tt := range []struct{ name, manifests, want string }{
		{"valid", deployment(""), ""},
		{"unknown field", strings.Replace(deployment(""), "image: api:1.0", "image: api:1.0\n        imagePolicy: Always", 1),
			`Deployment api does not decode strictly as apps/v1 Deployment: error unmarshaling JSON: while decoding JSON: json: unknown field "imagePolicy"`},
		{"selector misses the pods", strings.Replace(deployment(""), "selector: {matchLabels: {app: api}}", "selector: {matchLabels: {app: web}}", 1),
			"Deployment api: spec.selector does not select the pods of spec.template"},
		{"probe names an undeclared port", strings.Replace(deployment(""), "port: http}", "port: admin}", 1),
			`Deployment api: spec.template.spec.containers[0].readinessProbe names port "admin", which the container does not declare`},
		{"gRPC probe asks an undeclared port", strings.Replace(deployment(""), "readinessProbe: {httpGet: {path: /healthz, port: http}}", "readinessProbe: {grpc: {port: 9090}}", 1),
			`Deployment api: spec.template.spec.containers[0].readinessProbe asks port 9090, which the container does not declare`},
		{"request above limit", strings.Replace(deployment(""), "limits: {cpu: 200m}", "limits: {cpu: 50m}", 1),
			"Deployment api: spec.template.spec.containers[0].resources: the cpu request 100m exceeds its limit 50m"},
		{"bad label value", strings.Replace(deployment(""), "metadata: {name: api, labels: {app: api}}", "metadata: {name: api, labels: {app: -api}}", 1),
			`Deployment api: metadata.labels: Invalid value: "-api"`},
		{"missing ConfigMap", strings.Replace(deployment(""), "image: api:1.0", "image: api:1.0\n        envFrom: [{configMapRef: {name: shared}}]", 1),
			"Deployment api: spec.template.spec.containers[0].envFrom refers to ConfigMap shared, which the build does not contain"},
		{"missing ServiceAccount", strings.Replace(deployment(""), "kind: ServiceAccount\nmetadata: {name: api}", "kind: ServiceAccount\nmetadata: {name: web}", 1),
			"Deployment api: spec.template.spec.serviceAccountName refers to ServiceAccount api, which the build does not contain"},
		{"HPA without target", deployment("---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}, maxReplicas: 2}\n"),
			"HorizontalPodAutoscaler web: spec.scaleTargetRef refers to Deployment web, which the build does not contain"},
		{"bad cron schedule", deployment("---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: nightly}\nspec:\n  schedule: nightly\n  jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: job, image: api:1.0}]}}}}\n"),
			"CronJob nightly: spec.schedule: expected exactly 5 fields"},
		{"Service name starting with a digit", deployment("---\napiVersion: v1\nkind: Service\nmetadata: {name: 9api}\nspec: {ports: [{port: 80}]}\n"),
			"Service 9api: metadata.name: a DNS-1035 label must consist of"},
		{"wildcard ingress host", deployment("---\napiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec: {ports: [{name: http, port: 80}]}\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: api}\nspec: {rules: [{host: '*.example.com', http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: api, port: {name: http}}}}]}}]}\n"),
			""},
		{"ingress backend port the Service lacks", deployment("---\napiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec: {ports: [{name: http, port: 80}]}\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: api}\nspec: {rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: api, port: {name: admin}}}}]}}]}\n"),
			`Ingress api: a backend names port "admin", which Service api does not have`},
		{"env reference defined later", strings.Replace(deployment(""), "image: api:1.0", "image: api:1.0\n        env: [{name: ADDR, value: '$(HOST):80'}, {name: HOST, value: db}]", 1),
			"Deployment api: spec.template.spec.containers[0].env ADDR: $(HOST) names no variable defined before it"},
		{"env references defined before, escaped or from envFrom", strings.Replace(deployment("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: shared}\ndata: {LEVEL: info}\n"), "image: api:1.0",
			"image: api:1.0\n        envFrom: [{configMapRef: {name: shared}, prefix: APP_}]\n        env: [{name: HOST, value: db}, {name: ADDR, value: '$(HOST):80 $$(LATER) $(APP_LEVEL)'}, {name: LATER, value: x}]", 1),
			""},
		{"StatefulSet name too long for its pods", deployment("---\napiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec: {clusterIP: None, ports: [{port: 5432}]}\n---\napiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: " + strings.Repeat("d", 53) + "}\nspec:\n  serviceName: db\n  selector: {matchLabels: {app: db}}\n  template: {metadata: {labels: {app: db}}, spec: {containers: [{name: db, image: db:1.0}]}}\n"),
			"StatefulSet " + strings.Repeat("d", 53) + ": metadata.name: 53 characters; a StatefulSet's name may be at most 52, or its pods cannot be created"},
		{"CronJob name too long for its Jobs", deployment("---\napiVersion: batch/v1\nkind: CronJob\nmetadata: {name: " + strings.Repeat("n", 53) + "}\nspec:\n  schedule: '0 3 * * *'\n  jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: job, image: api:1.0}]}}}}\n"),
			"CronJob " + strings.Repeat("n", 53) + ": metadata.name: 53 characters; a CronJob's name may be at most 52"},
		{"Job name too long for its pods' label", deployment("---\napiVersion: batch/v1\nkind: Job\nmetadata: {name: " + strings.Repeat("j", 64) + "}\nspec: {template: {spec: {restartPolicy: Never, containers: [{name: job, image: api:1.0}]}}}\n"),
			"Job " + strings.Repeat("j", 64) + ": metadata.name: 64 characters; a Job's name is a label of its pods, which holds at most 63"},
		{"object above the API server's limit", strings.Replace(deployment(""), "image: api:1.0", "image: api:1.0\n        env: [{name: BLOB, value: "+strings.Repeat("x", 2<<20)+"}]", 1),
			"Deployment api: the object is 2048 KiB; the API server stores objects up to 1.5 MiB"},
		{"ConfigMap above 1 MiB", deployment("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata: {blob: " + strings.Repeat("x", 1100<<10) + "}\n"),
			"ConfigMap big: data: 1100 KiB; a ConfigMap holds at most 1 MiB"},
		{"annotations above 256 KiB", strings.Replace(deployment(""), "metadata: {name: api, labels: {app: api}}", "metadata: {name: api, labels: {app: api}, annotations: {note: "+strings.Repeat("x", 300<<10)+"}}", 1),
			"Deployment api: metadata.annotations: Too long: may not be"},
		{"bad ExternalName", deployment("---\napiVersion: v1\nkind: Service\nmetadata: {name: db}\nspec: {type: ExternalName, externalName: Not_A_Host}\n"),
			`Service db: spec.externalName "Not_A_Host"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			errs := Manifests([]byte(tt.manifests))
			var got []string
			for _, err := range errs {
				got = append(got, err.Error())
			}
			switch {
			case tt.want == "" && len(errs) > 0:
				t.Errorf("a valid build was rejected: %v", got)
			case tt.want != "" && (len(errs) != 1 || !strings.HasPrefix(got[0], tt.want)):
				t.Errorf("got %q, want exactly one error starting %q", got, tt.want)
			}
		})
	}
}
