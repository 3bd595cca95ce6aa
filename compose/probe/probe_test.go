package probe

import (
	"errors"
	"strings"
	"testing"
)

func TestBinaryForAnUnknownArchitecture(t *testing.T) {
	_, err := Binary("s390x")
	if !errors.Is(err, ErrMissing) || !strings.Contains(err.Error(), "linux/s390x: build tandem with `make build`") {
		t.Errorf("got %v", err)
	}
}

// TestEmbeddedBinariesAreLinuxExecutables holds once go generate has run
// (make test runs it first): each embedded probe is a static ELF binary.
func TestEmbeddedBinariesAreLinuxExecutables(t *testing.T) {
	for _, arch := range Arches {
		data, err := Binary(arch)
		if errors.Is(err, ErrMissing) {
			t.Skipf("the probes are not built: run go generate ./compose/probe (make probe)")
		}
		if err != nil || !strings.HasPrefix(string(data), "\x7fELF") {
			t.Errorf("%s: %v, %d bytes starting %q", arch, err, len(data), data[:min(len(data), 4)])
		}
	}
}
