package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	yaml3 "go.yaml.in/yaml/v3"
)

// Documents splits a YAML stream, such as a build's output, into its
// documents, each re-encoded on its own; empty documents are dropped.
func Documents(stream []byte) ([][]byte, error) {
	var out [][]byte
	dec := yaml3.NewDecoder(bytes.NewReader(stream))
	for i := 1; ; i++ {
		var node yaml3.Node
		if err := dec.Decode(&node); errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		doc, err := yaml3.Marshal(&node)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if len(bytes.TrimSpace(doc)) > 0 && string(bytes.TrimSpace(doc)) != "null" {
			out = append(out, doc)
		}
	}
}
