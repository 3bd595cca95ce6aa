// Package manifest holds what every renderer and the writer share, and
// nothing that decides what an object contains (that is package objects):
//
//   - manifest.go: Files, the rendered tree as relative path to bytes;
//     Header and Generated, the generated-file header that marks tandem's
//     ownership; Encode and Batch, which turn typed objects into stable
//     YAML (Batch on every core); YAMLFromJSON, which prints JSON as
//     kustomize prints what it built.
//   - layout.go: the layout of the rendered tree (BaseServiceDir,
//     OverlayDir, PlatformPatchesDir, ...), Rel between two of its folders,
//     PlatformOwned for the folders tandem never writes, PlatformPatches
//     and ComponentDirs for the platform's files the overlays list, and
//     NewKustomization for every kustomization.yaml in it.
//   - print.go, json.go: the YAML printer behind Encode and the JSON reader
//     that feeds it, both byte for byte what sigs.k8s.io/yaml would give.
//   - node.go, documents.go: YAMLFromNode prints a yaml.v3 node as
//     YAMLFromJSON would, and Documents splits a YAML stream, both for
//     reading what a kustomize build printed.
package manifest
