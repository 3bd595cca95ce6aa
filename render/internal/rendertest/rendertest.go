// Package rendertest gives the tests of render's packages what they build
// on: Render loads and renders a catalogue, and Allocated and
// ReportPerService make benchmark figures comparable across sizes.
package rendertest

import (
	"runtime"
	"testing"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/render"
)

// Render loads the catalogue in file and returns it and its generated
// files, rendered with the platform's files for an output folder beside
// the catalogue's.
func Render(t testing.TB, file string, platform manifest.Files) (*catalogue.Catalogue, manifest.Files) {
	t.Helper()
	c, err := catalogue.Load(fsys.OS{}, file)
	if err != nil {
		t.Fatal(err)
	}
	files, err := render.Render(render.Input{Catalogue: c, ProjectDir: "..", Platform: platform})
	if err != nil {
		t.Fatal(err)
	}
	return c, files
}

// Allocated is the number of bytes allocated so far.
func Allocated() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

// ReportPerService adds time and bytes allocated per service and run,
// since allocatedBefore (see Allocated), to a benchmark of n services:
// flat figures across sizes mean linear growth.
func ReportPerService(b *testing.B, n int, allocatedBefore uint64) {
	runs := float64(b.N) * float64(n)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/runs, "ns/service")
	b.ReportMetric(float64(Allocated()-allocatedBefore)/runs, "B/service")
}
