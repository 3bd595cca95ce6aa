// Package check is `tandem check` without the API server: Run reports, as
// Findings, drift between the rendered tree and what is on disk, stale
// platform patches, environments that do not build or build objects the
// API server would reject, environment config overrides that add a key
// where they look like they change one, and values that address a
// service or resource their service does not use (or a port it lacks).
// SourceUses finds the same in the code of services built from source.
package check
