// Package yamldoc reads what each document of a YAML file is: Targets
// gives the kind and metadata.name of each, with the line of the name.
// Stale patch detection reads platform patches with it, and the split
// build reads its units' resources and splits patch files by unit.
package yamldoc

import (
	"bytes"
	"errors"
	"io"

	"go.yaml.in/yaml/v3"
)

// Target is the kind and metadata.name of a document, and the line of
// the name, or of the document when it has none.
type Target struct {
	Kind, Name string
	Line       int
}

// Targets reads kind and metadata.name of each document of data.
func Targets(data []byte) ([]Target, error) {
	docs, err := Parse(data)
	if err != nil {
		return nil, err
	}
	out := make([]Target, len(docs))
	for i, doc := range docs {
		out[i] = TargetOf(doc)
	}
	return out, nil
}

// Parse parses the non-empty documents of data.
func Parse(data []byte) ([]*yaml.Node, error) {
	var docs []*yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			return docs, nil
		} else if err != nil {
			return nil, err
		}
		if len(doc.Content) > 0 {
			docs = append(docs, &doc)
		}
	}
}

// TargetOf is the kind and metadata.name of a document Parse returned.
func TargetOf(doc *yaml.Node) Target {
	root := doc.Content[0]
	t := Target{Line: root.Line}
	if kind := child(root, "kind"); kind != nil {
		t.Kind = kind.Value
	}
	if name := child(child(root, "metadata"), "name"); name != nil {
		t.Name, t.Line = name.Value, name.Line
	}
	return t
}

func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
