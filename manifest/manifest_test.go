package manifest

import (
	"encoding/json"
	"errors"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/tandemdev/tandem/internal/safe"
)

// referenceEncode is Encode as sigs.k8s.io/yaml does it: JSON, drop
// nulls, then JSON again and YAML through a YAML parse.
func referenceEncode(t *testing.T, obj any) string {
	t.Helper()
	raw, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	var tree any
	if err := json.Unmarshal(raw, &tree); err != nil {
		t.Fatal(err)
	}
	if m, ok := tree.(map[string]any); ok {
		delete(m, "status")
	}
	var drop func(any) any
	drop = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if c == nil {
					delete(x, k)
				} else {
					x[k] = drop(c)
				}
			}
		case []any:
			for i, c := range x {
				x[i] = drop(c)
			}
		}
		return v
	}
	out, err := sigsyaml.Marshal(drop(tree))
	if err != nil {
		t.Fatal(err)
	}
	return Header + string(out)
}

// TestEncodeMatchesSigsYAML: Encode's shortcut must print what the
// long way prints, for every kind of value a manifest holds.
func TestEncodeMatchesSigsYAML(t *testing.T) {
	deployment := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: "orders", Labels: map[string]string{"app": "orders", "true": "yes", "n": "1.0"}},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](3),
			Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				SecurityContext: &corev1.PodSecurityContext{RunAsUser: ptr.To[int64](65532), FSGroup: ptr.To[int64](1 << 53)},
				Containers: []corev1.Container{{
					Name:    "orders",
					Command: []string{"sh", "-c", "echo $HOME\nexit 0", "", "~", "null", "0x1F", "1e3", " padded ", "#hash", "- dash", "key: value", "é ✓"},
					Env:     []corev1.EnvVar{{Name: "EMPTY"}, {Name: "TRUE", Value: "true"}, {Name: "OCTAL", Value: "0755"}, {Name: "FLOAT", Value: "0.05"}},
					Ports:   []corev1.ContainerPort{{Name: "http", ContainerPort: 8080}},
					Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
						corev1.ResourceCPU: resource.MustParse("250m"), corev1.ResourceMemory: resource.MustParse("256Mi"),
					}},
					ReadinessProbe: &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromInt32(8080)}}},
					LivenessProbe:  &corev1.Probe{ProbeHandler: corev1.ProbeHandler{HTTPGet: &corev1.HTTPGetAction{Path: "/healthz", Port: intstr.FromString("http")}}},
				}},
			}},
		},
	}
	values := []any{
		deployment,
		map[string]any{"floats": []any{0.5, 1e21, -2.25, 1.0, 123456789.125, math.SmallestNonzeroFloat64}, "ints": []any{0, -1, 1 << 53, -(1 << 53)}},
		map[string]any{"empty": map[string]any{}, "list": []any{}, "nested": map[string]any{"a": nil, "b": []any{nil, "x"}}, "bool": true},
		map[string]any{"status": "dropped", "10": "numeric key", "9": "sorted", "a": "b"},
	}
	for _, v := range values {
		got, err := Encode(v)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(referenceEncode(t, v), string(got)); diff != "" {
			t.Errorf("%T (-sigs.k8s.io/yaml +Encode):\n%s", v, diff)
		}
	}
}

// TestEncodeKeepsLargeIntegers: past 2^53 the long way through float64
// rounded integers; Encode prints them exactly.
func TestEncodeKeepsLargeIntegers(t *testing.T) {
	got, err := Encode(map[string]any{"max": int64(math.MaxInt64), "min": int64(math.MinInt64), "umax": uint64(math.MaxUint64)})
	if err != nil {
		t.Fatal(err)
	}
	want := Header + "max: 9223372036854775807\nmin: -9223372036854775808\numax: 18446744073709551615\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestYAMLFromJSONMatchesSigsYAML: what kustomize prints through
// sigs.k8s.io/yaml.JSONToYAML, YAMLFromJSON prints too.
func TestYAMLFromJSONMatchesSigsYAML(t *testing.T) {
	for _, doc := range []string{
		`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","annotations":null},"data":{"a":"true","b":"1.0","c":"","d":"~","e":"line\nbreak","f":" padded","g":"é"}}`,
		`{"n":[0,-1,1.5,1e3,1.0,-0,9007199254740993,18446744073709551615,-9223372036854775808,1e400,0.1]}`,
		`{"empty":{},"list":[],"nested":[[{"k":null}]],"bool":[true,false],"10":"a","9":"b"}`,
	} {
		want, err := sigsyaml.JSONToYAML([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		got, err := YAMLFromJSON([]byte(doc))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("%s (-JSONToYAML +YAMLFromJSON):\n%s", doc, diff)
		}
	}
}

// TestPlatformFiles: the overlays list, and stale patch detection reads,
// exactly the YAML files below an environment's patches folder and the
// components folders that hold a kustomization.
func TestPlatformFiles(t *testing.T) {
	t.Parallel()
	files := Files{
		"overlays/prod/patches/a.yaml":              nil,
		"overlays/prod/patches/deep/b.yml":          nil,
		"overlays/prod/patches/README.md":           nil,
		"overlays/staging/patches/c.yaml":           nil,
		"overlays/prod/kustomization.yaml":          nil,
		"components/pools/kustomization.yaml":       nil,
		"components/labels/Kustomization":           nil,
		"components/notes/README.md":                nil,
		"components/pools/nested/kustomization.yml": nil,
	}
	if diff := cmp.Diff([]string{"a.yaml", "deep/b.yml"}, PlatformPatches(files, "prod")); diff != "" {
		t.Errorf("PlatformPatches (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"components/labels", "components/pools"}, ComponentDirs(files)); diff != "" {
		t.Errorf("ComponentDirs (-want +got):\n%s", diff)
	}
}

// panicky panics when it is encoded.
type panicky struct{}

func (panicky) MarshalJSON() ([]byte, error) { panic("no encoding") }

// TestBatchPanicIsAnError: a panic while encoding one file of a batch, on
// a worker, is the batch's error instead of the end of the process.
func TestBatchPanicIsAnError(t *testing.T) {
	t.Parallel()
	var b Batch
	b.Add("a.yaml", map[string]string{"a": "b"})
	b.Add("b.yaml", panicky{})
	_, err := b.Files()
	var panicked *safe.PanicError
	if !errors.As(err, &panicked) || panicked.Value != "no encoding" {
		t.Fatalf("Files: %v, want the panic as an error", err)
	}
}
