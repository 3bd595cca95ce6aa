package objects

import (
	"maps"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/tandemdev/tandem/catalogue"
)

// ConfigHashAnnotation carries a sum of a service's config files on its
// pod template, so that changing one rolls the pods: a ConfigMap mounted
// by subPath is never refreshed in place.
const ConfigHashAnnotation = "tandem.dev/config-hash"

// secretFileName is the file a secret volume holds, mounted by subPath.
const secretFileName = "value"

// tmpVolume is the scratch space every container gets at /tmp, which a
// read-only root filesystem needs.
const tmpVolume = "tmp"

// podVolumes are the volumes of the service's pods and where the
// container mounts them. Jobs leave persistent data out: its claim
// attaches to the one pod of the service. Source folders are dev's only.
func podVolumes(s *catalogue.Service, name string, job bool) ([]corev1.Volume, []corev1.VolumeMount) {
	volumes := []corev1.Volume{{Name: tmpVolume, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
	mounts := []corev1.VolumeMount{{Name: tmpVolume, MountPath: "/tmp"}}
	for _, v := range s.Volumes {
		vol := corev1.Volume{Name: v.VolumeName()}
		mount := corev1.VolumeMount{Name: v.VolumeName(), MountPath: v.Path}
		switch v.Kind() {
		case catalogue.VolumePersistent:
			if job {
				continue
			}
			vol.PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{ClaimName: catalogue.VolumeObjectName(name, v)}
		case catalogue.VolumeConfig:
			vol.ConfigMap = &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: catalogue.VolumeObjectName(name, v)}}
			mount.ReadOnly = true
			if v.SingleFile() {
				mount.SubPath = slices.Collect(maps.Keys(v.Files()))[0]
			}
		case catalogue.VolumeScratch:
			vol.EmptyDir = &corev1.EmptyDirVolumeSource{}
			if limit := v.ScratchLimit(); limit != "" {
				vol.EmptyDir.SizeLimit = ptr.To(resource.MustParse(limit))
			}
		case catalogue.VolumeSecret:
			// The one key as one file: readable by the pod's group
			// (fsGroup), not by others; by subPath, so that the folder
			// around it stays the image's.
			secret, key := s.SecretFile(name, v)
			vol.Secret = &corev1.SecretVolumeSource{SecretName: secret, Items: []corev1.KeyToPath{{Key: key, Path: secretFileName}}, DefaultMode: ptr.To(int32(0o440))}
			mount.ReadOnly = true
			mount.SubPath = secretFileName
		default:
			continue
		}
		volumes = append(volumes, vol)
		mounts = append(mounts, mount)
	}
	return volumes, mounts
}

// VolumeObjects are the claims and ConfigMaps of a service's volumes.
func VolumeObjects(c *catalogue.Catalogue, w *catalogue.Workload) []any {
	var out []any
	for _, v := range w.Service.Volumes {
		meta := objectMeta(c, w.Name)
		meta.Name = catalogue.VolumeObjectName(w.Name, v)
		switch v.Kind() {
		case catalogue.VolumePersistent:
			out = append(out, &corev1.PersistentVolumeClaim{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PersistentVolumeClaim"},
				ObjectMeta: meta,
				Spec: corev1.PersistentVolumeClaimSpec{
					AccessModes: []corev1.PersistentVolumeAccessMode{corev1.ReadWriteOnce},
					Resources:   corev1.VolumeResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceStorage: resource.MustParse(v.Persistent)}},
				},
			})
		case catalogue.VolumeConfig:
			out = append(out, &corev1.ConfigMap{
				TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
				ObjectMeta: meta,
				Data:       maps.Clone(v.Files()),
			})
		}
	}
	return out
}
