package build

import (
	"errors"
	"testing"

	"github.com/tandemdev/tandem/render/internal/rendertest"
)

func TestBuildRejectsEnvironmentsWithoutOverlay(t *testing.T) {
	t.Parallel()
	c, files := rendertest.Render(t, "../../examples/shop/tandem.yaml", nil)
	for env, want := range map[string]string{
		"dev": "unknown environment: dev runs locally from compose.yaml; it has no kustomize overlay (choose one of: prod, staging)",
		"prd": `unknown environment: "prd" (choose one of: prod, staging)`,
	} {
		_, err := Overlay(c, files, env)
		if !errors.Is(err, ErrUnknownEnvironment) || err.Error() != want {
			t.Errorf("Overlay(%s): got %v, want %q", env, err, want)
		}
	}
}
