package project

import (
	"bytes"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/render/check"
)

// Limits of the source scan: it looks for variable names in code a team
// wrote, not in data, generated bundles or dependencies.
const (
	maxSourceSize  = 1 << 20
	maxSourceFiles = 10_000
	binarySniff    = 8 << 10
)

// skippedFolders hold dependencies and tools' state, not the service's
// own code.
var skippedFolders = map[string]bool{"vendor": true, "node_modules": true, "__pycache__": true, "target": true, "dist": true, "build": true}

// sources reads the text files of every build context, for check's scan
// of the variables the code reads. A context that cannot be read is
// skipped: render and up report it where it matters.
func (p *Project) sources() ([]check.Source, error) {
	var out []check.Source
	dir := filepath.Dir(p.file)
	for _, name := range p.Catalogue.ServiceNames() {
		s := p.Catalogue.Services[name]
		if s.Build == "" {
			continue
		}
		root := filepath.Join(dir, filepath.FromSlash(s.Build))
		files := 0
		err := fsys.WalkDir(p.fs, root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				if errors.Is(err, fs.ErrNotExist) || errors.Is(err, fs.ErrPermission) {
					return nil
				}
				return err
			}
			if d.IsDir() {
				if path != root && (strings.HasPrefix(d.Name(), ".") || skippedFolders[d.Name()]) {
					return fs.SkipDir
				}
				return nil
			}
			if !d.Type().IsRegular() {
				return nil
			}
			if files++; files > maxSourceFiles {
				return fs.SkipAll
			}
			info, err := d.Info()
			if err != nil || info.Size() > maxSourceSize {
				return nil
			}
			data, err := p.fs.ReadFile(path)
			if err != nil || bytes.IndexByte(data[:min(len(data), binarySniff)], 0) >= 0 {
				return nil
			}
			out = append(out, check.Source{Service: name, File: filepath.ToSlash(path), Data: data})
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
