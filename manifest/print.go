package manifest

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v2"
)

// printYAML prints a tree of JSON values (maps with string keys, slices,
// strings, ints, uint64s, float64s, bools and nils) byte for byte as
// yaml.v2's Marshal does, which is how kustomize and kubectl print
// manifests, several times faster: yaml.v2's event emitter was most of a
// render and a fifth of a build. A tree it cannot print with certainty
// (a multi-line string, say) is left to yaml.v2 itself, and a test
// compares the two on every manifest the tests render and on fuzzed trees.
func printYAML(tree any) ([]byte, error) {
	if m, ok := tree.(map[string]any); ok && len(m) > 0 {
		p := printer{buf: make([]byte, 0, 1024)}
		if p.mapping(m, 0, false) {
			return p.buf, nil
		}
	}
	return yaml.Marshal(tree)
}

// yaml.v2 breaks a line at a space in a scalar once the line is longer
// than lineWidth, and writes a key longer than simpleKeyMax, or holding
// a line break, as a complex key.
const (
	lineBreaks   = "\n\r\u0085\u2028\u2029"
	lineWidth    = 80
	simpleKeyMax = 100 // yaml.v2 allows 128; shorter keys are certain
)

const (
	// maxCheckedKeys bounds the maps whose key order is checked pair by
	// pair (see sortKeys); larger ones with digits in keys go to yaml.v2.
	maxCheckedKeys = 64
	// Strings longer than maxCachedForm are asked about every time rather
	// than kept, so that the cache stays small.
	maxCachedForm = 256
)

type printer struct {
	buf []byte
	// lineStart is where the current line starts in buf.
	lineStart int
}

func (p *printer) newline() {
	p.buf = append(p.buf, '\n')
	p.lineStart = len(p.buf)
}

func (p *printer) indent(n int) {
	for range n {
		p.buf = append(p.buf, ' ')
	}
}

// mapping prints a non-empty map in block style at indent; inline means
// the first key goes where the cursor is (after a sequence's "- ").
// yaml.v2 writes sequences in a mapping at the key's own indentation.
func (p *printer) mapping(m map[string]any, indent int, inline bool) bool {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	if !sortKeys(keys) {
		return false
	}
	for i, k := range keys {
		if i > 0 || !inline {
			p.indent(indent)
		}
		// A key yaml.v2 cannot write as a simple key it writes after "? ".
		if len(k) > simpleKeyMax || strings.ContainsAny(k, lineBreaks) || !p.scalar(k) {
			return false
		}
		p.buf = append(p.buf, ':')
		switch v := m[k].(type) {
		case map[string]any:
			if len(v) == 0 {
				p.buf = append(p.buf, " {}"...)
				p.newline()
				continue
			}
			p.newline()
			if !p.mapping(v, indent+2, false) {
				return false
			}
		case []any:
			if len(v) == 0 {
				p.buf = append(p.buf, " []"...)
				p.newline()
				continue
			}
			p.newline()
			if !p.sequence(v, indent, false) {
				return false
			}
		default:
			p.buf = append(p.buf, ' ')
			if !p.scalar(v) {
				return false
			}
			p.newline()
		}
	}
	return true
}

// sequence prints a non-empty slice in block style at indent.
func (p *printer) sequence(s []any, indent int, inline bool) bool {
	for i, item := range s {
		if i > 0 || !inline {
			p.indent(indent)
		}
		p.buf = append(p.buf, "- "...)
		switch v := item.(type) {
		case map[string]any:
			if len(v) == 0 {
				p.buf = append(p.buf, "{}"...)
				p.newline()
				continue
			}
			if !p.mapping(v, indent+2, true) {
				return false
			}
		case []any:
			if len(v) == 0 {
				p.buf = append(p.buf, "[]"...)
				p.newline()
				continue
			}
			if !p.sequence(v, indent+2, true) {
				return false
			}
		default:
			if !p.scalar(v) {
				return false
			}
			p.newline()
		}
	}
	return true
}

// scalar appends v as yaml.v2 writes it on one line, or reports that it
// cannot be sure.
func (p *printer) scalar(v any) bool {
	switch v := v.(type) {
	case string:
		form, ok := scalarForm(v)
		if !ok {
			return false
		}
		// yaml.v2 may break the line at a space only past lineWidth.
		if strings.ContainsRune(form, ' ') && len(p.buf)-p.lineStart+len(form) > lineWidth {
			return false
		}
		p.buf = append(p.buf, form...)
	case int:
		p.buf = strconv.AppendInt(p.buf, int64(v), 10)
	case int64:
		p.buf = strconv.AppendInt(p.buf, v, 10)
	case uint64:
		p.buf = strconv.AppendUint(p.buf, v, 10)
	case float64:
		s := strconv.FormatFloat(v, 'g', -1, 64)
		switch s {
		case "+Inf":
			s = ".inf"
		case "-Inf":
			s = "-.inf"
		case "NaN":
			s = ".nan"
		}
		p.buf = append(p.buf, s...)
	case bool:
		p.buf = strconv.AppendBool(p.buf, v)
	case nil:
		p.buf = append(p.buf, "null"...)
	default:
		return false
	}
	return true
}

// forms caches how yaml.v2 writes the strings that are not plainly plain.
var forms sync.Map // string → string, "" when it takes more than one line

// scalarForm returns a string as yaml.v2 writes it in block context, key
// or value alike, when that takes one line.
func scalarForm(s string) (string, bool) {
	if plainlyPlain(s) {
		return s, true
	}
	if form, ok := forms.Load(s); ok {
		return form.(string), form != ""
	}
	// Ask yaml.v2, once per string: which strings it quotes, and how,
	// follows from its resolver and its emitter's analysis of the text.
	form := ""
	if out, err := yaml.Marshal(map[string]string{"k": s}); err == nil {
		// yaml.v2 always starts with the key, so its prefix is trimmed
		// rather than checked.
		line, ok := strings.CutSuffix(strings.TrimPrefix(string(out), "k: "), "\n")
		if ok && !strings.Contains(line, "\n") {
			form = line
		}
	}
	if len(s) <= maxCachedForm {
		forms.Store(s, form)
	}
	return form, form != ""
}

// plainlyPlain tells, without asking yaml.v2, that it writes s as it is: a
// word of letters, digits and . _ / - that starts with a letter can be no
// number, time or indicator, and only a few such words mean true, false
// or null to YAML 1.1.
func plainlyPlain(s string) bool {
	if s == "" {
		return false
	}
	if c := s[0]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '/' || c == '-') {
			return false
		}
	}
	if len(s) <= 5 {
		switch strings.ToLower(s) {
		case "y", "yes", "n", "no", "true", "false", "on", "off", "null":
			return false
		}
	}
	return true
}

// sortKeys sorts keys as yaml.v2 does, or reports that the order is not
// certain: with digits in keys, yaml.v2's comparison is not always
// transitive, and then its order depends on the map's iteration order.
func sortKeys(keys []string) bool {
	slices.SortFunc(keys, compareKeys)
	for _, k := range keys {
		if !isASCIIWord(k) {
			// Checking every pair of a large map would cost more than
			// yaml.v2's printing it.
			return len(keys) <= maxCheckedKeys && totallyOrdered(keys)
		}
	}
	return true
}

// totallyOrdered tells whether every pair of sorted keys compares in
// order, so that any sort gives that order.
func totallyOrdered(sorted []string) bool {
	for i := range sorted {
		for j := i + 1; j < len(sorted); j++ {
			if !keyLess(sorted[i], sorted[j]) || keyLess(sorted[j], sorted[i]) {
				return false
			}
		}
	}
	return true
}

// compareKeys orders map keys as yaml.v2 does (its sorter.go): rune by
// rune, other characters before letters, and runs of digits by their
// numeric value, so that port-9 sorts before port-10.
func compareKeys(a, b string) int {
	if a == b {
		return 0
	}
	if keyLess(a, b) {
		return -1
	}
	return 1
}

func keyLess(a, b string) bool {
	if isASCIIWord(a) && isASCIIWord(b) {
		return asciiKeyLess(a, b)
	}
	ar, br := []rune(a), []rune(b)
	for i := 0; i < len(ar) && i < len(br); i++ {
		if ar[i] == br[i] {
			continue
		}
		al, bl := unicode.IsLetter(ar[i]), unicode.IsLetter(br[i])
		if al && bl {
			return ar[i] < br[i]
		}
		if al || bl {
			return bl
		}
		var ai, bi int
		var an, bn int64
		if ar[i] == '0' || br[i] == '0' {
			for j := i - 1; j >= 0 && unicode.IsDigit(ar[j]); j-- {
				if ar[j] != '0' {
					an, bn = 1, 1
					break
				}
			}
		}
		for ai = i; ai < len(ar) && unicode.IsDigit(ar[ai]); ai++ {
			an = an*10 + int64(ar[ai]-'0')
		}
		for bi = i; bi < len(br) && unicode.IsDigit(br[bi]); bi++ {
			bn = bn*10 + int64(br[bi]-'0')
		}
		if an != bn {
			return an < bn
		}
		if ai != bi {
			return ai < bi
		}
		return ar[i] < br[i]
	}
	return len(ar) < len(br)
}

// isASCIIWord: no digits and no multi-byte runes, the common case, where
// yaml.v2's order is byte order but for letters coming last.
func isASCIIWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || '0' <= c && c <= '9' {
			return false
		}
	}
	return true
}

func asciiKeyLess(a, b string) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] == b[i] {
			continue
		}
		al, bl := isASCIILetter(a[i]), isASCIILetter(b[i])
		if al && bl {
			return a[i] < b[i]
		}
		if al || bl {
			return bl
		}
		return a[i] < b[i]
	}
	return len(a) < len(b)
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
