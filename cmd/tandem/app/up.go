package app

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/compose"
	"github.com/tandemdev/tandem/compose/probe"
	"github.com/tandemdev/tandem/compose/runner"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/manifest"
	"github.com/tandemdev/tandem/render"
)

type upOptions struct {
	file, out string
	services  []string
	domains   []string
	timeout   time.Duration
	verbose   bool
}

func upCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:      "up",
		Usage:     "run services and everything they use on Docker",
		ArgsUsage: "[SERVICE...]",
		Description: `Renders the catalogue (as tandem render does), then starts the services
named, every service of the domains named, and everything they use,
transitively, with Docker Compose: images of services with build: are
built first, and each service starts once what it uses is healthy.
Without names, everything starts. up waits until every started service
is healthy and prints where each public port answers on this machine.

Containers belong to a Compose project named after the catalogue and its
folder, so two checkouts do not share containers. tandem down stops them.

Examples:
   tandem up orders                # orders, its databases, the services it calls
   tandem up --domain storefront   # every storefront service and what it uses
   tandem up                       # everything`,
		Flags: []cli.Flag{fileFlag(), outFlag(),
			&cli.StringSliceFlag{Name: "domain", Aliases: []string{"d"}, Usage: "start every service of `DOMAIN` (repeatable)"},
			&cli.DurationFlag{Name: "timeout", Value: 5 * time.Minute, Usage: "how long to wait for services to become healthy"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "show Docker Compose's own output"},
		},
		Action: action(func(c *cli.Context) error {
			return runUp(c.Context, streams, upOptions{
				file: c.String("file"), out: c.String("out"), services: c.Args().Slice(),
				domains: c.StringSlice("domain"), timeout: c.Duration("timeout"), verbose: c.Bool("verbose"),
			})
		}),
	}
}

func runUp(ctx context.Context, streams Streams, o upOptions) error {
	// Everything that can fail without Docker is checked before anything
	// is written: a bad catalogue or a missing daemon changes nothing.
	cat, files, platform, err := renderInMemory(o.file, o.out)
	if err != nil {
		return err
	}
	selection, err := cat.Selection(o.services, o.domains)
	if err != nil {
		return usageErrorf("%w", err)
	}
	plan := runner.NewPlan(cat, selection)
	engine, err := runner.FindEngine(ctx)
	if err != nil {
		return err
	}
	var probeBinary []byte
	if compose.NeedsProbe(cat) {
		if probeBinary, err = probe.Binary(engine.Arch); err != nil {
			return err
		}
	}
	project := newProject(cat, o.out, engine)
	project.Verbose = o.verbose
	if err := project.CheckPorts(ctx, plan); err != nil {
		return err
	}

	if err := writeRendered(streams, renderOptions{file: o.file, out: o.out}, cat, files, platform); err != nil {
		return err
	}
	if probeBinary != nil {
		if err := installProbe(cat, probeBinary, streams.Err); err != nil {
			return err
		}
	}
	fmt.Fprintf(streams.Out, "starting %d of %d services and resources of %s (Compose project %s)\n",
		len(plan), len(cat.Services)+len(cat.Resources), cat.Name, project.Name)
	if err := project.Build(ctx, plan, streams.Out); err != nil {
		return err
	}
	states, err := project.Up(ctx, plan, o.timeout, streams.Out)
	if err != nil {
		return err
	}
	fmt.Fprintf(streams.Out, "\n%s is up:\n", cat.Name)
	if err := runner.WriteStatus(streams.Out, plan, states); err != nil {
		return err
	}
	fmt.Fprintln(streams.Out, "\nlogs: tandem logs SERVICE · status: tandem ps · stop: tandem down")
	return nil
}

// newProject is the Compose project of a catalogue whose tree is rendered
// into out.
func newProject(cat *catalogue.Catalogue, out string, engine *runner.Engine) *runner.Project {
	dir := filepath.Dir(cat.File)
	composeFile, err := filepath.Abs(filepath.Join(resolveOut(out), manifest.ComposeFile))
	if err != nil {
		composeFile = filepath.Join(out, manifest.ComposeFile)
	}
	envFile, err := filepath.Abs(filepath.Join(dir, filepath.FromSlash(compose.DevEnvFile)))
	if err != nil {
		envFile = filepath.Join(dir, filepath.FromSlash(compose.DevEnvFile))
	}
	return &runner.Project{Engine: engine, Name: runner.ProjectName(cat.Name, dir), File: composeFile, EnvFile: envFile}
}

// installProbe puts the health probe where the Compose file mounts it from,
// rewriting it only when it differs (another architecture, another tandem).
func installProbe(cat *catalogue.Catalogue, binary []byte, warn io.Writer) error {
	path := filepath.Join(filepath.Dir(cat.File), filepath.FromSlash(compose.ProbeFile))
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		// Docker makes an empty folder at a bind mount's missing source,
		// which happens when the Compose file ran before any render.
		if err := os.Remove(path); err != nil {
			return fmt.Errorf("%s is a folder, where tandem keeps its health probe; remove it: %w", path, err)
		}
	}
	if have, err := os.ReadFile(path); err == nil && bytes.Equal(have, binary) {
		return nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := ensureStateDir(filepath.Dir(path), warn); err != nil {
		return err
	}
	return render.WriteFileAtomic(path, binary, 0o755)
}

// projectCommand loads the catalogue for down, ps and logs, which act on
// the containers of the last up; the names given must be its services,
// resources or services' jobs.
func projectCommand(ctx context.Context, file, out string, names []string) (*catalogue.Catalogue, *runner.Project, error) {
	cat, err := catalogue.Load(fsys.OS{}, file)
	if err != nil {
		return nil, nil, err
	}
	names = slices.DeleteFunc(slices.Clone(names), cat.IsJob)
	if _, err := cat.Selection(names, nil); err != nil {
		return nil, nil, usageErrorf("%w", err)
	}
	engine, err := runner.FindEngine(ctx)
	if err != nil {
		return nil, nil, err
	}
	project := newProject(cat, out, engine)
	return cat, project, nil
}

func downCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:  "down",
		Usage: "stop and remove what tandem up started",
		Description: `Stops and removes the containers and networks of the catalogue's Compose
project. The resources' data volumes are kept for the next up unless
--volumes is given, and the services' built images unless --images is.

Examples:
   tandem down
   tandem down --volumes   # also delete the databases' data`,
		Flags: []cli.Flag{fileFlag(), outFlag(),
			&cli.BoolFlag{Name: "volumes", Usage: "also remove the data volumes of the resources"},
			&cli.BoolFlag{Name: "images", Usage: "also remove the images built for the services"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "show Docker Compose's own output"},
		},
		Action: action(func(c *cli.Context) error {
			if c.Args().Present() {
				return usageErrorf("down takes no arguments; it stops the whole project")
			}
			cat, project, err := projectCommand(c.Context, c.String("file"), c.String("out"), nil)
			if err != nil {
				return err
			}
			if err := project.CheckFile(); err != nil {
				return err
			}
			project.Verbose = c.Bool("verbose")
			if err := project.Down(c.Context, c.Bool("volumes"), c.Bool("images"), streams.Out); err != nil {
				return err
			}
			what := "containers and networks"
			if c.Bool("volumes") {
				what += ", data volumes"
			}
			if c.Bool("images") {
				what += ", built images"
			}
			fmt.Fprintf(streams.Out, "removed %s's %s (Compose project %s)\n", cat.Name, what, project.Name)
			return nil
		}),
	}
}

func psCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:  "ps",
		Usage: "show what tandem up started and where it answers",
		Description: `Lists the services and resources of the catalogue's Compose project that
have a container, with their state and the URLs of their public ports.

Example:
   tandem ps`,
		Flags: []cli.Flag{fileFlag(), outFlag()},
		Action: action(func(c *cli.Context) error {
			if c.Args().Present() {
				return usageErrorf("ps takes no arguments")
			}
			cat, project, err := projectCommand(c.Context, c.String("file"), c.String("out"), nil)
			if err != nil {
				return err
			}
			states, err := project.Status(c.Context)
			if err != nil {
				return err
			}
			if len(states) == 0 {
				fmt.Fprintf(streams.Out, "nothing of %s is running (Compose project %s); start it with tandem up\n", cat.Name, project.Name)
				return nil
			}
			var running []string
			for _, name := range append(cat.ServiceNames(), cat.ResourceNames()...) {
				if _, ok := states[name]; ok {
					running = append(running, name)
				}
			}
			selection, err := cat.Selection(running, nil)
			if err != nil {
				return err
			}
			return runner.WriteStatus(streams.Out, runner.NewPlan(cat, selection), states)
		}),
	}
}

func logsCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:      "logs",
		Usage:     "print the logs of services started by tandem up",
		ArgsUsage: "[SERVICE...]",
		Description: `Prints the logs of the services named (all without names), through
Docker Compose.

Examples:
   tandem logs orders
   tandem logs orders-migrate        # a job of orders
   tandem logs -F --tail 20 orders payments`,
		Flags: []cli.Flag{fileFlag(), outFlag(),
			&cli.BoolFlag{Name: "follow", Aliases: []string{"F"}, Usage: "keep printing new lines"},
			&cli.StringFlag{Name: "tail", Usage: "print only the last `N` lines of each"},
		},
		Action: action(func(c *cli.Context) error {
			_, project, err := projectCommand(c.Context, c.String("file"), c.String("out"), c.Args().Slice())
			if err != nil {
				return err
			}
			if err := project.CheckFile(); err != nil {
				return err
			}
			return project.Logs(c.Context, c.Args().Slice(), c.Bool("follow"), c.String("tail"), streams.Out, streams.Err)
		}),
	}
}
