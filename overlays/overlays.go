// Package overlays renders one kustomize overlay per deployment
// environment (Render): the namespace, and per service its image, replicas,
// resources and environment values as patches over the base. Files under
// overlays/ENV/patches/ belong to the platform team: Render lists them in
// the overlay's kustomization and never produces them.
package overlays

import (
	"path"
	"sort"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	kusttypes "sigs.k8s.io/kustomize/api/types"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/manifest"
)

const (
	deploymentPatch = "deployment-patch.yaml"
	configPatch     = "patch.yaml"
	// resourcesFile holds the objects an environment adds to a service or
	// a backing resource, in one file so that a large system does not
	// render (and kustomize does not read) a file per object.
	resourcesFile = "resources.yaml"
)

// Render returns the overlay of env. platformPatches names the files in the
// environment's patches folder, relative to it, which the overlay applies
// after tandem's own patches; components are the platform's component
// folders, relative to the output folder, which every overlay includes.
func Render(c *catalogue.Catalogue, env string, platformPatches, components []string) (manifest.Files, error) {
	var files manifest.Batch
	dir := manifest.OverlayDir(env)
	root := manifest.NewKustomization()
	root.Namespace = c.Namespace(env)

	if len(c.Config) > 0 {
		configDir := renderConfig(&files, c, env)
		root.Resources = append(root.Resources, manifest.Rel(dir, configDir))
	}

	base := map[string]*catalogue.Workload{}
	for _, w := range c.Resolve("") {
		base[w.Name] = w
	}
	root.Resources = append(root.Resources, manifest.Rel(dir, manifest.BaseNetworkDir()))
	users := c.Users()
	for _, name := range c.ResourceNames() {
		if unit := renderResource(&files, c, env, name, users[name]); unit != "" {
			root.Resources = append(root.Resources, manifest.Rel(dir, unit))
		}
	}
	for _, w := range c.Resolve(env) {
		renderService(&files, c, base[w.Name], w)
		root.Resources = append(root.Resources, manifest.Rel(dir, manifest.OverlayServiceDir(env, w.Name)))
	}

	for _, component := range components {
		root.Components = append(root.Components, manifest.Rel(dir, component))
	}
	patches := append([]string(nil), platformPatches...)
	sort.Strings(patches)
	for _, p := range patches {
		root.Patches = append(root.Patches, kusttypes.Patch{Path: path.Join(manifest.PatchesDir, p)})
	}
	files.Add(path.Join(dir, manifest.Kustomization), root)
	return files.Files()
}

// renderConfig returns the folder the overlay takes its ConfigMaps from:
// the base's, or a folder of its own when the environment overrides values.
func renderConfig(files *manifest.Batch, c *catalogue.Catalogue, env string) string {
	e := c.Environments[env]
	if e == nil || len(e.Config) == 0 {
		return manifest.BaseConfigDir()
	}
	dir := manifest.OverlayConfigDir(env)
	k := manifest.NewKustomization()
	k.Resources = []string{manifest.Rel(dir, manifest.BaseConfigDir())}
	var patches []any
	for _, group := range c.ConfigNames() {
		values, ok := e.Config[group]
		if !ok {
			continue
		}
		patches = append(patches, &corev1.ConfigMap{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
			ObjectMeta: metav1.ObjectMeta{Name: manifest.ConfigMapName(group)},
			Data:       values,
		})
	}
	k.Patches = []kusttypes.Patch{{Path: configPatch}}
	files.Add(path.Join(dir, configPatch), patches...)
	files.Add(path.Join(dir, manifest.Kustomization), k)
	return dir
}

func renderService(files *manifest.Batch, c *catalogue.Catalogue, base, w *catalogue.Workload) {
	dir := manifest.OverlayServiceDir(w.Env, w.Name)
	k := manifest.NewKustomization()
	k.Resources = []string{manifest.Rel(dir, manifest.BaseServiceDir(w.Name))}
	if w.Image != base.Image {
		k.Images = []kusttypes.Image{imageChange(base.Image, w.Image)}
	}
	k.Patches = []kusttypes.Patch{{Path: deploymentPatch}}

	spec := corev1.PodSpec{Containers: []corev1.Container{{
		Name:      w.Name,
		Resources: manifest.Requirements(w.Compute),
		Env:       manifest.ContainerEnv(w.Name, changedEnv(base, w)),
	}}}
	if w.Scaled() {
		spec.TopologySpreadConstraints, spec.Affinity = manifest.Spread(w.Name)
	}
	patch := &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Name: w.Name},
		Spec:       appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: spec}},
	}
	if w.Autoscale == nil {
		patch.Spec.Replicas = ptr.To(int32(w.Replicas))
	}
	files.Add(path.Join(dir, deploymentPatch), patch)

	if added := serviceObjects(c, base, w); len(added) > 0 {
		files.Add(path.Join(dir, resourcesFile), added...)
		k.Resources = append(k.Resources, resourcesFile)
	}
	files.Add(path.Join(dir, manifest.Kustomization), k)
}

// changedEnv lists the container env entries that differ from the base.
// A variable the base lists as an entry but the environment takes from a
// config group is listed with its value, because an entry in the base would
// otherwise win over the ConfigMap.
func changedEnv(base, w *catalogue.Workload) []catalogue.EnvVar {
	var out []catalogue.EnvVar
	for _, v := range w.Vars {
		was, inBase := base.Var(v.Name)
		entryInBase := inBase && was.Origin.Level != catalogue.LevelConfigGroup
		switch {
		case v.Origin.Level == catalogue.LevelConfigGroup && !entryInBase:
			continue // carried by the ConfigMap
		case inBase && was == v:
			continue
		}
		out = append(out, v)
	}
	return out
}

// imageChange rewrites the base image to the environment's reference.
func imageChange(from, to string) kusttypes.Image {
	fromName, _, _ := splitImage(from)
	toName, tag, digest := splitImage(to)
	img := kusttypes.Image{Name: fromName, NewTag: tag, Digest: digest}
	if toName != fromName {
		img.NewName = toName
	}
	return img
}

// splitImage splits name[:tag][@digest].
func splitImage(ref string) (name, tag, digest string) {
	name, digest, _ = strings.Cut(ref, "@")
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		name, tag = name[:i], name[i+1:]
	}
	return name, tag, digest
}
