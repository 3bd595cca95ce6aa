package check

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
)

const usesCatalogue = `name: shop
environments:
  prod: {namespace: shop}
config:
  clients: {ORDERS_ENDPOINT: "orders.shop.svc.cluster.local:8080"}
resources:
  orders-db: {kind: postgres, owner: orders, endpoints: {prod: orders.rds.example.com}}
  cache: {kind: redis}
services:
  orders:
    image: orders:1.0
    ports: [{name: http, port: 8080, servicePort: 80}, {name: metrics, port: 9090}]
    uses: [orders-db]
  bff:
    image: bff:1.0
    config: [clients]
    uses: [cache]
    env:
      CACHE_MODE: cache
      SMTP_HOST: mailhog
      ARCHIVE_URL: http://orders-archive:8080
      REORDERS_HOST: reorders
      ORDERS_ADDR: orders:9999
      SELF_URL: http://bff:8080
    overrides:
      prod: {env: {DATABASE_URL: "postgres://reader@orders-db:5432/db"}}
`

func loadUses(t *testing.T, text string) *catalogue.Catalogue {
	t.Helper()
	c, err := catalogue.Parse(fsys.NewMemory("/work"), "tandem.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestHostMatcher(t *testing.T) {
	t.Parallel()
	m := newHostMatcher(loadUses(t, usesCatalogue))
	tests := []struct {
		name, value string
		want        []string // target port
	}{
		// Addresses count anywhere, in every form.
		{"ANYTHING", "orders:8080", []string{"orders 8080"}},
		{"ANYTHING", "http://orders:8080/x", []string{"orders 8080"}},
		{"ANYTHING", "http://orders/x", []string{"orders 80"}},
		{"ANYTHING", "https://orders", []string{"orders 443"}},
		{"ANYTHING", "postgres://reader@orders-db:5432/db", []string{"orders-db 5432"}},
		{"ANYTHING", "postgres://u:p@orders-db/db", []string{"orders-db 0"}},
		{"ANYTHING", "orders.shop:80", []string{"orders 80"}},
		{"ANYTHING", "grpc://orders.shop.svc:9090", []string{"orders 9090"}},
		{"ANYTHING", "orders.shop.svc.cluster.local.:8080", []string{"orders 8080"}},
		{"ANYTHING", "orders.rds.example.com:5432", []string{"orders-db 5432"}},
		{"PEERS", "orders:8080,cache:6379", []string{"orders 8080", "cache 6379"}},
		{"OPTS", "--upstream=orders:8080 --cache=redis://cache", []string{"cache 0", "orders 8080"}},
		{"ANYTHING", "mongodb://orders:1,cache:6379/db", []string{"orders 1", "cache 6379"}},
		// A bare host counts only where the variable holds an address.
		{"ORDERS_HOST", "orders", []string{"orders 0"}},
		{"ORDERS_ADDR", "orders.shop", []string{"orders 0"}},
		{"KAFKA_BROKERS", "cache, orders", []string{"cache 0", "orders 0"}},
		{"CACHE_MODE", "cache", nil},
		{"GREETING", "take orders from the cache", nil},
		// Whole hosts only, and only this system's.
		{"ARCHIVE_URL", "http://orders-archive:8080", nil},
		{"REORDERS_HOST", "reorders", nil},
		{"ORDERS_HOST", "orders_db", nil},
		{"SMTP_HOST", "mailhog", nil},
		{"ORDERS_HOST", "orders.other-namespace", nil},
		{"ORDERS_HOST", "orders.example.com", nil},
		{"ORDERS_HOST", "ORDERS", nil},
		{"ANYTHING", "orders:$(ORDERS_PORT)", nil},
		{"ANYTHING", "http://orders:$(ORDERS_PORT)/x", nil},
		{"ANYTHING", "$(ORDERS_DB_HOST):$(ORDERS_DB_PORT)", nil},
		{"ANYTHING", "12:30", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, r := range m.hosts.Refs(tt.value, catalogue.AddressVariable(tt.name)) {
				got = append(got, fmt.Sprintf("%s %d", r.Target, r.Port))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("refs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestUndeclaredUses(t *testing.T) {
	t.Parallel()
	var got []string
	for _, f := range undeclaredUses(loadUses(t, usesCatalogue)) {
		got = append(got, fmt.Sprintf("%s:%d: %s", f.File, f.Line, f.Message))
		if f.Help != UsesHelp {
			t.Errorf("%s: no help", f.Message)
		}
	}
	want := []string{
		`tandem.yaml:5: config.clients.ORDERS_ENDPOINT: bff names orders ("orders.shop.svc.cluster.local:8080") but bff does not use orders, so a cluster's default-deny NetworkPolicy blocks what works in dev; add orders to services.bff.uses`,
		`tandem.yaml:23: services.bff.env.ORDERS_ADDR: bff names orders ("orders:9999") but bff does not use orders, so a cluster's default-deny NetworkPolicy blocks what works in dev; add orders to services.bff.uses`,
		`tandem.yaml:23: services.bff.env.ORDERS_ADDR: "orders:9999" names port 9999 of orders, which it does not have: service orders listens on 8080 (http, Service port 80), 9090 (metrics)`,
		`tandem.yaml:26: services.bff.overrides.prod.env.DATABASE_URL: bff names orders-db ("postgres://reader@orders-db:5432/db") but bff does not use orders-db, so a cluster's default-deny NetworkPolicy blocks what works in dev; add orders-db to services.bff.uses`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

// TestUndeclaredUsesChecksPortsOfDeclaredUses: with the edge in place,
// a wrong port is still a call that fails, in dev and in a cluster.
func TestUndeclaredUsesChecksPortsOfDeclaredUses(t *testing.T) {
	t.Parallel()
	c := loadUses(t, `name: shop
resources: {cache: {kind: redis}}
services:
  orders: {image: orders:1.0, ports: [{name: http, port: 8080, servicePort: 80}]}
  bff:
    image: bff:1.0
    uses: [orders, cache]
    env: {A_URL: "http://orders:80", B_URL: "http://orders:8080", C_URL: "redis://cache:6380", D_URL: "http://orders/x"}
`)
	var got []string
	for _, f := range undeclaredUses(c) {
		got = append(got, fmt.Sprintf("%d: %s", f.Line, f.Message))
	}
	want := []string{`8: services.bff.env.C_URL: "redis://cache:6380" names port 6380 of cache, which it does not have: resource cache (redis) listens on 6379`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

// TestUndeclaredUsesHoldsCallsToUses: an entry of calls is an address
// even as a bare name, since the whole entry is one.
func TestUndeclaredUsesHoldsCallsToUses(t *testing.T) {
	t.Parallel()
	c := loadUses(t, `name: shop
resources: {cache: {kind: redis}}
services:
  orders: {image: orders:1.0, ports: [{name: http, port: 8080, servicePort: 80}]}
  payments: {image: payments:1.0, ports: [{name: http, port: 8080}]}
  bff:
    image: bff:1.0
    uses: [orders]
    calls: [http://orders, orders:9999, cache, "redis://cache:6379", payments, "mongodb://orders:8080,orders:8080/db"]
`)
	var got []string
	for _, f := range undeclaredUses(c) {
		got = append(got, fmt.Sprintf("%d: %s", f.Line, f.Message))
	}
	want := []string{
		`9: services.bff.calls[1]: "orders:9999" names port 9999 of orders, which it does not have: service orders listens on 8080 (http, Service port 80)`,
		`9: services.bff.calls[2]: bff names cache ("cache") but bff does not use cache, so a cluster's default-deny NetworkPolicy blocks what works in dev; add cache to services.bff.uses`,
		`9: services.bff.calls[3]: bff names cache ("redis://cache:6379") but bff does not use cache, so a cluster's default-deny NetworkPolicy blocks what works in dev; add cache to services.bff.uses`,
		`9: services.bff.calls[4]: bff names payments ("payments") but bff does not use payments, so a cluster's default-deny NetworkPolicy blocks what works in dev; add payments to services.bff.uses`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

func TestSourceUses(t *testing.T) {
	t.Parallel()
	c := loadUses(t, `name: shop
resources: {orders-db: {kind: postgres, owner: orders}}
services:
  orders: {build: ./orders, ports: [{name: http, port: 8080}], uses: [orders-db]}
  catalog:
    image: catalog:1.0
    ports: [{name: grpc, port: 3550}]
  bff:
    build: ./bff
    env: {HAND_WRITTEN_URL: "https://example.com"}
  frontend:
    image: frontend:1.0
    uses: [{name: catalog, env: {PRODUCT_CATALOG_SERVICE_ADDR: host:port}}]
`)
	sources := []Source{
		{Service: "bff", File: "bff/main.go", Data: []byte(`package main

// ORDERS_URLS and MY_ORDERS_URL are other variables.
var _ = os.Getenv("ORDERS_URLS") + os.Getenv("MY_ORDERS_URL")
var orders = os.Getenv("ORDERS_URL")
var again = os.Getenv("ORDERS_URL")
var db = os.Getenv("ORDERS_DB_HOST") + os.Getenv("HAND_WRITTEN_URL")
`)},
		{Service: "bff", File: "bff/client.py", Data: []byte("addr = os.environ['PRODUCT_CATALOG_SERVICE_ADDR']\n")},
		// Its own address, and an address it has an edge for.
		{Service: "orders", File: "orders/main.go", Data: []byte(`url := os.Getenv("ORDERS_URL"); db := os.Getenv("ORDERS_DB_URL")`)},
	}
	var got []string
	for _, f := range SourceUses(c, sources) {
		got = append(got, fmt.Sprintf("%s:%d: %s", f.File, f.Line, f.Message))
	}
	want := []string{
		"bff/main.go:5: bff reads ORDERS_URL, the address of orders, but does not use orders: nothing sets ORDERS_URL, and a cluster's default-deny NetworkPolicy would block the call; add orders to services.bff.uses",
		"bff/main.go:7: bff reads ORDERS_DB_HOST, the address of orders-db, but does not use orders-db: nothing sets ORDERS_DB_HOST, and a cluster's default-deny NetworkPolicy would block the call; add orders-db to services.bff.uses",
		"bff/client.py:1: bff reads PRODUCT_CATALOG_SERVICE_ADDR, the address of catalog, but does not use catalog: nothing sets PRODUCT_CATALOG_SERVICE_ADDR, and a cluster's default-deny NetworkPolicy would block the call; add catalog to services.bff.uses",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}
