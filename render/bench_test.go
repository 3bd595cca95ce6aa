package render_test

import (
	"fmt"
	"testing"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/internal/synth"
	"github.com/tandemdev/tandem/render"
	"github.com/tandemdev/tandem/render/internal/rendertest"
)

var benchSizes = []int{10, 100, 1000, 3000}

// BenchmarkLoad measures loading and validating; bytes/service shows
// whether memory grows linearly with the catalogue.
func BenchmarkLoad(b *testing.B) {
	for _, n := range benchSizes {
		data := synth.Catalogue(n)
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			before := rendertest.Allocated()
			for b.Loop() {
				if _, err := catalogue.Parse(fsys.OS{}, "tandem.yaml", data); err != nil {
					b.Fatal(err)
				}
			}
			rendertest.ReportPerService(b, n, before)
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
			before := rendertest.Allocated()
			for b.Loop() {
				if _, err := render.Render(render.Input{Catalogue: c, ProjectDir: ".."}); err != nil {
					b.Fatal(err)
				}
			}
			rendertest.ReportPerService(b, n, before)
		})
	}
}
