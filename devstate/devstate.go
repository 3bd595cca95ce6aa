// Package devstate keeps tandem's local state beside a catalogue, the
// .tandem folder: the dev secrets file that Compose reads (dev.env), the
// secrets that dev containers mount as files (secrets/NAME), the health
// probe that they mount, and the .gitignore that keeps all of it out of
// git. Folder is the one piece of code that reads or writes
// them; IgnoreInGit adds the folder to a project's .gitignore.
package devstate

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/dotenv"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
)

// Paths of the state's files, relative to the catalogue's folder; the
// Compose file names them too.
const (
	Dir       = ".tandem"
	EnvFile   = catalogue.DevEnvFileName
	ProbeFile = Dir + "/probe"
	// SecretsDir holds one file per dev secret that a container mounts
	// as a file, copied from EnvFile.
	SecretsDir = Dir + "/secrets"
)

// SecretFile is the path of the file that holds the dev secret name,
// relative to the catalogue's folder.
func SecretFile(name string) string { return SecretsDir + "/" + name }

// Folder is the .tandem folder beside one catalogue.
type Folder struct {
	fs fsys.FS
	// catalogueDir is the catalogue's folder as given, so that paths in
	// messages read as the user wrote them.
	catalogueDir string
}

// At is the state folder of the catalogue in catalogueDir.
func At(f fsys.FS, catalogueDir string) Folder {
	return Folder{fs: f, catalogueDir: catalogueDir}
}

// EnvFile is the path of the dev secrets file.
func (s Folder) EnvFile() string { return s.path(EnvFile) }

// ProbeFile is the path of the health probe.
func (s Folder) ProbeFile() string { return s.path(ProbeFile) }

func (s Folder) path(rel string) string {
	return filepath.Join(s.catalogueDir, filepath.FromSlash(rel))
}

// envNames reads the names the dev secrets file defines, as Compose reads
// the file; a missing file defines none and is not an error.
func (s Folder) envNames() (names map[string]bool, content []byte, exists bool, err error) {
	content, err = s.fs.ReadFile(s.EnvFile())
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]bool{}, nil, false, nil
	}
	if err != nil {
		return nil, nil, false, err
	}
	// Only names matter: every lookup succeeds, so that a line that names
	// a variable without a value, or a value that interpolates one, still
	// counts as defining its name.
	values, err := dotenv.ParseWithLookup(bytes.NewReader(content), func(string) (string, bool) { return "set", true })
	if err != nil {
		return nil, nil, false, fmt.Errorf("%s: %w", s.EnvFile(), err)
	}
	names = map[string]bool{}
	for name := range values {
		names[name] = true
	}
	return names, content, true, nil
}

// MissingSecrets lists the names in required that the dev secrets file
// lacks. A missing file lacks nothing: it is git-ignored, so CI never has
// one.
func (s Folder) MissingSecrets(required []string) ([]string, error) {
	have, _, exists, err := s.envNames()
	if err != nil || !exists {
		return nil, err
	}
	var missing []string
	for _, name := range required {
		if !have[name] {
			missing = append(missing, name)
		}
	}
	return missing, nil
}

// AddSecrets adds a line for every name in required that the dev secrets
// file lacks, valued by value(name), and returns the names it added and
// what the user should know (a file others can read, a folder git does
// not ignore). Existing lines, values and comments stay as they are: a
// developer's value is never replaced. With nothing required and no file,
// it does nothing at all.
func (s Folder) AddSecrets(required []string, value func(name string) string) (added, warnings []string, err error) {
	have, existing, exists, err := s.envNames()
	if err != nil {
		return nil, nil, err
	}
	if len(required) == 0 && !exists {
		return nil, nil, nil
	}
	if warnings, err = s.ensure(); err != nil {
		return nil, warnings, err
	}
	content := bytes.Clone(existing)
	if len(content) == 0 {
		content = []byte("# Dev secrets for `tandem up`; git-ignored, never commit real values.\n")
	}
	if !bytes.HasSuffix(content, []byte("\n")) {
		content = append(content, '\n')
	}
	for _, name := range required {
		if have[name] {
			continue
		}
		content = fmt.Appendf(content, "%s=%s\n", name, value(name))
		added = append(added, name)
		have[name] = true
	}
	if len(added) == 0 {
		if info, err := s.fs.Stat(s.EnvFile()); err == nil && info.Mode().Perm()&0o077 != 0 {
			warnings = append(warnings, fmt.Sprintf("%s is readable by others (mode %v); run chmod 600 %s", s.EnvFile(), info.Mode().Perm(), s.EnvFile()))
		}
		return nil, warnings, nil
	}
	return added, warnings, fsys.WriteFileAtomic(s.fs, s.EnvFile(), content, 0o600)
}

// WriteSecretFiles writes each of names' values in the dev secrets file to
// a file of its own, which Compose mounts where an app reads the secret
// from a file; a file already right is left alone, and the files of other
// names are removed. The files are readable by others, as a container's
// user is seldom the developer's, in a folder that only the developer may
// enter.
func (s Folder) WriteSecretFiles(names []string) error {
	if len(names) == 0 {
		// Copies of secrets no container mounts any more go, where they
		// can: they hold what dev.env holds beside them, so a folder
		// Docker made as root is no reason to stop a render.
		_ = s.fs.RemoveAll(s.path(SecretsDir))
		return nil
	}
	content, err := s.fs.ReadFile(s.EnvFile())
	if err != nil {
		return err
	}
	// As Compose reads it: a line may use the lines above, never the
	// shell's environment.
	values, err := dotenv.ParseWithLookup(bytes.NewReader(content), func(string) (string, bool) { return "", false })
	if err != nil {
		return fmt.Errorf("%s: %w", s.EnvFile(), err)
	}
	// The dev secrets file's folder has its .gitignore already. Docker
	// may have made the folder, open to all and root's, for a missing
	// mount source.
	dir := s.path(SecretsDir)
	if err := s.fs.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("%w; remove %s (Docker may have made it, as root) and render again", err, dir)
	}
	if err := s.fs.Chmod(dir, 0o700); err != nil {
		return fmt.Errorf("%w; remove %s (Docker may have made it, as root) and render again", err, dir)
	}
	// A secret no container mounts any more leaves no copy behind.
	entries, err := s.fs.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if e.Type().IsRegular() && !slices.Contains(names, e.Name()) {
			if err := s.fs.Remove(filepath.Join(dir, e.Name())); err != nil {
				return err
			}
		}
	}
	for _, name := range names {
		value, ok := values[name]
		if !ok {
			return fmt.Errorf("%s does not set %s, which a container mounts as a file; add a line %s=VALUE", s.EnvFile(), name, name)
		}
		file := s.path(SecretFile(name))
		if info, err := s.fs.Stat(file); err == nil && info.IsDir() {
			// Docker makes an empty folder at a bind mount's missing
			// source, which happens when Compose ran before any render.
			if err := s.fs.Remove(file); err != nil {
				return fmt.Errorf("%s is a folder, where tandem keeps the dev secret %s; remove it: %w", file, name, err)
			}
		}
		if have, err := s.fs.ReadFile(file); err == nil && string(have) == value {
			continue
		}
		if err := fsys.WriteFileAtomic(s.fs, file, []byte(value), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// HasProbe tells whether one of binaries is where the probe goes, or,
// given none, whether anything is.
func (s Folder) HasProbe(binaries ...[]byte) bool {
	if len(binaries) == 0 {
		_, err := s.fs.Stat(s.ProbeFile())
		return err == nil
	}
	have, err := s.fs.ReadFile(s.ProbeFile())
	return err == nil && slices.ContainsFunc(binaries, func(b []byte) bool { return bytes.Equal(have, b) })
}

// InstallProbe puts the health probe where the Compose file mounts it
// from, rewriting it only when it differs (another architecture, another
// tandem).
func (s Folder) InstallProbe(binary []byte) (warnings []string, err error) {
	probe := s.ProbeFile()
	if info, err := s.fs.Stat(probe); err == nil && info.IsDir() {
		// Docker makes an empty folder at a bind mount's missing source,
		// which happens when the Compose file ran before any render.
		if err := s.fs.Remove(probe); err != nil {
			return nil, fmt.Errorf("%s is a folder, where tandem keeps its health probe; remove it: %w", probe, err)
		}
	}
	if have, err := s.fs.ReadFile(probe); err == nil && bytes.Equal(have, binary) {
		return nil, nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if warnings, err = s.ensure(); err != nil {
		return warnings, err
	}
	return warnings, fsys.WriteFileAtomic(s.fs, probe, binary, 0o755)
}

// ensure makes the folder and its own .gitignore, so that its files are
// ignored whatever the project's .gitignore says; a .gitignore of the
// user's that does not ignore the secrets is warned about, never changed.
func (s Folder) ensure() (warnings []string, err error) {
	if err := s.fs.MkdirAll(s.path(Dir), 0o700); err != nil {
		return nil, err
	}
	ignore := s.path(Dir + "/.gitignore")
	rules, err := s.fs.ReadFile(ignore)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, fsys.WriteFileAtomic(s.fs, ignore, []byte("# tandem's local state; never committed\n*\n"), 0o644)
	case err != nil:
		return nil, err
	case !ignores(rules, "*", "/*", "dev.env", "/dev.env", "*.env"):
		return []string{fmt.Sprintf("%s does not ignore %s; add a line '*' to it, or dev secrets may be committed", ignore, filepath.Base(EnvFile))}, nil
	}
	return nil, nil
}

// ignores tells whether a .gitignore has one of the lines given; it reads
// the plain forms people write, not every git pattern.
func ignores(rules []byte, lines ...string) bool {
	for _, line := range strings.Split(string(rules), "\n") {
		for _, want := range lines {
			if strings.TrimSpace(line) == want {
				return true
			}
		}
	}
	return false
}

// IgnoreInGit adds the state folder to the project's .gitignore at path,
// unless a line ignores it already; it tells whether it added one.
func IgnoreInGit(f fsys.FS, path string) (bool, error) {
	existing, err := f.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	if ignores(existing, Dir, Dir+"/", "/"+Dir, "/"+Dir+"/") {
		return false, nil
	}
	content := string(existing)
	if content != "" && !strings.HasSuffix(content, "\n") {
		content += "\n"
	}
	content += "# tandem: dev secrets and the health probe, never committed\n" + Dir + "/\n"
	return true, fsys.WriteFileAtomic(f, path, []byte(content), 0o644)
}

// safeDevValue is what a dev env file value may hold unquoted: no
// whitespace, quotes, '#' (a comment) or '$' (which both Compose
// implementations expand).
var safeDevValue = regexp.MustCompile(`^[A-Za-z0-9_./:@+,=-]*$`)

// QuoteValue writes value so that both Compose implementations read it
// back literally from the dev env file, single-quoted where it needs
// quoting; it tells whether it can: not with a single quote, a backslash
// or a line break in the value.
func QuoteValue(value string) (string, bool) {
	switch {
	case safeDevValue.MatchString(value):
		return value, true
	case strings.ContainsAny(value, "'\\\n\r"):
		return "", false
	}
	return "'" + value + "'", true
}
