package importer

import (
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/tandemdev/tandem/catalogue"
)

// podSettings maps what Compose says of a service's container that the
// catalogue says of its pods: stop_grace_period is the grace period, in
// whole seconds rounded up, and labels are the pods' labels (dev's
// container labels too) where Kubernetes takes every one of them.
func (im *importer) podSettings(name string, s *service, svc types.ServiceConfig) {
	if d := svc.StopGracePeriod; d != nil {
		seconds := int(math.Ceil(time.Duration(*d).Seconds()))
		if seconds >= 1 && seconds <= catalogue.MaxGracePeriodSeconds {
			s.gracePeriod = &seconds
		} else {
			im.keepValue(name, "stop_grace_period", time.Duration(*d).String())
			im.note("services.%s.stop_grace_period: %s kept under x-unmapped; a grace period is 1 to %d seconds", name, time.Duration(*d), catalogue.MaxGracePeriodSeconds)
		}
	}
	// Labels are read together (a proxy's routing rules are several): one
	// Kubernetes does not take keeps them all under x-unmapped.
	var refused []string
	for _, key := range slices.Sorted(maps.Keys(svc.Labels)) {
		if !catalogue.ValidPodLabel(key, svc.Labels[key]) {
			refused = append(refused, key)
		}
	}
	switch {
	case len(svc.Labels) == 0:
	case len(refused) == 0:
		s.labels = maps.Clone(map[string]string(svc.Labels))
	default:
		im.keepValue(name, "labels", map[string]string(svc.Labels))
		im.note("services.%s.labels: %s kept under x-unmapped, as Kubernetes takes no label %s (a value over 63 characters, or with spaces or symbols, or a key tandem or Compose sets), and labels are often read together", name,
			strings.Join(slices.Sorted(maps.Keys(svc.Labels)), ", "), strings.Join(refused, ", "))
	}
}
