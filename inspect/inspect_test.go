package inspect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/internal/golden"
)

func shop(t *testing.T) *catalogue.Catalogue {
	t.Helper()
	c, err := catalogue.Load(fsys.OS{}, "../examples/shop/tandem.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestEnvGolden covers every rung of the precedence ladder on the shop:
// resources and used services (bff, orders), config groups and an
// environment's override of one (orders in prod), the service's env and
// an override of it (notifications in prod), secrets in dev and elsewhere.
func TestEnvGolden(t *testing.T) {
	t.Parallel()
	c := shop(t)
	for _, tt := range []struct{ service, env string }{
		{"bff", "dev"}, {"bff", "prod"}, {"orders", "prod"}, {"notifications", "prod"}, {"catalog", "dev"},
	} {
		vars, err := Env(c, tt.service, tt.env)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := WriteEnv(&buf, vars); err != nil {
			t.Fatal(err)
		}
		golden.Check(t, fmt.Sprintf("testdata/env-%s-%s.golden", tt.service, tt.env), buf.Bytes())
	}
	vars, err := Env(c, "notifications", "prod")
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.MarshalIndent(vars, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	golden.Check(t, "testdata/env-notifications-prod.json", append(data, '\n'))
}

func TestDiffGolden(t *testing.T) {
	t.Parallel()
	c := shop(t)
	for _, pair := range [][2]string{{"staging", "prod"}, {"dev", "staging"}} {
		changes, err := Diff(c, pair[0], pair[1])
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := WriteDiff(&buf, pair[0], pair[1], changes); err != nil {
			t.Fatal(err)
		}
		golden.Check(t, fmt.Sprintf("testdata/diff-%s-%s.golden", pair[0], pair[1]), buf.Bytes())
	}
}

// TestNoSecretValueShown uses a catalogue whose dev env file would hold
// values: nothing inspect prints may come from anywhere but the catalogue.
func TestNoSecretValueShown(t *testing.T) {
	t.Parallel()
	c := shop(t)
	for _, env := range []string{"dev", "staging", "prod"} {
		for _, service := range c.ServiceNames() {
			vars, err := Env(c, service, env)
			if err != nil {
				t.Fatal(err)
			}
			for _, v := range vars {
				if v.Secret && !strings.Contains(v.Value.Value, Mask) && !strings.HasPrefix(v.Value.Value, "(Secret ") {
					t.Errorf("%s %s in %s shows %q", service, v.Name, env, v.Value.Value)
				}
			}
		}
	}
}

func TestUnknownNames(t *testing.T) {
	t.Parallel()
	c := shop(t)
	if _, err := Env(c, "order", "prod"); !errors.Is(err, ErrUnknown) {
		t.Errorf("unknown service: %v", err)
	}
	if _, err := Diff(c, "staging", "qa"); !errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), "(environments: dev, prod, staging)") {
		t.Errorf("unknown environment: %v", err)
	}
}

// TestDiffGracePeriod: a grace period an environment overrides, or leaves
// to the platform's default, shows as a change.
func TestDiffGracePeriod(t *testing.T) {
	t.Parallel()
	c, err := catalogue.Load(fsys.OS{}, "../render/testdata/podsettings.tandem.yaml")
	if err != nil {
		t.Fatal(err)
	}
	changes, err := Diff(c, "staging", "prod")
	if err != nil {
		t.Fatal(err)
	}
	var got []Change
	for _, change := range changes {
		if change.Field == "terminationGracePeriodSeconds" {
			got = append(got, change)
		}
	}
	want := []Change{
		{Service: "api", Field: "terminationGracePeriodSeconds", From: "45", To: "120"},
		{Service: "worker", Field: "terminationGracePeriodSeconds", From: "10", To: "(default)"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("grace period changes (-want +got):\n%s", diff)
	}
}

// TestDiffCommand: an environment's command and args show as changes,
// the way a shell would read them.
func TestDiffCommand(t *testing.T) {
	t.Parallel()
	c, err := catalogue.Load(fsys.OS{}, "../render/testdata/perenv.tandem.yaml")
	if err != nil {
		t.Fatal(err)
	}
	changes, err := Diff(c, "dev", "prod")
	if err != nil {
		t.Fatal(err)
	}
	var got []Change
	for _, change := range changes {
		if change.Field == "command" || change.Field == "args" {
			got = append(got, change)
		}
	}
	want := []Change{
		{Service: "api", Field: "command", From: "dlv exec /app/api --headless --listen=:40000 --continue --accept-multiclient --", To: "/app/api"},
		{Service: "api", Field: "args", From: "serve --log-level debug", To: "serve --workers 8"},
		{Service: "warmer", Field: "args", From: "--all", To: "--hot-only"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("command changes (-want +got):\n%s", diff)
	}
}
