package catalogue

import (
	"fmt"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// decoder turns a YAML node tree into the catalogue types strictly: unknown
// keys, duplicate keys and wrong types are errors with the position of the
// node and its field path. yaml.v3's KnownFields gives neither column nor
// path nor a suggestion, hence this small reflective walk.
type decoder struct {
	errs *errorList
	// file is the file being decoded when it is not the catalogue itself.
	file string
	// visits counts decoded nodes and keys: aliases and merges can make a
	// small file expand exponentially; no real catalogue nears the limit.
	visits   int
	tooLarge bool
	// merging holds the mappings being merged, to catch a merge into itself.
	merging map[*yaml.Node]bool
}

func (d *decoder) pos(n *yaml.Node) Position {
	return Position{File: d.file, Line: n.Line, Column: n.Column}
}

// visit counts one more node and reports, once, when there are too many.
func (d *decoder) visit(n *yaml.Node, path string) bool {
	if d.visits++; d.visits <= maxVisits {
		return true
	}
	if !d.tooLarge {
		d.tooLarge = true
		d.errs.at(d.pos(n), path, "the catalogue expands to more than %d values; check for aliases and merge keys (<<) that multiply each other", maxVisits)
	}
	return false
}

const maxVisits = 1_000_000

func (d *decoder) decode(n *yaml.Node, v reflect.Value, path string) {
	n = resolveAlias(n)
	if !d.visit(n, path) {
		return
	}
	d.errs.positions[path] = d.pos(n)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // absent and null mean the same: the default
	}
	if short, ok := shorthandOf(v); ok && n.Kind == yaml.ScalarNode {
		short.fromScalar(n.Value)
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		d.decode(n, v.Elem(), path)
	case reflect.Struct:
		d.decodeStruct(n, v, path)
	case reflect.Map:
		d.decodeMap(n, v, path)
	case reflect.Slice:
		d.decodeSlice(n, v, path)
	case reflect.String:
		if d.expectScalar(n, path, "a string") && d.plainText(n, path) {
			// Any plain scalar reads as the text written: version: 16,
			// DEBUG: true and RELEASE: 2024-06-01 are strings here.
			v.SetString(n.Value)
		}
	case reflect.Int:
		if d.expectScalar(n, path, "an integer") {
			if n.Tag == "!!int" && leadingZero.MatchString(n.Value) {
				d.errs.add(path, "%s has a leading zero, which YAML 1.1 reads as octal%s; did you mean %s?", n.Value, octalNote(n.Value), withoutLeadingZeros(n.Value))
				return
			}
			i, err := strconv.ParseInt(n.Value, 0, 32)
			if n.Tag != "!!int" || err != nil {
				d.errs.add(path, "expected an integer, got %s", describe(n))
				return
			}
			v.SetInt(int64(i))
		}
	case reflect.Bool:
		if d.expectScalar(n, path, "true or false") {
			if n.Tag != "!!bool" {
				d.errs.add(path, "expected true or false, got %s", describe(n))
				return
			}
			b, _ := strconv.ParseBool(strings.ToLower(n.Value))
			v.SetBool(b)
		}
	default:
		panic(fmt.Sprintf("catalogue: no decoding for %s", v.Type()))
	}
}

// leadingZero matches the integers YAML 1.1 reads as octal and YAML 1.2
// as decimal: a catalogue means neither silently.
var leadingZero = regexp.MustCompile(`^[-+]?0[0-9_]+$`)

// octalNote says what YAML 1.1 would make of s where that differs from
// what it reads as in decimal.
func octalNote(s string) string {
	digits := strings.ReplaceAll(s, "_", "")
	octal, err := strconv.ParseInt(digits, 8, 64)
	decimal, _ := strconv.ParseInt(digits, 10, 64)
	if err != nil || octal == decimal {
		return ""
	}
	return fmt.Sprintf(" (%s would be %d)", s, octal)
}

func withoutLeadingZeros(s string) string {
	sign := ""
	if s[0] == '-' || s[0] == '+' {
		sign, s = s[:1], s[1:]
	}
	if s = strings.TrimLeft(s, "0_"); s == "" {
		s = "0"
	}
	return strings.TrimPrefix(sign, "+") + s
}

// plainText refuses strings no environment variable, argument or file can
// hold, and tags whose text is not the value meant.
func (d *decoder) plainText(n *yaml.Node, path string) bool {
	switch {
	case n.Tag == "!!binary":
		d.errs.add(path, "!!binary values are not decoded; write the text itself, or put binary data in a file of a config volume")
		return false
	case strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!"):
		d.errs.add(path, "unknown YAML tag %s; remove it", n.Tag)
		return false
	case strings.IndexByte(n.Value, 0) >= 0:
		d.errs.add(path, "contains a NUL character (\\0), which no environment variable, argument or file name can hold")
		return false
	}
	return true
}

// shorthand is a struct that may also be written as one scalar, as a
// use may be written as just the name of what it uses.
type shorthand interface{ fromScalar(string) }

var shorthandType = reflect.TypeFor[shorthand]()

func shorthandOf(v reflect.Value) (shorthand, bool) {
	if v.Kind() != reflect.Struct || !v.CanAddr() {
		return nil, false
	}
	short, ok := v.Addr().Interface().(shorthand)
	return short, ok
}

func (u *Use) fromScalar(name string) { *u = Use{Name: name} }

func (d *decoder) expectScalar(n *yaml.Node, path, want string) bool {
	if n.Kind != yaml.ScalarNode {
		d.errs.add(path, "expected %s, got %s", want, describe(n))
		return false
	}
	return true
}

// pairs walks a mapping node's keys, reporting duplicates and non-string
// keys, and calls fn for each key with its path. Keys merged in with
// "<<: *anchor" come first, so that the mapping's own keys override them.
func (d *decoder) pairs(n *yaml.Node, path, what string, fn func(key string, keyNode, value *yaml.Node, keyPath string)) {
	n = resolveAlias(n)
	if d.tooLarge {
		return // merges nest: stop expanding them, not only the keys
	}
	if n.Kind != yaml.MappingNode {
		d.errs.add(path, "expected %s, got %s", what, describe(n))
		return
	}
	merged := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Tag == "!!merge" {
			d.merge(n.Content[i+1], path, what, merged, fn)
		}
	}
	seen := map[string]Position{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Tag == "!!merge" {
			continue
		}
		if !d.visit(k, path) {
			return
		}
		keyPath := join(path, k.Value)
		pos := d.pos(k)
		if k.Kind != yaml.ScalarNode {
			d.errs.at(pos, path, "keys must be plain strings, got %s", describe(k))
			continue
		}
		if first, dup := seen[k.Value]; dup {
			d.errs.at(pos, keyPath, "duplicate key %q (first defined at line %d)", k.Value, first.Line)
			continue
		}
		seen[k.Value] = pos
		fn(k.Value, k, val, keyPath)
	}
}

// merge applies the mappings of a "<<" value: one alias or a list of them,
// earlier ones winning as YAML's merge key specifies.
func (d *decoder) merge(value *yaml.Node, path, what string, done map[string]bool, fn func(string, *yaml.Node, *yaml.Node, string)) {
	sources := []*yaml.Node{value}
	if value.Kind == yaml.SequenceNode {
		sources = value.Content
	}
	for _, src := range sources {
		src = resolveAlias(src)
		// Each merged mapping counts as it is expanded, so that nested
		// merges hit the limit as early as nested aliases do.
		if !d.visit(src, path) {
			return
		}
		if src.Kind != yaml.MappingNode {
			d.errs.at(d.pos(src), path, "<< merges mappings, got %s", describe(src))
			continue
		}
		if d.merging[src] {
			d.errs.at(d.pos(value), path, "<< merges a mapping into itself")
			continue
		}
		if d.merging == nil {
			d.merging = map[*yaml.Node]bool{}
		}
		d.merging[src] = true
		d.pairs(src, path, what, func(key string, keyNode, val *yaml.Node, keyPath string) {
			if !done[key] {
				done[key] = true
				fn(key, keyNode, val, keyPath)
			}
		})
		delete(d.merging, src)
	}
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func (d *decoder) decodeStruct(n *yaml.Node, v reflect.Value, path string) {
	fields := yamlFields(v.Type())
	d.pairs(n, path, "a mapping", func(key string, keyNode, value *yaml.Node, keyPath string) {
		if path == "" && strings.HasPrefix(key, "x-") {
			return // extension fields hold anchors for reuse, as in Compose
		}
		idx, ok := fields[key]
		if !ok {
			names := make([]string, 0, len(fields))
			for name := range fields {
				names = append(names, name)
			}
			d.errs.at(d.pos(keyNode), keyPath, "unknown field %q%s", key, suggest(key, names))
			return
		}
		// A key merged with "<<" and then set again is replaced, not
		// combined: YAML merges are shallow.
		field := v.Field(idx)
		field.Set(reflect.Zero(field.Type()))
		d.decode(value, field, keyPath)
		d.pointAtKeyUnlessScalar(keyNode, value, keyPath)
	})
}

func (d *decoder) decodeMap(n *yaml.Node, v reflect.Value, path string) {
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	d.pairs(n, path, "a mapping", func(key string, keyNode, value *yaml.Node, keyPath string) {
		elem := reflect.New(v.Type().Elem()).Elem()
		d.decode(value, elem, keyPath)
		d.pointAtKeyUnlessScalar(keyNode, value, keyPath)
		v.SetMapIndex(reflect.ValueOf(key), elem)
	})
}

// pointAtKeyUnlessScalar makes errors about a whole entry (a service, a
// port list) point at its key, where a reader looks for it, while errors
// about a scalar value point at the value itself.
func (d *decoder) pointAtKeyUnlessScalar(keyNode, value *yaml.Node, keyPath string) {
	if value.Kind != yaml.ScalarNode || value.Tag == "!!null" {
		d.errs.positions[keyPath] = d.pos(keyNode)
	}
}

func (d *decoder) decodeSlice(n *yaml.Node, v reflect.Value, path string) {
	if n.Kind != yaml.SequenceNode {
		d.errs.add(path, "expected a list, got %s", describe(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, item := range n.Content {
		d.decode(item, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
	v.Set(s)
}

// yamlFields maps the yaml tag names of a struct to field indexes.
func yamlFields(t reflect.Type) map[string]int {
	fields := map[string]int{}
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			fields[name] = i
		}
	}
	return fields
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.Tag {
	case "!!int":
		if _, err := strconv.ParseInt(n.Value, 0, 32); err != nil {
			return "integer " + n.Value + ", out of range"
		}
		return "integer " + n.Value
	case "!!bool":
		return "boolean " + n.Value
	case "!!float":
		return "number " + n.Value
	case "!!null":
		return "null"
	}
	return strconv.Quote(n.Value)
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// suggest returns ` (did you mean "x"?)` for the closest candidate within a
// small edit distance, or "" when nothing is close enough to help.
func suggest(got string, candidates []string) string {
	best, ok := Closest(got, candidates)
	if !ok {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// Closest returns the candidate closest to got, ignoring case, when it is
// close enough to be a likely typo of it.
func Closest(got string, candidates []string) (string, bool) {
	sorted := append([]string(nil), candidates...)
	sort.Strings(sorted)
	// A typo is a letter or two off; further than that, a suggestion
	// misleads more than it helps.
	best, bestDist := "", max(2, utf8.RuneCountInString(got)/4)+1
	for _, c := range sorted {
		if d := editDistance(strings.ToLower(got), strings.ToLower(c)); d < bestDist && c != got {
			best, bestDist = c, d
		}
	}
	return best, best != ""
}

// editDistance counts characters, not bytes, so that an invisible
// U+200B is one typo, as it looks to whoever made it.
func editDistance(sa, sb string) int {
	a, b := []rune(sa), []rune(sb)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
