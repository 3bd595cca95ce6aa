package tree

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"

	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/manifest"
)

// ReadGenerated reads the files of the owner's tree in dir: those Write
// would replace or remove, which carry tandem's header. It refuses what
// Write refuses, holds the folder's lock shared while it reads, and is
// ErrInterrupted when a render into dir was killed half done.
func ReadGenerated(f fsys.FS, dir string, owner Owner) (manifest.Files, error) {
	if err := owner.CheckFolder(f, dir); err != nil {
		return nil, err
	}
	files := manifest.Files{}
	if _, err := f.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return files, nil
	}
	release, err := lockTree(f, dir, false)
	if errors.Is(err, fs.ErrNotExist) {
		return files, nil // a first render that failed took its folder away
	}
	if err != nil {
		return nil, err
	}
	defer release()
	// An interrupted render first: until it is finished, the tree may be
	// without its record.
	if interrupted, err := hasJournal(f, dir); err != nil || interrupted {
		if err == nil {
			err = fmt.Errorf("%w: some of its files are the old render's, some the new one's; run tandem render to finish it", ErrInterrupted)
		}
		return nil, err
	}
	owned, err := claim(f, dir, owner)
	if err != nil {
		return nil, err
	}
	for _, p := range owned {
		if !plainFile(f, dir, p) {
			continue // gone, or not the tree's any more
		}
		data, err := f.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			return nil, err
		}
		if manifest.Generated(data) {
			files[p] = data
		}
	}
	return files, nil
}

// ReadPlatform reads the platform team's files in dir: each environment's
// patches folder and the components folder, keyed by their path relative
// to dir.
func ReadPlatform(f fsys.FS, dir string, envs []string) (manifest.Files, error) {
	files := manifest.Files{}
	roots := []string{manifest.ComponentsDir}
	for _, env := range envs {
		roots = append(roots, manifest.PlatformPatchesDir(env))
	}
	for _, root := range roots {
		top := filepath.Join(dir, filepath.FromSlash(root))
		err := fsys.WalkDir(f, top, func(p string, d fs.DirEntry, err error) error {
			if errors.Is(err, fs.ErrNotExist) && p == top {
				return fs.SkipAll
			}
			if err != nil || d.IsDir() {
				return err
			}
			if !d.Type().IsRegular() {
				// kustomize refuses links that leave the tree, and a skipped
				// patch would silently not apply.
				return fmt.Errorf("%s is not a regular file; copy the patch into place instead of linking it", p)
			}
			rel, err := filepath.Rel(dir, p)
			if err != nil {
				return err
			}
			data, err := f.ReadFile(p)
			files[filepath.ToSlash(rel)] = data
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("reading the platform's files in %s: %w", root, err)
		}
	}
	return files, nil
}

// OrphanedPatches lists the patches folders under dir whose environment
// the catalogue no longer has: nothing applies what they hold.
func OrphanedPatches(f fsys.FS, dir string, envs []string) ([]string, error) {
	known := map[string]bool{}
	for _, env := range envs {
		known[env] = true
	}
	folders, err := fsys.Glob(f, filepath.Join(dir, manifest.OverlaysDir, "*", manifest.PatchesDir))
	if err != nil {
		return nil, err
	}
	var out []string
	for _, folder := range folders {
		env := filepath.Base(filepath.Dir(folder))
		if entries, err := f.ReadDir(folder); err == nil && len(entries) > 0 && !known[env] {
			out = append(out, filepath.ToSlash(folder))
		}
	}
	return out, nil
}
