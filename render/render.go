package render

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/compose"
	"github.com/tandemdev/tandem/internal/safe"
	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/overlays"
)

// Input is everything a render depends on.
type Input struct {
	Catalogue *catalogue.Catalogue
	// ProjectDir is the catalogue's folder relative to the output folder.
	ProjectDir string
	// Platform holds the platform team's files under overlays/ENV/patches/
	// and components/, by path relative to the output folder. They are
	// listed in the overlays, never produced.
	Platform manifest.Files
	// RepoPath is the output folder relative to the repository's root,
	// which CODEOWNERS paths start from.
	RepoPath string
	// Overlays, when set, limits the render to the kustomize base and the
	// overlays of these environments, leaving out the Compose file and
	// CODEOWNERS: what building them needs.
	Overlays []string
}

// Render returns every file tandem generates for the input. It is pure:
// the same input gives the same bytes.
func Render(in Input) (manifest.Files, error) {
	c := in.Catalogue
	// The Compose file is independent of the kustomize tree; rendering it
	// beside the tree keeps both cores busy.
	var composing errgroup.Group
	var composeFile []byte
	kustomizeOnly := in.Overlays != nil
	if !kustomizeOnly {
		safe.Go(&composing, func() (err error) {
			composeFile, err = compose.Render(c, compose.Options{ProjectDir: in.ProjectDir})
			return err
		})
	}
	files, err := Base(c)
	if err != nil {
		return nil, fmt.Errorf("rendering the base: %w", err)
	}
	components := manifest.ComponentDirs(in.Platform)
	for _, env := range c.DeployEnvironments() {
		if kustomizeOnly && !slices.Contains(in.Overlays, env) {
			continue
		}
		overlay, err := overlays.Render(c, env, manifest.PlatformPatches(in.Platform, env), components)
		if err != nil {
			return nil, fmt.Errorf("rendering overlay %q: %w", env, err)
		}
		for p, data := range overlay {
			files[p] = data
		}
	}
	if kustomizeOnly {
		return files, nil
	}
	if err := composing.Wait(); err != nil {
		return nil, err
	}
	files[manifest.ComposeFile] = composeFile
	if c.Owners != nil {
		files[manifest.CodeOwnersFile] = codeOwners(c.Owners, in.RepoPath)
	}
	return files, nil
}

// codeOwners renders the CODEOWNERS fragment; later rules win in
// CODEOWNERS, so the platform's paths come after the generated tree.
func codeOwners(o *catalogue.Owners, repoPath string) []byte {
	root := "/" + strings.Trim(path.Clean("/"+repoPath), "/")
	if root != "/" {
		root += "/"
	}
	var b strings.Builder
	b.WriteString(manifest.Header)
	b.WriteString("# Who reviews the rendered tree; append this to CODEOWNERS.\n")
	if len(o.Generated) > 0 {
		b.WriteString("# Generated: change tandem.yaml and run tandem render instead of editing.\n")
		fmt.Fprintf(&b, "%s %s\n", root, strings.Join(o.Generated, " "))
	}
	if len(o.Platform) > 0 {
		b.WriteString("# The platform team's patches and components.\n")
		fmt.Fprintf(&b, "%s%s/*/%s/ %s\n", root, manifest.OverlaysDir, manifest.PatchesDir, strings.Join(o.Platform, " "))
		fmt.Fprintf(&b, "%s%s/ %s\n", root, manifest.ComponentsDir, strings.Join(o.Platform, " "))
	}
	return []byte(b.String())
}
