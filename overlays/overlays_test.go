package overlays

import (
	"testing"

	kusttypes "sigs.k8s.io/kustomize/api/types"
)

func TestImageChange(t *testing.T) {
	t.Parallel()
	const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		from, to string
		want     kusttypes.Image
	}{
		{"orders", "registry.example.com/shop/orders:1.4.2",
			kusttypes.Image{Name: "orders", NewName: "registry.example.com/shop/orders", NewTag: "1.4.2"}},
		{"ghcr.io/x/worker:1.0", "ghcr.io/x/worker:1.1", kusttypes.Image{Name: "ghcr.io/x/worker", NewTag: "1.1"}},
		{"localhost:5000/worker:1.0", "localhost:5000/worker@" + digest,
			kusttypes.Image{Name: "localhost:5000/worker", Digest: digest}},
		{"localhost:5000/worker", "other:5000/worker",
			kusttypes.Image{Name: "localhost:5000/worker", NewName: "other:5000/worker"}},
	}
	for _, tt := range tests {
		if got := imageChange(tt.from, tt.to); got != tt.want {
			t.Errorf("imageChange(%q, %q) = %+v, want %+v", tt.from, tt.to, got, tt.want)
		}
	}
}
