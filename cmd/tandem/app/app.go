// Package app is the tandem command line: Run builds a fresh CLI for each
// call, with injected streams, so tests drive the real program in-process.
package app

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/tandemdev/tandem/catalogue"
	"github.com/tandemdev/tandem/fsys"
	"github.com/tandemdev/tandem/internal/safe"
	"github.com/tandemdev/tandem/project"
)

// Exit codes, the same for every command.
const (
	ExitOK       = 0
	ExitFindings = 1 // also any failure that is not the input's fault
	ExitInput    = 2 // usage error or invalid input
	// ExitInternal is a bug in tandem (a panic), never the input's fault:
	// Go's own exit code for a panic is 2, which said "your input" (issue 19).
	ExitInternal = 3
)

// Streams are the program's standard streams.
type Streams struct {
	In       io.Reader
	Out, Err io.Writer
}

// commands are tandem's commands, in the order help lists them.
func commands(streams Streams) []*cli.Command {
	return []*cli.Command{renderCommand(streams), buildCommand(streams), checkCommand(streams),
		envCommand(streams), diffCommand(streams), setImageCommand(streams),
		upCommand(streams), downCommand(streams), psCommand(streams), logsCommand(streams),
		initCommand(streams), importCommand(streams), schemaCommand(streams), graphCommand(streams), completionCommand(streams)}
}

// Run runs the tandem command line with args (args[0] is the program name)
// and returns the exit code.
func Run(ctx context.Context, streams Streams, args []string) (code int) {
	defer func() {
		if v := recover(); v != nil {
			code = internalError(streams, &safe.PanicError{Value: v, Stack: debug.Stack()})
		}
	}()
	app := &cli.App{
		Name:            "tandem",
		Usage:           "one service catalogue, rendered to kustomize for clusters and Compose for laptops",
		Reader:          streams.In,
		Writer:          streams.Out,
		ErrWriter:       streams.Err,
		HideHelpCommand: true,
		Suggest:         true,
		// Exit codes are Run's to decide, not the library's.
		ExitErrHandler: func(*cli.Context, error) {},
		Action: func(c *cli.Context) error {
			if c.Args().Present() {
				var names []string
				for _, cmd := range c.App.Commands {
					names = append(names, cmd.Name)
				}
				if near, ok := catalogue.Closest(c.Args().First(), names); ok {
					return fmt.Errorf("unknown command %q (did you mean %q?); run 'tandem --help' for the commands", c.Args().First(), near)
				}
				return fmt.Errorf("unknown command %q; run 'tandem --help' for the commands", c.Args().First())
			}
			return cli.ShowAppHelp(c)
		},
		Commands:             commands(streams),
		EnableBashCompletion: true,
	}
	for _, cmd := range app.Commands {
		// A mistyped flag gets one line on stderr, not the whole help on
		// stdout with a guess among the short flags ("did you mean -o?").
		cmd.OnUsageError = func(_ *cli.Context, err error, _ bool) error {
			return fmt.Errorf("%w; run 'tandem %s --help' for its flags", err, cmd.Name)
		}
	}
	addCompletion(streams, app.Commands, args, os.Getenv(completionWordVar))
	return exitCode(streams, app.RunContext(ctx, flagsFirst(app.Commands, args)))
}

// exitCode reports err, what running a command returned, and says which
// exit code it means.
func exitCode(streams Streams, err error) int {
	if err == nil {
		return ExitOK
	}
	if errors.Is(err, errFindings) {
		return ExitFindings // the command printed its findings
	}
	if panicked := (*safe.PanicError)(nil); errors.As(err, &panicked) {
		return internalError(streams, panicked) // on one of the command's goroutines
	}
	var failed *actionError
	if !errors.As(err, &failed) {
		fmt.Fprintf(streams.Err, "tandem: %v\n", err)
		return ExitInput
	}
	fmt.Fprintf(streams.Err, "tandem: %v\n", failed.err)
	if project.IsInputError(failed.err) {
		return ExitInput
	}
	return ExitFindings
}

// internalError reports a panic as the bug it is, with where it happened
// for the report.
func internalError(streams Streams, p *safe.PanicError) int {
	fmt.Fprintf(streams.Err, "tandem: internal error: %v\n%s\nThis is a bug in tandem, not a problem with your input; please report it with the command line and the lines above.\n", p.Value, p.Stack)
	return ExitInternal
}

// errFindings is returned by a command that printed findings (a diff, a
// failed check): exit code 1, nothing more to say.
var errFindings = errors.New("findings")

// help holds each command's description, a text file per command, so
// that the commands' code reads as flags and calls.
//
//go:embed help
var help embed.FS

// description is the help text of command; every command has one, which
// the tests check through --help.
func description(command string) string {
	data, err := help.ReadFile("help/" + command + ".txt")
	if err != nil {
		panic(err) // a missing file is a mistake in this package, found by its tests
	}
	return strings.TrimSuffix(string(data), "\n")
}

// usageErrorf is an action's complaint about its arguments.
func usageErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{project.ErrUsage}, args...)...)
}

// open opens the project of the catalogue and tree the flags name, on the
// disk: the one filesystem the command line works on.
func open(c *cli.Context) (*project.Project, error) {
	return project.Open(fsys.OS{}, project.Options{File: c.String("file"), Out: c.String("out")})
}

// actionError separates what a command's action returned from what the CLI
// library returned while parsing, which is always a usage error.
type actionError struct{ err error }

func (e *actionError) Error() string { return e.err.Error() }

func (e *actionError) Unwrap() error { return e.err }

func action(fn func(*cli.Context) error) cli.ActionFunc {
	return func(c *cli.Context) error {
		if err := fn(c); err != nil {
			return &actionError{err}
		}
		return nil
	}
}

func fileFlag() *cli.StringFlag {
	return &cli.StringFlag{Name: "file", Aliases: []string{"f"}, Value: "tandem.yaml", Usage: "the catalogue `FILE`", Action: notEmpty("file", "FILE")}
}

func outFlag() *cli.StringFlag {
	return &cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: "deploy", Usage: "the `DIR` the rendered tree lives in", Action: notEmpty("out", "DIR")}
}

// notEmpty refuses a flag given an empty value, as an unset variable in a
// script gives (-f "$CATALOGUE"): falling back to the default instead
// would work on the wrong files.
func notEmpty(name, what string) func(*cli.Context, string) error {
	return func(_ *cli.Context, v string) error {
		if strings.TrimSpace(v) == "" {
			return fmt.Errorf("--%s was given an empty %s; leave the flag out for the default, or name a %s", name, what, what)
		}
		return nil
	}
}

// flagsFirst moves a command's flags before its arguments: urfave/cli v2
// stops reading flags at the first argument, and people write
// `tandem build prod -f tandem.yaml`.
func flagsFirst(commands []*cli.Command, args []string) []string {
	if len(args) < 2 {
		return args
	}
	// A shell's completion request must stay last.
	if args[len(args)-1] == completionFlag {
		return append(flagsFirst(commands, args[:len(args)-1]), completionFlag)
	}
	var cmd *cli.Command
	for _, c := range commands {
		if c.HasName(args[1]) {
			cmd = c
		}
	}
	if cmd == nil {
		return args
	}
	takesValue := map[string]bool{}
	for _, f := range cmd.Flags {
		_, isBool := f.(*cli.BoolFlag)
		for _, name := range f.Names() {
			takesValue[name] = !isBool
		}
	}
	var flags, positional []string
	rest := args[2:]
	for i := 0; i < len(rest); i++ {
		arg := rest[i]
		if arg == "--" {
			positional = append(positional, rest[i:]...)
			break
		}
		if !strings.HasPrefix(arg, "-") || arg == "-" {
			positional = append(positional, arg)
			continue
		}
		flags = append(flags, arg)
		if name := strings.TrimLeft(arg, "-"); !strings.Contains(name, "=") && takesValue[name] && i+1 < len(rest) {
			i++
			flags = append(flags, rest[i])
		}
	}
	return append(append(append([]string{}, args[:2]...), flags...), positional...)
}
