package manifest

import (
	"path"
	"strings"

	kusttypes "sigs.k8s.io/kustomize/api/types"
)

// The layout of the rendered tree. Every service has its own kustomization
// in the base and in each overlay, with its own images and patches, so that
// no transformer runs across all resources (kustomize's build is quadratic
// in the resources a transformer sees) and each service can be built alone.
const (
	ComposeFile   = "compose.yaml"
	Kustomization = "kustomization.yaml"
	BaseDir       = "base"
	OverlaysDir   = "overlays"
	// PatchesDir under an overlay belongs to the platform team.
	PatchesDir = "patches"
	// ComponentsDir holds the platform team's kustomize components, which
	// every overlay includes.
	ComponentsDir = "components"
	// CodeOwnersFile is the CODEOWNERS fragment rendered from owners:.
	CodeOwnersFile = "CODEOWNERS.tandem"
)

// BaseServiceDir holds one service's base manifests.
func BaseServiceDir(service string) string { return path.Join(BaseDir, "services", service) }

// BaseNetworkDir holds the namespace-wide NetworkPolicy.
func BaseNetworkDir() string { return path.Join(BaseDir, "network") }

// OverlayResourceDir holds what an environment runs or names for a
// backing resource: a StatefulSet, or an ExternalName Service.
func OverlayResourceDir(env, resource string) string {
	return path.Join(OverlayDir(env), "resources", resource)
}

// BaseConfigDir holds the ConfigMaps of the config groups.
func BaseConfigDir() string { return path.Join(BaseDir, "config") }

// OverlayDir is the kustomization root of an environment.
func OverlayDir(env string) string { return path.Join(OverlaysDir, env) }

// OverlayServiceDir holds one service's patches for an environment.
func OverlayServiceDir(env, service string) string {
	return path.Join(OverlayDir(env), "services", service)
}

// OverlayConfigDir holds an environment's config group patches.
func OverlayConfigDir(env string) string { return path.Join(OverlayDir(env), "config") }

// PlatformPatchesDir holds the platform team's patches for an environment.
func PlatformPatchesDir(env string) string { return path.Join(OverlayDir(env), PatchesDir) }

// PlatformPatches lists env's platform patches in files: the YAML files
// below its patches folder, by path relative to that folder, in path
// order. The overlay lists them; stale patch detection reads them.
func PlatformPatches(files Files, env string) []string {
	prefix := PlatformPatchesDir(env) + "/"
	var out []string
	for _, p := range files.Paths() {
		if rel, ok := strings.CutPrefix(p, prefix); ok && isYAML(rel) {
			out = append(out, rel)
		}
	}
	return out
}

func isYAML(name string) bool {
	ext := path.Ext(name)
	return ext == ".yaml" || ext == ".yml"
}

// ComponentDirs lists the folders under components/ in files that hold a
// kustomization, relative to the output folder: the components every
// overlay includes.
func ComponentDirs(files Files) []string {
	var out []string
	for _, p := range files.Paths() {
		dir, name := path.Split(p)
		dir = strings.TrimSuffix(dir, "/")
		if path.Dir(dir) == ComponentsDir && isKustomization(name) {
			out = append(out, dir)
		}
	}
	return out
}

func isKustomization(name string) bool {
	return name == "kustomization.yaml" || name == "kustomization.yml" || name == "Kustomization"
}

// PlatformOwned tells whether a path relative to the output folder lies in
// a platform patches folder or the components folder, which tandem never
// writes or removes, even when a file there was copied from a generated
// one, header and all.
func PlatformOwned(rel string) bool {
	parts := strings.Split(rel, "/")
	return (len(parts) > 3 && parts[0] == OverlaysDir && parts[2] == PatchesDir) ||
		(len(parts) > 1 && parts[0] == ComponentsDir)
}

// Rel is the relative path from folder from to target, both slash paths
// relative to the output folder.
func Rel(from, target string) string {
	f, t := strings.Split(path.Clean(from), "/"), strings.Split(path.Clean(target), "/")
	common := 0
	for common < len(f) && common < len(t) && f[common] == t[common] {
		common++
	}
	parts := make([]string, 0, len(f)-common+len(t)-common)
	for range f[common:] {
		parts = append(parts, "..")
	}
	return path.Join(append(parts, t[common:]...)...)
}

// NewKustomization returns an empty kustomization with its type set.
func NewKustomization() *kusttypes.Kustomization {
	return &kusttypes.Kustomization{TypeMeta: kusttypes.TypeMeta{
		APIVersion: kusttypes.KustomizationVersion,
		Kind:       kusttypes.KustomizationKind,
	}}
}
