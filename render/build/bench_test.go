package build

import (
	"fmt"
	"testing"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/internal/synth"
	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/render"
	"github.com/tandemdev/tandem/render/internal/rendertest"
)

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
		files, err := render.Render(render.Input{Catalogue: c, ProjectDir: "..", Platform: platform})
		if err != nil {
			b.Fatal(err)
		}
		files = files.Merge(platform)
		b.Run(fmt.Sprintf("services=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			before := rendertest.Allocated()
			for b.Loop() {
				if _, err := build(files, "prod"); err != nil {
					b.Fatal(err)
				}
			}
			rendertest.ReportPerService(b, n, before)
		})
	}
}
