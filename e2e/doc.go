// Package e2e drives the tandem binary like a user, against the real
// kubectl (with its embedded kustomize) and the real Docker Compose. The
// tools must be installed (make tools); a missing tool fails the tests
// rather than skipping them, so CI cannot pass without checking. Only the
// Docker tests can be skipped, and only on purpose: where
// TANDEM_E2E_SKIP_DOCKER=1 is set, a missing Docker skips them.
package e2e
