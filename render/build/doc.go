// Package build is `kubectl kustomize` in memory: Overlay builds an
// environment's overlay from rendered files and returns exactly the bytes
// kubectl prints for the same tree on disk; OverlayExplained also says how.
//
// kustomize's build is quadratic in the resources of one build, so where
// an overlay has tandem's shape (split.go: a namespace, one folder per
// service or config, patches that each target one folder) it is built
// unit by unit on every core and merged in kustomize's legacy order, a
// sorter copied from kustomize; anything else is one krusty build. Tests
// hold both against one krusty build (split_test.go, fuzz_test.go).
//
// ResourceNames lists what an overlay holds without building it where it
// splits, for stale patch detection (package stale), which also turns the
// error of a build that a stale patch fails into one naming the patch.
package build
