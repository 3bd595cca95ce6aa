package render

import (
	"fmt"
	"runtime"
	"testing"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/internal/synth"
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
				if _, err := catalogue.Parse("tandem.yaml", data); err != nil {
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
		c, err := catalogue.Parse("tandem.yaml", synth.Catalogue(n))
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
