package tree

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/manifest"
)

// RecordFile is the record at the root of a tree of the catalogue it
// belongs to and the files tandem generated in it: a render removes or
// replaces those files only, so that a tree rendered into the wrong
// folder cannot take another catalogue's files with it.
const RecordFile = ".tandem-tree.yaml"

// ErrOutputFolder is returned when a folder cannot hold the catalogue's
// tree: the filesystem root, the home folder, the catalogue's folder or
// one above it, a file, or a folder with another catalogue's tree.
var ErrOutputFolder = errors.New("not a folder for this catalogue's tree")

// refusal is an ErrOutputFolder with its own message.
type refusal struct{ msg string }

func (r *refusal) Error() string        { return r.msg }
func (r *refusal) Is(target error) bool { return target == ErrOutputFolder }

func refusef(format string, args ...any) error {
	return &refusal{fmt.Sprintf(format, args...)}
}

// Owner is the catalogue a tree is rendered for.
type Owner struct {
	// Catalogue is the catalogue's file; the record names it relative to
	// the tree.
	Catalogue string
	// Adopt takes a tree without a record, whose files carry tandem's
	// header, as the catalogue's: an earlier tandem wrote no record. It
	// is set where the catalogue's tree goes by default.
	Adopt bool
	// Home is the user's home folder, which holds no tree; empty when
	// unknown.
	Home string
}

// record is what RecordFile holds.
type record struct {
	Catalogue string `yaml:"catalogue"`
	// Files is nil in a record written by hand, without the list: every
	// file with tandem's header in the tree is the catalogue's then.
	Files []string `yaml:"files"`
}

// encode prints the record, with the generated header.
func (r record) encode() []byte {
	var b bytes.Buffer
	b.WriteString(manifest.Header)
	b.WriteString("# The catalogue this tree was rendered from, and the files tandem generated\n")
	b.WriteString("# in it: a render removes or replaces no other file here.\n")
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(r); err != nil {
		panic(err) // a string and a list of strings always encode
	}
	return b.Bytes()
}

// Record is what Write puts in the record of the owner's tree in dir
// when it writes files.
func Record(f fsys.FS, dir string, owner Owner, files manifest.Files) []byte {
	return record{Catalogue: owner.catalogueRel(f, dir), Files: files.Paths()}.encode()
}

// readRecord reads the record of the tree in dir; nil when there is none.
func readRecord(f fsys.FS, dir string) (*record, error) {
	p := filepath.Join(dir, RecordFile)
	info, err := f.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, refusef("%s is not a regular file; it should be the record of the tree's catalogue and files: remove it and render again", p)
	}
	data, err := f.ReadFile(p)
	if err != nil {
		return nil, err
	}
	var r record
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&r); err != nil || r.Catalogue == "" {
		if err == nil {
			err = errors.New("no catalogue named")
		}
		return nil, refusef("%s: not a record of a tree (%v); it should name the catalogue (catalogue: ../tandem.yaml) and the files tandem generated; remove it, and the files it listed if they are stale, and render again", p, err)
	}
	return &r, nil
}

// absolute is p made absolute with symbolic links resolved as far as it
// exists, so that two ways to name one file compare equal.
func absolute(f fsys.FS, p string) string {
	abs, err := f.Abs(p)
	if err != nil {
		abs = filepath.Clean(p)
	}
	if real, err := f.EvalSymlinks(abs); err == nil {
		return real
	}
	// A path that does not exist yet: resolve its folder.
	if parent := filepath.Dir(abs); parent != abs {
		if real, err := f.EvalSymlinks(parent); err == nil {
			return filepath.Join(real, filepath.Base(abs))
		}
	}
	return abs
}

// howToProceed ends the messages of a refused output folder.
const howToProceed = "give the tree a folder of its own with -o (the default is deploy beside the catalogue)"

// CheckFolder refuses a folder that can hold no catalogue's tree: the
// root, the home folder, the catalogue's folder or one that holds it, and
// anything but a folder. Write and ReadGenerated check it first.
func (o Owner) CheckFolder(f fsys.FS, dir string) error {
	abs := absolute(f, dir)
	catDir := absolute(f, filepath.Dir(o.Catalogue))
	switch {
	case filepath.Dir(abs) == abs:
		return refusef("%s is the filesystem root: a render there would mix its files with everything else's; %s", dir, howToProceed)
	case o.Home != "" && abs == absolute(f, o.Home):
		return refusef("%s is your home folder: a render there would mix its files with everything else's; %s", dir, howToProceed)
	case abs == catDir:
		return refusef("%s is the catalogue's own folder: the tree would mix with the catalogue, its sources and other projects' files; %s", dir, howToProceed)
	case fsys.Within(catDir, abs):
		return refusef("%s holds the catalogue's folder %s: the tree would mix with other projects' files and trees; %s", dir, filepath.Dir(o.Catalogue), howToProceed)
	}
	info, err := f.Stat(dir)
	if err == nil && !info.IsDir() {
		return refusef("%s is a file, not a folder; -o names the folder the tree goes in", dir)
	}
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// catalogueRel is the catalogue's path relative to the tree, as the
// record names it.
func (o Owner) catalogueRel(f fsys.FS, dir string) string {
	rel, err := filepath.Rel(absolute(f, dir), absolute(f, o.Catalogue))
	if err != nil {
		return filepath.ToSlash(o.Catalogue)
	}
	return filepath.ToSlash(rel)
}

// claim finds the files of the tree in dir that are the catalogue's, the
// ones a render may replace or remove: those its record lists, or, in a
// tree without a record, every file with tandem's header when the owner
// adopts such a tree. A tree of another catalogue is refused, and so is
// one without a record that the owner does not adopt.
func claim(f fsys.FS, dir string, o Owner) ([]string, error) {
	r, err := readRecord(f, dir)
	if err != nil {
		return nil, err
	}
	if r != nil {
		theirs := filepath.Join(absolute(f, dir), filepath.FromSlash(r.Catalogue))
		// A catalogue that moved or was renamed leaves its tree behind;
		// where the owner's tree goes by default, the tree is the owner's.
		_, err := f.Stat(theirs)
		moved := errors.Is(err, fs.ErrNotExist) && o.Adopt
		if absolute(f, theirs) != absolute(f, o.Catalogue) && !moved {
			return nil, refusef("%s holds the tree of another catalogue, %s (its record %s says so): render into another folder with -o, or, if that tree is no longer wanted, remove it first; if it is this catalogue's, which moved, write \"catalogue: %s\" into the record instead",
				dir, path.Join(filepath.ToSlash(dir), r.Catalogue), filepath.Join(dir, RecordFile), o.catalogueRel(f, dir))
		}
		if r.Files != nil {
			var owned []string
			for _, p := range r.Files {
				if safePath(p) && !manifest.PlatformOwned(p) && !reserved(p) {
					owned = append(owned, p)
				}
			}
			sort.Strings(owned)
			return slices.Compact(owned), nil
		}
	}
	found, trees, err := generatedFiles(f, dir)
	if err != nil {
		return nil, err
	}
	if len(trees) > 0 {
		return nil, refusef("%s holds a tree tandem rendered, in %s: a tree inside another would mix with it; %s",
			dir, filepath.Join(dir, filepath.FromSlash(trees[0])), howToProceed)
	}
	if len(found) == 0 || r != nil || o.Adopt {
		return found, nil
	}
	example := found[0]
	if len(found) > 1 {
		example += fmt.Sprintf(" and %d more", len(found)-1)
	}
	return nil, refusef("%s holds files tandem generated (%s) but no record of the catalogue they were rendered from, and it is not where this catalogue's tree goes by default (deploy beside it): render into another folder with -o; or, if they are this catalogue's tree from an earlier tandem, write \"catalogue: %s\" into %s and render again",
		dir, example, o.catalogueRel(f, dir), filepath.Join(dir, RecordFile))
}

// reserved tells whether p is one of the names tandem keeps for itself
// at the tree's root.
func reserved(p string) bool {
	return p == RecordFile || p == journalFile || strings.HasPrefix(p, stagingPrefix)
}
