package app

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/compose"
	"github.com/tandemdev/tandem/fsys"
)

// TestNoSecretLeaks renders the shop with known dev secret values, then
// greps every rendered file and the output of every command for them:
// they may appear in the dev env file only.
func TestNoSecretLeaks(t *testing.T) {
	t.Parallel()
	dir := shopCopy(t)
	file, out := filepath.Join(dir, "tandem.yaml"), filepath.Join(dir, "deploy")
	cat, err := catalogue.Load(fsys.OS{}, file)
	if err != nil {
		t.Fatal(err)
	}
	var env strings.Builder
	var values []string
	for i, name := range compose.DevSecrets(cat) {
		value := fmt.Sprintf("leak%02dxq7", i)
		values = append(values, value)
		fmt.Fprintf(&env, "%s=%s\n", name, value)
	}
	envFile := filepath.Join(dir, ".tandem", "dev.env")
	if err := os.MkdirAll(filepath.Dir(envFile), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(envFile, []byte(env.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	var outputs []string
	record := func(args ...string) {
		_, stdout, stderr := run(t, append(args, "-f", file)...)
		outputs = append(outputs, fmt.Sprintf("%v: %s%s", args, stdout, stderr))
	}
	record("render", "-o", out)
	envs := append([]string{catalogue.DevEnvironment}, cat.DeployEnvironments()...)
	for _, e := range cat.DeployEnvironments() {
		record("build", e, "-o", out)
	}
	record("check", "-o", out)
	record("check", "-o", out, "--output", "json")
	for _, service := range cat.ServiceNames() {
		for _, e := range envs {
			record("env", service, "--env", e)
			record("env", service, "--env", e, "--output", "json")
		}
	}
	for _, a := range envs {
		for _, b := range envs {
			record("diff", a, b)
		}
	}
	record("diff", "staging", "prod", "--rendered", "-o", out)
	record("env", "nope")

	err = filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() || p == envFile {
			return err
		}
		data, err := os.ReadFile(p)
		outputs = append(outputs, p+": "+string(data))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(outputs) < 100 {
		t.Fatalf("only %d outputs checked", len(outputs))
	}
	for _, o := range outputs {
		for _, value := range values {
			if strings.Contains(o, value) {
				t.Errorf("secret value %s leaked into %s", value, strings.SplitN(o, ":", 2)[0])
			}
		}
	}
}

func TestWarnsAboutAnExposedDevEnvFile(t *testing.T) {
	t.Parallel()
	dir := shopCopy(t)
	tandemDir := filepath.Join(dir, ".tandem")
	if err := os.MkdirAll(tandemDir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tandemDir, ".gitignore"), []byte("# mine\n*.log\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cat, err := catalogue.Load(fsys.OS{}, filepath.Join(dir, "tandem.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var complete strings.Builder
	for _, name := range compose.DevSecrets(cat) {
		complete.WriteString(name + "=x\n")
	}
	if err := os.WriteFile(filepath.Join(tandemDir, "dev.env"), []byte(complete.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	_, _, stderr := run(t, "render", "-f", filepath.Join(dir, "tandem.yaml"), "-o", filepath.Join(dir, "deploy"))
	for _, want := range []string{".gitignore does not ignore dev.env", "dev.env is readable by others (mode -rw-r--r--)"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("no warning %q in:\n%s", want, stderr)
		}
	}
}
