package manifest

import (
	"encoding/json"
	"fmt"
)

// parseJSON reads what json.Marshal wrote into JSON values, numbers typed
// as typeNumbers types them. encoding/json's own decoding into interface
// values took a third of a render; this reads the one shape json.Marshal
// writes (no spaces, valid UTF-8) and leaves strings with escapes to it.
func parseJSON(data []byte) (any, error) {
	r := jsonReader{data: data}
	v, err := r.value()
	if err == nil && r.pos != len(data) {
		err = r.fail("trailing data")
	}
	return v, err
}

type jsonReader struct {
	data []byte
	pos  int
}

func (r *jsonReader) fail(what string) error {
	return fmt.Errorf("reading JSON at byte %d: %s", r.pos, what)
}

func (r *jsonReader) value() (any, error) {
	if r.pos >= len(r.data) {
		return nil, r.fail("unexpected end")
	}
	switch c := r.data[r.pos]; {
	case c == '{':
		return r.object()
	case c == '[':
		return r.array()
	case c == '"':
		return r.string()
	case r.literal("true"):
		return true, nil
	case r.literal("false"):
		return false, nil
	case r.literal("null"):
		return nil, nil
	case c == '-' || '0' <= c && c <= '9':
		start := r.pos
		for r.pos < len(r.data) && isNumberByte(r.data[r.pos]) {
			r.pos++
		}
		return typeNumbers(json.Number(r.data[start:r.pos])), nil
	}
	return nil, r.fail("unexpected character")
}

func isNumberByte(c byte) bool {
	return '0' <= c && c <= '9' || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E'
}

func (r *jsonReader) literal(word string) bool {
	if len(r.data)-r.pos >= len(word) && string(r.data[r.pos:r.pos+len(word)]) == word {
		r.pos += len(word)
		return true
	}
	return false
}

func (r *jsonReader) object() (any, error) {
	r.pos++ // {
	m := map[string]any{}
	if r.pos < len(r.data) && r.data[r.pos] == '}' {
		r.pos++
		return m, nil
	}
	for {
		if r.pos >= len(r.data) || r.data[r.pos] != '"' {
			return nil, r.fail("expected a key")
		}
		key, err := r.string()
		if err != nil {
			return nil, err
		}
		if r.pos >= len(r.data) || r.data[r.pos] != ':' {
			return nil, r.fail("expected :")
		}
		r.pos++
		v, err := r.value()
		if err != nil {
			return nil, err
		}
		m[key] = v
		if r.pos >= len(r.data) {
			return nil, r.fail("unexpected end")
		}
		switch r.data[r.pos] {
		case ',':
			r.pos++
		case '}':
			r.pos++
			return m, nil
		default:
			return nil, r.fail("expected , or }")
		}
	}
}

func (r *jsonReader) array() (any, error) {
	r.pos++ // [
	s := []any{}
	if r.pos < len(r.data) && r.data[r.pos] == ']' {
		r.pos++
		return s, nil
	}
	for {
		v, err := r.value()
		if err != nil {
			return nil, err
		}
		s = append(s, v)
		if r.pos >= len(r.data) {
			return nil, r.fail("unexpected end")
		}
		switch r.data[r.pos] {
		case ',':
			r.pos++
		case ']':
			r.pos++
			return s, nil
		default:
			return nil, r.fail("expected , or ]")
		}
	}
}

func (r *jsonReader) string() (string, error) {
	start := r.pos
	r.pos++ // "
	escaped := false
	for r.pos < len(r.data) {
		switch r.data[r.pos] {
		case '\\':
			escaped = true
			r.pos += 2
			continue
		case '"':
			r.pos++
			if !escaped {
				return string(r.data[start+1 : r.pos-1]), nil
			}
			var s string
			err := json.Unmarshal(r.data[start:r.pos], &s)
			return s, err
		}
		r.pos++
	}
	return "", r.fail("unterminated string")
}
