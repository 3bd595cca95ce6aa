// Package stale finds the platform team's patches that no longer match
// what tandem renders, typically after a service was renamed or removed:
// Patches lists each stale document with its file and line, Explain puts
// them in place of kustomize's message when they fail a build (which
// names neither), and PatchedBy maps objects to the patches that target
// them, so that a problem with an object can name them.
package stale
