// Package render is tandem's render pipeline. Render turns a catalogue into
// every generated file (the Compose file, the kustomize base and one
// overlay per environment) without touching the disk; Build runs the
// kustomize API in memory on those files, exactly as `kubectl kustomize`
// would on the written tree; Write is the one place that puts files on disk.
package render
