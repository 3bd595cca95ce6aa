package project

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"

	composecli "github.com/compose-spec/compose-go/v2/cli"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/devstate"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/importer"
)

// ImportOptions say what to import and where to.
type ImportOptions struct {
	ComposeFile string
	// Out is the catalogue to write; it must not exist.
	Out string
	// Name is the system's name; the Compose project's when empty.
	Name string
}

// ImportReport says what import did.
type ImportReport struct {
	// SecretNotes are about dev secret values not written, or kept.
	SecretNotes []string
	// Warnings are the state folder's problems.
	Warnings []string
	// Changes lists everything not carried over as it was.
	Changes []string
	// Invalid is what tandem still rejects in the written catalogue.
	Invalid error
}

// Import reads a Compose file as docker compose does (compose-go reads it,
// and the .env and env_file files it names, from the disk itself) and
// writes a catalogue to o.Out on f, with the secret values it found in
// the dev secrets file beside it. It never overwrites a catalogue.
func Import(ctx context.Context, f fsys.FS, o ImportOptions) (ImportReport, error) {
	var report ImportReport
	info, err := f.Stat(o.ComposeFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return report, usageErrorf("%s does not exist; name the Compose file to import", o.ComposeFile)
	case err != nil:
		return report, usageErrorf("%v", err)
	case !info.Mode().IsRegular():
		// compose-go would read a device or a FIFO until it ends.
		return report, usageErrorf("%s is not a regular file; name the Compose file to import", o.ComposeFile)
	}
	if _, err := f.Lstat(o.Out); err == nil {
		return report, usageErrorf("%s exists; import never overwrites a catalogue (choose another with -o)", o.Out)
	}
	dir, err := f.Abs(filepath.Dir(o.ComposeFile))
	if err != nil {
		return report, err
	}
	options, err := composecli.NewProjectOptions([]string{o.ComposeFile},
		composecli.WithWorkingDirectory(dir), composecli.WithEnvFiles(), composecli.WithDotEnv,
		composecli.WithProfiles([]string{"*"}))
	if err != nil {
		return report, err
	}
	composeProject, err := options.LoadProject(ctx)
	if err != nil {
		return report, usageErrorf("%s does not load as Compose: %v", o.ComposeFile, err)
	}
	outDir, err := f.Abs(filepath.Dir(o.Out))
	if err != nil {
		return report, err
	}
	result, err := importer.Import(composeProject, importer.Options{Name: o.Name, CatalogueDir: outDir, FS: f})
	if err != nil {
		return report, err
	}
	if err := f.MkdirAll(outDir, 0o755); err != nil {
		return report, err
	}
	if err := fsys.WriteFileAtomic(f, o.Out, result.Catalogue, 0o644); err != nil {
		return report, err
	}
	if len(result.Secrets) > 0 {
		report.SecretNotes, report.Warnings, err = writeDevSecrets(devstate.At(f, outDir), result.Secrets)
		if err != nil {
			return report, err
		}
	}
	report.Changes = result.Report
	_, report.Invalid = catalogue.Load(f, o.Out)
	return report, nil
}

// writeDevSecrets adds the imported secret values to the dev secrets
// file, keeping any value already there.
func writeDevSecrets(state devstate.Folder, values map[string]string) (notes, warnings []string, err error) {
	var writable []string
	for _, name := range slices.Sorted(maps.Keys(values)) {
		if _, ok := devstate.QuoteValue(values[name]); ok {
			writable = append(writable, name)
		} else {
			notes = append(notes, fmt.Sprintf("%s: its value cannot be written to %s so that both Compose implementations read it back (quotes, backslashes or new lines); add it there yourself", name, devstate.EnvFile))
		}
	}
	added, warnings, err := state.AddSecrets(writable, func(name string) string {
		quoted, _ := devstate.QuoteValue(values[name])
		return quoted
	})
	if err != nil {
		return notes, warnings, err
	}
	for _, name := range writable {
		if !slices.Contains(added, name) {
			notes = append(notes, fmt.Sprintf("%s: %s has a value already, which is kept", name, devstate.EnvFile))
		}
	}
	return notes, warnings, nil
}
