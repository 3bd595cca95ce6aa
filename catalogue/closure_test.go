package catalogue

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tandemdev/tandem/fsys"
)

func TestSelection(t *testing.T) {
	c, err := Load(fsys.OS{}, "../examples/shop/tandem.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		names, domains []string
		want           []string
	}{
		{names: []string{"orders"}, want: []string{"events", "orders", "orders-db", "payments", "payments-db"}},
		{names: []string{"cache"}, want: []string{"cache"}},
		{names: []string{"notifications", "auth"}, want: []string{"auth", "events", "notifications", "users-db"}},
		{domains: []string{"ordering"}, want: []string{"cache", "cart", "catalog", "catalog-db", "events", "orders", "orders-db", "payments", "payments-db"}},
		{want: []string{"auth", "bff", "cart", "catalog", "notifications", "orders", "payments",
			"cache", "catalog-db", "events", "orders-db", "payments-db", "users-db"}},
	} {
		checkSelection(t, c, tc.names, tc.domains, tc.want)
	}
}

func TestSelectionUnknown(t *testing.T) {
	c, err := Load(fsys.OS{}, "../examples/shop/tandem.yaml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Selection([]string{"order"}, nil)
	if !errors.Is(err, ErrUnknownName) || !strings.Contains(err.Error(), `did you mean "orders"?`) {
		t.Errorf("unknown service: %v", err)
	}
	_, err = c.Selection(nil, []string{"orderin"})
	if !errors.Is(err, ErrUnknownName) || !strings.Contains(err.Error(), `did you mean "ordering"?`) {
		t.Errorf("unknown domain: %v", err)
	}
}

func TestSelectionOnRequest(t *testing.T) {
	c, err := Parse(fsys.OS{}, "tandem.yaml", []byte(`name: tools
resources:
  db: {kind: postgres}
  tools-db: {kind: postgres}
  spare: {kind: redis}
services:
  app: {image: app:1.0, domain: shop, uses: [db]}
  admin: {image: admin:1.0, domain: shop, onRequest: true, environments: [dev], uses: [db, tools-db, seed]}
  seed: {image: seed:1.0, onRequest: true, oneShot: true, environments: [dev], domain: tools}
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		names, domains []string
		want           []string
	}{
		// Without names: neither the tools nor the database only they use.
		{want: []string{"app", "db", "spare"}},
		{domains: []string{"shop"}, want: []string{"app", "db"}},
		{names: []string{"admin"}, want: []string{"admin", "db", "seed", "tools-db"}},
	} {
		checkSelection(t, c, tc.names, tc.domains, tc.want)
	}
	if _, err := c.Selection(nil, []string{"tools"}); err == nil || !strings.Contains(err.Error(), "starts on request only (seed)") {
		t.Errorf("a domain of services on request only: %v", err)
	}
}

func checkSelection(t *testing.T, c *Catalogue, names, domains, want []string) {
	t.Helper()
	got, err := c.Selection(names, domains)
	if err != nil {
		t.Errorf("%v %v: %v", names, domains, err)
		return
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("%v %v (-want +got):\n%s", names, domains, diff)
	}
}
