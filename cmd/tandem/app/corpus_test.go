package app

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tandemdev/tandem/internal/testfs"
)

// TestErrorCorpus runs every bad catalogue of the corpus through the real
// command line, over an output folder holding a previous render: each
// must exit 2 with exactly its expected errors and leave the folder as it
// was.
func TestErrorCorpus(t *testing.T) {
	t.Parallel()
	previous := shopCopy(t)
	out := filepath.Join(previous, "deploy")
	if code, _, stderr := run(t, "render", "-f", filepath.Join(previous, "tandem.yaml"), "-o", out); code != ExitOK {
		t.Fatal(stderr)
	}
	before := testfs.Snapshot(t, previous)

	fixtures, _ := filepath.Glob("../../../catalogue/testdata/invalid-*")
	if len(fixtures) < 150 {
		t.Fatalf("the corpus has %d cases, want at least 150", len(fixtures))
	}
	for _, fixture := range fixtures {
		file, dir := fixture, filepath.Dir(fixture)
		if info, err := os.Stat(fixture); err == nil && info.IsDir() {
			file, dir = filepath.Join(fixture, "tandem.yaml"), fixture
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, line := range lineBreak.Split(string(data), -1) {
			if msg, ok := strings.CutPrefix(line, "# error: "); ok {
				want = append(want, msg)
			}
		}
		for _, cmd := range readingCommands(file, out) {
			code, stdout, stderr := run(t, cmd...)
			got := strings.TrimSuffix(strings.TrimPrefix(stderr, "tandem: "), "\n")
			got = strings.ReplaceAll(got, file, "tandem.yaml")
			got = strings.ReplaceAll(got, dir+string(filepath.Separator), "")
			got = strings.ReplaceAll(got, "folder "+dir+";", "folder .;")
			if code != ExitInput || stdout != "" || got != strings.Join(want, "\n") {
				t.Errorf("%s %v: exit %d, stdout %q\n%s", fixture, cmd[0], code, stdout, cmp.Diff(strings.Join(want, "\n"), got))
			}
		}
		if after, err := os.ReadFile(file); err != nil || string(after) != string(data) {
			t.Errorf("%s: a command changed the bad catalogue (%v)", fixture, err)
		}
	}
	if diff := cmp.Diff(before, testfs.Snapshot(t, previous)); diff != "" {
		t.Errorf("bad catalogues changed the output folder (-before +after):\n%s", diff)
	}
}

// readingCommands is every command that reads a catalogue, given file and
// the output folder: each must refuse a bad catalogue alike. up and down
// are left out, since a catalogue that loaded by mistake would start or
// remove containers; they load it by the same call as ps and logs.
func readingCommands(file, out string) [][]string {
	return [][]string{
		{"render", "-f", file, "-o", out},
		{"check", "-f", file, "-o", out},
		{"build", "-f", file, "-o", out, "prod"},
		{"graph", "-f", file},
		{"env", "-f", file, "web"},
		{"diff", "-f", file, "-o", out, "dev", "prod"},
		{"set-image", "-f", file, "web=web:9.9"},
		{"ps", "-f", file, "-o", out},
		{"logs", "-f", file, "-o", out},
	}
}

// lineBreak splits fixtures saved with any line ending, CR-only too.
var lineBreak = regexp.MustCompile(`\r\n|\r|\n`)

// TestBadCommandLines runs each command line of testdata/bad-command-lines.txt
// against a rendered shop: each must exit 2 with exactly its expected
// stderr, print nothing on stdout and change nothing on disk.
func TestBadCommandLines(t *testing.T) {
	t.Parallel()
	dir := shopCopy(t)
	file := filepath.Join(dir, "tandem.yaml")
	if code, _, stderr := run(t, "render", "-f", file, "-o", filepath.Join(dir, "deploy")); code != ExitOK {
		t.Fatal(stderr)
	}
	if err := os.Mkdir(filepath.Join(dir, "adir"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "afile"), []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before := testfs.Snapshot(t, dir)
	// Longest first, so that $DIR does not replace the start of $DIR/adir.
	paths := strings.NewReplacer(filepath.Join(dir, "adir"), "$ADIR", filepath.Join(dir, "afile"), "$AFILE", file, "$FILE", dir, "$DIR")
	expand := strings.NewReplacer("$ADIR", filepath.Join(dir, "adir"), "$AFILE", filepath.Join(dir, "afile"), "$FILE", file, "$DIR", dir)

	cases := readCommandLines(t, "testdata/bad-command-lines.txt")
	if len(cases) < 30 {
		t.Fatalf("%d bad command lines, want at least 30", len(cases))
	}
	for _, c := range cases {
		var args []string
		for _, word := range c.args {
			args = append(args, expand.Replace(word))
		}
		code, stdout, stderr := run(t, args...)
		if got := paths.Replace(strings.TrimSuffix(stderr, "\n")); code != ExitInput || stdout != "" || got != c.stderr {
			t.Errorf("$ %s: exit %d, stdout %q\n%s", strings.Join(c.args, " "), code, stdout, cmp.Diff(c.stderr, got))
		}
	}
	if diff := cmp.Diff(before, testfs.Snapshot(t, dir)); diff != "" {
		t.Errorf("bad command lines changed the folder (-before +after):\n%s", diff)
	}
}

type commandLine struct {
	args   []string
	stderr string
}

// readCommandLines reads cases written as "$ ARGS" followed by the lines
// of the expected stderr; ARGS are words split at spaces, where "" is an
// empty word and "  " one of two spaces.
func readCommandLines(t *testing.T, file string) []commandLine {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var cases []commandLine
	for _, block := range strings.Split(string(data), "\n\n") {
		line, stderr, _ := strings.Cut(block, "\n")
		words, ok := strings.CutPrefix(line, "$ ")
		if !ok {
			continue // the comment at the top
		}
		var args []string
		for _, word := range regexp.MustCompile(`"[^"]*"|\S+`).FindAllString(words, -1) {
			args = append(args, strings.Trim(word, `"`))
		}
		cases = append(cases, commandLine{args, strings.TrimSuffix(stderr, "\n")})
	}
	return cases
}
