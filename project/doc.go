// Package project is tandem's entry point. Open loads a catalogue from an
// injected filesystem (fsys.OS on disk, fsys.NewMemory in tests); the
// Project it returns does what the commands need:
//
//	p, err := project.Open(fsys.OS{}, project.Options{File: "tandem.yaml", Out: "deploy"})
//	report, err := p.Render()              // tandem render
//	manifests, how, err := p.Build("prod") // tandem build prod
//
// Rendered renders in memory; Render writes the tree; Build, RenderedDiff,
// Check, Env and Diff read; PrepareUp, Compose and RunningPlan serve up,
// down, ps and logs. SetImage, Import and Init work on a catalogue that
// does not load yet, or is not there.
//
// Every file a project reads or writes goes through its filesystem: the
// catalogue and its includes, the platform's patches, the rendered tree
// (render/tree's staged writer) and the .tandem state (devstate). The
// renderers themselves are pure and touch no filesystem at all. Errors
// about what the user asked for match ErrUsage.
package project
