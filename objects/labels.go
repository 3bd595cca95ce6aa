package objects

import (
	"maps"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/tandemdev/tandem/catalogue"
)

// Label keys tandem sets on every object it generates.
const (
	LabelName      = "app.kubernetes.io/name"
	LabelPartOf    = "app.kubernetes.io/part-of"
	LabelManagedBy = "app.kubernetes.io/managed-by"
	LabelDomain    = "tandem.dev/domain"
)

// LabelService marks every pod that acts for a service, its Deployment's
// and its jobs', so that a NetworkPolicy can let exactly those in where
// the service is a user. The name label cannot: a Service selects on it,
// and job pods must not receive the service's traffic.
const LabelService = "tandem.dev/service"

// selectorLabels select a service's pods; they never change, since a
// Deployment's selector is immutable.
func selectorLabels(service string) map[string]string {
	return map[string]string{LabelName: service}
}

// labels are the labels of a service's or a resource's objects.
func labels(c *catalogue.Catalogue, name string) map[string]string {
	l := selectorLabels(name)
	l[LabelPartOf] = c.Name
	l[LabelManagedBy] = "tandem"
	if s := c.Services[name]; s != nil && s.Domain != "" {
		l[LabelDomain] = s.Domain
	}
	return l
}

// systemLabels are the labels of objects that belong to no one service.
func systemLabels(c *catalogue.Catalogue) map[string]string {
	return map[string]string{LabelPartOf: c.Name, LabelManagedBy: "tandem"}
}

// podLabels are the labels of the pods of a service's Deployment.
func podLabels(c *catalogue.Catalogue, service string) map[string]string {
	l := labels(c, service)
	l[LabelService] = service
	return l
}

// jobLabels are the labels of a service's job and its pods: named after
// the job, acting for the service.
func jobLabels(c *catalogue.Catalogue, service, job string) map[string]string {
	l := labels(c, service)
	l[LabelName] = catalogue.JobName(service, job)
	l[LabelService] = service
	return l
}

// objectMeta names an object after the service or resource it belongs to.
func objectMeta(c *catalogue.Catalogue, name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Labels: labels(c, name)}
}

// podMeta is the metadata of a pod template of service s: tandem's labels,
// plus the catalogue's own pod labels and annotations, which validation
// keeps off tandem's keys.
func podMeta(tandem map[string]string, s *catalogue.Service) metav1.ObjectMeta {
	meta := metav1.ObjectMeta{Labels: tandem}
	if s.Labels != nil {
		maps.Copy(meta.Labels, s.Labels.Pod)
	}
	if s.Annotations != nil && len(s.Annotations.Pod) > 0 {
		meta.Annotations = maps.Clone(s.Annotations.Pod)
	}
	if hash := s.ConfigHash(); hash != "" {
		if meta.Annotations == nil {
			meta.Annotations = map[string]string{}
		}
		meta.Annotations[ConfigHashAnnotation] = hash
	}
	return meta
}
