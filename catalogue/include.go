package catalogue

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/tandemdev/tandem/fsys"
)

// includer splits a catalogue over several files: `include:` lists files
// (or glob patterns) relative to the including file, each holding
// environments, config, resources or services to add. Every included file
// stays inside the catalogue's folder, is read once, and an entry may be
// defined in one file only.
type includer struct {
	fs   fsys.FS
	errs *errorList
	// root is the catalogue's folder with symbolic links resolved.
	root string
	// mainDir is the catalogue's folder as given, to name included files.
	mainDir string
	// stack holds the files being included, for reporting loops.
	stack []string
	// seen maps a real path to the file that included it.
	seen            map[string]string
	reportedTooMany bool
	into            *Catalogue
}

// maxIncludes bounds how many files one catalogue may pull in.
const maxIncludes = 1000

func (c *Catalogue) loadIncludes(f fsys.FS, errs *errorList) {
	if len(c.Include) == 0 {
		return
	}
	mainDir := filepath.Dir(c.File)
	root, err := realPath(f, mainDir)
	if err != nil {
		errs.add("include", "cannot resolve the catalogue's folder: %v", err)
		return
	}
	in := &includer{fs: f, errs: errs, root: root, mainDir: mainDir, stack: []string{c.File}, seen: map[string]string{}, into: c}
	if real, err := realPath(in.fs, c.File); err == nil {
		in.seen[real] = c.File
	}
	in.includeAll(c.Include, errs.positions, mainDir)
}

// includeAll includes each pattern of list, written in the file at the top
// of the stack, whose positions holds where each pattern was written.
func (in *includer) includeAll(list []string, positions map[string]Position, dir string) {
	for i, pattern := range list {
		p := fmt.Sprintf("include[%d]", i)
		pos := positions[p]
		if filepath.IsAbs(pattern) {
			in.errs.at(pos, p, "%q is an absolute path; include files by their path relative to %s", pattern, in.stack[len(in.stack)-1])
			continue
		}
		matches, err := fsys.Glob(in.fs, filepath.Join(dir, pattern))
		if err != nil {
			in.errs.at(pos, p, "%q is not a valid pattern: %v", pattern, err)
			continue
		}
		if len(matches) == 0 {
			in.errs.at(pos, p, "%q matches no file", pattern)
			continue
		}
		if len(in.seen)+len(matches) > maxIncludes+1 { // +1: the catalogue itself is in seen
			in.tooMany(pos, p, fmt.Sprintf("%q matches %d files", pattern, len(matches)))
			continue
		}
		glob := isGlob(matches, dir, pattern)
		for _, match := range matches {
			shown := match
			if !glob {
				shown = pattern // as written, rather than joined and cleaned
			}
			if glob && in.onStack(match) {
				continue // "*.yaml" means the other files, not the one writing it
			}
			in.include(match, shown, pos, p)
		}
	}
}

// tooMany reports, once, that the catalogue includes too many files: a
// glob over a large folder would otherwise repeat the error per file.
func (in *includer) tooMany(pos Position, p, what string) {
	if !in.reportedTooMany {
		in.reportedTooMany = true
		in.errs.at(pos, p, "%s; a catalogue may include at most %d files (is the pattern too wide?)", what, maxIncludes)
	}
}

// isGlob tells whether pattern was a glob rather than one file's path.
func isGlob(matches []string, dir, pattern string) bool {
	return len(matches) != 1 || matches[0] != filepath.Join(dir, pattern)
}

// onStack tells whether file is being included right now.
func (in *includer) onStack(file string) bool {
	real, err := realPath(in.fs, file)
	for _, open := range in.stack {
		if r, err2 := realPath(in.fs, open); err == nil && err2 == nil && r == real {
			return true
		}
	}
	return false
}

func (in *includer) include(file, shown string, pos Position, p string) {
	real, err := realPath(in.fs, file)
	if err != nil {
		in.errs.at(pos, p, "cannot read %s: %v", file, err)
		return
	}
	if !fsys.Within(real, in.root) {
		in.errs.at(pos, p, "%s is outside the catalogue's folder %s; included files must be below it", shown, in.mainDir)
		return
	}
	for i, open := range in.stack {
		if r, err := realPath(in.fs, open); err == nil && r == real {
			loop := append(append([]string{}, in.stack[i:]...), file)
			in.errs.at(pos, p, "include loop: %s", strings.Join(loop, " -> "))
			return
		}
	}
	if by, ok := in.seen[real]; ok {
		in.errs.at(pos, p, "%s is already included by %s; include each file once", file, by)
		return
	}
	if len(in.seen) > maxIncludes {
		in.tooMany(pos, p, fmt.Sprintf("%s is one file too many", file))
		return
	}
	in.seen[real] = in.stack[len(in.stack)-1]

	data, err := readCatalogueFile(in.fs, file)
	if err != nil {
		in.errs.at(pos, p, "%v", err)
		return
	}
	fragment := &Catalogue{}
	local := &errorList{file: file, positions: map[string]Position{"": {File: file, Line: 1, Column: 1}}}
	root, err := parseYAML(data)
	if err != nil {
		pos := yamlErrorPosition(err)
		local.at(Position{File: file, Line: pos.Line, Column: pos.Column}, "", "%s", err)
	} else if root != nil {
		(&decoder{errs: local, file: file}).decode(root, reflect.ValueOf(fragment).Elem(), "")
	}
	if fragment.Name != "" {
		local.add("name", "name belongs in the main catalogue %s, not in an included file", in.stack[0])
	}
	in.errs.errs = append(in.errs.errs, local.errs...)

	in.stack = append(in.stack, file)
	in.includeAll(fragment.Include, local.positions, filepath.Dir(file))
	in.stack = in.stack[:len(in.stack)-1]
	in.merge(fragment, local.positions)
}

// merge adds the fragment's entries to the catalogue, reporting entries
// that another file defines too.
func (in *includer) merge(f *Catalogue, positions map[string]Position) {
	c := in.into
	taken := map[string]bool{}
	mergeEntries(in, "environments", &c.Environments, f.Environments, positions, taken)
	mergeEntries(in, "config", &c.Config, f.Config, positions, taken)
	mergeEntries(in, "resources", &c.Resources, f.Resources, positions, taken)
	mergeEntries(in, "services", &c.Services, f.Services, positions, taken)
	if f.Owners != nil {
		if c.Owners != nil {
			in.errs.at(positions["owners"], "owners", "owners is already set at %s", in.describe(in.errs.positions["owners"]))
		} else {
			c.Owners = f.Owners
		}
	}
	// Positions of merged entries point into the included file.
	for path, pos := range positions {
		if path == "" || strings.HasPrefix(path, "include") || taken[topEntry(path)] {
			continue
		}
		if _, exists := in.errs.positions[path]; exists && !strings.Contains(path, ".") {
			continue // a section such as services: stays where the catalogue has it
		}
		in.errs.positions[path] = pos
	}
}

func mergeEntries[V any](in *includer, field string, into *map[string]V, from map[string]V, positions map[string]Position, taken map[string]bool) {
	for _, name := range slices.Sorted(maps.Keys(from)) {
		p := field + "." + name
		if _, dup := (*into)[name]; dup {
			in.errs.at(positions[p], p, "%s is already defined at %s", p, in.describe(in.errs.positions[p]))
			taken[p] = true
			continue
		}
		if *into == nil {
			*into = map[string]V{}
		}
		(*into)[name] = from[name]
	}
}

// topEntry is the entry a field path belongs to: services.orders for
// services.orders.ports[0].
func topEntry(path string) string {
	parts := strings.SplitN(path, ".", 3)
	if len(parts) < 2 {
		return path
	}
	return parts[0] + "." + parts[1]
}

func (in *includer) describe(pos Position) string {
	file := pos.File
	if file == "" {
		file = in.into.File
	}
	return fmt.Sprintf("%s:%d:%d", file, pos.Line, pos.Column)
}

// readCatalogueFile reads a catalogue file, refusing sizes no catalogue
// has and anything but a regular file, so that a wrong path cannot make
// tandem read a disk image, /dev/zero or wait on a FIFO forever.
func readCatalogueFile(f fsys.FS, path string) ([]byte, error) {
	data, err := fsys.ReadRegularFile(f, path, maxFileSize)
	switch {
	case errors.Is(err, fsys.ErrIsFolder):
		return nil, fmt.Errorf("%s is a folder, not a catalogue file", path)
	case errors.Is(err, fsys.ErrNotRegular):
		return nil, fmt.Errorf("%s is not a regular file (a device, FIFO or socket); a catalogue is a YAML file", path)
	case errors.Is(err, fsys.ErrTooLarge):
		return nil, fmt.Errorf("%s is larger than %d MiB, the most a catalogue file may be", path, maxFileSize>>20)
	}
	return data, err
}

const maxFileSize = 32 << 20
