// Command gen builds cmd/tandem-probe for every architecture in
// probe.Arches into ../bin, static and stripped, for go:embed.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/tandemdev/tandem/compose/probe"
)

func main() {
	for _, arch := range probe.Arches {
		out := filepath.Join("bin", probe.FileName(arch))
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", out, "github.com/tandemdev/tandem/cmd/tandem-probe")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+arch)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "building %s: %v\n", out, err)
			os.Exit(1)
		}
	}
}
