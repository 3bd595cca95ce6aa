package manifest

import (
	"regexp"
	"strconv"
	"unicode/utf8"

	yaml3 "go.yaml.in/yaml/v3"
)

// YAMLFromNode prints a resource kustomize built, as YAMLFromJSON prints
// the JSON kustomize makes of it (RNode.MarshalJSON: YAML encode, YAML
// parse, JSON encode), without those steps. ok is false for a node whose
// JSON it cannot be sure of (floats, times, anchors, merge keys, integers
// not in plain decimal): use YAMLFromJSON then.
func YAMLFromNode(node *yaml3.Node) (out []byte, ok bool, err error) {
	tree, ok := nodeTree(node)
	if !ok {
		return nil, false, nil
	}
	out, err = printYAML(tree)
	return out, true, err
}

var decimal = regexp.MustCompile(`^-?(0|[1-9][0-9]*)$`)

// nodeTree is the JSON value of node, as yaml.v3 decodes it and JSON
// encodes and typeNumbers types it.
func nodeTree(node *yaml3.Node) (any, bool) {
	switch node.Kind {
	case yaml3.DocumentNode:
		if len(node.Content) != 1 {
			return nil, false
		}
		return nodeTree(node.Content[0])
	case yaml3.MappingNode:
		m := make(map[string]any, len(node.Content)/2)
		for i := 0; i+1 < len(node.Content); i += 2 {
			key := node.Content[i]
			if key.Kind != yaml3.ScalarNode || key.ShortTag() != "!!str" || !utf8.ValidString(key.Value) {
				return nil, false
			}
			if _, twice := m[key.Value]; twice {
				return nil, false
			}
			value, ok := nodeTree(node.Content[i+1])
			if !ok {
				return nil, false
			}
			m[key.Value] = value
		}
		return m, true
	case yaml3.SequenceNode:
		s := make([]any, len(node.Content))
		for i, item := range node.Content {
			value, ok := nodeTree(item)
			if !ok {
				return nil, false
			}
			s[i] = value
		}
		return s, true
	case yaml3.ScalarNode:
		// A quoted or block scalar tagged as another type, which kustomize
		// makes when it sets a field of a quoted one, loses that tag in
		// the round trip and reads back as a string.
		quoted := yaml3.SingleQuotedStyle | yaml3.DoubleQuotedStyle | yaml3.LiteralStyle | yaml3.FoldedStyle
		if node.ShortTag() != "!!str" && node.Style&quoted != 0 && node.Style&yaml3.TaggedStyle == 0 {
			return nil, false
		}
		switch node.ShortTag() {
		case "!!str":
			return node.Value, utf8.ValidString(node.Value)
		case "!!null":
			// An empty value reads back as "" in a flow mapping.
			return nil, node.Value == "null" || node.Value == "~"
		case "!!bool":
			switch node.Value {
			case "true":
				return true, true
			case "false":
				return false, true
			}
		case "!!int":
			if decimal.MatchString(node.Value) {
				if i, err := strconv.ParseInt(node.Value, 10, 64); err == nil {
					return int(i), true
				}
			}
		}
	}
	return nil, false
}
