package importer

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
)

// guessedSize is the size given to a named volume, which Compose does not
// size: enough for a small database or a wiki, and said in the report.
const guessedSize = "1Gi"

// mountedAt is where a Compose volume is first mounted.
type mountedAt struct{ service, path string }

// volume is one mount of a service, as the catalogue will say it, with the
// Compose mount it came from, which is kept under x-unmapped if the
// catalogue refuses the volume after all.
type volume struct {
	catalogue.Volume
	compose string
	// anonymous marks the scratch space of an anonymous volume, which
	// keeps the image's files below a source folder instead, if it is
	// below one.
	anonymous bool
}

// volumes maps a service's mounts: a named volume is persistent data, a
// file (or read-only folder) of the repository is config, a writable
// folder of it a dev-only source mount, an anonymous volume or tmpfs
// scratch space. What has no place, a host path outside the catalogue's
// folder or one that does not exist, is kept under x-unmapped.
func (im *importer) volumes(name string, s *service, svc types.ServiceConfig) {
	for _, v := range svc.Volumes {
		target := v.Target
		mount := volume{Volume: catalogue.Volume{Path: target}, compose: im.hostPath(v.Source) + ":" + target}
		if v.Source == "" {
			mount.compose = target // an anonymous volume or a tmpfs
		}
		if v.ReadOnly {
			mount.compose += ":ro"
		}
		where := fmt.Sprintf("services.%s.volumes: %s", name, mount.compose)
		switch v.Type {
		case types.VolumeTypeVolume:
			if v.Source == "" {
				mount.Scratch = "true"
				mount.anonymous = true
				break
			}
			// A catalogue's persistent volume belongs to one service and
			// one path; a second mount of the Compose volume would get
			// data of its own, so it is kept out, said so.
			if first, shared := im.namedVolumes[v.Source]; shared {
				im.keep(name, "volumes", "", mount.compose)
				im.note("%s: kept under x-unmapped; the volume %s is %s's data at %s already, and a persistent volume belongs to one service and path: share the data through that service", where, v.Source, first.service, first.path)
				continue
			}
			im.namedVolumes[v.Source] = mountedAt{name, target}
			mount.Persistent = guessedSize
			if len(validation.IsDNS1123Label(v.Source)) == 0 && v.Source != mount.VolumeName() {
				mount.Name = v.Source
			}
			im.note("%s: persistent data now, sized %s as a guess (Compose does not size volumes); set what the data needs", where, guessedSize)
		case types.VolumeTypeTmpfs:
			mount.Scratch = "true"
			if v.Tmpfs != nil && v.Tmpfs.Size > 0 {
				mount.Scratch = fmt.Sprint(int64(v.Tmpfs.Size))
			}
		case types.VolumeTypeBind:
			rel := im.hostPath(v.Source)
			info, err := im.fs().Stat(v.Source)
			switch {
			case !strings.HasPrefix(rel, "./"):
				im.keep(name, "volumes", "", mount.compose)
				im.note("%s: kept under x-unmapped; a host path outside the catalogue's folder has no place in a catalogue", where)
				continue
			case errors.Is(err, fs.ErrNotExist):
				im.keep(name, "volumes", "", mount.compose)
				im.note("%s: kept under x-unmapped; %s does not exist yet (Compose creates it): make it a persistent volume if it holds data", where, rel)
				continue
			case err != nil:
				im.keep(name, "volumes", "", mount.compose)
				im.note("%s: kept under x-unmapped: %v", where, err)
				continue
			case secretMount(rel, target):
				// A config volume's files are rendered into ConfigMaps in
				// the committed tree.
				im.keep(name, "volumes", "", mount.compose)
				im.note("%s: kept under x-unmapped; it looks like secret files, which must not be rendered into the committed tree as a ConfigMap: make them secrets", where)
				continue
			case info.IsDir() && !v.ReadOnly:
				mount.Source = rel
				im.note("%s: a source mount in dev only; clusters run the image's own files", where)
			default:
				mount.Config = rel
				if !v.ReadOnly {
					im.note("%s: config now, mounted read-only (a ConfigMap in clusters)", where)
				}
			}
		default:
			im.keep(name, "volumes", "", mount.compose)
			im.note("%s: a %s mount, kept under x-unmapped", where, v.Type)
			continue
		}
		s.volumes = append(s.volumes, mount)
	}
	im.keepImageFiles(name, s)
}

// keepImageFiles settles the service's anonymous volumes, which Docker
// fills with the image's files at their path: one below a source folder
// keeps the image's files there in dev (node_modules below the app's
// source), while clusters, which mount no source, see them anyway. Any
// other goes: the container sees the image's files there as it did, which
// scratch space, empty, would hide.
func (im *importer) keepImageFiles(name string, s *service) {
	s.volumes = slices.DeleteFunc(s.volumes, func(mount volume) bool {
		if !mount.anonymous {
			return false
		}
		// The deepest source folder above it, by container paths.
		var source *volume
		var rel string
		for i := range s.volumes {
			v := &s.volumes[i]
			below, under := strings.CutPrefix(path.Clean(mount.Path), strings.TrimSuffix(path.Clean(v.Path), "/")+"/")
			if v.Kind() == catalogue.VolumeSource && under && (source == nil || len(v.Path) > len(source.Path)) {
				source, rel = v, below
			}
		}
		if source != nil {
			source.Keep = append(source.Keep, rel)
			im.note("services.%s.volumes: %s: an anonymous volume below the source folder %s, which keeps the image's files there in dev (keep: [%s])", name, mount.Path, source.Path, rel)
			return true
		}
		im.note("services.%s.volumes: %s: an anonymous volume, no longer mounted: the container sees the image's files there, which Docker filled it with; where the app writes there, make it scratch space (volumes: {path: %s, scratch: true}), as clusters' root filesystem is read-only", name, mount.compose, mount.Path)
		return true
	})
}

// hostPath writes a host path as the catalogue may hold it: relative to
// the catalogue's folder (./data, ../shared) where it is near, so that no
// path of the machine that imported it is committed; system paths
// (/var/run/docker.sock) stay as they are.
func (im *importer) hostPath(p string) string {
	if p == "" || !filepath.IsAbs(p) || im.opts.CatalogueDir == "" {
		return filepath.ToSlash(p)
	}
	rel, err := filepath.Rel(im.opts.CatalogueDir, p)
	// Three folders up is no longer near: a path the file gave absolute.
	if err != nil || strings.HasPrefix(filepath.ToSlash(rel), "../../../") {
		return filepath.ToSlash(p)
	}
	rel = filepath.ToSlash(rel)
	if !strings.HasPrefix(rel, "../") && rel != ".." {
		rel = "./" + rel
	}
	return rel
}

func (im *importer) fs() fsys.FS {
	if im.opts.FS != nil {
		return im.opts.FS
	}
	return fsys.OS{}
}

// volumeErrors finds, in a catalogue's errors, the volumes it refuses (a
// config file too large for a ConfigMap, two volumes of one name), by
// service and index.
func volumeErrors(err error) map[string]map[int]string {
	var list catalogue.Errors
	if !errors.As(err, &list) {
		return nil
	}
	out := map[string]map[int]string{}
	for _, e := range list {
		rest, ok := strings.CutPrefix(e.Path, "services.")
		if !ok {
			continue
		}
		service, rest, _ := strings.Cut(rest, ".")
		var i int
		if _, err := fmt.Sscanf(rest, "volumes[%d]", &i); err != nil || !strings.HasPrefix(rest, "volumes[") {
			continue
		}
		if out[service] == nil {
			out[service] = map[int]string{}
		}
		out[service][i] = e.Message
	}
	return out
}

// demoteRefused moves the volumes the catalogue refuses under x-unmapped,
// with the reason; it tells whether it moved any.
func (im *importer) demoteRefused(err error) bool {
	refused := volumeErrors(err)
	moved := false
	for _, sname := range slices.Sorted(maps.Keys(refused)) {
		s := im.services[sname]
		if s == nil {
			continue
		}
		var kept []volume
		for i, v := range s.volumes {
			why, bad := refused[sname][i]
			if !bad {
				kept = append(kept, v)
				continue
			}
			moved = true
			// What the report said of the mount no longer holds.
			said := fmt.Sprintf("services.%s.volumes: %s:", sname, v.compose)
			im.report = slices.DeleteFunc(im.report, func(line string) bool { return strings.HasPrefix(line, said) })
			im.keep(sname, "volumes", "", v.compose)
			im.note("services.%s.volumes: %s: kept under x-unmapped, as the catalogue cannot take it: %s", sname, v.compose, why)
		}
		s.volumes = kept
	}
	return moved
}

// secretMount tells a mount of secret files: below /run/secrets or a
// secrets folder, keys and certificates' private halves, env files.
func secretMount(source, target string) bool {
	for _, p := range []string{source, target} {
		p = strings.ToLower(p)
		base := filepath.Base(p)
		switch {
		case strings.HasPrefix(p, "/run/secrets"), strings.Contains("/"+p+"/", "/secrets/"), strings.Contains("/"+p+"/", "/secret/"):
			return true
		case strings.HasSuffix(base, ".key"), strings.HasSuffix(base, ".pem"), strings.HasSuffix(base, ".p12"), strings.HasSuffix(base, ".pfx"):
			return true
		case base == ".env" || strings.HasPrefix(base, ".env."), strings.HasSuffix(base, ".env"):
			return true
		}
	}
	return false
}
