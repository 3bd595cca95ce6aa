package app

import (
	"fmt"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/tandemdev/tandem/catalogue"
)

// completionFlag is urfave/cli's: a shell asking what may come next runs
// tandem with the words typed so far and this flag last.
const completionFlag = "--generate-bash-completion"

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
// the current folder (or -f), and their flags after a '-'. A catalogue
// that does not load completes nothing: a shell is no place for errors.
// args are the words the shell passed, the completion flag last.
func addCompletion(streams Streams, commands []*cli.Command, args []string) {
	partial := ""
	if len(args) >= 2 && strings.HasPrefix(args[len(args)-2], "-") {
		partial = args[len(args)-2]
	}
	for _, cmd := range commands {
		names, ok := argumentCompletions[cmd.Name]
		if partial != "" {
			// Flag parsing stops at a partial flag, so urfave/cli's own
			// completion cannot see it; the raw words can.
			cmd.BashComplete = func(*cli.Context) { printFlags(streams, cmd, partial) }
			continue
		}
		if !ok {
			continue
		}
		cmd.BashComplete = func(c *cli.Context) {
			cat, err := catalogue.Load(c.String("file"))
			if err != nil {
				return
			}
			for _, name := range names(cat) {
				if !slices.Contains(c.Args().Slice(), name) {
					fmt.Fprintln(streams.Out, name)
				}
			}
		}
	}
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
  if [[ "$cur" == -* ]]; then
    words=$("${COMP_WORDS[@]:0:$COMP_CWORD}" "$cur" ` + completionFlag + ` 2>/dev/null)
  else
    words=$("${COMP_WORDS[@]:0:$COMP_CWORD}" ` + completionFlag + ` 2>/dev/null)
  fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _tandem_complete tandem
`,
	"zsh": `#compdef tandem
# tandem completion for zsh: source <(tandem completion zsh)
_tandem() {
  local -a words_next
  local cur=${words[CURRENT]}
  if [[ "$cur" == -* ]]; then
    words_next=("${(@f)$(${words[@]:0:CURRENT-1} $cur ` + completionFlag + ` 2>/dev/null)}")
  else
    words_next=("${(@f)$(${words[@]:0:CURRENT-1} ` + completionFlag + ` 2>/dev/null)}")
  fi
  if [[ -n "${words_next[1]}" ]]; then
    compadd -- "${words_next[@]%%:*}"
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
    if string match -q -- '-*' $cur
        $words $cur ` + completionFlag + ` 2>/dev/null
    else
        $words ` + completionFlag + ` 2>/dev/null
    end
end
complete -c tandem -f -a '(__tandem_complete)'
`,
}
