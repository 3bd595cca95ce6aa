// Command benchtable times tandem against kubectl kustomize on synthetic
// catalogues (internal/synth) of 10 to 3000 services and prints a markdown
// table for the README: catalogue load + validate, render (both outputs,
// into a new folder and into an up-to-date one), build prod, kubectl kustomize of the rendered prod
// overlay (whose bytes must equal build prod's), and render + build of
// every environment; each with its wall time (median of -runs) and the
// peak memory of its process.
//
// Each phase runs in a child process of this program, so that its peak
// resident memory is its own: go run ./internal/cmd/benchtable (make bench).
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/cmd/tandem/app"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/internal/gctune"
	"github.com/tandemdev/tandem/internal/synth"
)

func main() {
	phase := flag.String("phase", "", "internal: run one phase in this process")
	dir := flag.String("dir", "", "internal: the project folder of -phase")
	sizes := flag.String("sizes", "10,100,1000,3000", "comma-separated numbers of services")
	runs := flag.Int("runs", 3, "runs per phase (the median is reported); kubectl runs once from 1000 services on")
	kubectlMax := flag.Int("kubectl-max", 1000, "largest catalogue to time kubectl kustomize on (quadratic: about 1.5 minutes at 1000, far longer at 3000)")
	flag.Parse()
	if *phase != "" {
		if err := runPhase(*phase, *dir); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	var ns []int
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "benchtable: bad size %q\n", s)
			os.Exit(2)
		}
		ns = append(ns, n)
	}
	if err := table(os.Stdout, ns, *runs, *kubectlMax); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

// runPhase is one measured phase, in a child process.
func runPhase(phase, dir string) error {
	gctune.Tune()
	file := filepath.Join(dir, "tandem.yaml")
	out := filepath.Join(dir, "deploy")
	tandem := func(stdout io.Writer, args ...string) error {
		var stderr bytes.Buffer
		if code := app.Run(context.Background(), app.Streams{In: strings.NewReader(""), Out: stdout, Err: &stderr}, append([]string{"tandem"}, args...)); code != 0 {
			return fmt.Errorf("tandem %v: exit %d: %s", args, code, stderr.String())
		}
		return nil
	}
	switch phase {
	case "load":
		_, err := catalogue.Load(fsys.OS{}, file)
		return err
	case "render":
		return tandem(io.Discard, "render", "-f", file, "-o", out)
	case "build":
		f, err := os.Create(filepath.Join(dir, "tandem-build.yaml"))
		if err != nil {
			return err
		}
		defer f.Close()
		return tandem(f, "build", "prod", "-f", file, "-o", out)
	case "all":
		if err := tandem(io.Discard, "render", "-f", file, "-o", out); err != nil {
			return err
		}
		for _, env := range []string{"staging", "prod"} {
			if err := tandem(io.Discard, "build", env, "-f", file, "-o", out); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("unknown phase %q", phase)
}

type measure struct {
	wall time.Duration
	peak int64 // bytes
}

func (m measure) String() string {
	return fmt.Sprintf("%s, %d MB", round(m.wall), m.peak>>20)
}

func round(d time.Duration) string {
	switch {
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	case d < time.Minute:
		return fmt.Sprintf("%.2f s", d.Seconds())
	}
	return fmt.Sprintf("%.0f s", d.Seconds())
}

// timeCommand runs a command runs times, each after prepare, and returns
// the median wall time and the largest peak resident memory.
func timeCommand(runs int, prepare func() error, name string, args ...string) (measure, error) {
	var walls []time.Duration
	var peak int64
	for range runs {
		if err := prepare(); err != nil {
			return measure{}, err
		}
		cmd := exec.Command(name, args...)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		if err := cmd.Run(); err != nil {
			return measure{}, fmt.Errorf("%s %s: %v: %s", name, strings.Join(args, " "), err, stderr.String())
		}
		walls = append(walls, time.Since(start))
		if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss*1024 > peak {
			peak = ru.Maxrss * 1024 // kilobytes on Linux
		}
	}
	sort.Slice(walls, func(i, j int) bool { return walls[i] < walls[j] })
	return measure{wall: walls[len(walls)/2], peak: peak}, nil
}

func table(w io.Writer, sizes []int, runs, kubectlMax int) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	kubectl, err := exec.LookPath("kubectl")
	if err != nil {
		return fmt.Errorf("kubectl is needed for the comparison: %w", err)
	}
	fmt.Fprintln(w, "| services | load + validate | render, new tree | render, tree up to date | build prod | kubectl kustomize (prod) | kubectl ÷ build | render + build every env |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|")
	builds := map[int]time.Duration{}
	for _, n := range sizes {
		dir, err := os.MkdirTemp("", "tandem-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		if err := writeProject(dir, n); err != nil {
			return err
		}
		phase := func(name string, prepare func() error) (measure, error) {
			return timeCommand(runs, prepare, self, "-phase", name, "-dir", dir)
		}
		load, err := phase("load", nothing)
		if err != nil {
			return err
		}
		// A first render writes every file; then the tree is up to date,
		// as in a checkout that commits it. The previous tree is moved
		// aside, not removed: right after tens of thousands of files are
		// deleted, creating files on this machine's disk (ext4 without a
		// journal) is several times slower, which no first render meets.
		moved := 0
		fresh, err := phase("render", func() error {
			moved++
			if err := os.Rename(filepath.Join(dir, "deploy"), filepath.Join(dir, fmt.Sprintf("deploy-before-%d", moved))); err != nil {
				return err
			}
			return writeProject(dir, n)
		})
		if err != nil {
			return err
		}
		rendered, err := phase("render", nothing)
		if err != nil {
			return err
		}
		built, err := phase("build", nothing)
		if err != nil {
			return err
		}
		builds[n] = built.wall
		all, err := phase("all", nothing)
		if err != nil {
			return err
		}
		kube, ratio := "not run (-kubectl-max)", ""
		if n <= kubectlMax {
			kubectlRuns := runs
			if n >= 1000 {
				kubectlRuns = 1 // minutes each
			}
			k, err := timeKubectl(kubectl, dir, kubectlRuns)
			if err != nil {
				return err
			}
			kube, ratio = k.String(), fmt.Sprintf("%.1f×", k.wall.Seconds()/built.wall.Seconds())
		}
		fmt.Fprintf(w, "| %d | %s | %s | %s | %s | %s | %s | %s |\n", n, load, fresh, rendered, built, kube, ratio, all)
	}
	if b1, b3 := builds[1000], builds[3000]; b1 > 0 && b3 > 0 {
		fmt.Fprintf(w, "\nbuild prod, 3000 services ÷ 1000: %.2f× (linear would be 3×)\n", b3.Seconds()/b1.Seconds())
	}
	return nil
}

// timeKubectl times kubectl kustomize on the rendered prod overlay and
// fails unless it printed exactly what tandem build prod printed.
func timeKubectl(kubectl, dir string, runs int) (measure, error) {
	overlay := filepath.Join(dir, "deploy", "overlays", "prod")
	m, err := timeCommand(runs, nothing, "sh", "-c", fmt.Sprintf("%q kustomize %q > %q", kubectl, overlay, filepath.Join(dir, "kubectl.yaml")))
	if err != nil {
		return m, err
	}
	want, err := os.ReadFile(filepath.Join(dir, "kubectl.yaml"))
	if err != nil {
		return m, err
	}
	got, err := os.ReadFile(filepath.Join(dir, "tandem-build.yaml"))
	if err != nil {
		return m, err
	}
	if !bytes.Equal(got, want) {
		return m, fmt.Errorf("tandem build prod differs from kubectl kustomize in %s", dir)
	}
	return m, nil
}

func nothing() error { return nil }

// writeProject writes a synthetic catalogue of n services and its
// platform patches.
func writeProject(dir string, n int) error {
	if err := os.WriteFile(filepath.Join(dir, "tandem.yaml"), synth.Catalogue(n), 0o644); err != nil {
		return err
	}
	for path, content := range synth.PlatformPatches(n) {
		full := filepath.Join(dir, "deploy", filepath.FromSlash(path))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(full, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}
