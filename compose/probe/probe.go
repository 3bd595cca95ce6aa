// Package probe carries the static Linux builds of cmd/tandem-probe inside
// tandem, so `tandem up` can mount an http, tcp or grpc health check into
// containers that have no tools of their own. The binaries are built by go generate
// (make probe) before tandem itself; a tandem built without them says so
// when a service needs one, instead of rendering a check that cannot run.
package probe

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
)

//go:generate go run ./gen

// Arches are the container architectures tandem carries a probe for.
var Arches = []string{"amd64", "arm64"}

//go:embed all:bin
var binaries embed.FS

// ErrMissing means this tandem binary was built without the probe for an
// architecture.
var ErrMissing = errors.New("this tandem was built without its health probe")

// FileName is the name of the probe binary for a Linux architecture.
func FileName(arch string) string { return "tandem-probe-linux-" + arch }

// Binary returns the probe for Linux containers on arch (GOARCH names).
func Binary(arch string) ([]byte, error) {
	data, err := binaries.ReadFile("bin/" + FileName(arch))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w for linux/%s: build tandem with `make build` (it runs go generate ./compose/probe first)", ErrMissing, arch)
	}
	return data, err
}
