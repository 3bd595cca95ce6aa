package cluster

import (
	"testing"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
)

func TestSource(t *testing.T) {
	c, err := catalogue.Load(fsys.OS{}, "../examples/shop/tandem.yaml")
	if err != nil {
		t.Fatal(err)
	}
	named := func(name string) map[string]string { return map[string]string{"app.kubernetes.io/name": name} }
	for _, tt := range []struct {
		problem Problem
		want    string
	}{
		{Problem{Labels: named("orders"), Warning: true, Message: `would violate PodSecurity "restricted:latest": runAsNonRoot != true`}, "services.orders.security"},
		{Problem{Labels: named("reports"), Message: "a message that mentions env and ports"}, ""},
		{Problem{Labels: named("orders"), Message: "Deployment.apps \"orders\" is invalid: spec.template.spec.envFrom"}, "services.orders"},
		{Problem{Labels: named("orders"), Fields: []string{"spec.template.spec.containers[0].resources.limits"}}, "services.orders.resources"},
		{Problem{Labels: named("orders"), Message: "something the catalogue has no field for"}, "services.orders"},
		{Problem{Labels: map[string]string{"app.kubernetes.io/name": "orders-migrate", "tandem.dev/service": "orders"}, Message: "x"}, "services.orders.jobs.migrate"},
		{Problem{Labels: named("events"), Message: "x"}, "resources.events"},
		{Problem{Labels: named("added-by-a-patch"), Message: "x"}, ""},
		{Problem{Kind: "Namespace", Name: "shop"}, ""},
	} {
		if got := Source(c, tt.problem); got != tt.want {
			t.Errorf("%+v: got %q, want %q", tt.problem, got, tt.want)
		}
	}
}
