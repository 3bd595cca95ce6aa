package e2e

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// realSystems are the examples written from public systems nobody here
// wrote, with the manifests each one publishes (issue #18 item 8).
var realSystems = map[string]string{
	"sockshop": "upstream/complete-demo.yaml",
	"teastore": "upstream/teastore-clusterip.yaml",
}

// TestRealSystemsMatchTheirPublishedManifests builds each real system's
// prod environment with tandem and compares it with the manifests the
// system publishes: per container its variable names, ports, probe kinds
// and mount paths, and the Services present. Every difference must be
// listed in the example's DIFFERENCES.md with its reason, and every
// listed difference must still occur, so the list stays true.
func TestRealSystemsMatchTheirPublishedManifests(t *testing.T) {
	examples, _ := filepath.Glob("../examples/*/upstream")
	if len(examples) != len(realSystems) {
		t.Errorf("examples with upstream manifests: %v; want those of %v", examples, slices.Sorted(maps.Keys(realSystems)))
	}
	for _, name := range slices.Sorted(maps.Keys(realSystems)) {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join("..", "examples", name)
			upstream, err := os.ReadFile(filepath.Join(dir, realSystems[name]))
			if err != nil {
				t.Fatal(err)
			}
			built := mustRun(t, dir, tandemBin, "build", "prod")
			want, err := facts(upstream)
			if err != nil {
				t.Fatalf("%s: %v", realSystems[name], err)
			}
			got, err := facts([]byte(built))
			if err != nil {
				t.Fatalf("tandem build prod: %v", err)
			}
			var differences []string
			for _, f := range want {
				if !slices.Contains(got, f) {
					differences = append(differences, "- "+f)
				}
			}
			for _, f := range got {
				if !slices.Contains(want, f) {
					differences = append(differences, "+ "+f)
				}
			}
			slices.Sort(differences)
			listed, err := listedDifferences(filepath.Join(dir, "DIFFERENCES.md"))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(listed, differences); diff != "" {
				t.Errorf("differences from %s not as DIFFERENCES.md lists them (-listed +found):\n%s\nall found:\n%s",
					realSystems[name], diff, strings.Join(differences, "\n"))
			}
		})
	}
}

// workload is what the comparison reads of a Deployment, StatefulSet or
// Service.
type workload struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Template struct {
			Spec corev1.PodSpec `json:"spec"`
		} `json:"template"`
	} `json:"spec"`
}

// facts lists, sorted, what the comparison compares in a stream of
// manifests, one line each: "service NAME", and per container
// "WORKLOAD: env NAME", "port N/PROTO", "readiness KIND", "liveness
// KIND", "mount PATH". A workload's first container goes by the
// workload's name, since tandem names a resource's container after its
// kind; any other as WORKLOAD/CONTAINER.
func facts(manifests []byte) ([]string, error) {
	var out []string
	reader := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(manifests)))
	for {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		var w workload
		if err := yaml.Unmarshal(doc, &w); err != nil {
			return nil, err
		}
		switch w.Kind {
		case "Service":
			out = append(out, "service "+w.Metadata.Name)
		case "Deployment", "StatefulSet":
			for i, c := range w.Spec.Template.Spec.Containers {
				key := w.Metadata.Name
				if i > 0 {
					key += "/" + c.Name
				}
				for _, e := range c.Env {
					out = append(out, key+": env "+e.Name)
				}
				for _, p := range c.Ports {
					proto := p.Protocol
					if proto == "" {
						proto = corev1.ProtocolTCP
					}
					out = append(out, fmt.Sprintf("%s: port %d/%s", key, p.ContainerPort, proto))
				}
				out = append(out, key+": readiness "+probeKind(c.ReadinessProbe), key+": liveness "+probeKind(c.LivenessProbe))
				for _, m := range c.VolumeMounts {
					out = append(out, key+": mount "+m.MountPath)
				}
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func probeKind(p *corev1.Probe) string {
	switch {
	case p == nil:
		return "none"
	case p.HTTPGet != nil:
		return "httpGet"
	case p.TCPSocket != nil:
		return "tcpSocket"
	case p.GRPC != nil:
		return "grpc"
	case p.Exec != nil:
		return "exec"
	}
	return "empty"
}

// listedDifferences reads DIFFERENCES.md: sections ("## title"), each a
// reason in prose followed by the differences it explains, one a line as
// "- `+ fact`" (only in tandem's build) or "- `- fact`" (only upstream).
// A section without a reason, or a difference without a section, is an
// error: each one is listed for a reason.
func listedDifferences(path string) ([]string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []string
	section, reason := "", false
	for n, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "## "):
			section, reason = line, false
		case strings.HasPrefix(line, "- `"):
			fact, ok := strings.CutPrefix(line, "- `")
			fact, _, closed := strings.Cut(fact, "`")
			if !ok || !closed || !(strings.HasPrefix(fact, "+ ") || strings.HasPrefix(fact, "- ")) {
				return nil, fmt.Errorf("%s:%d: a difference reads - `+ fact` or - `- fact`", path, n+1)
			}
			if section == "" || !reason {
				return nil, fmt.Errorf("%s:%d: %s is listed without a reason before it", path, n+1, fact)
			}
			out = append(out, fact)
		case strings.TrimSpace(line) != "" && section != "":
			reason = true
		}
	}
	slices.Sort(out)
	return out, nil
}
