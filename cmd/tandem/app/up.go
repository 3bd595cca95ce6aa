package app

import (
	"fmt"
	"strconv"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/tandemdev/tandem/compose/runner"
	"github.com/tandemdev/tandem/project"
)

func upCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:        "up",
		Usage:       "run services and everything they use on Docker",
		ArgsUsage:   "[SERVICE...]",
		Description: description("up"),
		Flags: []cli.Flag{fileFlag(), outFlag(),
			&cli.StringSliceFlag{Name: "domain", Aliases: []string{"d"}, Usage: "start every service of `DOMAIN` (repeatable)"},
			&cli.DurationFlag{Name: "timeout", Value: 5 * time.Minute, Usage: "how long to wait for services to become healthy"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "show Docker Compose's own output"},
		},
		Action: action(func(c *cli.Context) error {
			return runUp(c, streams, project.UpOptions{Services: c.Args().Slice(), Domains: c.StringSlice("domain"), Verbose: c.Bool("verbose")})
		}),
	}
}

func runUp(c *cli.Context, streams Streams, o project.UpOptions) error {
	p, err := open(c)
	if err != nil {
		return err
	}
	// Everything that can fail without Docker is checked before anything
	// is written: a bad catalogue or a missing daemon changes nothing.
	up, err := p.PrepareUp(c.Context, o)
	if err != nil {
		return err
	}
	report, err := up.Render()
	printRendered(streams, p, report)
	if err != nil {
		return err
	}
	cat := p.Catalogue
	fmt.Fprintf(streams.Out, "starting %d of %d services and resources of %s (Compose project %s)\n",
		len(up.Plan), len(cat.Services)+len(cat.Resources), cat.Name, up.Compose.Name)
	states, err := up.Start(c.Context, c.Duration("timeout"), streams.Out)
	if err != nil {
		return err
	}
	fmt.Fprintf(streams.Out, "\n%s is up:\n", cat.Name)
	if err := runner.WriteStatus(streams.Out, up.Plan, states); err != nil {
		return err
	}
	fmt.Fprintln(streams.Out, "\nlogs: tandem logs SERVICE · status: tandem ps · stop: tandem down")
	return nil
}

// composeProject opens the catalogue for down, ps and logs, which act on
// the containers of the last up; the names given must be its services,
// resources or services' jobs.
func composeProject(c *cli.Context, names []string) (*project.Project, *runner.Project, error) {
	p, err := open(c)
	if err != nil {
		return nil, nil, err
	}
	compose, err := p.Compose(c.Context, names)
	return p, compose, err
}

func downCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:        "down",
		Usage:       "stop and remove what tandem up started",
		Description: description("down"),
		Flags: []cli.Flag{fileFlag(), outFlag(),
			&cli.BoolFlag{Name: "volumes", Usage: "also remove the data volumes of the resources"},
			&cli.BoolFlag{Name: "images", Usage: "also remove the images built for the services"},
			&cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "show Docker Compose's own output"},
		},
		Action: action(func(c *cli.Context) error {
			if c.Args().Present() {
				return usageErrorf("down takes no arguments; it stops the whole project")
			}
			p, compose, err := composeProject(c, nil)
			if err != nil {
				return err
			}
			if err := compose.CheckFile(); err != nil {
				return err
			}
			compose.Verbose = c.Bool("verbose")
			if err := compose.Down(c.Context, c.Bool("volumes"), c.Bool("images"), streams.Out); err != nil {
				return err
			}
			what := "containers and networks"
			if c.Bool("volumes") {
				what += ", data volumes"
			}
			if c.Bool("images") {
				what += ", built images"
			}
			fmt.Fprintf(streams.Out, "removed %s's %s (Compose project %s)\n", p.Catalogue.Name, what, compose.Name)
			return nil
		}),
	}
}

func psCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:        "ps",
		Usage:       "show what tandem up started and where it answers",
		Description: description("ps"),
		Flags:       []cli.Flag{fileFlag(), outFlag()},
		Action: action(func(c *cli.Context) error {
			if c.Args().Present() {
				return usageErrorf("ps takes no arguments")
			}
			p, compose, err := composeProject(c, nil)
			if err != nil {
				return err
			}
			states, err := compose.Status(c.Context)
			if err != nil {
				return err
			}
			if len(states) == 0 {
				fmt.Fprintf(streams.Out, "nothing of %s is running (Compose project %s); start it with tandem up\n", p.Catalogue.Name, compose.Name)
				return nil
			}
			plan, err := p.RunningPlan(states)
			if err != nil {
				return err
			}
			return runner.WriteStatus(streams.Out, plan, states)
		}),
	}
}

func logsCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:        "logs",
		Usage:       "print the logs of services started by tandem up",
		ArgsUsage:   "[SERVICE...]",
		Description: description("logs"),
		Flags: []cli.Flag{fileFlag(), outFlag(),
			&cli.BoolFlag{Name: "follow", Aliases: []string{"F"}, Usage: "keep printing new lines"},
			&cli.StringFlag{Name: "tail", Usage: "print only the last `N` lines of each", Action: func(_ *cli.Context, v string) error {
				if n, err := strconv.Atoi(v); (err != nil || n < 0) && v != "all" {
					return fmt.Errorf("--tail %q: give a number of lines, 0 or more, or all", v)
				}
				return nil
			}},
		},
		Action: action(func(c *cli.Context) error {
			_, compose, err := composeProject(c, c.Args().Slice())
			if err != nil {
				return err
			}
			if err := compose.CheckFile(); err != nil {
				return err
			}
			return compose.Logs(c.Context, c.Args().Slice(), c.Bool("follow"), c.String("tail"), streams.Out, streams.Err)
		}),
	}
}
