package catalogue

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/tandemdev/tandem/fsys"
)

// ErrEdit marks a requested catalogue edit that cannot be made: an unknown
// service or environment, or an image for a service built from source
// without an environment.
var ErrEdit = errors.New("cannot edit the catalogue")

// SetImage returns the text of the catalogue file with the image of service set to
// image: in environment env (services.S.overrides.ENV.image), or for every
// environment when env is empty (services.S.image). Only the bytes of that
// value change, or the few lines added for it; comments, key order and
// formatting of everything else stay as written, since the catalogue is
// the developers' file.
// Files it includes are read from f.
func SetImage(f fsys.FS, file string, data []byte, service, env, image string) ([]byte, error) {
	if msgs := imageProblems(image); msgs != "" {
		return nil, fmt.Errorf("%w: %s", ErrEdit, msgs)
	}
	c, err := Parse(f, file, data)
	if err != nil {
		return nil, err
	}
	s, ok := c.Services[service]
	if !ok {
		return nil, fmt.Errorf("%w: no service %q%s", ErrEdit, service, suggest(service, c.ServiceNames()))
	}
	if in := c.positions["services."+service].File; in != "" {
		return nil, fmt.Errorf("%w: %s is defined in %s, which %s includes; set its image there", ErrEdit, service, in, file)
	}
	if env != "" {
		if _, ok := c.Environments[env]; !ok && env != DevEnvironment {
			return nil, fmt.Errorf("%w: no environment %q%s", ErrEdit, env, suggest(env, c.EnvironmentNames()))
		}
	} else if s.Build != "" {
		return nil, fmt.Errorf("%w: %s is built from %s; pass --env ENV to set the image it runs in one environment", ErrEdit, service, s.Build)
	}

	// Read as the loader reads it, so that lines and columns are the
	// loader's: NEL and U+2028 end no line (YAML 1.2).
	root, err := parseYAML(data)
	if err != nil {
		return nil, err
	}
	e := newEditor(data)
	svc := resolveAlias(mappingValue(root, "services"))
	svcNode := mappingValue(svc, service)
	if err := notShared(svcNode, "services."+service); err != nil {
		return nil, err
	}
	out, err := e.set(svcNode, overridePath(env, image), "services."+service)
	if err != nil {
		return nil, err
	}

	// The edit must give a valid catalogue that says what was asked.
	after, err := Parse(f, file, out)
	if err != nil {
		return nil, fmt.Errorf("setting the image would make the catalogue invalid: %w", err)
	}
	got := after.Services[service].Image
	if env != "" {
		got = after.Services[service].Overrides[env].Image
	}
	if got != image {
		return nil, fmt.Errorf("%w: the edit of %s did not take (got %q); is the value an alias?", ErrEdit, service, got)
	}
	return out, nil
}

// imageProblems validates a reference the way the catalogue would.
func imageProblems(ref string) string {
	errs := &errorList{positions: map[string]Position{}}
	checkImage(errs, "image", ref)
	if len(errs.errs) == 0 {
		return ""
	}
	return errs.errs[0].Message
}

// step is one key on the way to the value being set.
type step struct {
	key   string
	value string // for the last step: the scalar to write
}

func overridePath(env, image string) []step {
	if env == "" {
		return []step{{key: "image", value: image}}
	}
	return []step{{key: "overrides"}, {key: env}, {key: "image", value: image}}
}

// editor makes one text edit to YAML source, located by the node tree.
type editor struct {
	src []byte
	// lines are src's lines, each with its line break, as the YAML parser
	// counts them (see breakLen); the last one may be empty.
	lines   [][]byte
	newline string // the file's own line ending
}

func newEditor(src []byte) *editor {
	e := &editor{src: src, newline: "\n"}
	start := 0
	for i := 0; i < len(src); {
		n := breakLen(src[i:])
		if n == 0 {
			i++
			continue
		}
		if brk := string(src[i : i+n]); e.lines == nil && (brk == "\r\n" || brk == "\r") {
			e.newline = brk
		}
		i += n
		e.lines = append(e.lines, src[start:i])
		start = i
	}
	e.lines = append(e.lines, src[start:])
	return e
}

// breakLen is the length of the line break b starts with, 0 for none:
// the breaks parseYAML counts lines by (CR LF, CR, LF; YAML 1.2, so not
// NEL or U+2028), so that its node positions find their bytes here
// whatever the file's line endings; a file with CR alone made set-image
// panic (issue 19).
func breakLen(b []byte) int {
	switch {
	case bytes.HasPrefix(b, []byte("\r\n")):
		return 2
	case len(b) > 0 && (b[0] == '\r' || b[0] == '\n'):
		return 1
	}
	return 0
}

// endsLine tells whether text ends with a line break.
func endsLine(text []byte) bool {
	return len(text) > 0 && breakLen(text[len(text)-1:]) == 1
}

// set walks path from mapping m, replacing the final scalar or inserting
// the first missing key with everything below it.
func (e *editor) set(m *yaml.Node, path []step, at string) ([]byte, error) {
	key, value := mappingEntry(m, path[0].key)
	at += "." + path[0].key
	if key == nil {
		if mergedKey(m, path[0].key) {
			return nil, fmt.Errorf("%w: %s comes from a merge (<<); a local %s would replace all of it, so edit it by hand", ErrEdit, at, path[0].key)
		}
		return e.insert(m, path)
	}
	if err := notShared(value, at); err != nil {
		return nil, err
	}
	switch {
	case value.Kind == yaml.ScalarNode && value.Tag == "!!null":
		return e.replaceNull(key, value, flowText(path))
	case len(path) == 1:
		return e.replaceScalar(value, path[0].value)
	default:
		return e.set(value, path[1:], at)
	}
}

// notShared refuses to edit a value that an anchor shares with other
// places: the edit would change them too.
func notShared(n *yaml.Node, at string) error {
	switch {
	case n == nil:
		return nil
	case n.Kind == yaml.AliasNode:
		return fmt.Errorf("%w: %s is the anchor *%s, shared with other places; give it its own value first", ErrEdit, at, n.Value)
	case n.Anchor != "":
		return fmt.Errorf("%w: %s is the anchor &%s, shared with other places; give it its own value first", ErrEdit, at, n.Anchor)
	}
	return nil
}

// mergedKey tells whether mapping m gets key through a merge key.
func mergedKey(m *yaml.Node, key string) bool {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Tag != "!!merge" {
			continue
		}
		sources := []*yaml.Node{m.Content[i+1]}
		if m.Content[i+1].Kind == yaml.SequenceNode {
			sources = m.Content[i+1].Content
		}
		for _, src := range sources {
			if k, _ := mappingEntry(resolveAlias(src), key); k != nil {
				return true
			}
		}
	}
	return false
}

// flowText renders the missing part of path as a flow value:
// {prod: {image: x}} for [prod image], x for [image].
func flowText(path []step) string {
	if len(path) == 1 {
		return plainOrQuoted(path[0].value)
	}
	return "{" + path[1].key + ": " + flowText(path[1:]) + "}"
}

func plainOrQuoted(s string) string {
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(s), &n); err == nil && len(n.Content) == 1 && n.Content[0].Tag == "!!str" && n.Content[0].Value == s {
		return s
	}
	return fmt.Sprintf("%q", s)
}

func (e *editor) insert(m *yaml.Node, path []step) ([]byte, error) {
	entry := path[0].key + ": " + flowText(path)
	if m.Style&yaml.FlowStyle != 0 {
		end, err := e.flowEnd(m)
		if err != nil {
			return nil, err
		}
		// end is the offset of the closing brace.
		before := bytes.TrimRight(e.src[:end], " \t\r\n")
		sep := ", "
		if bytes.HasSuffix(before, []byte("{")) {
			sep = ""
		}
		return e.splice(len(before), end, []byte(sep+entry)), nil
	}
	if len(m.Content) == 0 {
		return nil, fmt.Errorf("%w: cannot add to the empty mapping at line %d", ErrEdit, m.Line)
	}
	keyCol := m.Content[0].Column
	lastKey := m.Content[len(m.Content)-2]
	lines := e.lines
	last := lastKey.Line // 1-based line that ends the mapping's last entry
	for i := lastKey.Line; i < len(lines); i++ {
		text := string(lines[i])
		trimmed := strings.TrimSpace(text)
		if trimmed == "" {
			continue
		}
		if strings.HasPrefix(trimmed, "#") {
			// A comment indented like the mapping's keys, or deeper, is
			// part of the mapping: the addition goes after it.
			if indent(text) >= keyCol-1 {
				last = i + 1
			}
			continue
		}
		// At the keys' own indentation, only a sequence item or the close
		// of a multi-line flow value still belongs to the last entry.
		continues := strings.HasPrefix(trimmed, "- ") || trimmed == "-" || strings.HasPrefix(trimmed, "}") || strings.HasPrefix(trimmed, "]")
		if indent(text) < keyCol-1 || (indent(text) == keyCol-1 && !continues) {
			break
		}
		last = i + 1
	}
	offset := 0
	for _, l := range lines[:last] {
		offset += len(l)
	}
	prefix := ""
	if offset > 0 && !endsLine(e.src[:offset]) {
		prefix = e.newline
	}
	pad := strings.Repeat(" ", keyCol-1)
	var text string
	if len(path) == 3 {
		// A new overrides block reads best as a block with one flow entry.
		text = pad + path[0].key + ":" + e.newline + pad + "  " + path[1].key + ": " + flowText(path[1:]) + e.newline
	} else {
		text = pad + entry + e.newline
	}
	return e.splice(offset, offset, []byte(prefix+text)), nil
}

func indent(line string) int { return len(line) - len(strings.TrimLeft(line, " ")) }

// replaceNull fills a key written without a value (prod: or prod: null)
// with value.
func (e *editor) replaceNull(key, null *yaml.Node, value string) ([]byte, error) {
	text := []byte(value)
	if null.Value != "" {
		start := e.offset(null.Line, null.Column)
		return e.splice(start, start+len(null.Value), text), nil
	}
	keyEnd := e.offset(key.Line, key.Column) + len(key.Value)
	colon := bytes.IndexByte(e.src[keyEnd:], ':')
	if colon < 0 {
		return nil, fmt.Errorf("%w: no ':' after %s at line %d", ErrEdit, key.Value, key.Line)
	}
	at := keyEnd + colon + 1
	return e.splice(at, at, append([]byte(" "), text...)), nil
}

func (e *editor) replaceScalar(n *yaml.Node, value string) ([]byte, error) {
	if n.Kind != yaml.ScalarNode {
		return nil, fmt.Errorf("%w: the value at line %d is not a plain value", ErrEdit, n.Line)
	}
	start := e.offset(n.Line, n.Column)
	switch n.Style {
	case 0:
		end := start + len(n.Value)
		if !bytes.Equal(e.src[start:end], []byte(n.Value)) {
			return nil, fmt.Errorf("%w: the value at line %d spans lines; write it on one line", ErrEdit, n.Line)
		}
		return e.splice(start, end, []byte(plainOrQuoted(value))), nil
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		end, err := e.quoteEnd(start)
		if err != nil {
			return nil, err
		}
		quoted := fmt.Sprintf("%q", value)
		if n.Style == yaml.SingleQuotedStyle {
			quoted = "'" + strings.ReplaceAll(value, "'", "''") + "'"
		}
		return e.splice(start, end, []byte(quoted)), nil
	}
	return nil, fmt.Errorf("%w: the value at line %d is a block scalar; write it on one line", ErrEdit, n.Line)
}

// quoteEnd returns the offset just past the quoted scalar starting at start.
func (e *editor) quoteEnd(start int) (int, error) {
	q := e.src[start]
	for i := start + 1; i < len(e.src); i++ {
		switch {
		case q == '"' && e.src[i] == '\\':
			i++
		case e.src[i] == q && q == '\'' && i+1 < len(e.src) && e.src[i+1] == '\'':
			i++
		case e.src[i] == q:
			return i + 1, nil
		}
	}
	return 0, fmt.Errorf("%w: unterminated quote at offset %d", ErrEdit, start)
}

// flowEnd returns the offset of the bracket closing the flow collection n.
func (e *editor) flowEnd(n *yaml.Node) (int, error) {
	start := e.offset(n.Line, n.Column)
	depth := 0
	for i := start; i < len(e.src); i++ {
		switch c := e.src[i]; c {
		case '"', '\'':
			if !startsScalar(e.src[start:i]) {
				continue // an apostrophe inside a plain value
			}
			end, err := e.quoteEnd(i)
			if err != nil {
				return 0, err
			}
			i = end - 1
		case '#':
			if i > 0 && (e.src[i-1] == ' ' || e.src[i-1] == '\t') {
				for i < len(e.src) && breakLen(e.src[i:]) == 0 {
					i++
				}
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
			if depth == 0 {
				return i, nil
			}
		}
	}
	return 0, fmt.Errorf("%w: unclosed flow mapping at line %d", ErrEdit, n.Line)
}

// startsScalar tells whether a quote after text opens a quoted scalar in a
// flow collection: it follows an indicator, not a letter.
func startsScalar(text []byte) bool {
	trimmed := bytes.TrimRight(text, " \t\r\n")
	return len(trimmed) == 0 || bytes.ContainsAny(trimmed[len(trimmed)-1:], "{[,:")
}

// offset converts a 1-based line and column (in characters) to a byte
// offset, at most the end of the source.
func (e *editor) offset(line, col int) int {
	off := 0
	if line == 1 && bytes.HasPrefix(e.src, []byte("\ufeff")) {
		off = len("\ufeff") // the YAML parser does not count a byte order mark
	}
	for l := 1; l < line && l <= len(e.lines); l++ {
		off += len(e.lines[l-1])
	}
	for c := 1; c < col && off < len(e.src); c++ {
		_, size := utf8.DecodeRune(e.src[off:])
		off += size
	}
	return off
}

func (e *editor) splice(from, to int, text []byte) []byte {
	out := make([]byte, 0, len(e.src)-(to-from)+len(text))
	out = append(out, e.src[:from]...)
	out = append(out, text...)
	return append(out, e.src[to:]...)
}

func mappingEntry(m *yaml.Node, key string) (k, v *yaml.Node) {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil, nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i], m.Content[i+1]
		}
	}
	return nil, nil
}

func mappingValue(m *yaml.Node, key string) *yaml.Node {
	_, v := mappingEntry(m, key)
	return v
}
