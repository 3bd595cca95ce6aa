package catalogue

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sync"

	"github.com/tandemdev/tandem/fsys"
)

// checkLinks rejects a build context or a source folder that a symbolic
// link takes out of the catalogue's folder: Compose follows the link, and
// a build context of /etc sends it to the image builder, a source mount
// of / gives a container the machine (issue 19). Config files are checked
// as they are read (loadVolumeFiles), included files as they are included.
func (c *Catalogue) checkLinks(f fsys.FS, errs *errorList) {
	dir := filepath.Dir(c.File)
	// The folder's real path once, not per service, and only when a path
	// needs it: a catalogue of images alone touches no file.
	realDir := sync.OnceValues(func() (string, error) { return realPath(f, dir) })
	check := func(p, rel string) {
		real, err := realDir()
		if err == nil {
			err = insideReal(f, real, filepath.Join(dir, filepath.FromSlash(rel)))
		}
		if err != nil {
			errs.add(p, "%s: %v", rel, err)
		}
	}
	for _, name := range c.ServiceNames() {
		s := c.Services[name]
		p := join("services", name)
		if s.Build != "" {
			check(p+".build", s.Build)
		}
		for i, v := range s.Volumes {
			if v.Kind() == VolumeSource {
				check(fmt.Sprintf("%s.volumes[%d].source", p, i), v.Source)
			}
		}
	}
}

// inside makes sure file, its links followed, is below dir, its links
// followed too: a link out of the project would put any file of the
// machine (a key, /etc/shadow) into a ConfigMap, an image or a container.
// Of a file that does not exist yet, the part that does is checked: a
// link there leads out all the same; a link to nothing is refused. What
// is missing is the caller's to report, or Compose's.
func inside(f fsys.FS, dir, file string) error {
	realDir, err := realPath(f, dir)
	if err != nil {
		return err
	}
	return insideReal(f, realDir, file)
}

// insideReal is inside for a folder whose real path is known.
func insideReal(f fsys.FS, realDir, file string) error {
	existing := file
	for {
		if _, err := f.Lstat(existing); err == nil {
			break
		}
		parent := filepath.Dir(existing)
		if parent == existing {
			return nil
		}
		existing = parent
	}
	real, err := realPath(f, existing)
	if errors.Is(err, fs.ErrNotExist) {
		// Compose may make a missing bind-mount source, wherever the
		// link points.
		return errors.New("a link that leads nowhere; a link here must lead below the catalogue's folder")
	}
	if err != nil {
		return err
	}
	if !fsys.Within(real, realDir) {
		return fmt.Errorf("a link that leads out of the catalogue's folder, to %s", real)
	}
	return nil
}

// realPath is name made absolute, with every symbolic link in it
// resolved, so that two real paths compare whether name was relative
// or not.
func realPath(f fsys.FS, name string) (string, error) {
	abs, err := f.Abs(name)
	if err != nil {
		return "", err
	}
	return f.EvalSymlinks(abs)
}
