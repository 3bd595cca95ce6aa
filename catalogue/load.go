package catalogue

import (
	"errors"
	"fmt"
	"io/fs"
	"reflect"

	"github.com/tandemdev/tandem/fsys"
)

// Load reads, decodes and validates the catalogue at path on f, and the
// files it includes. Every problem in the file is reported at once; the
// error matches ErrInvalid when the file itself is at fault.
func Load(f fsys.FS, path string) (*Catalogue, error) {
	data, err := ReadFile(f, path)
	if err != nil {
		return nil, err
	}
	return Parse(f, path, data)
}

// ReadFile reads the catalogue's text: ErrNotFound, with a hint, when
// there is none at path; ErrInvalid when path is no catalogue file.
func ReadFile(f fsys.FS, path string) ([]byte, error) {
	data, err := readCatalogueFile(f, path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s does not exist; run tandem in the catalogue's folder or pass it with -f FILE", ErrNotFound, path)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	return data, nil
}

// Parse decodes and validates a catalogue held in memory; file names it in
// error messages, and the files it includes are read from f, relative to
// file's folder.
func Parse(f fsys.FS, file string, data []byte) (*Catalogue, error) {
	c := &Catalogue{File: file, positions: map[string]Position{"": {Line: 1, Column: 1}}}
	errs := &errorList{file: file, positions: c.positions}

	root, err := parseYAML(data)
	if err != nil {
		errs.at(yamlErrorPosition(err), "", "%s", err)
		return nil, errs.err()
	}
	if root == nil {
		errs.add("", "the catalogue is empty; it needs at least name and services")
		return nil, errs.err()
	}
	(&decoder{errs: errs}).decode(root, reflect.ValueOf(c).Elem(), "")
	if len(errs.errs) == 0 {
		c.loadIncludes(f, errs)
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	c.validate(errs)
	if len(errs.errs) == 0 {
		c.loadVolumeFiles(f, errs)
		c.checkLinks(f, errs)
	}
	if err := errs.err(); err != nil {
		return nil, err
	}
	return c, nil
}

// yamlErrorPosition is where parseYAML's error is.
func yamlErrorPosition(err error) Position {
	var pe *yamlPositionError
	if errors.As(err, &pe) {
		return pe.pos
	}
	return Position{Line: 1, Column: 1}
}
