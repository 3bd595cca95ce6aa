package objects

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
)

// TestTandemLabelsAreReserved: every label key tandem sets itself is one
// the catalogue refuses as a service's own, so that a catalogue's label
// can never move a selector or a NetworkPolicy's peer; and the
// catalogue's own labels and annotations reach pods and the Service.
func TestTandemLabelsAreReserved(t *testing.T) {
	t.Parallel()
	c, err := catalogue.Parse(fsys.OS{}, "tandem.yaml", []byte(`name: shop
environments: {prod: {}}
resources: {db: {kind: postgres, owner: api, inCluster: [prod]}}
services:
  api:
    image: api:1.0
    domain: ordering
    ports: [{name: http, port: 8080}]
    uses: [db]
    labels: {pod: {team: orders}, service: {tier: backend}}
    annotations: {pod: {example.com/pod: "1"}, service: {example.com/service: "2"}}
    jobs: {migrate: {command: [api, migrate], before: start}}
`))
	if err != nil {
		t.Fatal(err)
	}
	w := c.Resolve("prod")[0]
	deployment := Deployment(c, w)
	job := Job(c, w, "migrate", w.Image).(*batchv1.Job)
	service := Service(c, w)
	set := InClusterResource(c, "prod", "db", []string{"api"})[0].(*appsv1.StatefulSet)
	tandems := []map[string]string{
		podLabels(c, "api"), jobLabels(c, "api", "migrate"), labels(c, "api"), systemLabels(c),
		set.Labels, set.Spec.Template.Labels,
	}
	for _, l := range tandems {
		for key := range l {
			if !catalogue.IsReservedLabel(key) {
				t.Errorf("tandem sets the label %s, which the catalogue does not reserve", key)
			}
		}
	}
	for what, meta := range map[string]struct {
		labels, annotations map[string]string
		label, annotation   string
	}{
		"deployment's pods": {deployment.Spec.Template.Labels, deployment.Spec.Template.Annotations, "team", "example.com/pod"},
		"job's pods":        {job.Spec.Template.Labels, job.Spec.Template.Annotations, "team", "example.com/pod"},
		"service":           {service.Labels, service.Annotations, "tier", "example.com/service"},
	} {
		if meta.labels[meta.label] == "" || meta.annotations[meta.annotation] == "" {
			t.Errorf("the %s lack the catalogue's label %s or annotation %s: %v, %v", what, meta.label, meta.annotation, meta.labels, meta.annotations)
		}
	}
	if deployment.Labels["team"] != "" || deployment.Spec.Selector.MatchLabels["team"] != "" || service.Spec.Selector["tier"] != "" {
		t.Errorf("a catalogue's label reached a Deployment's own labels or a selector")
	}
}
