package catalogue

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// parseYAML returns the single document's root node, or nil for a file
// without content. Its errors are *yamlPositionError, placed where the
// problem is: yaml.v3 names no column, no line for some errors, and the
// line before for others, so the text is checked first for what yaml.v3
// cannot place, and its remaining errors are placed from the text.
func parseYAML(data []byte) (*yaml.Node, error) {
	if err := checkText(data); err != nil {
		return nil, err
	}
	text, breaks := hideYAML11Breaks(data)
	dec := yaml.NewDecoder(bytes.NewReader(text))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, placeYAMLError(err, data)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, placeYAMLError(err, data)
		}
		return nil, &yamlPositionError{Position{Line: extra.Line, Column: extra.Column}, "a catalogue is one YAML document; remove the extra '---' document"}
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	if breaks {
		restoreYAML11Breaks(&doc)
	}
	return doc.Content[0], nil
}

type yamlPositionError struct {
	pos Position
	msg string
}

func (e *yamlPositionError) Error() string { return e.msg }

// checkText finds what YAML forbids in a file's bytes, with its position:
// yaml.v3 reports these at no position at all.
func checkText(data []byte) error {
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		at := Position{Line: line, Column: col}
		switch {
		case r == utf8.RuneError && size == 1:
			return &yamlPositionError{at, fmt.Sprintf("invalid YAML: byte 0x%02x is not UTF-8; a catalogue is UTF-8 text (was it saved in another encoding?)", data[i])}
		case r == 0:
			return &yamlPositionError{at, "invalid YAML: a NUL byte; a catalogue is text (is this a binary file?)"}
		case r == '\n':
			line, col = line+1, 0
		case r == '\r' && (i+1 == len(data) || data[i+1] != '\n'):
			line, col = line+1, 0 // a lone CR breaks the line too
		case r == 0xFEFF && i > 0:
			return &yamlPositionError{at, "invalid YAML: a byte order mark (U+FEFF) inside the text, as joining two files leaves behind; remove it"}
		case r == '\t' || r == '\r' || r == 0xFEFF:
		case r < 0x20 || r == 0x7F || r >= 0x80 && r <= 0x9F && r != 0x85 || r == 0xFFFE || r == 0xFFFF:
			return &yamlPositionError{at, fmt.Sprintf("invalid YAML: control character U+%04X; write it as an escape (\\x%02X) in a double-quoted string", r, r)}
		}
		i += size
		col++
	}
	return nil
}

// YAML 1.1, which yaml.v3 follows here, ends a line at NEL, U+2028 and
// U+2029; YAML 1.2 reads them as ordinary characters, so that one in a
// comment or a value does not end it. They are swapped for private-use
// characters of the same width while parsing and swapped back in the
// values decoded.
var yaml11Breaks = strings.NewReplacer("\u0085", "\ue085", "\u2028", "\ue028", "\u2029", "\ue029")

var yaml11BreaksBack = strings.NewReplacer("\ue085", "\u0085", "\ue028", "\u2028", "\ue029", "\u2029")

func hideYAML11Breaks(data []byte) ([]byte, bool) {
	if !bytes.Contains(data, []byte("\u0085")) && !bytes.Contains(data, []byte("\u2028")) && !bytes.Contains(data, []byte("\u2029")) {
		return data, false
	}
	// A file that holds the stand-ins itself would get breaks it never
	// had; it is read as yaml.v3 reads it.
	for _, c := range []string{"\ue085", "\ue028", "\ue029"} {
		if bytes.Contains(data, []byte(c)) {
			return data, false
		}
	}
	return []byte(yaml11Breaks.Replace(string(data))), true
}

func restoreYAML11Breaks(n *yaml.Node) {
	n.Value = yaml11BreaksBack.Replace(n.Value)
	for _, c := range n.Content {
		restoreYAML11Breaks(c)
	}
}

var (
	yamlLine          = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)
	yamlUnknownAnchor = regexp.MustCompile(`^yaml: unknown anchor '(.*)' referenced$`)
	yamlAnchor        = regexp.MustCompile(`(?:^|[\s\[{,:])&([^\s\[\]{},]+)`)
)

// placeYAMLError turns a yaml.v3 error into one at the position it is
// about, in data.
func placeYAMLError(err error, data []byte) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if m := yamlUnknownAnchor.FindStringSubmatch(err.Error()); m != nil {
		var anchors []string
		for _, a := range yamlAnchor.FindAllSubmatch(data, -1) {
			anchors = append(anchors, string(a[1]))
		}
		if hint := suggest(m[1], anchors); hint != "" {
			return &yamlPositionError{aliasPosition(data, m[1]), fmt.Sprintf("invalid YAML: *%s refers to no anchor%s", m[1], strings.Replace(hint, `"`, `"&`, 1))}
		}
		return &yamlPositionError{aliasPosition(data, m[1]), fmt.Sprintf("invalid YAML: *%s refers to no anchor; define &%s before it is used", m[1], m[1])}
	}
	m := yamlLine.FindStringSubmatch(err.Error())
	if m == nil {
		return &yamlPositionError{Position{Line: 1, Column: 1}, "invalid YAML: " + msg}
	}
	line, _ := strconv.Atoi(m[1])
	msg = m[2]
	if msg == "found character that cannot start any token" {
		msg += " (tabs cannot indent YAML; use spaces)"
	}
	pos := Position{Line: line, Column: 1}
	switch {
	case msg == "did not find expected key" || msg == "did not find expected '-' indicator":
		// yaml.v3 names the line before the block it was reading, and not
		// the line that broke it: point at the block, and say what to
		// look for below it.
		pos = blockStart(data, line+1)
		if strings.Contains(msg, "'-'") {
			msg += ": a line of the list that starts here is neither an item ('- ') nor indented below one"
		} else {
			msg += ": a line of the mapping that starts here is neither one of its keys nor indented below one"
		}
	case strings.HasPrefix(msg, "did not find expected ',' or "):
		// yaml.v3 names the line before the one where the parser gave up;
		// the bracket left open is what to fix.
		if open, ok := unclosedBracket(data, line+1); ok {
			pos = open.Position
			msg = fmt.Sprintf("'%c' is never closed (%s)", data[open.offset], msg)
		}
	}
	return &yamlPositionError{pos, "invalid YAML: " + msg}
}

// blockStart is the position of the first character of line n.
func blockStart(data []byte, n int) Position {
	lines := lineBreak.Split(string(data), n+1)
	if n > len(lines) {
		return Position{Line: n, Column: 1}
	}
	text := lines[n-1]
	indent := len(text) - len(strings.TrimLeft(text, " "))
	return Position{Line: n, Column: indent + 1}
}

// lineBreak is any YAML line break, CR-only too.
var lineBreak = regexp.MustCompile(`\r\n|\r|\n`)

// aliasPosition finds where *name is first used outside a comment.
func aliasPosition(data []byte, name string) Position {
	pattern := regexp.MustCompile(`(^|[\s\[{,:])\*` + regexp.QuoteMeta(name) + `($|[\s\]},])`)
	for n, text := range lineBreak.Split(string(data), -1) {
		if i := strings.Index(text, " #"); i >= 0 {
			text = text[:i]
		}
		if strings.HasPrefix(strings.TrimSpace(text), "#") {
			continue
		}
		if loc := pattern.FindStringIndex(text); loc != nil {
			star := loc[0] + strings.IndexByte(text[loc[0]:], '*')
			return Position{Line: n + 1, Column: utf8.RuneCountInString(text[:star]) + 1}
		}
	}
	return Position{Line: 1, Column: 1}
}

type textPosition struct {
	Position
	offset int
}

// unclosedBracket finds the flow bracket still open at the end of line
// stop, where yaml.v3 gave up, skipping quoted text and comments.
func unclosedBracket(data []byte, stop int) (textPosition, bool) {
	var open []textPosition
	line, col := 1, 1
	var quote byte
	comment := false
	prev := byte('\n')
	for i := 0; i < len(data) && line <= stop; i++ {
		c := data[i]
		switch {
		case c == '\n':
			comment = false
			if quote == 0 || len(open) == 0 {
				quote = 0 // quotes may span lines only inside brackets
			}
		case comment:
		case quote != 0:
			if c == '\\' && quote == '"' && i+1 < len(data) {
				i++
				col++
			} else if c == quote {
				if quote == '\'' && i+1 < len(data) && data[i+1] == '\'' {
					i++
					col++
				} else {
					quote = 0
				}
			}
		case c == '#' && (prev == ' ' || prev == '\t' || prev == '\n'):
			comment = true
		case (c == '"' || c == '\'') && strings.IndexByte(" \t\n[{,:", prev) >= 0:
			quote = c
		case c == '[' || c == '{':
			open = append(open, textPosition{Position{Line: line, Column: col}, i})
		case (c == ']' || c == '}') && len(open) > 0:
			open = open[:len(open)-1]
		}
		prev = c
		if c == '\n' {
			line, col = line+1, 1
		} else if c < 0x80 || c >= 0xC0 {
			col++ // columns count characters, not the bytes after a first
		}
	}
	if len(open) == 0 {
		return textPosition{}, false
	}
	return open[len(open)-1], true
}
