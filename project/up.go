package project

import (
	"context"
	"io"
	"path/filepath"
	"slices"
	"time"

	"github.com/tandemdev/tandem/compose"
	"github.com/tandemdev/tandem/compose/probe"
	"github.com/tandemdev/tandem/compose/runner"
	"github.com/tandemdev/tandem/manifest"
)

// UpOptions choose what up starts: the services named, every service of
// the domains named, and all they use; everything when none is named.
type UpOptions struct {
	Services, Domains []string
	// Verbose passes Compose's own output through.
	Verbose bool
}

// Up is a `tandem up` ready to run: everything that can fail without
// changing anything (the catalogue, the names, Docker, the ports) has
// been checked, and nothing has been written yet.
type Up struct {
	p *Project
	// Plan is what starts, in order.
	Plan runner.Plan
	// Compose runs the rendered Compose file.
	Compose             *runner.Project
	generated, platform manifest.Files
	probe               []byte
}

// PrepareUp renders in memory, finds Docker and checks that the ports the
// plan publishes are free.
func (p *Project) PrepareUp(ctx context.Context, o UpOptions) (*Up, error) {
	generated, platform, err := p.Rendered()
	if err != nil {
		return nil, err
	}
	selection, err := p.Catalogue.Selection(o.Services, o.Domains)
	if err != nil {
		return nil, err // an unknown name, which is the input's fault already
	}
	plan := runner.NewPlan(p.Catalogue, selection)
	engine, err := runner.FindEngine(ctx)
	if err != nil {
		return nil, err
	}
	var probeBinary []byte
	if compose.NeedsProbe(p.Catalogue) {
		// The probe runs in the engine's containers, whatever this
		// machine's architecture.
		if probeBinary, err = probe.Binary(engine.Arch); err != nil {
			return nil, err
		}
	}
	project := p.composeProject(engine)
	project.Verbose = o.Verbose
	if err := project.CheckPorts(ctx, plan); err != nil {
		return nil, err
	}
	return &Up{p: p, Plan: plan, Compose: project, generated: generated, platform: platform, probe: probeBinary}, nil
}

// Render writes what PrepareUp rendered, as Project.Render does, and the
// engine's health probe.
func (u *Up) Render() (RenderReport, error) {
	report, err := u.p.write(u.generated, u.platform)
	if err != nil || u.probe == nil {
		return report, err
	}
	warnings, err := u.p.state.InstallProbe(u.probe)
	report.ProbeWarnings = append(report.ProbeWarnings, warnings...)
	return report, err
}

// Start builds the plan's images and starts it, each unit once what it
// uses is ready, printing progress to out; it waits until every unit is
// ready, or timeout.
func (u *Up) Start(ctx context.Context, timeout time.Duration, out io.Writer) (map[string]runner.Container, error) {
	if err := u.Compose.Build(ctx, u.Plan, out); err != nil {
		return nil, err
	}
	return u.Compose.Up(ctx, u.Plan, timeout, out)
}

// Compose is the Compose project of the last up, for down, ps and logs;
// names, if any, must be the catalogue's services, resources or
// services' jobs.
func (p *Project) Compose(ctx context.Context, names []string) (*runner.Project, error) {
	names = slices.DeleteFunc(slices.Clone(names), p.Catalogue.IsJob)
	if _, err := p.Catalogue.Selection(names, nil); err != nil {
		return nil, err
	}
	engine, err := runner.FindEngine(ctx)
	if err != nil {
		return nil, err
	}
	return p.composeProject(engine), nil
}

// RunningPlan is the plan of what runs, by the states of the project's
// containers, in the catalogue's order.
func (p *Project) RunningPlan(states map[string]runner.Container) (runner.Plan, error) {
	var running []string
	for _, name := range append(p.Catalogue.ServiceNames(), p.Catalogue.ResourceNames()...) {
		if _, ok := states[name]; ok {
			running = append(running, name)
		}
	}
	selection, err := p.Catalogue.Selection(running, nil)
	if err != nil {
		return nil, err
	}
	return runner.NewPlan(p.Catalogue, selection), nil
}

// composeProject is the Compose project of the catalogue, named after it
// and its folder, so that two checkouts do not share containers.
func (p *Project) composeProject(engine *runner.Engine) *runner.Project {
	dir := filepath.Dir(p.file)
	composeFile, err := p.fs.Abs(filepath.Join(p.outDir(), manifest.ComposeFile))
	if err != nil {
		composeFile = filepath.Join(p.out, manifest.ComposeFile)
	}
	envFile, err := p.fs.Abs(p.state.EnvFile())
	if err != nil {
		envFile = p.state.EnvFile()
	}
	absDir, err := p.fs.Abs(dir)
	if err != nil {
		absDir = dir
	}
	return &runner.Project{Engine: engine, Name: runner.ProjectName(p.Catalogue.Name, absDir), File: composeFile, EnvFile: envFile,
		Profiles: []string{compose.JobsProfile, compose.OnRequestProfile}}
}
