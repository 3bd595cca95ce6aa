package catalogue

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/internal/safe"
)

func loadFixture(t *testing.T, path string) *Catalogue {
	t.Helper()
	c, err := Load(fsys.OS{}, path)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func workload(t *testing.T, c *Catalogue, name, env string) *Workload {
	t.Helper()
	for _, w := range c.Resolve(env) {
		if w.Name == name {
			return w
		}
	}
	t.Fatalf("no workload %s in %q", name, env)
	return nil
}

// TestResolvePrecedence checks default < config group < service <
// environment override, and that each value names its origin.
func TestResolvePrecedence(t *testing.T) {
	t.Parallel()
	c := loadFixture(t, "testdata/valid-precedence.yaml")
	db := func(s Setting) EnvVar {
		return EnvVar{Name: SettingVar("orders-db", s), Origin: Origin{Level: LevelResource, Name: "orders-db"}, Resource: "orders-db", Setting: s}
	}
	group := func(name, value, group, env string) EnvVar {
		return EnvVar{Name: name, Value: value, Origin: Origin{Level: LevelConfigGroup, Name: group, Env: env}}
	}
	tests := []struct {
		env  string
		want []EnvVar
	}{
		{"", []EnvVar{
			{Name: "API_KEY", Origin: Origin{Level: LevelSecret}, Secret: true},
			{Name: "LOG_FORMAT", Value: "text", Origin: Origin{Level: LevelService}},
			group("LOG_LEVEL", "info", "observability", ""),
			db(SettingDatabase),
			{Name: "ORDERS_DB_HOST", Value: "localhost", Origin: Origin{Level: LevelService}},
			db(SettingPassword), db(SettingPort), db(SettingURL), db(SettingUser),
			group("RETRIES", "7", "overrides-first", ""),
			group("TIMEOUT", "5s", "observability", ""),
		}},
		{"prod", []EnvVar{
			{Name: "API_KEY", Origin: Origin{Level: LevelSecret}, Secret: true},
			{Name: "LOG_FORMAT", Value: "logfmt", Origin: Origin{Level: LevelOverride, Name: "prod"}},
			group("LOG_LEVEL", "warn", "observability", "prod"),
			db(SettingDatabase),
			{Name: "ORDERS_DB_HOST", Value: "localhost", Origin: Origin{Level: LevelService}},
			db(SettingPassword), db(SettingPort), db(SettingURL), db(SettingUser),
			group("RETRIES", "7", "overrides-first", ""),
			group("TIMEOUT", "5s", "observability", ""),
		}},
	}
	for _, tt := range tests {
		w := workload(t, c, "orders", tt.env)
		if diff := cmp.Diff(tt.want, w.Vars); diff != "" {
			t.Errorf("orders vars in %q (-want +got):\n%s", tt.env, diff)
		}
	}

	prod := workload(t, c, "orders", "prod")
	wantShadowed := map[string][]EnvVar{
		"LOG_FORMAT": {
			{Name: "LOG_FORMAT", Value: "text", Origin: Origin{Level: LevelService}},
			group("LOG_FORMAT", "json", "observability", ""),
		},
		"LOG_LEVEL":      {group("LOG_LEVEL", "info", "observability", "")},
		"ORDERS_DB_HOST": {db(SettingHost)},
	}
	if diff := cmp.Diff(wantShadowed, prod.Shadowed); diff != "" {
		t.Errorf("orders shadowed values in prod, highest first (-want +got):\n%s", diff)
	}
}

func TestResolveSettings(t *testing.T) {
	t.Parallel()
	c := loadFixture(t, "testdata/valid-precedence.yaml")
	tests := []struct {
		name, service, env string
		replicas           int
		image              string
		compute            Compute
	}{
		{"base keeps the bare name of a built image", "orders", "", 2, "orders",
			Compute{"200m", "256Mi", DefaultStorage, "200m", "300Mi", DefaultStorage}},
		{"service replicas beat the environment default; override resources win", "orders", "prod", 2,
			"registry.example.com/shop/orders:1.4.2", Compute{"200m", "1Gi", DefaultStorage, "200m", "1Gi", DefaultStorage}},
		{"environment default replicas and prebuilt image", "cart", "prod", 3,
			"registry.example.com/cart:2.0", Compute{DefaultCPU, DefaultMemory, DefaultStorage, DefaultCPU, DefaultMemory, DefaultStorage}},
		{"dev has no replica default", "cart", DevEnvironment, 1,
			"registry.example.com/cart:2.0", Compute{DefaultCPU, DefaultMemory, DefaultStorage, DefaultCPU, DefaultMemory, DefaultStorage}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := workload(t, c, tt.service, tt.env)
			if w.Replicas != tt.replicas || w.Image != tt.image || w.Compute != tt.compute {
				t.Errorf("got replicas %d image %q compute %+v; want %d %q %+v",
					w.Replicas, w.Image, w.Compute, tt.replicas, tt.image, tt.compute)
			}
		})
	}
	if v, ok := workload(t, c, "cart", DevEnvironment).Var("DEBUG"); !ok || v.Value != "true" || v.Origin.String() != "override dev" {
		t.Errorf("dev override of cart: got %+v, %v", v, ok)
	}
	if _, ok := workload(t, c, "cart", "prod").Var("DEBUG"); ok {
		t.Error("dev override leaked into prod")
	}
}

func TestUsedServiceURL(t *testing.T) {
	t.Parallel()
	c, err := Parse(fsys.OS{}, "tandem.yaml", []byte(`name: shop
services:
  bff: {image: bff:1, uses: [catalog, orders, worker], env: {ORDERS_URL: http://orders.internal}}
  catalog: {image: catalog:1, ports: [{name: grpc, port: 9000}, {name: http, port: 8080}]}
  orders: {image: orders:1, ports: [{name: api, port: 7000}]}
  worker: {image: worker:1}
`))
	if err != nil {
		t.Fatal(err)
	}
	w := workload(t, c, "bff", "")
	want := []EnvVar{
		{Name: "CATALOG_URL", Value: "http://catalog:8080", Origin: Origin{Level: LevelUses, Name: "catalog"}},
		{Name: "ORDERS_URL", Value: "http://orders.internal", Origin: Origin{Level: LevelService}},
	}
	if diff := cmp.Diff(want, w.Vars); diff != "" {
		t.Errorf("bff vars (-want +got):\n%s", diff)
	}
}

func TestOriginString(t *testing.T) {
	t.Parallel()
	for want, o := range map[string]Origin{
		"resource orders-db":                            {Level: LevelResource, Name: "orders-db"},
		"config group observability":                    {Level: LevelConfigGroup, Name: "observability"},
		"config group observability (environment prod)": {Level: LevelConfigGroup, Name: "observability", Env: "prod"},
		"service":       {Level: LevelService},
		"uses catalog":  {Level: LevelUses, Name: "catalog"},
		"override prod": {Level: LevelOverride, Name: "prod"},
		"secret":        {Level: LevelSecret},
	} {
		if got := o.String(); got != want {
			t.Errorf("%+v: got %q, want %q", o, got, want)
		}
	}
}

// TestResolvePanicsOnTheCallersGoroutine: a panic while resolving a
// service, on a worker, reaches the caller of Resolve, which has no error
// to return it as, where a recover (safe.Go's) can see it.
func TestResolvePanicsOnTheCallersGoroutine(t *testing.T) {
	t.Parallel()
	c := &Catalogue{Services: map[string]*Service{"a": {}, "b": nil}}
	defer func() {
		err, _ := recover().(error)
		var panicked *safe.PanicError
		if !errors.As(err, &panicked) {
			t.Errorf("recovered %v, want the worker's panic as a *safe.PanicError", err)
		}
	}()
	c.Resolve("prod")
	t.Error("Resolve did not panic")
}

// TestResolveGracePeriod: unset keeps the platform's default (nil); an
// environment's override wins over the service's value.
func TestResolveGracePeriod(t *testing.T) {
	t.Parallel()
	c, err := Parse(fsys.OS{}, "tandem.yaml", []byte(`name: shop
environments: {staging: {}, prod: {}}
services:
  api:
    image: api:1.0
    terminationGracePeriodSeconds: 45
    overrides: {prod: {terminationGracePeriodSeconds: 120}}
  web: {image: web:1.0}
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		service, env string
		want         *int64
	}{
		{"api", "", ptrTo(int64(45))},
		{"api", "staging", ptrTo(int64(45))},
		{"api", "prod", ptrTo(int64(120))},
		{"web", "prod", nil},
	} {
		if diff := cmp.Diff(tt.want, workload(t, c, tt.service, tt.env).TerminationGracePeriodSeconds); diff != "" {
			t.Errorf("%s in %q (-want +got):\n%s", tt.service, tt.env, diff)
		}
	}
}

// TestResourceCompute: an in-cluster resource's requests and limits come
// from its override, its own resources, then the defaults; a limit left
// unset follows a request the catalogue sets, else the default limit.
func TestResourceCompute(t *testing.T) {
	t.Parallel()
	c, err := Parse(fsys.OS{}, "tandem.yaml", []byte(`name: shop
environments: {staging: {}, prod: {}}
resources:
  db:
    kind: postgres
    inCluster: [staging, prod]
    resources: {cpu: 500m, limits: {memory: 2Gi}}
    overrides: {staging: {resources: {cpu: 50m, memory: 128Mi, limits: {memory: 256Mi}}}}
  cache: {kind: redis, inCluster: [prod]}
services:
  api: {image: api:1.0, uses: [db, cache]}
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		resource, env string
		want          Compute
	}{
		{"db", "prod", Compute{"500m", "512Mi", "512Mi", "500m", "2Gi", "512Mi"}},
		{"db", "staging", Compute{"50m", "128Mi", "512Mi", "50m", "256Mi", "512Mi"}},
		{"cache", "prod", Compute{"250m", "512Mi", "512Mi", "1", "512Mi", "512Mi"}},
	} {
		if diff := cmp.Diff(tt.want, c.ResourceCompute(tt.resource, tt.env)); diff != "" {
			t.Errorf("%s in %s (-want +got):\n%s", tt.resource, tt.env, diff)
		}
	}
}

// TestReadinessCommandFollowsTheVersionsTools: old mongo images have no
// mongosh and old RabbitMQ images no rabbitmq-diagnostics.
func TestReadinessCommandFollowsTheVersionsTools(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ kind, version, want string }{
		{"mongo", "3.4", "mongo"},
		{"mongo", "4.4.29", "mongo"},
		{"mongo", "5.0", "mongosh"},
		{"mongo", "7", "mongosh"},
		{"mongo", "", "mongosh"},
		{"mongo", "latest", "mongosh"},
		{"rabbitmq", "3.6.8", "rabbitmqctl"},
		{"rabbitmq", "3.6-management", "rabbitmqctl"},
		{"rabbitmq", "3.7", "rabbitmq-diagnostics"},
		{"rabbitmq", "3.13-management", "rabbitmq-diagnostics"},
		{"rabbitmq", "4", "rabbitmq-diagnostics"},
		{"rabbitmq", "2", "rabbitmqctl"},
	} {
		r := &Resource{Kind: tt.kind, Version: tt.version}
		if got := r.ReadinessCommand()[0]; got != tt.want {
			t.Errorf("%s %q: %s, want %s", tt.kind, tt.version, got, tt.want)
		}
	}
}
