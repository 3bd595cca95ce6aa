package catalogue

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// ErrInvalid marks every error caused by the catalogue's content rather than
// by the machine; callers map it to exit code 2.
var ErrInvalid = errors.New("invalid catalogue")

// ErrNotFound is returned by Load when there is no catalogue at the path.
var ErrNotFound = errors.New("no catalogue")

// Position is a 1-based line and column in the catalogue, or in a file it
// includes.
type Position struct {
	// File is empty for the catalogue itself.
	File   string
	Line   int
	Column int
}

// Position is where the field at path (services.orders.env.ORDERS_URL)
// was written, or its nearest written ancestor when the field was left
// out; File is always set, to the catalogue's own File when the field is
// in it rather than in an include. Checks that run on a valid catalogue
// point at the line a user must change, as validation does.
func (c *Catalogue) Position(path string) Position {
	pos := (&errorList{positions: c.positions}).lookup(path)
	if pos.File == "" {
		pos.File = c.File
	}
	return pos
}

// FieldError is one problem in the catalogue, located by position and by
// field path so a user can find it both in the editor and in the model.
type FieldError struct {
	File     string
	Position Position
	// Path is the field path, e.g. services.orders.uses[1]; empty for
	// problems with the document as a whole.
	Path    string
	Message string
}

func (e *FieldError) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Position.Line > 0 {
		fmt.Fprintf(&b, ":%d:%d", e.Position.Line, e.Position.Column)
	}
	b.WriteString(": ")
	if e.Path != "" {
		b.WriteString(e.Path)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

func (e *FieldError) Is(target error) bool { return target == ErrInvalid }

// Errors is every independent problem found in one catalogue, sorted by
// position so that the output reads top to bottom like the file.
type Errors []*FieldError

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

func (es Errors) Is(target error) bool { return target == ErrInvalid }

// Unwrap exposes each problem to errors.As.
func (es Errors) Unwrap() []error {
	out := make([]error, len(es))
	for i, e := range es {
		out[i] = e
	}
	return out
}

// errorList collects problems while decoding and validating.
type errorList struct {
	file      string
	positions map[string]Position
	errs      Errors
}

// at records a problem at an explicit position.
func (l *errorList) at(pos Position, path, format string, args ...any) {
	file := l.file
	if pos.File != "" {
		file = pos.File
	}
	l.errs = append(l.errs, &FieldError{File: file, Position: pos, Path: path, Message: fmt.Sprintf(format, args...)})
}

// add records a problem at the position where path was written, or where its
// nearest written ancestor was when the field itself was left out.
func (l *errorList) add(path, format string, args ...any) {
	l.at(l.lookup(path), path, format, args...)
}

func (l *errorList) lookup(path string) Position {
	for p := path; ; {
		if pos, ok := l.positions[p]; ok {
			return pos
		}
		cut := strings.LastIndexAny(p, ".[")
		if cut < 0 {
			return l.positions[""]
		}
		p = p[:cut]
	}
}

// err returns nil when nothing was found, else the problems sorted by
// position; problems at the same place keep the order they were found in.
func (l *errorList) err() error {
	if len(l.errs) == 0 {
		return nil
	}
	sort.SliceStable(l.errs, func(i, j int) bool {
		a, b := l.errs[i].Position, l.errs[j].Position
		if a.File != b.File {
			return a.File < b.File // the catalogue itself ("") first
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	return l.errs
}
