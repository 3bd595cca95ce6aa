package project

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
)

// SetImage edits the catalogue file on f: each SERVICE=IMAGE assignment
// sets the service's image in env, or for every environment when env is
// empty. All assignments apply, or none; only those values change. It
// returns a line for each change made.
func SetImage(f fsys.FS, file, env string, assignments []string) ([]string, error) {
	data, err := catalogue.ReadFile(f, file)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat(file)
	if err != nil {
		return nil, err
	}
	var done []string
	for _, a := range assignments {
		service, image, ok := strings.Cut(a, "=")
		if !ok || service == "" || image == "" {
			return nil, usageErrorf("%q is not SERVICE=IMAGE", a)
		}
		data, err = catalogue.SetImage(f, file, data, service, env, image)
		var positioned catalogue.Errors
		if err != nil && errors.As(err, &positioned) {
			return nil, err // its lines name the file already
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		where := "every environment"
		if env != "" {
			where = env
		}
		done = append(done, fmt.Sprintf("%s: image in %s is now %s", service, where, image))
	}
	target := file
	if real, err := f.EvalSymlinks(file); err == nil {
		target = real // keep a linked catalogue a link
	}
	if err := fsys.WriteFileAtomic(f, target, data, info.Mode().Perm()); err != nil {
		return nil, err
	}
	return done, nil
}
