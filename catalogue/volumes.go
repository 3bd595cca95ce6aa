package catalogue

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/tandemdev/tandem/fsys"
)

// The kinds of volume.
const (
	VolumePersistent = "persistent"
	VolumeConfig     = "config"
	VolumeScratch    = "scratch"
	VolumeSource     = "source"
	VolumeSecret     = "secret"
)

// Kind is what the volume is, or "" when it declares none.
func (v Volume) Kind() string {
	switch {
	case v.Persistent != "":
		return VolumePersistent
	case v.Config != "":
		return VolumeConfig
	case v.Scratch != "":
		return VolumeScratch
	case v.Source != "":
		return VolumeSource
	case v.Secret != "":
		return VolumeSecret
	}
	return ""
}

// kinds lists every kind the volume declares, to reject more than one.
func (v Volume) kinds() []string {
	var out []string
	for kind, set := range map[string]bool{VolumePersistent: v.Persistent != "", VolumeConfig: v.Config != "", VolumeScratch: v.Scratch != "", VolumeSource: v.Source != "", VolumeSecret: v.Secret != ""} {
		if set {
			out = append(out, kind)
		}
	}
	slices.Sort(out)
	return out
}

var notInVolumeName = regexp.MustCompile(`[^a-z0-9]+`)

// VolumeName is the volume's name: declared, else made from its path.
func (v Volume) VolumeName() string {
	if v.Name != "" {
		return v.Name
	}
	name := strings.Trim(notInVolumeName.ReplaceAllString(strings.ToLower(v.Path), "-"), "-")
	if name == "" {
		return "root"
	}
	return name
}

// ObjectName names the volume's PersistentVolumeClaim or ConfigMap, and
// its Compose volume: it belongs to one service.
func VolumeObjectName(service string, v Volume) string { return service + "-" + v.VolumeName() }

// ConfigGroupMapName is the ConfigMap that carries a config group, named
// here so that volumes' objects can be kept apart from it.
func ConfigGroupMapName(group string) string { return group + "-config" }

// ResourceVolumeName is the named volume of a resource's data in dev.
func ResourceVolumeName(resource string) string { return resource + "-data" }

// checkVolumeObjects rejects two volumes' objects of one name, or one
// named like a config group's ConfigMap or a resource's data volume:
// in dev they would share data; in a cluster the build fails.
func (c *Catalogue) checkVolumeObjects(errs *errorList) {
	taken := map[string]string{}
	for _, group := range c.ConfigNames() {
		taken[ConfigGroupMapName(group)] = "the ConfigMap of config group " + group
	}
	for _, resource := range c.ResourceNames() {
		taken[ResourceVolumeName(resource)] = "the data volume of resource " + resource
	}
	for _, name := range c.ServiceNames() {
		s := c.Services[name]
		if s == nil {
			continue // reported as a null service
		}
		for i, v := range s.Volumes {
			if v.Kind() != VolumePersistent && v.Kind() != VolumeConfig {
				continue
			}
			object := VolumeObjectName(name, v)
			vp := fmt.Sprintf("services.%s.volumes[%d]", name, i)
			if other, ok := taken[object]; ok {
				errs.add(vp, "its %s would be named %s, like %s; give the volume another name", volumeObjectKind(v), object, other)
				continue
			}
			taken[object] = fmt.Sprintf("the %s of %s", volumeObjectKind(v), vp)
		}
	}
}

func volumeObjectKind(v Volume) string {
	if v.Kind() == VolumeConfig {
		return "ConfigMap"
	}
	return "volume"
}

// ScratchLimit is a scratch volume's size limit, "" for none.
func (v Volume) ScratchLimit() string {
	if v.Scratch == "true" {
		return ""
	}
	return v.Scratch
}

// Files returns a config volume's files by name, as loaded.
func (v Volume) Files() map[string]string { return v.files }

// SingleFile tells whether a config volume mounts one file at its path
// rather than a folder of files.
func (v Volume) SingleFile() bool { return v.configIsFile }

// ConfigHash sums a service's config files, so that a pod template
// changes, and its pods restart, when one of them does: a ConfigMap
// mounted by subPath is never refreshed in place.
func (s *Service) ConfigHash() string {
	h := sha256.New()
	found := false
	for _, v := range s.Volumes {
		if v.Kind() != VolumeConfig {
			continue
		}
		found = true
		for _, name := range slices.Sorted(maps.Keys(v.files)) {
			fmt.Fprintf(h, "%s\x00%s\x00%d\x00%s\x00", v.VolumeName(), name, len(v.files[name]), v.files[name])
		}
	}
	if !found {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Persistent tells whether the service keeps persistent data, which one
// pod at a time may write.
func (s *Service) Persistent() bool {
	for _, v := range s.Volumes {
		if v.Kind() == VolumePersistent {
			return true
		}
	}
	return false
}

// maxConfigBytes keeps a config volume's ConfigMap under the API
// server's limit of 1 MiB per object, with room for its metadata.
const maxConfigBytes = 1000 * 1000

func (c *Catalogue) validateVolumes(errs *errorList, service string, s *Service) {
	p := join("services", service) + ".volumes"
	paths := map[string]bool{"/tmp": true}
	names := map[string]bool{"tmp": true}
	for i, v := range s.Volumes {
		vp := fmt.Sprintf("%s[%d]", p, i)
		pathOK := false
		switch clean := path.Clean(v.Path); {
		case v.Path == "":
			errs.add(vp+".path", "missing: the absolute path the container sees, e.g. /data")
		case !path.IsAbs(v.Path):
			errs.add(vp+".path", "%q is not an absolute path, e.g. /%s", v.Path, strings.TrimPrefix(v.Path, "./"))
		case clean == "/":
			errs.add(vp+".path", "the root folder cannot be a volume")
		case clean == "/tmp":
			errs.add(vp+".path", "tandem already gives every container scratch space at /tmp")
		case paths[clean]:
			errs.add(vp+".path", "%s is mounted twice", clean)
		default:
			paths[clean] = true
			pathOK = true
		}
		name := v.VolumeName()
		if v.Name != "" {
			checkLabel(errs, vp+".name", v.Name)
		}
		if names[name] && pathOK {
			errs.add(vp, "two volumes are named %s; give one a name", name)
		}
		names[name] = true
		if msgs := validation.IsDNS1123Label(VolumeObjectName(service, v)); len(msgs) > 0 {
			errs.add(vp, "%s, the name of its Kubernetes object, is not a valid name: %s; give the volume a shorter name", VolumeObjectName(service, v), msgs[0])
		}
		switch kinds := v.kinds(); len(kinds) {
		case 0:
			errs.add(vp, "say what the volume is: persistent: SIZE, config: FILE, scratch: SIZE or true, source: FOLDER, or secret: NAME")
		case 1:
		default:
			errs.add(vp, "a volume is one of persistent, config, scratch, source or secret; this one says %s", strings.Join(kinds, " and "))
		}
		if len(v.Keep) > 0 && v.Kind() != VolumeSource {
			errs.add(vp+".keep", "only a source folder keeps the image's files below it; this volume is %s", cmp.Or(v.Kind(), "none"))
		}
		switch v.Kind() {
		case VolumePersistent:
			checkSize(errs, vp+".persistent", v.Persistent)
		case VolumeScratch:
			if v.Scratch != "true" {
				checkSize(errs, vp+".scratch", v.Scratch)
			}
		case VolumeConfig:
			checkInProject(errs, vp+".config", v.Config, "config files are")
		case VolumeSource:
			checkInProject(errs, vp+".source", v.Source, "source folders are")
			for _, kept := range checkKept(errs, vp+".keep", v.Keep) {
				// Another mount there would be a second mount of one path.
				paths[path.Join(path.Clean(v.Path), kept)] = true
			}
		case VolumeSecret:
			c.checkSecretFile(errs, vp+".secret", service, s, v.Secret)
		}
	}
	if !s.Persistent() {
		return
	}
	// One writer: a second pod, or a rolling update's new pod beside the
	// old one, would write the same data, or wait forever for a volume
	// that attaches to one node.
	why := "a service with persistent data runs one pod (its volume has one writer)"
	if s.Replicas != nil && *s.Replicas > 1 {
		errs.add(join("services", service)+".replicas", "%s; remove replicas", why)
	}
	if s.Autoscale != nil {
		errs.add(join("services", service)+".autoscale", "%s; remove autoscale", why)
	}
	for _, env := range slices.Sorted(maps.Keys(s.Overrides)) {
		o := s.Overrides[env]
		if o == nil {
			continue
		}
		op := join("services", service) + ".overrides." + env
		if o.Replicas != nil && *o.Replicas > 1 {
			errs.add(op+".replicas", "%s; remove replicas", why)
		}
		if o.Autoscale != nil {
			errs.add(op+".autoscale", "%s; remove autoscale", why)
		}
	}
}

func checkSize(errs *errorList, p, value string) {
	q, err := resource.ParseQuantity(value)
	if err != nil || q.Sign() <= 0 {
		errs.add(p, "%q is not a size, e.g. 1Gi or 512Mi", value)
	}
}

// checkKept holds a source volume's kept folders to relative paths below
// it, each once, and returns them cleaned.
func checkKept(errs *errorList, p string, kept []string) []string {
	var clean []string
	for i, k := range kept {
		c := path.Clean(k)
		switch {
		case k == "" || path.IsAbs(k) || c == "." || c == ".." || strings.HasPrefix(c, "../"):
			errs.add(fmt.Sprintf("%s[%d]", p, i), "%q is not a folder below the source folder's path; give it relative, e.g. node_modules", k)
		case slices.Contains(clean, c):
			errs.add(fmt.Sprintf("%s[%d]", p, i), "%s is listed twice", c)
		default:
			clean = append(clean, c)
		}
	}
	return clean
}

// checkInProject rejects a path that leaves the catalogue's folder; what
// says what belongs there, e.g. "config files are".
func checkInProject(errs *errorList, p, dir, what string) {
	clean := path.Clean(dir)
	if path.IsAbs(dir) || clean == ".." || strings.HasPrefix(clean, "../") {
		errs.add(p, "%q is outside the project; %s below the catalogue's folder", dir, what)
	}
}

// loadVolumeFiles reads every config volume's files through f, relative
// to the catalogue's folder: a file, or the regular files of a folder.
func (c *Catalogue) loadVolumeFiles(f fsys.FS, errs *errorList) {
	dir := filepath.Dir(c.File)
	for _, name := range c.ServiceNames() {
		s := c.Services[name]
		for i := range s.Volumes {
			v := &s.Volumes[i]
			if v.Kind() != VolumeConfig {
				continue
			}
			p := fmt.Sprintf("services.%s.volumes[%d].config", name, i)
			v.files = map[string]string{}
			file := filepath.Join(dir, filepath.FromSlash(v.Config))
			if err := inside(f, dir, file); err != nil {
				errs.add(p, "%s: %v", v.Config, err)
				continue
			}
			if err := v.readConfig(f, file); err != nil {
				errs.add(p, "%v", err)
			}
		}
	}
}

func (v *Volume) readConfig(f fsys.FS, file string) error {
	info, err := f.Stat(file)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: no such file or folder below the catalogue's folder", v.Config)
	}
	if err != nil {
		return err
	}
	total := 0
	add := func(name, file string) error {
		if msgs := validation.IsConfigMapKey(name); len(msgs) > 0 {
			return fmt.Errorf("%s: the file name %q cannot be a ConfigMap key: %s", v.Config, name, msgs[0])
		}
		// Read no more than the ConfigMap has room for, however large
		// the file is.
		data, err := fsys.ReadRegularFile(f, file, int64(maxConfigBytes-total))
		if errors.Is(err, fsys.ErrTooLarge) {
			return fmt.Errorf("%s holds more than %d bytes, more than a ConfigMap may; mount such data from an image or a persistent volume", v.Config, maxConfigBytes)
		}
		if err != nil {
			return err
		}
		total += len(data)
		v.files[name] = string(data)
		return nil
	}
	if !info.IsDir() {
		if !info.Mode().IsRegular() {
			return fmt.Errorf("%s is not a regular file", v.Config)
		}
		v.configIsFile = true
		return add(filepath.Base(file), file)
	}
	entries, err := f.ReadDir(file)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			if err := add(e.Name(), filepath.Join(file, e.Name())); err != nil {
				return err
			}
		}
	}
	if len(v.files) == 0 {
		return fmt.Errorf("%s holds no files", v.Config)
	}
	return nil
}

// SecretFile says where a secret volume's value comes from outside dev:
// the service's Secret under the secret's name, or the connection Secret
// of the resource whose password it is. Validation guarantees one of the
// two.
func (s *Service) SecretFile(service string, v Volume) (secretName, key string) {
	source := s.secretFiles(service, func(string) bool { return true })[v.Secret]
	return source.secret, source.key
}

// secretSource is the Secret, and its key, that holds a secret outside dev.
type secretSource struct{ secret, key string }

// secretFiles are the secrets the service may mount as files, by name:
// its own, and the password of each resource it uses (those that
// hasPassword tells have one).
func (s *Service) secretFiles(service string, hasPassword func(used string) bool) map[string]secretSource {
	out := map[string]secretSource{}
	for _, u := range s.Uses {
		if hasPassword(u.Name) {
			out[SettingVar(u.Name, SettingPassword)] = secretSource{ConnectionSecretName(u.Name), string(SettingPassword)}
		}
	}
	for _, secret := range s.Secrets {
		out[secret] = secretSource{ServiceSecretName(service), secret}
	}
	return out
}

// checkSecretFile holds a secret volume to a secret the service has: its
// own, or the password of a resource it uses.
func (c *Catalogue) checkSecretFile(errs *errorList, p, service string, s *Service, name string) {
	have := s.secretFiles(service, func(used string) bool {
		r := c.Resources[used]
		return r != nil && r.KindInfo().Has(SettingPassword)
	})
	if _, ok := have[name]; ok {
		return
	}
	errs.add(p, "%s is neither one of services.%s.secrets nor the password of a resource it uses%s; add it to the service's secrets, whose dev value then lives in %s", name, service, suggest(name, slices.Sorted(maps.Keys(have))), DevEnvFileName)
}
