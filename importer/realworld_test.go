package importer

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
)

// notCompose are corpus files that compose-go itself refuses, as docker
// compose does; import reports the loader's error for them (exit 2).
var notCompose = map[string]string{
	"nginx-proxy-separate-containers": "an empty environment: mapping",
}

// TestRealWorldCorpus imports every Compose file of testdata/realworld,
// public projects' files that nobody here wrote (each folder's SOURCE.md
// says whose), and holds each import to what a team meeting tandem needs:
// a catalogue tandem accepts, no secret value in it, and no path of the
// machine that imported it.
func TestRealWorldCorpus(t *testing.T) {
	t.Parallel()
	files, _ := filepath.Glob("testdata/realworld/*/compose.yaml")
	if len(files) < 30 {
		t.Fatalf("want at least 30 real-world Compose files, have %d", len(files))
	}
	for _, file := range files {
		dir := filepath.Dir(file)
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if _, err := os.Stat(filepath.Join(dir, "SOURCE.md")); err != nil {
				t.Errorf("no SOURCE.md: %v", err)
			}
			original, err := loadFile(dir, "compose.yaml")
			if why, refused := notCompose[name]; refused {
				if err == nil {
					t.Fatalf("compose-go loads it now (it refused %s): import it like the rest", why)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			abs, _ := filepath.Abs(dir)
			result, err := Import(original, Options{CatalogueDir: abs})
			if err != nil {
				t.Fatal(err)
			}
			c, err := catalogue.Parse(fsys.OS{}, filepath.Join(abs, "tandem.yaml"), result.Catalogue)
			if err != nil {
				t.Fatalf("the imported catalogue does not load:\n%v\n%s", err, result.Catalogue)
			}
			undeclaredUses(t, c)
			noSecretValues(t, result)
			if strings.Contains(string(result.Catalogue), abs) {
				t.Errorf("the catalogue holds this machine's path %s:\n%s", abs, result.Catalogue)
			}
		})
	}
}

func TestReplaceTokenLeavesWordsThatEqualASecret(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ value, want string }{
		{"redis-server --requirepass s3cret", "redis-server --requirepass ${P}"},
		{"mysqladmin ping -uroot -ps3cret", "mysqladmin ping -uroot -p${P}"},
		{"postgres://app:s3cret@db/app", "postgres://app:${P}@db/app"},
		{"PASS=s3cret;other=s3cret", "PASS=${P};other=${P}"},
		{"/etc/s3cret/provisioning", "/etc/s3cret/provisioning"},
		{"s3cret-redis_net", "s3cret-redis_net"},
		{"xs3crets3cret", "xs3crets3cret"},
		{"s3cret", "${P}"},
	} {
		if got := replaceToken(tt.value, "s3cret", "${P}"); got != tt.want {
			t.Errorf("replaceToken(%q) = %q, want %q", tt.value, got, tt.want)
		}
	}
}

// TestSecretsAreOnlyWhatIsSecret: issue #23's rules for secrets. A value
// that equals a password is a name (a user, a database), a path that
// contains one is a path, and a variable naming a secret's file names a
// file; a password inside a connection string is a secret.
func TestSecretsAreOnlyWhatIsSecret(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "wordpress"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "compose.yaml"), `name: blog
services:
  db:
    image: mysql:8.4
    environment: {MYSQL_DATABASE: wordpress, MYSQL_USER: wordpress, MYSQL_PASSWORD: wordpress}
  web:
    image: wordpress:6.5
    depends_on: [db]
    volumes: ["./wordpress:/var/www/wordpress"]
    command: ["--data=/srv/wordpress/data", "--password", "wordpress"]
    environment:
      WORDPRESS_DB_USER: wordpress
      WORDPRESS_DB_NAME: wordpress
      DB_CONNECTION: "Server=db;Password=wordpress;"
      WORDPRESS_DB_PASSWORD_FILE: /run/secrets/db-password
`)
	project, err := loadFile(dir, "compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	result, err := Import(project, Options{CatalogueDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	c, err := catalogue.Parse(fsys.OS{}, filepath.Join(dir, "tandem.yaml"), result.Catalogue)
	if err != nil {
		t.Fatalf("%v\n%s", err, result.Catalogue)
	}
	web := c.Services["web"]
	for key, want := range map[string]string{"WORDPRESS_DB_USER": "wordpress", "WORDPRESS_DB_NAME": "wordpress", "WORDPRESS_DB_PASSWORD_FILE": "/run/secrets/db-password"} {
		if got := web.Env[key]; got != want {
			t.Errorf("web.env.%s = %q, want %q as it was (secrets: %v)", key, got, want, web.Secrets)
		}
	}
	if !slices.Contains(web.Secrets, "DB_CONNECTION") || result.Secrets["DB_CONNECTION"] != "Server=db;Password=wordpress;" {
		t.Errorf("DB_CONNECTION holds the password, so it is a secret: secrets %v, dev values %v", web.Secrets, result.Secrets)
	}
	if want := []string{"--data=/srv/wordpress/data", "--password", "${DB_PASSWORD}"}; !slices.Equal(web.Command, want) && !slices.Equal(web.Args, want) {
		t.Errorf("command %q args %q, want the password alone replaced: %q", web.Command, web.Args, want)
	}
	if len(web.Volumes) != 1 || web.Volumes[0].Source != "./wordpress" {
		t.Errorf("volumes %+v, want the folder ./wordpress as it was", web.Volumes)
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// undeclaredUses holds an imported catalogue to check's rule: a service
// whose values name another service or resource uses it, or a cluster's
// NetworkPolicy blocks what works in dev.
func undeclaredUses(t *testing.T, c *catalogue.Catalogue) {
	t.Helper()
	hosts := c.Hosts()
	for _, name := range c.ServiceNames() {
		s := c.Services[name]
		values := map[string]string{}
		maps.Copy(values, s.Env)
		for _, group := range s.Config {
			maps.Copy(values, c.Config[group])
		}
		for key, value := range values {
			for _, ref := range hosts.Refs(value, catalogue.AddressVariable(key)) {
				if ref.Target != name && !slices.Contains(s.UsedNames(), ref.Target) {
					t.Errorf("services.%s: %s=%q names %s, which it does not use", name, key, value, ref.Target)
				}
			}
		}
	}
}

// TestValueEdgesMakeNoCycle: a value naming a service that depends on
// this one already gets no edge, since a cycle is refused; the report
// says what to do instead.
func TestValueEdgesMakeNoCycle(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "compose.yaml"), `name: loop
services:
  api:
    image: api:1.0
    depends_on: [worker]
  worker:
    image: worker:1.0
    environment: {CALLBACK_URL: "http://api:8080/done", CACHE_HOST: cache}
  cache:
    image: redis:7
`)
	project, err := loadFile(dir, "compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	result, err := Import(project, Options{CatalogueDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	c, err := catalogue.Parse(fsys.OS{}, filepath.Join(dir, "tandem.yaml"), result.Catalogue)
	if err != nil {
		t.Fatalf("%v\n%s", err, result.Catalogue)
	}
	if got := c.Services["worker"].UsedNames(); !slices.Equal(got, []string{"cache"}) {
		t.Errorf("worker uses %v, want [cache]: api depends on worker", got)
	}
	if !slices.ContainsFunc(result.Report, func(line string) bool { return strings.Contains(line, "CALLBACK_URL: names api, which depends on worker already") }) {
		t.Errorf("the report does not say why worker does not use api:\n%s", strings.Join(result.Report, "\n"))
	}
	if ports := c.Services["api"].Ports; len(ports) != 1 || ports[0].Port != 8080 {
		t.Errorf("api's ports %+v, want 8080, which worker's value names", ports)
	}
}
