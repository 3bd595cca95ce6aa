package devstate

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tandemdev/tandem/fsys"
)

func read(t *testing.T, f fsys.FS, name string) string {
	t.Helper()
	data, err := f.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestAddSecrets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, existing, want string
		added                []string
	}{
		{"new file", "", "# Dev secrets for `tandem up`; git-ignored, never commit real values.\nA=x\nB=xx\n", []string{"A", "B"}},
		{"keeps values, comments and exports", "# mine\nexport A=secret\n", "# mine\nexport A=secret\nB=x\n", []string{"B"}},
		{"complete file unchanged", "A=1\nB = 2", "A=1\nB = 2", nil},
		{"a name without a value counts", "A\nB=${UNSET:?}\n", "A\nB=${UNSET:?}\n", nil},
		{"quoted and multi-line values", "A='x#y'\nB=\"l1\nl2\"\n", "A='x#y'\nB=\"l1\nl2\"\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := fsys.NewMemory("/p")
			if tt.existing != "" {
				if err := f.MkdirAll("/p/.tandem", 0o700); err != nil {
					t.Fatal(err)
				}
				if err := f.WriteFile("/p/.tandem/dev.env", []byte(tt.existing), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			n := 0
			added, warnings, err := At(f, "/p").AddSecrets([]string{"A", "B"}, func(string) string { n++; return strings.Repeat("x", n) })
			if err != nil {
				t.Fatal(err)
			}
			if got := read(t, f, "/p/.tandem/dev.env"); got != tt.want || !cmp.Equal(added, tt.added) {
				t.Errorf("got %q %v, want %q %v", got, added, tt.want, tt.added)
			}
			if len(warnings) > 0 {
				t.Errorf("warnings: %v", warnings)
			}
			if got := read(t, f, "/p/.tandem/.gitignore"); got != "# tandem's local state; never committed\n*\n" {
				t.Errorf(".gitignore = %q", got)
			}
		})
	}
}

func TestAddSecretsWithNothingToDoWritesNothing(t *testing.T) {
	t.Parallel()
	f := fsys.NewMemory("/p")
	added, warnings, err := At(f, "/p").AddSecrets(nil, nil)
	if err != nil || added != nil || warnings != nil {
		t.Fatalf("AddSecrets(nil) = %v, %v, %v", added, warnings, err)
	}
	if _, err := f.Stat("/p/.tandem"); err == nil {
		t.Error("a catalogue without secrets got a .tandem folder")
	}
}

func TestWarnings(t *testing.T) {
	t.Parallel()
	f := fsys.NewMemory("/p")
	if err := f.MkdirAll("/p/.tandem", 0o755); err != nil {
		t.Fatal(err)
	}
	f.WriteFile("/p/.tandem/.gitignore", []byte("# mine\n*.log\n"), 0o644)
	f.WriteFile("/p/.tandem/dev.env", []byte("A=1\n"), 0o644)
	_, warnings, err := At(f, "/p").AddSecrets([]string{"A"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"/p/.tandem/.gitignore does not ignore dev.env; add a line '*' to it, or dev secrets may be committed",
		"/p/.tandem/dev.env is readable by others (mode -rw-r--r--); run chmod 600 /p/.tandem/dev.env",
	}
	if diff := cmp.Diff(want, warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	if got := read(t, f, "/p/.tandem/.gitignore"); got != "# mine\n*.log\n" {
		t.Errorf("the user's .gitignore was changed: %q", got)
	}
}

func TestMissingSecrets(t *testing.T) {
	t.Parallel()
	f := fsys.NewMemory("/p")
	state := At(f, "/p")
	if missing, err := state.MissingSecrets([]string{"A"}); err != nil || missing != nil {
		t.Errorf("without a file: %v, %v; want nothing missing", missing, err)
	}
	f.MkdirAll("/p/.tandem", 0o700)
	f.WriteFile("/p/.tandem/dev.env", []byte("# c\nexport A=1\n"), 0o600)
	if missing, err := state.MissingSecrets([]string{"A", "B", "C"}); err != nil || !cmp.Equal(missing, []string{"B", "C"}) {
		t.Errorf("MissingSecrets = %v, %v", missing, err)
	}
	f.WriteFile("/p/.tandem/dev.env", []byte("A B=1\n"), 0o600)
	if _, err := state.MissingSecrets([]string{"A"}); err == nil || !strings.HasPrefix(err.Error(), "/p/.tandem/dev.env: line 1:") {
		t.Errorf("a file Compose cannot read: %v", err)
	}
}

func TestInstallProbe(t *testing.T) {
	t.Parallel()
	f := fsys.NewMemory("/p")
	state := At(f, "/p")
	if state.HasProbe() {
		t.Fatal("a probe before any install")
	}
	// What Docker leaves at a missing bind mount source.
	f.MkdirAll("/p/.tandem/probe", 0o755)
	if _, err := state.InstallProbe([]byte("v1")); err != nil {
		t.Fatal(err)
	}
	info, err := f.Stat("/p/.tandem/probe")
	if err != nil || info.Mode().Perm() != 0o755 || read(t, f, "/p/.tandem/probe") != "v1" {
		t.Fatalf("probe %v, %v", info, err)
	}
	if _, err := state.InstallProbe([]byte("v2")); err != nil || read(t, f, "/p/.tandem/probe") != "v2" {
		t.Errorf("the probe of another tandem was not replaced: %v", err)
	}
	if !state.HasProbe() {
		t.Error("HasProbe after an install")
	}
	if !state.HasProbe([]byte("v1"), []byte("v2")) || state.HasProbe([]byte("v1")) {
		t.Error("HasProbe does not tell which probe is there")
	}
}

func TestIgnoreInGit(t *testing.T) {
	t.Parallel()
	f := fsys.NewMemory("/p")
	f.WriteFile("/p/.gitignore", []byte("bin"), 0o644)
	if added, err := IgnoreInGit(f, "/p/.gitignore"); err != nil || !added {
		t.Fatalf("IgnoreInGit = %v, %v", added, err)
	}
	want := "bin\n# tandem: dev secrets and the health probe, never committed\n.tandem/\n"
	if got := read(t, f, "/p/.gitignore"); got != want {
		t.Errorf(".gitignore = %q, want %q", got, want)
	}
	if added, err := IgnoreInGit(f, "/p/.gitignore"); err != nil || added {
		t.Errorf("a second IgnoreInGit added again: %v, %v", added, err)
	}
}

func TestQuoteValue(t *testing.T) {
	t.Parallel()
	for value, want := range map[string]string{"plain-1.2": "plain-1.2", "a b#c": "'a b#c'", "$HOME": "'$HOME'", "it's": "", "a\nb": ""} {
		got, ok := QuoteValue(value)
		if got != want || ok != (want != "") {
			t.Errorf("QuoteValue(%q) = %q, %v", value, got, ok)
		}
	}
}

func TestWriteSecretFiles(t *testing.T) {
	t.Parallel()
	f := fsys.NewMemory("/p")
	state := At(f, "/p")
	if err := state.WriteSecretFiles(nil); err != nil {
		t.Fatalf("nothing to write: %v", err)
	}
	if _, err := f.Stat("/p/.tandem"); err == nil {
		t.Error("nothing to write made the state folder")
	}
	f.MkdirAll("/p/.tandem", 0o700)
	f.WriteFile("/p/.tandem/dev.env", []byte("# mine\nDB_PASSWORD='p#ss word'\nTOKEN=${DB_PASSWORD}-2\n"), 0o600)
	// What Docker leaves at a missing bind mount source.
	f.MkdirAll("/p/.tandem/secrets/TOKEN", 0o755)
	if err := state.WriteSecretFiles([]string{"DB_PASSWORD", "TOKEN"}); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"DB_PASSWORD": "p#ss word", "TOKEN": "p#ss word-2"} {
		file := "/p/.tandem/secrets/" + name
		if got := read(t, f, file); got != want {
			t.Errorf("%s holds %q, want %q, the value as Compose reads it", file, got, want)
		}
		if info, _ := f.Stat(file); info.Mode().Perm() != 0o644 {
			t.Errorf("%s has mode %v; a container's user must read it", file, info.Mode().Perm())
		}
	}
	if info, _ := f.Stat("/p/.tandem/secrets"); info.Mode().Perm() != 0o700 {
		t.Errorf("the secrets folder has mode %v; only the developer may enter it", info.Mode().Perm())
	}
	// A secret no longer mounted leaves no copy.
	if err := state.WriteSecretFiles([]string{"TOKEN"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Stat("/p/.tandem/secrets/DB_PASSWORD"); err == nil {
		t.Error("the copy of DB_PASSWORD stayed after no container mounts it")
	}
	if err := state.WriteSecretFiles(nil); err != nil {
		t.Fatal(err)
	}
	if _, err := f.Stat("/p/.tandem/secrets"); err == nil {
		t.Error("the secrets folder stayed with no secret mounted")
	}
	err := state.WriteSecretFiles([]string{"MISSING"})
	if err == nil || !strings.Contains(err.Error(), "does not set MISSING") {
		t.Errorf("a secret the env file lacks: %v", err)
	}
}
