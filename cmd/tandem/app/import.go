package app

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"

	composecli "github.com/compose-spec/compose-go/v2/cli"
	"github.com/urfave/cli/v2"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/compose"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/importer"
	"github.com/tandemdev/tandem/render"
)

func importCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "start a catalogue from an existing Compose file",
		ArgsUsage: "COMPOSE_FILE",
		Description: `Reads a Compose file as docker compose does (interpolation, .env,
env_file, extends, every profile), but without your shell's environment,
whose values do not belong in a committed catalogue, and writes one: services keep
their names, ports, variables, health checks and build or image; depends_on
becomes uses; postgres, mysql, mariadb, mongo, redis, rabbitmq, nats and
apache/kafka images become resources, owned by their one user where they have one; variables several
services set alike become the config group shared; values that look
secret (PASSWORD, SECRET, TOKEN, KEY, or holding a database password) move
to .tandem/dev.env. What has no place in a catalogue is kept under
x-unmapped, and every change is listed. It never overwrites a catalogue.

Examples:
   tandem import docker-compose.yml
   tandem import -o tandem.yaml --name shop compose.yaml`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "tandem.yaml", Usage: "the catalogue `FILE` to write"},
			&cli.StringFlag{Name: "name", Usage: "the system's `NAME`; default: the Compose project's"},
		},
		Action: action(func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usageErrorf("import takes one Compose file, got %q", c.Args().Slice())
			}
			return runImport(c, streams, c.Args().First(), c.String("out"), c.String("name"))
		}),
	}
}

func runImport(c *cli.Context, streams Streams, composeFile, out, name string) error {
	if _, err := os.Stat(composeFile); err != nil {
		return usageErrorf("%v", err)
	}
	if _, err := os.Lstat(out); err == nil {
		return usageErrorf("%s exists; import never overwrites a catalogue (choose another with -o)", out)
	}
	dir, err := filepath.Abs(filepath.Dir(composeFile))
	if err != nil {
		return err
	}
	options, err := composecli.NewProjectOptions([]string{composeFile},
		composecli.WithWorkingDirectory(dir), composecli.WithEnvFiles(), composecli.WithDotEnv,
		composecli.WithProfiles([]string{"*"}))
	if err != nil {
		return err
	}
	project, err := options.LoadProject(c.Context)
	if err != nil {
		return usageErrorf("%s does not load as Compose: %v", composeFile, err)
	}
	outDir, err := filepath.Abs(filepath.Dir(out))
	if err != nil {
		return err
	}
	result, err := importer.Import(project, importer.Options{Name: name, CatalogueDir: outDir})
	if err != nil {
		return err
	}
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	if err := render.WriteFileAtomic(out, result.Catalogue, 0o644); err != nil {
		return err
	}
	if len(result.Secrets) > 0 {
		if err := writeDevSecrets(streams, outDir, result.Secrets); err != nil {
			return err
		}
	}
	fmt.Fprintf(streams.Out, "imported %s into %s\n", composeFile, out)
	for _, line := range result.Report {
		fmt.Fprintf(streams.Out, "  %s\n", line)
	}
	if _, err := catalogue.Load(fsys.OS{}, out); err != nil {
		fmt.Fprintf(streams.Out, "the catalogue needs these changes before tandem accepts it:\n%v\n", err)
		return errFindings
	}
	fmt.Fprintln(streams.Out, "next: review it, then tandem render, or tandem up to run it")
	return nil
}

// writeDevSecrets adds the imported secret values to the dev env file
// beside the catalogue, keeping any value already there.
func writeDevSecrets(streams Streams, dir string, values map[string]string) error {
	envFile := filepath.Join(dir, filepath.FromSlash(compose.DevEnvFile))
	if err := os.MkdirAll(filepath.Dir(envFile), 0o700); err != nil {
		return err
	}
	if err := ensureStateDir(filepath.Dir(envFile), streams.Err); err != nil {
		return err
	}
	existing, err := os.ReadFile(envFile)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	var writable []string
	for _, name := range slices.Sorted(maps.Keys(values)) {
		if _, ok := compose.QuoteDevValue(values[name]); ok {
			writable = append(writable, name)
		} else {
			fmt.Fprintf(streams.Out, "  %s: its value cannot be written to %s so that both Compose implementations read it back (quotes, backslashes or new lines); add it there yourself\n", name, compose.DevEnvFile)
		}
	}
	content, added := compose.AddMissingSecrets(existing, writable, func(name string) string {
		quoted, _ := compose.QuoteDevValue(values[name])
		return quoted
	})
	for _, name := range writable {
		if !slices.Contains(added, name) {
			fmt.Fprintf(streams.Out, "  %s: %s has a value already, which is kept\n", name, compose.DevEnvFile)
		}
	}
	return render.WriteFileAtomic(envFile, content, 0o600)
}
