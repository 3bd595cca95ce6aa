package manifest

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// referenceTree reads JSON as encoding/json does, numbers typed as
// typeNumbers types them: what parseJSON must give.
func referenceTree(t *testing.T, data []byte) any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		t.Fatal(err)
	}
	return typeNumbers(tree)
}

func compareParse(t *testing.T, value any) {
	t.Helper()
	data, err := json.Marshal(value)
	if err != nil {
		return // not JSON
	}
	got, err := parseJSON(data)
	if err != nil {
		t.Fatalf("parseJSON(%s): %v", data, err)
	}
	if want := referenceTree(t, data); !reflect.DeepEqual(got, want) {
		t.Errorf("parseJSON(%s) = %#v, want %#v", data, got, want)
	}
}

func TestParseJSONMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	compareParse(t, map[string]any{
		"escapes": []any{`quote " backslash \ slash /`, "tab\tline\nfeed\r", "<html> & co", "\u2028\u2029", "\x01\x1f", "é日本\U0001F600"},
		"invalid": "bad \xff utf-8",
		"numbers": []any{0, -1, 42, int64(1) << 62, uint64(1) << 63, 1.5, -2.25e-7, 1e21, 3.0},
		"empty":   map[string]any{"map": map[string]any{}, "list": []any{}, "string": ""},
		"values":  []any{true, false, nil, map[string]any{"nested": []any{[]any{}, map[string]any{"k": nil}}}},
		"":        "empty key",
		"k\"ey":   "escaped key",
	})
}

func FuzzParseJSON(f *testing.F) {
	f.Add([]byte(`{"a":[1,-2.5e3,"x\"y",null,true,{"b":{}}],"c":"\u00e9"}`))
	f.Add([]byte(`[18446744073709551615, 9223372036854775808, -9223372036854775809, 1e400]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Numbers kept as their text, so that big integers reach
		// parseJSON unrounded.
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var value any
		if dec.Decode(&value) != nil {
			return
		}
		compareParse(t, value)
	})
}
