package project

import (
	"path/filepath"
	"strings"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/devstate"
	"github.com/tandemdev/tandem/fsys"
)

// SchemaFile is where init puts the JSON Schema, beside the catalogue,
// for the yaml-language-server line at the catalogue's top.
const SchemaFile = "tandem.schema.json"

// InitReport says what Init wrote.
type InitReport struct {
	// File is the catalogue written.
	File string
	// IgnoredInGit tells whether .gitignore got the .tandem line.
	IgnoredInGit bool
}

// Init writes a commented starter catalogue for a system named name
// (default: after the folder) into dir, its JSON Schema beside it, and
// the line that keeps .tandem/ out of git. It never overwrites a
// catalogue.
func Init(f fsys.FS, dir, name string) (InitReport, error) {
	abs, err := f.Abs(dir)
	if err != nil {
		return InitReport{}, err
	}
	if name == "" {
		name = catalogue.LabelFrom(filepath.Base(abs))
	}
	starter := strings.ReplaceAll(starterCatalogue, "NAME", name)
	// The starter must be a catalogue tandem accepts; a name that is not
	// a label is reported here, with the field it went into.
	if _, err := catalogue.Parse(f, "tandem.yaml", []byte(starter)); err != nil {
		return InitReport{}, usageErrorf("--name %q: %v", name, err)
	}
	file := filepath.Join(abs, "tandem.yaml")
	if _, err := f.Lstat(file); err == nil {
		return InitReport{}, usageErrorf("%s exists; init never overwrites a catalogue", file)
	}
	if err := f.MkdirAll(abs, 0o755); err != nil {
		return InitReport{}, err
	}
	schema, err := catalogue.JSONSchema()
	if err != nil {
		return InitReport{}, err
	}
	if err := fsys.WriteFileAtomic(f, filepath.Join(abs, SchemaFile), schema, 0o644); err != nil {
		return InitReport{}, err
	}
	if err := fsys.WriteFileAtomic(f, file, []byte(starter), 0o644); err != nil {
		return InitReport{}, err
	}
	ignored, err := devstate.IgnoreInGit(f, filepath.Join(abs, ".gitignore"))
	return InitReport{File: file, IgnoredInGit: ignored}, err
}

const starterCatalogue = `# yaml-language-server: $schema=./tandem.schema.json
# The service catalogue: every service of the system, once. tandem render
# turns it into deploy/compose.yaml (tandem up runs it with Docker) and a
# kustomize base with one overlay per environment. docs/catalogue.md in
# tandem's repository lists every field; tandem schema prints them for
# editors.
name: NAME

environments:
  dev: {}                                # what tandem up runs on a laptop
  prod:
    namespace: NAME
    replicas: 2                          # per service, unless it says otherwise
    image: {registry: registry.example.com/NAME, tag: "0.1.0"}   # where CI pushes built images
    # ingress: {host: NAME.example.com}  # routes to public ports

config:                                  # shared settings, one ConfigMap per group
  observability: {LOG_FORMAT: json, LOG_LEVEL: info}

resources:                               # postgres, mysql, mariadb, mongo, redis, nats, rabbitmq, kafka
  app-db: {kind: postgres, owner: app}   # owned: only app may use it

services:
  app:
    build: ./app                         # or image: registry.example.com/app:1.0
    ports: [{name: http, port: 8080, public: true}]   # public: localhost:8080 in dev
    config: [observability]
    # env: {FEATURE_X: "on"}
    # secrets: [API_KEY]                 # dev: .tandem/dev.env; elsewhere the Secret app-secrets
    uses: [app-db]                       # APP_DB_URL and friends, start order, network policy
    health: {http: /healthz}             # probes in clusters, healthcheck in Compose
`
