package tree

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"

	"github.com/tandemdev/tandem/fsys"
)

// journalFile, at the tree's root, lists what a render is about to change,
// once every new file is staged: a render killed while it moves them into
// place is finished from it by the next command that writes the tree.
const journalFile = ".tandem-journal.json"

// ErrInterrupted is returned by ReadGenerated when a render was killed
// while it changed the tree: the tree is part old, part new, until the
// next render finishes it.
var ErrInterrupted = errors.New("a render into this folder was interrupted")

// journal is what journalFile holds.
type journal struct {
	// Staging is the staging folder's name in the tree's folder.
	Staging string `json:"staging"`
	// Moves are the renames from Staging/new into the tree, in order.
	Moves []move `json:"moves"`
	// Removals are the stale files, moved aside into Staging/old.
	Removals []string `json:"removals,omitempty"`
}

// move is one rename of a render: a changed file, or a whole folder the
// tree does not have yet.
type move struct {
	Rel    string `json:"path"`
	Folder bool   `json:"folder,omitempty"`
}

// paths names the places of one render's files.
type paths struct {
	dir, staging string
}

func (p paths) target(rel string) string { return filepath.Join(p.dir, filepath.FromSlash(rel)) }
func (p paths) staged(rel string) string {
	return filepath.Join(p.staging, "new", filepath.FromSlash(rel))
}
func (p paths) backup(rel string) string {
	return filepath.Join(p.staging, "old", filepath.FromSlash(rel))
}

// commitJournal puts the journal in place with one rename: before it, a
// killed render has changed nothing in the tree; after it, the next
// render finishes it.
func commitJournal(f fsys.FS, p paths, j journal) error {
	data, err := json.Marshal(j)
	if err != nil {
		return err
	}
	staged := filepath.Join(p.staging, journalFile)
	if err := f.WriteFile(staged, data, 0o644); err != nil {
		return fmt.Errorf("writing the journal: %w", err)
	}
	return f.Rename(staged, filepath.Join(p.dir, journalFile))
}

// hasJournal tells whether a render into dir was interrupted after its
// journal was committed.
func hasJournal(f fsys.FS, dir string) (bool, error) {
	_, err := f.Lstat(filepath.Join(dir, journalFile))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// recoverTree brings the tree in dir back to one render's files: it
// finishes a render whose journal was committed, then removes what
// killed renders staged. It tells whether it finished one.
func recoverTree(f fsys.FS, dir string) (bool, error) {
	found, err := hasJournal(f, dir)
	if err == nil && found {
		err = rollForward(f, dir)
	}
	if err != nil {
		return false, fmt.Errorf("finishing the interrupted render into %s: %w", dir, err)
	}
	removeStaleStaging(f, dir)
	return found, nil
}

// rollForward finishes the render of dir's journal. Each step can be done
// again: a staged file that is no longer there has moved, a stale file
// that is no longer there was removed.
func rollForward(f fsys.FS, dir string) error {
	data, err := f.ReadFile(filepath.Join(dir, journalFile))
	if err != nil {
		return err
	}
	var j journal
	if err := json.Unmarshal(data, &j); err != nil || !strings.HasPrefix(j.Staging, stagingPrefix) || strings.ContainsAny(j.Staging, `/\`) {
		return fmt.Errorf("%s is not a journal tandem wrote (%v); remove it and render again", filepath.Join(dir, journalFile), err)
	}
	p := paths{dir: dir, staging: filepath.Join(dir, j.Staging)}
	for _, m := range j.Moves {
		if !safePath(m.Rel) {
			return fmt.Errorf("the journal names %q, outside the tree", m.Rel)
		}
		if _, err := f.Lstat(p.staged(m.Rel)); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		target := p.target(m.Rel)
		if err := realFolders(f, dir, path.Dir(m.Rel)); err != nil {
			return err
		}
		if err := f.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if !m.Folder && m.Rel != RecordFile {
			if _, err := generatedAt(f, target); err != nil {
				return err
			}
		}
		if err := f.Rename(p.staged(m.Rel), target); err != nil {
			return err
		}
	}
	for _, rel := range j.Removals {
		if !safePath(rel) {
			return fmt.Errorf("the journal names %q, outside the tree", rel)
		}
		if generated, err := generatedAt(f, p.target(rel)); err != nil || !generated || !plainFile(f, dir, rel) {
			continue // gone already, or a person's now
		}
		if err := f.Remove(p.target(rel)); err != nil {
			return err
		}
	}
	for _, rel := range j.Removals {
		removeEmptyParents(f, dir, path.Dir(rel))
	}
	if err := f.Remove(filepath.Join(dir, journalFile)); err != nil {
		return err
	}
	return f.RemoveAll(p.staging)
}

// realFolders fails unless each folder of rel in dir that exists is a
// folder, not a symbolic link that could lead out of the tree.
func realFolders(f fsys.FS, dir, rel string) error {
	if rel == "." {
		return nil
	}
	p := dir
	for _, part := range strings.Split(rel, "/") {
		p = filepath.Join(p, part)
		info, err := f.Lstat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if !info.IsDir() {
			return fmt.Errorf("%s: is not a folder (it changed since the render was interrupted)", p)
		}
	}
	return nil
}
