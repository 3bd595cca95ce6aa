package app

import (
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/tandemdev/tandem/catalogue"
)

// completionFlag is urfave/cli's: a shell asking what may come next runs
// tandem with the words before the cursor and this flag last.
const completionFlag = "--generate-bash-completion"

// completionWordVar carries the word under the cursor, which the words
// before it cannot tell apart from a finished word ("-v" being typed, or
// "-v" then a space).
const completionWordVar = "TANDEM_COMPLETE_WORD"

// argumentCompletions say what each command's arguments are, read from
// the catalogue the command would load.
var argumentCompletions = map[string]func(*catalogue.Catalogue) []string{
	"build": func(c *catalogue.Catalogue) []string { return c.DeployEnvironments() },
	"diff": func(c *catalogue.Catalogue) []string {
		return append([]string{catalogue.DevEnvironment}, c.DeployEnvironments()...)
	},
	"env":  func(c *catalogue.Catalogue) []string { return c.ServiceNames() },
	"up":   func(c *catalogue.Catalogue) []string { return c.ServiceNames() },
	"logs": unitNames,
	"set-image": func(c *catalogue.Catalogue) []string {
		var out []string
		for _, name := range c.ServiceNames() {
			out = append(out, name+"=")
		}
		return out
	},
}

// unitNames are what runs in dev: services, resources and jobs.
func unitNames(c *catalogue.Catalogue) []string {
	out := append(c.ServiceNames(), c.ResourceNames()...)
	for _, name := range c.ServiceNames() {
		for _, job := range c.Services[name].JobNames() {
			out = append(out, catalogue.JobName(name, job))
		}
	}
	slices.Sort(out)
	return out
}

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
		names, ok := argumentCompletions[cmd.Name]
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
		if !ok {
			continue
		}
		cmd.BashComplete = func(c *cli.Context) {
			p, err := open(c)
			if err != nil {
				return
			}
			for _, name := range names(p.Catalogue) {
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
		Name:      "completion",
		Usage:     "print the shell completion script for bash, zsh or fish",
		ArgsUsage: "bash|zsh|fish",
		Description: `Prints a script that completes tandem's commands, flags, environments
and service names (from the catalogue in the current folder) in your
shell. Load it from your shell's startup file.

Examples:
   source <(tandem completion bash)            # in ~/.bashrc
   source <(tandem completion zsh)             # in ~/.zshrc
   tandem completion fish > ~/.config/fish/completions/tandem.fish`,
		Action: action(func(c *cli.Context) error {
			shell := c.Args().First()
			script, ok := completionScripts[shell]
			if !ok || c.NArg() != 1 {
				return usageErrorf("completion takes one shell: bash, zsh or fish")
			}
			_, err := fmt.Fprint(streams.Out, script)
			return err
		}),
	}
}

// completionScripts ask tandem itself what may come next, so the scripts
// never go stale; they follow urfave/cli's protocol.
var completionScripts = map[string]string{
	"bash": `# tandem completion for bash: source <(tandem completion bash)
_tandem_complete() {
  local cur words
  COMPREPLY=()
  cur="${COMP_WORDS[COMP_CWORD]}"
  words=$(` + completionWordVar + `="$cur" "${COMP_WORDS[@]:0:$COMP_CWORD}" ` + completionFlag + ` 2>/dev/null)
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
  # SERVICE= wants its image right after the '='.
  if [[ ${#COMPREPLY[@]} -eq 1 && "${COMPREPLY[0]}" == *= ]]; then
    compopt -o nospace
  fi
}
complete -o default -F _tandem_complete tandem
`,
	"zsh": `#compdef tandem
# tandem completion for zsh: source <(tandem completion zsh)
_tandem() {
  local -a words_next
  local cur=${words[CURRENT]}
  words_next=("${(@f)$(` + completionWordVar + `="$cur" ${words[@]:0:CURRENT-1} ` + completionFlag + ` 2>/dev/null)}")
  if [[ -n "${words_next[1]}" ]]; then
    compadd -S '' -- "${(M)words_next[@]:#*=}"
    compadd -- "${words_next[@]:#*=}"
  else
    _files
  fi
}
compdef _tandem tandem
`,
	"fish": `# tandem completion for fish: tandem completion fish > ~/.config/fish/completions/tandem.fish
function __tandem_complete
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l next (env ` + completionWordVar + `=$cur $words ` + completionFlag + ` 2>/dev/null)
    if test (count $next) -gt 0
        printf '%s\n' $next
    else
        __fish_complete_path $cur
    end
end
complete -c tandem -f -a '(__tandem_complete)'
`,
}
