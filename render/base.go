package render

import (
	"fmt"
	"path"

	corev1 "k8s.io/api/core/v1"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/objects"
)

// Base renders the environment-neutral kustomize base: per service of a
// cluster a
// ServiceAccount, a Deployment, when it has ports a Service, and when
// others use it a NetworkPolicy letting exactly them in; per config group a
// ConfigMap; and a NetworkPolicy that denies all other ingress. The objects
// come from package objects; Base decides only which file each goes to.
func Base(c *catalogue.Catalogue) (manifest.Files, error) {
	var files manifest.Batch
	root := manifest.NewKustomization()

	if len(c.Config) > 0 {
		dir := manifest.BaseConfigDir()
		k := manifest.NewKustomization()
		for _, group := range c.ConfigNames() {
			// Prefixed, so that no group name can collide with kustomization.yaml.
			name := "configmap-" + group + ".yaml"
			files.Add(path.Join(dir, name), objects.ConfigMap(c, group, c.ConfigValues(group, "")))
			k.Resources = append(k.Resources, name)
		}
		files.Add(path.Join(dir, manifest.Kustomization), k)
		root.Resources = append(root.Resources, "config")
	}

	network := manifest.BaseNetworkDir()
	files.Add(path.Join(network, defaultDenyFile), objects.DefaultDeny(c))
	netKustomization := manifest.NewKustomization()
	netKustomization.Resources = []string{defaultDenyFile}
	files.Add(path.Join(network, manifest.Kustomization), netKustomization)
	root.Resources = append(root.Resources, manifest.Rel(manifest.BaseDir, network))

	users := c.Users("")
	for _, w := range c.Resolve("") {
		dir := manifest.BaseServiceDir(w.Name)
		k := manifest.NewKustomization()
		byFile := []fileObject{{"serviceaccount.yaml", objects.ServiceAccount(c, w)}}
		if w.Service.OneShot {
			// Nothing listens: no Service, and no policy letting users in.
			byFile = append(byFile, fileObject{"job.yaml", objects.OneShot(c, w)})
		} else {
			byFile = append(byFile, fileObject{"deployment.yaml", objects.Deployment(c, w)})
		}
		if len(w.Ports) > 0 {
			byFile = append(byFile, fileObject{"service.yaml", objects.Service(c, w)})
		}
		for _, obj := range objects.VolumeObjects(c, w) {
			byFile = append(byFile, fileObject{volumeFile(obj), obj})
		}
		if users := users[w.Name]; len(users) > 0 && !w.Service.OneShot {
			byFile = append(byFile, fileObject{"networkpolicy.yaml", objects.UsersPolicy(c, w.Name, users, w.Ports)})
		}
		for _, o := range byFile {
			files.Add(path.Join(dir, o.file), o.obj)
			k.Resources = append(k.Resources, o.file)
		}
		files.Add(path.Join(dir, manifest.Kustomization), k)
		// The folder of a service in only some clusters is theirs
		// alone: their overlays take it in, the shared base does not.
		if c.InEveryCluster(w.Service) {
			root.Resources = append(root.Resources, path.Join("services", w.Name))
		}
	}
	files.Add(path.Join(manifest.BaseDir, manifest.Kustomization), root)
	return files.Files()
}

const defaultDenyFile = "default-deny.yaml"

// fileObject is one manifest and the file it goes to.
type fileObject struct {
	file string
	obj  any
}

// volumeFile names the file of a volume's claim or ConfigMap after it.
func volumeFile(obj any) string {
	switch o := obj.(type) {
	case *corev1.PersistentVolumeClaim:
		return "persistentvolumeclaim-" + o.Name + ".yaml"
	case *corev1.ConfigMap:
		return "configmap-" + o.Name + ".yaml"
	}
	panic(fmt.Sprintf("render: no file for a volume's %T", obj))
}
