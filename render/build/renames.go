package build

import (
	"bytes"
	"encoding/json"
	"path"
	"strings"

	kusttypes "sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"

	"github.com/tandemdev/tandem/manifest"
)

// rename is one resource a kustomization of the overlay renames by a
// patch, as tandem renames a Job to its version.
type rename struct {
	kind, from, to string
}

// renames lists the resources the overlay's kustomizations rename with a
// JSON patch of metadata.name. kustomize's patches find a renamed resource
// by either name, so both are names a platform patch may use.
func renames(files manifest.Files, env string) []rename {
	var out []rename
	prefix := manifest.OverlayDir(env) + "/"
	for _, p := range files.Paths() {
		// Most kustomizations rename nothing, and parsing each one would
		// cost a large overlay a good part of a build.
		if !strings.HasPrefix(p, prefix) || path.Base(p) != manifest.Kustomization || !bytes.Contains(files[p], []byte("allowNameChange")) {
			continue
		}
		var k kusttypes.Kustomization
		if yaml.Unmarshal(files[p], &k) != nil {
			continue // the build reports it
		}
		for _, patch := range k.Patches {
			if patch.Options == nil || !patch.Options.AllowNameChange || patch.Target == nil || patch.Target.Name == "" {
				continue
			}
			var ops []struct{ Op, Path, Value string }
			if json.Unmarshal([]byte(patch.Patch), &ops) != nil {
				continue
			}
			for _, op := range ops {
				if op.Op == "replace" && op.Path == "/metadata/name" && op.Value != "" {
					out = append(out, rename{kind: patch.Target.Kind, from: patch.Target.Name, to: op.Value})
				}
			}
		}
	}
	return out
}

// withRenames adds to names, by kind, the other name of each renamed
// resource it holds under one of them.
func withRenames(names map[string]map[string]bool, renamed []rename) map[string]map[string]bool {
	for _, r := range renamed {
		switch {
		case names[r.kind][r.from]:
			names[r.kind][r.to] = true
		case names[r.kind][r.to]:
			names[r.kind][r.from] = true
		}
	}
	return names
}
