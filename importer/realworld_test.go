package importer

import (
	"cmp"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/compose"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/internal/golden"
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
	var mu sync.Mutex
	rows := map[string]string{}
	// kinds counts the differences found, by what differs.
	kinds := map[string]int{}
	// The table of what each import gave, which the corpus's README shows;
	// it is written once every file has been imported.
	t.Cleanup(func() {
		if t.Failed() {
			return
		}
		var b strings.Builder
		b.WriteString(corpusTableHead)
		for _, name := range slices.Sorted(maps.Keys(rows)) {
			b.WriteString(rows[name])
		}
		golden.Check(t, "testdata/realworld/README.md", []byte(b.String()))
		// The project's README sums the table up; it must say what is.
		readme, err := os.ReadFile("../README.md")
		if err != nil {
			t.Fatal(err)
		}
		if sum := corpusSum(rows, kinds); !strings.Contains(string(readme), sum) {
			t.Errorf("README.md does not sum the corpus up as it is; its row should read:\n%s", sum)
		}
	})
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
				mu.Lock()
				rows[name] = fmt.Sprintf("| %s | refused by compose-go, as by docker-compose: %s | | | | | |\n", name, why)
				mu.Unlock()
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
			// Check's own rule for undeclared dependencies runs on each
			// import in TestRealWorldImportsBuildForClusters.
			// A profile's service starts only on request: a tool or task
			// of the laptop, never of a cluster.
			for _, sname := range original.ServiceNames() {
				s := c.Services[sname]
				if s == nil || len(original.Services[sname].Profiles) == 0 {
					continue
				}
				if !slices.Equal(s.Environments, []string{catalogue.DevEnvironment}) {
					t.Errorf("services.%s was in profile %v and is in %v", sname, original.Services[sname].Profiles, s.Environments)
				}
				// It starts when named, unless a service that starts
				// anyway needs it.
				needed := slices.ContainsFunc(c.ServiceNames(), func(user string) bool {
					return !c.Services[user].OnRequest && slices.Contains(c.Services[user].UsedNames(), sname)
				})
				if s.OnRequest == needed {
					t.Errorf("services.%s was in profile %v; onRequest is %t, and a service that starts anyway uses it: %t", sname, original.Services[sname].Profiles, s.OnRequest, needed)
				}
			}
			rendered, err := compose.Render(c, compose.Options{ProjectDir: "."})
			if err != nil {
				t.Fatal(err)
			}
			roundTrip(t, original, rendered, result, abs)
			back, err := compose.LoadStrict(original.Name, rendered)
			if err != nil {
				t.Fatal(err)
			}
			found := losses(original, back, abs, result.Secrets)
			for _, l := range found {
				t.Logf("changed, as reported (go test -v shows these): %s %s %s: %s", l.service, l.field, l.item, l.detail)
			}
			mu.Lock()
			rows[name] = corpusRow(name, c, result, len(found))
			for _, l := range found {
				kinds[l.field]++
			}
			mu.Unlock()
			noSecretValues(t, result)
			// A reference the import wrote stands for a secret's value.
			for _, m := range regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)`).FindAllStringSubmatch(string(result.Catalogue), -1) {
				if _, secret := result.Secrets[m[1]]; !secret {
					t.Errorf("the catalogue holds ${%s}, which is no secret", m[1])
				}
			}
			if strings.Contains(string(result.Catalogue), abs) {
				t.Errorf("the catalogue holds this machine's path %s:\n%s", abs, result.Catalogue)
			}
			// The report speaks of paths as the catalogue does.
			for _, line := range result.Report {
				if strings.Contains(line, abs) {
					t.Errorf("a report line holds this machine's path %s: %s", abs, line)
				}
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
	for _, folder := range []string{"wordpress", "secrets", "tls"} {
		if err := os.MkdirAll(filepath.Join(dir, folder), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(dir, "secrets", "db.txt"), "wordpress\n")
	writeFile(t, filepath.Join(dir, "tls", "server.key"), "-----BEGIN PRIVATE KEY-----\n")
	writeFile(t, filepath.Join(dir, "compose.yaml"), `name: blog
services:
  db:
    image: mysql:8.4
    environment: {MYSQL_DATABASE: wordpress, MYSQL_USER: wordpress, MYSQL_PASSWORD: wordpress}
  web:
    image: wordpress:6.5
    container_name: wordpress
    depends_on: [db]
    volumes: ["./wordpress:/var/www/wordpress", "./secrets/db.txt:/run/secrets/db:ro", "./tls/server.key:/etc/tls/server.key:ro"]
    command: ["--data=/srv/wordpress/data", "--password", "wordpress"]
    environment:
      WORDPRESS_DB_USER: wordpress
      WORDPRESS_DB_NAME: wordpress
      DB_CONNECTION: "Server=db;Password=wordpress;"
      WORDPRESS_DB_PASSWORD_FILE: /run/secrets/db-password
      APP_DB_PASSWORD: /run/secrets/db-password
  backup:
    image: backup:1.0
    depends_on: [db]
    environment: {MYSQL_PWD: wordpress}
    logging: {driver: loki, options: {loki-url: "https://user:wordpress@loki.example.com/push"}}
volumes:
  dump:
    driver_opts: {type: cifs, o: "username=me,password=wordpress"}
`)
	result, c := importFolder(t, dir)
	web := c.Services["web"]
	backup := c.Services["backup"]
	if !slices.Contains(backup.Secrets, "MYSQL_PWD") || strings.Contains(string(result.Catalogue), "password=wordpress") || strings.Contains(string(result.Catalogue), ":wordpress@") {
		t.Errorf("the password, under another name or in x-unmapped, reached the catalogue:\n%s", result.Catalogue)
	}
	if !strings.Contains(string(result.Catalogue), "container_name: wordpress") {
		t.Errorf("a container name that equals the password was rewritten:\n%s", result.Catalogue)
	}
	for key, want := range map[string]string{"WORDPRESS_DB_USER": "wordpress", "WORDPRESS_DB_NAME": "wordpress", "WORDPRESS_DB_PASSWORD_FILE": "/run/secrets/db-password", "APP_DB_PASSWORD": "/run/secrets/db-password"} {
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
		t.Errorf("volumes %+v, want the folder ./wordpress as it was, and no secret file as config", web.Volumes)
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
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
	result, c := importFolder(t, dir)
	if got := c.Services["worker"].UsedNames(); !slices.Equal(got, []string{"cache"}) {
		t.Errorf("worker uses %v, want [cache]: api depends on worker", got)
	}
	if !slices.ContainsFunc(result.Report, func(line string) bool {
		return strings.Contains(line, "CALLBACK_URL: names api, which depends on worker already")
	}) {
		t.Errorf("the report does not say why worker does not use api:\n%s", strings.Join(result.Report, "\n"))
	}
	if ports := c.Services["api"].Ports; len(ports) != 1 || ports[0].Port != 8080 {
		t.Errorf("api's ports %+v, want 8080, which worker's value names", ports)
	}
}

// loss is something of the original Compose file that the Compose file
// tandem renders from the import does not have as it was.
type loss struct {
	service, field, item, detail string
	// says is what the report's line must say of it, where naming the
	// item is not enough.
	says string
}

// losses compares the original project with the one tandem renders from
// its import, service by service: published ports (host address,
// protocol), mounts, variables, dependencies and their conditions, health
// checks, commands and entrypoints.
func losses(original, back *types.Project, dir string, secrets map[string]string) []loss {
	var out []loss
	sharedBy := map[string]int{}
	for _, name := range original.ServiceNames() {
		for _, v := range original.Services[name].Volumes {
			if v.Type == types.VolumeTypeVolume && v.Source != "" {
				sharedBy[v.Source]++
			}
		}
	}
	firstSource := map[string]string{}
	for _, name := range original.ServiceNames() {
		was := original.Services[name]
		now, ok := back.Services[name]
		if !ok {
			out = append(out, loss{name, "service", name, "gone", ""})
			continue
		}
		for _, p := range portSet(was) {
			if !slices.Contains(portSet(now), p) {
				out = append(out, loss{name, "ports", strings.Split(p, "|")[2], p, ""})
			}
		}
		for _, m := range mountSet(was, dir) {
			if !slices.Contains(mountSet(now, "/"), m) {
				target := strings.Split(m, "|")[2]
				out = append(out, loss{name, "volumes", target, m, ""})
			}
		}
		for key, value := range was.Environment {
			if value == nil {
				continue
			}
			got := now.Environment[key]
			switch {
			case got == nil:
				out = append(out, loss{name, "environment", key, "gone", ""})
			case secretReference.MatchString(*got):
				if secret := secretReference.FindStringSubmatch(*got)[1]; secrets[secret] != *value {
					out = append(out, loss{name, "environment", key, fmt.Sprintf("dev value of %s is %q, was %q", secret, secrets[secret], *value), ""})
				}
			case strings.ReplaceAll(*got, "$$", "$") != *value:
				out = append(out, loss{name, "environment", key, fmt.Sprintf("%q, was %q", *got, *value), ""})
			}
		}
		for dep, d := range was.DependsOn {
			got, ok := now.DependsOn[dep]
			switch {
			case !ok:
				out = append(out, loss{name, "depends_on", dep, "gone", ""})
			case got.Condition != d.Condition && !(d.Condition == types.ServiceConditionStarted && got.Condition == types.ServiceConditionHealthy):
				out = append(out, loss{name, "depends_on", dep, got.Condition + ", was " + d.Condition, ""})
			}
		}
		// A volume two mounts share is one volume in the rendered file too.
		for _, v := range was.Volumes {
			if v.Type != types.VolumeTypeVolume || v.Source == "" || sharedBy[v.Source] < 2 {
				continue
			}
			if source := mountSource(now, v.Target); source == "" || firstSource[v.Source] != "" && firstSource[v.Source] != source {
				out = append(out, loss{name, "volumes", v.Target, "shares " + v.Source + " no longer", "share"})
			} else {
				firstSource[v.Source] = source
			}
		}
		for key, value := range was.Labels {
			if got, ok := now.Labels[key]; !ok || got != value {
				out = append(out, loss{name, "labels", key, fmt.Sprintf("%q, was %q", got, value), ""})
			}
		}
		if was.StopGracePeriod != nil && (now.StopGracePeriod == nil || *now.StopGracePeriod < *was.StopGracePeriod) {
			out = append(out, loss{name, "stop_grace_period", "stop_grace_period", fmt.Sprintf("%v, was %v", now.StopGracePeriod, *was.StopGracePeriod), ""})
		}
		// A Compose secret is a file in the container: the same file must
		// be there, holding the same value.
		for _, secret := range was.Secrets {
			target := composeSecretTarget(secret)
			want, readable := secretFileValue(original, secret.Source)
			source := mountSource(now, target)
			got, isSecret := secrets[filepath.Base(source)]
			switch {
			case source == "":
				out = append(out, loss{name, "secrets", secret.Source, "gone", ""})
			case filepath.Base(filepath.Dir(source)) != "secrets" || !isSecret:
				out = append(out, loss{name, "secrets", secret.Source, "mounted from " + source, ""})
			case readable && got != want:
				out = append(out, loss{name, "secrets", secret.Source, fmt.Sprintf("dev value %q, was %q", got, want), ""})
			}
		}
		if was.HealthCheck != nil && !was.HealthCheck.Disable && len(was.HealthCheck.Test) > 0 && (now.HealthCheck == nil || len(now.HealthCheck.Test) == 0) {
			out = append(out, loss{name, "healthcheck", name, "gone", ""})
		}
		if len(was.Command) > 0 && !slices.Equal(was.Command, unescaped(now.Command)) {
			out = append(out, loss{name, "command", "command", fmt.Sprintf("%q, was %q", now.Command, was.Command), ""})
		}
		if len(was.Entrypoint) > 0 && !slices.Equal(was.Entrypoint, unescaped(now.Entrypoint)) {
			out = append(out, loss{name, "entrypoint", "entrypoint", fmt.Sprintf("%q, was %q", now.Entrypoint, was.Entrypoint), ""})
		}
	}
	return out
}

func portSet(s types.ServiceConfig) []string {
	var out []string
	for _, p := range s.Ports {
		if p.Published == "" {
			continue
		}
		out = append(out, fmt.Sprintf("%s|%s|%d|%s", cmp.Or(p.HostIP, "0.0.0.0"), p.Published, p.Target, cmp.Or(p.Protocol, "tcp")))
	}
	return out
}

func mountSet(s types.ServiceConfig, dir string) []string {
	var out []string
	for _, v := range s.Volumes {
		source := v.Source
		if v.Type == types.VolumeTypeBind {
			if rel, err := filepath.Rel(dir, source); err == nil {
				source = filepath.ToSlash(rel)
			}
		}
		if v.Type == types.VolumeTypeVolume {
			source = "" // tandem names volumes per service
		}
		out = append(out, fmt.Sprintf("%s|%s|%s|%t", v.Type, source, v.Target, v.ReadOnly))
	}
	return out
}

// reported tells whether the import's report lists l: a line about its
// service's field that names the item.
func reported(l loss, report []string) bool {
	// The item as a word of its own: port 53 is not 5300.
	item := regexp.MustCompile(`(^|[^A-Za-z0-9_])` + regexp.QuoteMeta(l.item) + `($|[^A-Za-z0-9_])`)
	for _, line := range report {
		about := strings.HasPrefix(line, "services."+l.service+".") || strings.HasPrefix(line, "services."+l.service+":") ||
			strings.HasPrefix(line, "resources."+l.service+":") || strings.HasPrefix(line, "resources."+l.service+".")
		if about && item.MatchString(line) && strings.Contains(line, l.says) {
			return true
		}
	}
	return false
}

// secretReference is how the rendered Compose file takes a secret from
// the dev env file.
var secretReference = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*):\?`)

// unescaped undoes the $$ of a rendered Compose file, which the loader
// used for the comparison leaves as written.
func unescaped(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = strings.ReplaceAll(s, "$$", "$")
	}
	return out
}

const corpusTableHead = `# Real-world Compose files

Public projects' Compose files, each in a folder with its source, commit and licence
(SOURCE.md), which the importer's tests import (realworld_test.go, roundtrip_test.go). This
table is written by TestRealWorldCorpus (go test ./importer -run TestRealWorldCorpus -update):
what each import gave, and how many of the original's ports, mounts, variables, dependencies,
health checks and commands the Compose file rendered from it does not have as they were, every
one of which the import's report lists.

| file | services | resources | volumes | secrets | changed, as reported | report lines |
|---|---|---|---|---|---|---|
`

// corpusRow is one file's line of the corpus table.
// corpusSum is the README's row summing the corpus table up: files, those
// imported, the columns' totals, and the differences by what differs.
func corpusSum(rows map[string]string, kinds map[string]int) string {
	var totals [6]int
	imported := 0
	for _, row := range rows {
		var counts [6]int
		cells := strings.Split(row, "|")
		if len(cells) < 9 {
			continue
		}
		n := 0
		for i := range counts {
			if _, err := fmt.Sscan(strings.TrimSpace(cells[i+2]), &counts[i]); err == nil {
				n++
			}
		}
		if n < len(counts) {
			continue // refused by compose-go
		}
		imported++
		for i := range totals {
			totals[i] += counts[i]
		}
	}
	words := map[string]string{"volumes": "mounts", "environment": "variables", "secrets": "secret files"}
	var by []string
	for _, field := range slices.SortedFunc(maps.Keys(kinds), func(a, b string) int { return cmp.Or(kinds[b]-kinds[a], strings.Compare(a, b)) }) {
		by = append(by, fmt.Sprintf("%d %s", kinds[field], cmp.Or(words[field], field)))
	}
	return fmt.Sprintf("| `importer/testdata/realworld` | %d | %d (%d refused by compose-go and docker-compose alike) | %d | %d | %d | %d | %d: %s |",
		len(rows), imported, len(rows)-imported, totals[0], totals[1], totals[2], totals[3], totals[4], strings.Join(by, ", "))
}

func corpusRow(name string, c *catalogue.Catalogue, result *Result, changed int) string {
	volumes := 0
	for _, s := range c.Services {
		volumes += len(s.Volumes)
	}
	return fmt.Sprintf("| %s | %d | %d | %d | %d | %d | %d |\n", name, len(c.Services), len(c.Resources), volumes, len(result.Secrets), changed, len(result.Report))
}

// TestImportKeepsWhatClusterServicesUse: import makes a profile's
// services and loopback-only ports dev-only, and a run-once profile task
// one-shot, unless a service of the clusters reaches them, which would
// leave it calling what no cluster has: a catalogue tandem refuses.
func TestImportKeepsWhatClusterServicesUse(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "compose.yaml"), `name: tools
services:
  api:
    image: api:1.0
    ports: ["127.0.0.1:3000:3000"]
  debugger:
    image: debugger:1.0
    ports: ["127.0.0.1:9229:9229"]
  web:
    image: web:1.0
    environment:
      API_URL: http://api:3000
      SMTP_HOST: mailhog
      NOTIFY_URL: http://notifier:9000/x
  mailhog:
    image: mailhog/mailhog:v1.0.1
    profiles: [mail]
  notifier:
    image: notifier:1.0
    profiles: [notify]
    restart: "no"
  seed:
    image: seed:1.0
    profiles: [seed]
    restart: "no"
`)
	_, c := importFolder(t, dir)
	for name, want := range map[string][]string{"mailhog": nil, "notifier": nil, "seed": {"dev"}} {
		if got := c.Services[name].Environments; !slices.Equal(got, want) {
			t.Errorf("services.%s.environments = %v, want %v", name, got, want)
		}
	}
	if c.Services["notifier"].OneShot || !c.Services["seed"].OneShot {
		t.Errorf("oneShot: notifier %t (it listens on 9000), seed %t", c.Services["notifier"].OneShot, c.Services["seed"].OneShot)
	}
	if p := c.Services["api"].Ports[0]; p.Environments != nil || p.HostIP != "127.0.0.1" {
		t.Errorf("api's port %+v: web uses it, so it is in every environment, published on 127.0.0.1 in dev", p)
	}
	if p := c.Services["debugger"].Ports[0]; !slices.Equal(p.Environments, []string{"dev"}) {
		t.Errorf("the debugger's port %+v: nothing uses it, so it stays in dev", p)
	}
}

// TestOnePortNumberOverTCPAndUDP: DNS serves 53 over both, which a
// catalogue says as two ports.
func TestOnePortNumberOverTCPAndUDP(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "compose.yaml"), "name: dns\nservices:\n  dns:\n    image: dns:1.0\n    ports: [\"53:53/tcp\", \"53:53/udp\"]\n")
	_, c := importFolder(t, dir)
	var got []string
	for _, p := range c.Services["dns"].Ports {
		got = append(got, fmt.Sprintf("%s %d %s public=%t", p.Name, p.Port, p.Protocol, p.Public))
	}
	if want := []string{"port-53 53 tcp public=true", "port-53-udp 53 udp public=true"}; !slices.Equal(got, want) {
		t.Errorf("ports %q, want %q", got, want)
	}
}

// secretFileValue is a Compose file secret's value as a container reads
// it, line breaks at its end aside.
func secretFileValue(project *types.Project, source string) (string, bool) {
	cfg, ok := project.Secrets[source]
	if !ok || cfg.File == "" {
		return "", false
	}
	data, err := os.ReadFile(cfg.File)
	if err != nil {
		return "", false
	}
	return strings.TrimRight(string(data), "\r\n"), true
}

// mountSource is the source of what s mounts at target, "" for nothing.
func mountSource(s types.ServiceConfig, target string) string {
	for _, v := range s.Volumes {
		if v.Target == target {
			return cmp.Or(v.Source, v.Type)
		}
	}
	return ""
}

// importFolder imports dir's compose.yaml and loads the catalogue, which
// must load.
func importFolder(t *testing.T, dir string) (*Result, *catalogue.Catalogue) {
	t.Helper()
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
	return result, c
}

// TestComposeSecretsReachBothSides: a database that reads its root
// password from a Compose secret, and a backend that reads the same file
// to log in as root, keep sharing it: the resource's users log in as root
// with the file's value as its password, and the backend mounts that
// password where it read the file. A secret of a service's own becomes a
// secret volume of its own; nothing of either stays under x-unmapped.
func TestComposeSecretsReachBothSides(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "db"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "db", "password.txt"), "s3cret-db\n")
	writeFile(t, filepath.Join(dir, "api-key.txt"), "k3y")
	writeFile(t, filepath.Join(dir, "compose.yaml"), `name: files
services:
  backend:
    image: backend:1.0
    secrets: [db-password, {source: api-key, target: key}]
    depends_on: [db]
  db:
    image: mariadb:11
    secrets: [db-password]
    environment: {MYSQL_DATABASE: example, MYSQL_ROOT_PASSWORD_FILE: /run/secrets/db-password}
secrets:
  db-password: {file: db/password.txt}
  api-key: {file: api-key.txt}
`)
	result, c := importFolder(t, dir)
	db := c.Resources["db"]
	if db.User != "root" || !db.Root() || result.Secrets["DB_PASSWORD"] != "s3cret-db" {
		t.Errorf("db: user %q, DB_PASSWORD %q; want root, with the file's value", db.User, result.Secrets["DB_PASSWORD"])
	}
	var got []string
	for _, v := range c.Services["backend"].Volumes {
		got = append(got, v.Path+" "+v.Secret)
	}
	if want := []string{"/run/secrets/db-password DB_PASSWORD", "/run/secrets/key API_KEY"}; !slices.Equal(got, want) {
		t.Errorf("backend's secret files %q, want %q", got, want)
	}
	if !slices.Equal(c.Services["backend"].Secrets, []string{"API_KEY"}) || result.Secrets["API_KEY"] != "k3y" {
		t.Errorf("backend's secrets %q, API_KEY %q", c.Services["backend"].Secrets, result.Secrets["API_KEY"])
	}
	if strings.Contains(string(result.Catalogue), "\nx-unmapped:") {
		t.Errorf("something stayed unmapped:\n%s", result.Catalogue)
	}
}

// TestPodSettingsCarriedOver: stop_grace_period is the pods' grace period,
// rounded up to whole seconds, and labels are the pods' labels where
// Kubernetes takes them all; a set with one it does not take stays whole
// under x-unmapped.
func TestPodSettingsCarriedOver(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "compose.yaml"), `name: pods
services:
  worker:
    image: worker:1.0
    stop_grace_period: 1m30.5s
    labels: {team: payments, tier: backend}
  proxied:
    image: web:1.0
    labels: [traefik.enable=true, "traefik.http.routers.web.rule=Path(`+"`/`"+`)"]
`)
	result, c := importFolder(t, dir)
	worker := c.Services["worker"]
	if g := worker.TerminationGracePeriodSeconds; g == nil || *g != 91 {
		t.Errorf("worker's grace period %v, want 91 seconds", g)
	}
	if worker.Labels == nil || !maps.Equal(worker.Labels.Pod, map[string]string{"team": "payments", "tier": "backend"}) {
		t.Errorf("worker's labels %+v", worker.Labels)
	}
	if c.Services["proxied"].Labels != nil || !strings.Contains(string(result.Catalogue), "traefik.enable") {
		t.Errorf("proxied's labels were split up:\n%s", result.Catalogue)
	}
}

// TestOneSecretNameTwoValues: two services that give one secret variable
// different values each keep theirs in dev: the second's moves to a
// secret of its own name, which its variable refers to.
func TestOneSecretNameTwoValues(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "compose.yaml"), `name: two
services:
  cache:
    image: valkey:8
    environment: {REDIS_PASSWORD: first-Secret-1}
  queue:
    image: valkey:8
    environment: {REDIS_PASSWORD: second-Secret-2}
`)
	result, c := importFolder(t, dir)
	for service, want := range map[string]string{"cache": "first-Secret-1", "queue": "second-Secret-2"} {
		if got := devValue(t, c, result, service, "REDIS_PASSWORD"); got != want {
			t.Errorf("%s's REDIS_PASSWORD is %q in dev, want %q", service, got, want)
		}
	}
}

// devValue is the value a service's variable has in the dev Compose file
// rendered from an import, with the dev secrets it interpolates.
func devValue(t *testing.T, c *catalogue.Catalogue, result *Result, service, key string) string {
	t.Helper()
	rendered, err := compose.Render(c, compose.Options{ProjectDir: "."})
	if err != nil {
		t.Fatal(err)
	}
	back, err := compose.LoadStrict(c.Name, rendered)
	if err != nil {
		t.Fatal(err)
	}
	value := deref(back.Services[service].Environment[key])
	if m := secretReference.FindStringSubmatch(value); m != nil {
		return result.Secrets[m[1]]
	}
	return value
}

// TestDottedSecretVariable: a variable secret by name whose name a secret
// cannot have (Spring's spring.datasource.password) keeps its value in dev
// through a secret of an identifier's name, which it refers to.
func TestDottedSecretVariable(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "compose.yaml"), "name: spring\nservices:\n  app:\n    image: app:1.0\n    environment:\n      spring.datasource.password: s3cret-Pass\n")
	result, c := importFolder(t, dir)
	if got := devValue(t, c, result, "app", "spring.datasource.password"); got != "s3cret-Pass" {
		t.Errorf("spring.datasource.password is %q in dev, with the secrets %v", got, result.Secrets)
	}
	if slices.ContainsFunc(c.Services["app"].Secrets, func(s string) bool { return strings.Contains(s, ".") }) {
		t.Errorf("a secret's name is not an identifier: %q", c.Services["app"].Secrets)
	}
}

// TestSecretFileHoldingAPassword: a Compose secret whose file holds a
// database's password, which the database itself takes as a plain
// variable, is that password on the client's side too; and a secret the
// service also sets as a variable is declared once.
func TestSecretFileHoldingAPassword(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "pw.txt"), "pg-Secret-9\n")
	writeFile(t, filepath.Join(dir, "key.txt"), "k3y-Value-1")
	writeFile(t, filepath.Join(dir, "compose.yaml"), `name: pw
services:
  app:
    image: app:1.0
    secrets: [pw, api-key]
    environment: {API_KEY: k3y-Value-1}
  db:
    image: postgres:16
    environment: {POSTGRES_PASSWORD: pg-Secret-9}
secrets:
  pw: {file: pw.txt}
  api-key: {file: key.txt}
`)
	_, c := importFolder(t, dir)
	app := c.Services["app"]
	var got []string
	for _, v := range app.Volumes {
		got = append(got, v.Path+" "+v.Secret)
	}
	if want := []string{"/run/secrets/pw DB_PASSWORD", "/run/secrets/api-key API_KEY"}; !slices.Equal(got, want) {
		t.Errorf("app's secret files %q, want %q", got, want)
	}
	if !slices.Equal(app.Secrets, []string{"API_KEY"}) || !slices.Contains(app.UsedNames(), "db") {
		t.Errorf("app's secrets %q and uses %q; want API_KEY once, and db", app.Secrets, app.UsedNames())
	}
}
