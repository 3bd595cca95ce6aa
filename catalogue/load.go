package catalogue

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"reflect"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"

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
		errs.at(yamlErrorPosition(err), "", "%s", yamlErrorMessage(err))
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

// parseYAML returns the single document's root node, or nil for a file
// without content.
func parseYAML(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, err
		}
		return nil, &yamlPositionError{Position{Line: extra.Line, Column: extra.Column}, "a catalogue is one YAML document; remove the extra '---' document"}
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	return doc.Content[0], nil
}

type yamlPositionError struct {
	pos Position
	msg string
}

func (e *yamlPositionError) Error() string { return e.msg }

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlErrorPosition recovers the line yaml.v3 names in its syntax errors;
// it reports no column, so the column is the line's start.
func yamlErrorPosition(err error) Position {
	var pe *yamlPositionError
	if errors.As(err, &pe) {
		return pe.pos
	}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[1])
		return Position{Line: line, Column: 1}
	}
	return Position{Line: 1, Column: 1}
}

func yamlErrorMessage(err error) string {
	var pe *yamlPositionError
	if errors.As(err, &pe) {
		return pe.msg
	}
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		msg = m[2]
	}
	if msg == "found character that cannot start any token" {
		msg += " (tabs cannot indent YAML; use spaces)"
	}
	return "invalid YAML: " + msg
}
