package graph

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
)

// ErrNoGraphviz is returned by SVG where Graphviz's dot is not installed.
var ErrNoGraphviz = errors.New("--format svg needs Graphviz's dot, which is not on PATH: install graphviz (apt-get install graphviz, brew install graphviz), or print DOT with --format dot")

// SVG draws DOT as SVG with Graphviz's dot, the one process this package
// runs; Dot and Mermaid stay pure.
func SVG(ctx context.Context, dot []byte) ([]byte, error) {
	bin, err := exec.LookPath("dot")
	if err != nil {
		return nil, ErrNoGraphviz
	}
	cmd := exec.CommandContext(ctx, bin, "-Tsvg")
	cmd.Stdin = bytes.NewReader(dot)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("dot -Tsvg: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}
