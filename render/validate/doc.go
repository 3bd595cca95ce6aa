// Package validate checks built manifests offline as the API server would:
// Manifests decodes each object strictly into its k8s.io/api type and
// checks names, labels, selectors, ports, requests against limits and the
// references between objects of one build. tandem check and the golden
// tests run it on every environment's build.
package validate
