// Package e2e drives the tandem binary like a user, against the real
// kubectl (with its embedded kustomize) and the real Docker Compose. The
// tools must be installed (make tools); a missing tool fails the tests
// rather than skipping them, so CI cannot pass without checking.
package e2e
