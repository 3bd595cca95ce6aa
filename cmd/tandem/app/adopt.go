package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/graph"
	"github.com/tandemdev/tandem/render"
)

// SchemaFile is where init puts the JSON Schema, beside the catalogue,
// for the yaml-language-server line at the catalogue's top.
const SchemaFile = "tandem.schema.json"

func schemaCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:  "schema",
		Usage: "print the JSON Schema of tandem.yaml, for editors",
		Description: `Prints the JSON Schema (draft 2020-12) of the catalogue, generated from
the types tandem loads it into, with a description of every field. Save
it beside the catalogue and point the YAML language server at it with a
first line '# yaml-language-server: $schema=./tandem.schema.json' (tandem
init writes both); editors then complete and check every key.

Example:
   tandem schema > tandem.schema.json`,
		Action: action(func(c *cli.Context) error {
			if c.Args().Present() {
				return usageErrorf("schema takes no arguments, got %q", c.Args().Slice())
			}
			schema, err := catalogue.JSONSchema()
			if err != nil {
				return err
			}
			_, err = streams.Out.Write(schema)
			return err
		}),
	}
}

func initCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:      "init",
		Usage:     "start a catalogue: a commented tandem.yaml, its schema and .gitignore lines",
		ArgsUsage: "[DIR]",
		Description: `Writes, in DIR (default: the current folder), a commented starter
tandem.yaml for a system named after the folder (or --name), the JSON
Schema beside it for editors, and the line that keeps .tandem/ (dev
secrets) out of git in .gitignore. It never overwrites a catalogue.

Examples:
   tandem init
   tandem init --name shop ./shop`,
		Flags: []cli.Flag{&cli.StringFlag{Name: "name", Usage: "the system's `NAME` (a DNS-1123 label); default: the folder's name"}},
		Action: action(func(c *cli.Context) error {
			if c.NArg() > 1 {
				return usageErrorf("init takes at most one folder, got %q", c.Args().Slice())
			}
			dir := c.Args().First()
			if dir == "" {
				dir = "."
			}
			return runInit(streams, dir, c.String("name"))
		}),
	}
}

func runInit(streams Streams, dir, name string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if name == "" {
		name = catalogue.LabelFrom(filepath.Base(abs))
	}
	starter := strings.ReplaceAll(starterCatalogue, "NAME", name)
	// The starter must be a catalogue tandem accepts; a --name that is not
	// a label is reported here, with the field it went into.
	if _, err := catalogue.Parse(fsys.OS{}, "tandem.yaml", []byte(starter)); err != nil {
		return usageErrorf("--name %q: %v", name, err)
	}
	file := filepath.Join(abs, "tandem.yaml")
	if _, err := os.Lstat(file); err == nil {
		return usageErrorf("%s exists; init never overwrites a catalogue", file)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return err
	}
	schema, err := catalogue.JSONSchema()
	if err != nil {
		return err
	}
	if err := render.WriteFileAtomic(filepath.Join(abs, SchemaFile), schema, 0o644); err != nil {
		return err
	}
	if err := render.WriteFileAtomic(file, []byte(starter), 0o644); err != nil {
		return err
	}
	ignored, err := ignoreDevFolder(filepath.Join(abs, ".gitignore"))
	if err != nil {
		return err
	}
	fmt.Fprintf(streams.Out, "wrote %s and %s", file, SchemaFile)
	if ignored {
		fmt.Fprint(streams.Out, "; .gitignore now ignores .tandem/")
	}
	fmt.Fprintln(streams.Out, "\nnext: describe your services in tandem.yaml, then run tandem render, or tandem up to run them")
	return nil
}

// ignoreDevFolder adds .tandem/ (the dev secrets, the probe) to a
// .gitignore, unless a line ignores it already; it tells whether it added.
func ignoreDevFolder(path string) (bool, error) {
	existing, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return false, err
	}
	for _, line := range strings.Split(string(existing), "\n") {
		switch strings.TrimSpace(line) {
		case ".tandem", ".tandem/", "/.tandem", "/.tandem/":
			return false, nil
		}
	}
	content := string(existing)
	if content != "" && !strings.HasSuffix(content, "\n") {
		content += "\n"
	}
	content += "# tandem: dev secrets and the health probe, never committed\n.tandem/\n"
	return true, render.WriteFileAtomic(path, []byte(content), 0o644)
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

func graphCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:  "graph",
		Usage: "draw the service graph: services by domain, resources, public entry points",
		Description: `Prints the catalogue's service graph: services clustered by domain,
backing resources as cylinders (an owned one in its owner's domain), an
arrow for each uses edge, and the outside pointing at the services with
public ports. DOT (for Graphviz) by default; mermaid for Markdown pages
that draw Mermaid; svg runs Graphviz's dot, which must be installed.

Examples:
   tandem graph | dot -Tpng > graph.png
   tandem graph --format mermaid
   tandem graph --format svg > graph.svg`,
		Flags: []cli.Flag{fileFlag(),
			&cli.StringFlag{Name: "format", Value: "dot", Usage: "`FORMAT` of the picture: dot, mermaid or svg"}},
		Action: action(func(c *cli.Context) error {
			if c.Args().Present() {
				return usageErrorf("graph takes no arguments, got %q", c.Args().Slice())
			}
			format := c.String("format")
			if format != "dot" && format != "mermaid" && format != "svg" {
				return usageErrorf("--format %s: choose dot, mermaid or svg", format)
			}
			cat, err := catalogue.Load(fsys.OS{}, c.String("file"))
			if err != nil {
				return err
			}
			var out []byte
			switch format {
			case "mermaid":
				out = graph.Mermaid(cat)
			case "svg":
				if out, err = svg(c.Context, graph.Dot(cat)); err != nil {
					return err
				}
			default:
				out = graph.Dot(cat)
			}
			_, err = streams.Out.Write(out)
			return err
		}),
	}
}

// svg draws DOT with Graphviz.
func svg(ctx context.Context, dot []byte) ([]byte, error) {
	bin, err := exec.LookPath("dot")
	if err != nil {
		return nil, errors.New("--format svg needs Graphviz's dot, which is not on PATH: install graphviz (apt-get install graphviz, brew install graphviz), or print DOT with --format dot")
	}
	cmd := exec.CommandContext(ctx, bin, "-Tsvg")
	cmd.Stdin = bytes.NewReader(dot)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("dot -Tsvg: %v: %s", err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}
