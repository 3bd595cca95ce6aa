// Package check is `tandem check` without the API server: Run reports, as
// Findings, drift between the rendered tree and what is on disk, stale
// platform patches, environments that do not build or build objects the
// API server would reject, and environment config overrides that add a
// key where they look like they change one.
package check
