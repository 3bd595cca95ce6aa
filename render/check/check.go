package check

import (
	"bytes"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/pmezard/go-difflib/difflib"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/render/build"
	"github.com/tandemdev/tandem/render/stale"
	"github.com/tandemdev/tandem/render/validate"
)

// Finding is one thing `tandem check` reports.
type Finding struct {
	// Check names what failed: drift, patch, build, invalid, config, uses and,
	// from the command, dev-secrets and server.
	Check string `json:"check"`
	// File is the file the finding is about, if one: in the output folder,
	// or the catalogue (or a file it includes) for findings about a value
	// in it, or a service's source.
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Message string `json:"message"`
	// Help explains the rule a finding follows where it is not obvious.
	Help string `json:"help,omitempty"`
	// Diff is the unified diff of what render would change, for drift.
	Diff string `json:"diff,omitempty"`
}

// Run compares the generated files with what is on disk, checks every
// platform patch against its overlay, and builds and validates every
// environment; it returns the findings and the builds, by environment, of
// those that build. dir, the output folder, prefixes the files findings
// name.
func Run(c *catalogue.Catalogue, generated, platform, onDisk manifest.Files, dir string) ([]Finding, map[string][]byte) {
	var out []Finding
	builds := map[string][]byte{}
	out = append(out, drift(generated, onDisk)...)
	files := generated.Merge(platform)
	for _, env := range c.DeployEnvironments() {
		found, err := stale.Patches(c, files, env)
		if err != nil {
			out = append(out, Finding{Check: "patch", Message: fmt.Sprintf("%s: %v", env, err)})
		}
		for _, s := range found {
			out = append(out, Finding{Check: "patch", File: s.File, Line: s.Line, Message: s.Problem()})
		}
		if len(found) > 0 {
			continue // the build fails on them, and they are reported already
		}
		// Stale patches were looked for above, so stale.Explain would
		// leave a build error as it is.
		built, err := build.Overlay(c, files, env)
		if err != nil {
			out = append(out, Finding{Check: "build", Message: err.Error()})
			continue
		}
		builds[env] = built
		for _, problem := range validate.Manifests(built) {
			out = append(out, Finding{Check: "invalid", Message: fmt.Sprintf("%s: %v", env, problem)})
		}
	}
	for i := range out {
		if out[i].File != "" {
			out[i].File = path.Join(dir, out[i].File)
		}
		out[i].Diff = strings.ReplaceAll(strings.ReplaceAll(out[i].Diff, "--- a/", "--- a/"+dir+"/"), "+++ b/", "+++ b/"+dir+"/")
	}
	// These name the catalogue's own files, which are not in dir.
	out = append(out, unknownConfigKeys(c)...)
	out = append(out, undeclaredUses(c)...)
	return out, builds
}

func drift(generated, onDisk manifest.Files) []Finding {
	var out []Finding
	paths := generated.Merge(onDisk).Paths()
	for _, p := range paths {
		want, rendered := generated[p]
		have, written := onDisk[p]
		switch {
		case rendered && written && bytes.Equal(want, have):
			continue
		case !written:
			out = append(out, Finding{Check: "drift", File: p, Message: "missing (or lost its generated header); run tandem render", Diff: unified(p, nil, want)})
		case !rendered:
			out = append(out, Finding{Check: "drift", File: p, Message: "no longer rendered; run tandem render to remove it", Diff: unified(p, have, nil)})
		default:
			out = append(out, Finding{Check: "drift", File: p, Message: "differs from what tandem render writes; run tandem render", Diff: unified(p, have, want)})
		}
	}
	return out
}

func unified(p string, from, to []byte) string {
	diff, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(string(from)), B: difflib.SplitLines(string(to)),
		FromFile: "a/" + p, ToFile: "b/" + p, Context: 3,
	})
	return diff
}

// unknownConfigKeys reports environment overrides of config keys that the
// group does not have but that look like a key it has: a typo adds a
// variable instead of changing one, silently.
func unknownConfigKeys(c *catalogue.Catalogue) []Finding {
	var out []Finding
	for _, env := range c.EnvironmentNames() {
		e := c.Environments[env]
		if e == nil {
			continue
		}
		for _, group := range slices.Sorted(maps.Keys(e.Config)) {
			for _, key := range slices.Sorted(maps.Keys(e.Config[group])) {
				if _, ok := c.Config[group][key]; ok {
					continue
				}
				if like, ok := catalogue.Closest(key, slices.Sorted(maps.Keys(c.Config[group]))); ok {
					out = append(out, Finding{Check: "config", Message: fmt.Sprintf(
						"environments.%s.config.%s.%s: config group %s has no key %s (did you mean %s?), so %s adds a variable instead of changing one",
						env, group, key, group, key, like, env)})
				}
			}
		}
	}
	return out
}
