package render

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/internal/synth"
	"github.com/tandemdev/tandem/manifest"
)

var benchSizes = []int{10, 100, 1000, 3000}

// BenchmarkLoad measures loading and validating; bytes/service shows
// whether memory grows linearly with the catalogue.
func BenchmarkLoad(b *testing.B) {
	for _, n := range benchSizes {
		data := synth.Catalogue(n)
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			before := allocated()
			for b.Loop() {
				if _, err := catalogue.Parse(fsys.OS{}, "tandem.yaml", data); err != nil {
					b.Fatal(err)
				}
			}
			reportPerService(b, n, before)
		})
	}
}

// BenchmarkRender measures rendering both outputs from a loaded catalogue.
func BenchmarkRender(b *testing.B) {
	for _, n := range benchSizes {
		c, err := catalogue.Parse(fsys.OS{}, "tandem.yaml", synth.Catalogue(n))
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			before := allocated()
			for b.Loop() {
				if _, err := Render(Input{Catalogue: c, ProjectDir: ".."}); err != nil {
					b.Fatal(err)
				}
			}
			reportPerService(b, n, before)
		})
	}
}

func allocated() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.TotalAlloc
}

// reportPerService adds time and bytes allocated per service and run:
// flat figures across sizes mean linear growth.
func reportPerService(b *testing.B, n int, allocatedBefore uint64) {
	runs := float64(b.N) * float64(n)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/runs, "ns/service")
	b.ReportMetric(float64(allocated()-allocatedBefore)/runs, "B/service")
}

// BenchmarkBuild measures `tandem build prod` after rendering: the split
// build on both cores. BenchmarkBuildWhole is one kustomize build of the
// same tree, what kubectl kustomize does, for comparison.
func BenchmarkBuild(b *testing.B)      { benchmarkBuild(b, build, 10, 100, 1000, 3000) }
func BenchmarkBuildWhole(b *testing.B) { benchmarkBuild(b, buildWhole, 10, 100, 400) }

func benchmarkBuild(b *testing.B, build func(manifest.Files, string) ([]byte, error), sizes ...int) {
	for _, n := range sizes {
		c, err := catalogue.Parse(fsys.OS{}, "tandem.yaml", synth.Catalogue(n))
		if err != nil {
			b.Fatal(err)
		}
		platform := synth.PlatformPatches(n)
		files, err := Render(Input{Catalogue: c, ProjectDir: "..", Platform: platform})
		if err != nil {
			b.Fatal(err)
		}
		files = files.Merge(platform)
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			before := allocated()
			for b.Loop() {
				if _, err := build(files, "prod"); err != nil {
					b.Fatal(err)
				}
			}
			reportPerService(b, n, before)
		})
	}
}
