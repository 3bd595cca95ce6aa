package catalogue

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/internal/testfs"
)

// TestInvalidCatalogues walks testdata/invalid-*.yaml; each file lists the
// exact errors a user must see in its leading "# error:" comments.
func TestInvalidCatalogues(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob("testdata/invalid-*")
	if err != nil || len(paths) < 150 {
		t.Fatalf("want at least 150 fixtures, have %d: %v", len(paths), err)
	}
	for _, path := range paths {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".yaml"), func(t *testing.T) {
			t.Parallel()
			got, want := loadFixtureErrors(t, path)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

// loadFixtureErrors loads an invalid fixture, a file or a folder holding
// tandem.yaml and the files it includes, and returns the errors it gives,
// with paths shown relative to the fixture, and the errors it lists.
func loadFixtureErrors(t *testing.T, path string) (got, want []string) {
	t.Helper()
	file := path
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		file = filepath.Join(path, "tandem.yaml")
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want = expectedErrors(t, data)
	var c *Catalogue
	if file == path {
		c, err = Parse(fsys.OS{}, "tandem.yaml", data)
	} else {
		c, err = Load(fsys.OS{}, file)
	}
	if err == nil {
		t.Fatalf("%s loaded (%d services), want errors:\n%s", path, len(c.Services), strings.Join(want, "\n"))
	}
	if !errors.Is(err, ErrInvalid) {
		t.Errorf("error does not match ErrInvalid: %v", err)
	}
	text := strings.ReplaceAll(err.Error(), path+string(filepath.Separator), "")
	text = strings.ReplaceAll(text, "folder "+path+";", "folder .;")
	return strings.Split(text, "\n"), want
}

func expectedErrors(t *testing.T, data []byte) []string {
	t.Helper()
	var want []string
	for _, line := range lineBreak.Split(string(data), -1) {
		if msg, ok := strings.CutPrefix(line, "# error: "); ok {
			want = append(want, msg)
		}
	}
	if len(want) == 0 {
		t.Fatal("fixture has no '# error:' line")
	}
	return want
}

func TestValidCatalogues(t *testing.T) {
	t.Parallel()
	paths, _ := filepath.Glob("testdata/valid-*.yaml")
	dirs, _ := filepath.Glob("testdata/valid-*/tandem.yaml")
	paths = append(append(paths, dirs...), "../examples/shop/tandem.yaml")
	for _, path := range paths {
		t.Run(filepath.Base(filepath.Dir(path))+"/"+filepath.Base(path), func(t *testing.T) {
			t.Parallel()
			if _, err := Load(fsys.OS{}, path); err != nil {
				t.Fatalf("Load: %v", err)
			}
		})
	}
}

func TestLoadMissingFileIsNotInvalid(t *testing.T) {
	t.Parallel()
	_, err := Load(fsys.OS{}, filepath.Join(t.TempDir(), "tandem.yaml"))
	if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "pass it with -f FILE") {
		t.Fatalf("Load of a missing file: %v; want ErrNotFound with a hint", err)
	}
}

// TestReadmeCatalogueLoads keeps the README's catalogue example valid.
func TestReadmeCatalogueLoads(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(readme), "```yaml\n")
	block, _, closed := strings.Cut(rest, "```")
	if !ok || !closed {
		t.Fatal("README has no yaml block")
	}
	if _, err := Parse(fsys.OS{}, "README.md", []byte(block)); err != nil {
		t.Errorf("the README's catalogue does not load:\n%v", err)
	}
}

// TestYAML12LineBreaks: NEL and U+2028 end no line in YAML 1.2, so one in
// a comment is harmless and one in a value stays in it.
func TestYAML12LineBreaks(t *testing.T) {
	t.Parallel()
	c, err := Load(fsys.OS{}, "testdata/valid-yaml12-breaks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Services["web"].Env["MOTTO"]; got != "one\u2028two" {
		t.Errorf("MOTTO = %q, want one\\u2028two", got)
	}
}

// TestAnchorsAndMerges: YAML merges are shallow, a service's own keys
// replace merged ones, and x- keys at the top hold anchors.
func TestAnchorsAndMerges(t *testing.T) {
	t.Parallel()
	c, err := Load(fsys.OS{}, "testdata/valid-anchors.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cart, orders := c.Services["cart"], c.Services["orders"]
	if diff := cmp.Diff(map[string]string{"A": "3"}, cart.Env); diff != "" {
		t.Errorf("cart env (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"A": "1", "B": "2"}, orders.Env); diff != "" {
		t.Errorf("orders env (-want +got):\n%s", diff)
	}
	if cart.Build != "./cart" || orders.Build != "./orders" || cart.Health.HTTP != "/healthz" || len(cart.Ports) != 1 {
		t.Errorf("merged services: cart %+v, orders %+v", cart, orders)
	}
}

func TestAliasBombIsRefused(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("name: shop\nx-values: &values {")
	for i := range 2000 {
		fmt.Fprintf(&b, "K%d: v, ", i)
	}
	b.WriteString("}\nconfig:\n")
	for i := range 2000 {
		fmt.Fprintf(&b, "  g%d: *values\n", i)
	}
	b.WriteString("services:\n  web: {image: web:1}\n")
	_, err := Parse(fsys.OS{}, "tandem.yaml", []byte(b.String()))
	if err == nil || !strings.Contains(err.Error(), "expands to more than 1000000 values") {
		t.Fatalf("got %v", err)
	}
}

func TestDeepNestingIsRefused(t *testing.T) {
	t.Parallel()
	data := "name: shop\nservices: {web: {image: web:1.0, args: " + strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000) + "}}\n"
	_, err := Parse(fsys.OS{}, "tandem.yaml", []byte(data))
	if !errors.Is(err, ErrInvalid) || err.Error() != "tandem.yaml:2:1: invalid YAML: exceeded max depth of 10000" {
		t.Fatalf("got %v", err)
	}
}

func TestHugeFileIsRefused(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "tandem.yaml")
	if err := os.WriteFile(file, make([]byte, maxFileSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(fsys.OS{}, file)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "is larger than 32 MiB, the most a catalogue file may be") {
		t.Fatalf("got %v", err)
	}
}

// TestSpecialFilesAreRefused: Stat says 0 bytes for a device, and opening
// a FIFO blocks until a writer comes, so only regular files are read, and
// never more than the limit, whatever Stat said.
func TestSpecialFilesAreRefused(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.yaml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "tandem.yaml"), []byte("name: shop\ninclude: ['*.yaml']\nservices: {web: {image: web:1.0}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for file, want := range map[string]string{
		"/dev/zero":                       "invalid catalogue: /dev/zero is not a regular file (a device, FIFO or socket); a catalogue is a YAML file",
		fifo:                              "invalid catalogue: " + fifo + " is not a regular file (a device, FIFO or socket); a catalogue is a YAML file",
		filepath.Join(dir, "tandem.yaml"): filepath.Join(dir, "tandem.yaml") + ":2:11: include[0]: " + fifo + " is not a regular file (a device, FIFO or socket); a catalogue is a YAML file",
	} {
		done := make(chan error, 1)
		go func() { _, err := Load(fsys.OS{}, file); done <- err }()
		select {
		case err := <-done:
			if !errors.Is(err, ErrInvalid) || err.Error() != want {
				t.Errorf("%s: got %v, want %s", file, err, want)
			}
		case <-time.After(20 * time.Second):
			t.Fatalf("%s: still reading after 20s", file)
		}
	}
}

// TestLimitHoldsWhateverStatSays: files under /proc are regular and Stat
// says they hold 0 bytes, yet they read on; the limit counts bytes read.
func TestLimitHoldsWhateverStatSays(t *testing.T) {
	t.Parallel()
	if info, err := os.Stat("/proc/self/maps"); err != nil || !info.Mode().IsRegular() || info.Size() != 0 {
		t.Fatalf("/proc/self/maps is no longer a regular file of size 0 here: %v %v", info, err)
	}
	if _, err := fsys.ReadRegularFile(fsys.OS{}, "/proc/self/maps", 10); !errors.Is(err, fsys.ErrTooLarge) {
		t.Errorf("got %v, want ErrTooLarge", err)
	}
	if data, err := fsys.ReadRegularFile(fsys.OS{}, "/proc/self/maps", 1<<20); err != nil || len(data) < 10 {
		t.Errorf("with room: got %d bytes, %v", len(data), err)
	}
}

// TestIncludeThroughAbsoluteSymlink: a link inside the folder whose
// absolute target is inside it too is fine, with -f relative or not.
func TestIncludeThroughAbsoluteSymlink(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "parts"), 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("tandem.yaml", "name: shop\ninclude: [b.yaml]\nservices: {web: {image: web:1.0}}\n")
	write("parts/b.yaml", "services: {b: {image: b:1.0}}\n")
	if err := os.Symlink(filepath.Join(dir, "parts", "b.yaml"), filepath.Join(dir, "b.yaml")); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	for _, file := range []string{"tandem.yaml", filepath.Join(dir, "tandem.yaml")} {
		c, err := Load(fsys.OS{}, file)
		if err != nil {
			t.Fatalf("Load(fsys.OS{}, %s): %v", file, err)
		}
		if _, ok := c.Services["b"]; !ok {
			t.Errorf("Load(fsys.OS{}, %s) lacks the included service", file)
		}
	}
}

// TestAnnotationsOverKubernetesLimit: annotations past the API server's
// 256 KiB are refused here, where the catalogue says which ones; a fixture
// that size would bury the others.
func TestAnnotationsOverKubernetesLimit(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 130*1024)
	data := "name: shop\nservices:\n  web:\n    image: web:1.0\n    annotations:\n      pod: {example.com/a: " + big + ", example.com/b: " + big + "}\n"
	_, err := Parse(fsys.OS{}, "tandem.yaml", []byte(data))
	want := "tandem.yaml:6:7: services.web.annotations.pod: the annotations take more than Kubernetes' limit of 262144 bytes (keys and values together)"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
}

// TestWideIncludeGlobIsOneError: a glob over a folder of thousands of
// files is refused with one error, not one per file.
func TestWideIncludeGlobIsOneError(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "many"), 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range maxIncludes + 200 {
		if err := os.WriteFile(filepath.Join(dir, "many", fmt.Sprintf("s%d.yaml", i)), []byte("services: {}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	file := filepath.Join(dir, "tandem.yaml")
	if err := os.WriteFile(file, []byte("name: shop\ninclude: [many/*.yaml]\nservices: {web: {image: web:1.0}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(fsys.OS{}, file)
	want := file + `:2:11: include[0]: "many/*.yaml" matches 1200 files; a catalogue may include at most 1000 files (is the pattern too wide?)`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// TestHugeValueIsRefused: a 2 MB value would make every object carrying
// it larger than the API server stores.
func TestHugeValueIsRefused(t *testing.T) {
	t.Parallel()
	data := "name: shop\nservices:\n  web:\n    image: web:1.0\n    env: {BLOB: " + strings.Repeat("x", 2<<20) + "}\n"
	_, err := Parse(fsys.OS{}, "tandem.yaml", []byte(data))
	want := "tandem.yaml:5:17: services.web.env.BLOB: the value is 2048 KiB; a value may be at most 256 KiB, since it is copied into objects the API server limits to 1.5 MiB: put large data in a config volume"
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
}

// TestConfigVolumeAboveAConfigMap: config files are read only as far as a
// ConfigMap has room, and more is an error naming the volume.
func TestConfigVolumeAboveAConfigMap(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"a.txt", "b.txt"} {
		testfs.WriteFile(t, filepath.Join(dir, "conf", name), make([]byte, maxConfigBytes/2+1))
	}
	file := filepath.Join(dir, "tandem.yaml")
	testfs.WriteFile(t, file, []byte("name: shop\nservices:\n  web:\n    image: web:1.0\n    volumes: [{path: /etc/web, config: conf}]\n"))
	_, err := Load(fsys.OS{}, file)
	if err == nil || !strings.Contains(err.Error(), "conf holds more than 1000000 bytes, more than a ConfigMap may") {
		t.Errorf("got %v", err)
	}
}
