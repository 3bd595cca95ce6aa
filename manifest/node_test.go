package manifest

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	yaml3 "go.yaml.in/yaml/v3"
	kyaml "sigs.k8s.io/kustomize/kyaml/yaml"
)

// FuzzYAMLFromNode compares YAMLFromNode, where it prints a node itself,
// with kustomize's JSON round trip (RNode.MarshalJSON) printed by
// YAMLFromJSON: go test ./manifest -fuzz FuzzYAMLFromNode.
func FuzzYAMLFromNode(f *testing.F) {
	for _, seed := range []string{
		"a: 1\nb: [x, \"2\", true, null, ~]\nc: {d: \"\", e: yes}\n",
		"n: 007\nx: 0x1F\nf: 1.5\nt: 2001-12-14\nbig: 9223372036854775808\nneg: -0\n",
		"s: |\n  two\n  lines\nq: 'it''s'\nu: \"\\u2028 é\"\n",
		"a: &x {k: v}\nb: *x\nc: {<<: *x, l: m}\n",
		"? [complex]\n: key\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var node yaml3.Node
		if yaml3.Unmarshal(data, &node) != nil || len(node.Content) != 1 || node.Content[0].Kind != yaml3.MappingNode {
			return
		}
		got, ok, err := YAMLFromNode(&node)
		if !ok || err != nil {
			return
		}
		j, err := kyaml.NewRNode(node.Content[0]).MarshalJSON()
		if err != nil {
			t.Skip("kustomize cannot print it either")
		}
		want, err := YAMLFromJSON(j)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("YAMLFromNode(%q) =\n%s\nwant (JSON round trip)\n%s", data, got, want)
		}
	})
}

// TestYAMLFromNodeLeavesRetaggedQuotedScalars: kustomize's replica and
// field setters tag a quoted scalar as an integer; its round trip keeps
// the quotes and reads a string, which YAMLFromNode must not guess.
func TestYAMLFromNodeLeavesRetaggedQuotedScalars(t *testing.T) {
	t.Parallel()
	for _, value := range []*yaml3.Node{
		{Kind: yaml3.ScalarNode, Tag: "!!int", Style: yaml3.DoubleQuotedStyle, Value: "3"},
		{Kind: yaml3.ScalarNode, Tag: "!!bool", Style: yaml3.SingleQuotedStyle, Value: "true"},
		{Kind: yaml3.ScalarNode, Tag: "!!null", Style: yaml3.LiteralStyle, Value: "null"},
	} {
		node := &yaml3.Node{Kind: yaml3.MappingNode, Content: []*yaml3.Node{{Kind: yaml3.ScalarNode, Tag: "!!str", Value: "replicas"}, value}}
		j, err := kyaml.NewRNode(node).MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		want, err := YAMLFromJSON(j)
		if err != nil {
			t.Fatal(err)
		}
		got, ok, err := YAMLFromNode(node)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			t.Errorf("%s %q: printed as %q, want it left to the round trip, which prints %q", value.Tag, value.Value, got, want)
		}
	}
	// The same values unquoted keep their type: no reason to leave them.
	plain := &yaml3.Node{Kind: yaml3.MappingNode, Content: []*yaml3.Node{{Kind: yaml3.ScalarNode, Tag: "!!str", Value: "replicas"},
		{Kind: yaml3.ScalarNode, Tag: "!!int", Value: "3"}}}
	got, ok, err := YAMLFromNode(plain)
	if err != nil || !ok {
		t.Fatalf("YAMLFromNode(replicas: 3) = %v, %v", ok, err)
	}
	if diff := cmp.Diff("replicas: 3\n", string(got)); diff != "" {
		t.Error(diff)
	}
}
