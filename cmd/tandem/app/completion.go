package app

import (
	"embed"
	"fmt"
	"slices"
	"strings"

	"github.com/tandemdev/tandem/project"
	"github.com/urfave/cli/v2"
)

// completionFlag is urfave/cli's: a shell asking what may come next runs
// tandem with the words before the cursor and this flag last.
const completionFlag = "--generate-bash-completion"

// completionWordVar carries the word under the cursor, which the words
// before it cannot tell apart from a finished word ("-v" being typed, or
// "-v" then a space).
const completionWordVar = "TANDEM_COMPLETE_WORD"

// addCompletion completes the commands' arguments from the catalogue in
// the current folder (or -f), their flags when the word under the cursor
// starts with '-', and nothing after a flag that takes a value, so that
// the shell completes a file name there. A catalogue that does not load
// completes nothing: a shell is no place for errors. args are the words
// before the cursor, the completion flag last; word is the one under it.
func addCompletion(streams Streams, commands []*cli.Command, args []string, word string) {
	var previous string
	if len(args) >= 2 {
		previous = args[len(args)-2]
	}
	for _, cmd := range commands {
		completes := project.CompletesArguments(cmd.Name)
		if strings.HasPrefix(word, "-") {
			// Flag parsing stops at a partial flag, so urfave/cli's own
			// completion cannot see it.
			cmd.BashComplete = func(*cli.Context) { printFlags(streams, cmd, word) }
			continue
		}
		if takesValue(cmd, previous) {
			cmd.BashComplete = func(*cli.Context) {}
			continue
		}
		if !completes {
			continue
		}
		cmd.BashComplete = func(c *cli.Context) {
			p, err := open(c)
			if err != nil {
				return
			}
			for _, name := range p.ArgumentNames(cmd.Name) {
				if !slices.Contains(c.Args().Slice(), name) {
					fmt.Fprintln(streams.Out, name)
				}
			}
		}
	}
}

// takesValue tells whether arg is a flag of cmd that a value follows.
func takesValue(cmd *cli.Command, arg string) bool {
	if !strings.HasPrefix(arg, "-") || strings.Contains(arg, "=") {
		return false
	}
	name := strings.TrimLeft(arg, "-")
	for _, f := range cmd.Flags {
		if _, isBool := f.(*cli.BoolFlag); !isBool && slices.Contains(f.Names(), name) {
			return true
		}
	}
	return false
}

// printFlags lists the command's flags that start with partial.
func printFlags(streams Streams, cmd *cli.Command, partial string) {
	for _, f := range cmd.VisibleFlags() {
		for _, name := range f.Names() {
			flag := "--" + name
			if len(name) == 1 {
				flag = "-" + name
			}
			if strings.HasPrefix(flag, partial) {
				fmt.Fprintln(streams.Out, flag)
			}
		}
	}
}

func completionCommand(streams Streams) *cli.Command {
	return &cli.Command{
		Name:        "completion",
		Usage:       "print the shell completion script for bash, zsh or fish",
		ArgsUsage:   "bash|zsh|fish",
		Description: description("completion"),
		Action: action(func(c *cli.Context) error {
			shell := c.Args().First()
			script, err := completionScripts.ReadFile("completion/tandem." + shell)
			if err != nil || c.NArg() != 1 || strings.Contains(shell, "/") {
				return usageErrorf("completion takes one shell: bash, zsh or fish")
			}
			_, err = streams.Out.Write(script)
			return err
		}),
	}
}

// completionScripts ask tandem itself what may come next, so the scripts
// never go stale; they follow urfave/cli's protocol, with completionFlag
// and completionWordVar.
//
//go:embed completion
var completionScripts embed.FS
