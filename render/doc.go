// Package render is tandem's render pipeline: Render turns a catalogue
// into every file tandem generates (the Compose file, the kustomize base
// of Base, one overlay per environment and the CODEOWNERS fragment),
// without touching the disk. What is done with those files lives beside
// it, one package per concern:
//
//   - render/tree puts them on disk (Write, the staged writer, is the one
//     place that writes generated files) and reads a rendered tree back;
//   - render/build builds an environment's overlay in memory, byte for
//     byte what `kubectl kustomize` prints for the written tree;
//   - render/validate checks a build offline as the API server would;
//   - render/stale finds the platform patches that match nothing any more;
//   - render/check is `tandem check`: drift against the tree on disk, and
//     all of the above for every environment.
package render
