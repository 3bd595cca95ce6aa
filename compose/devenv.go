package compose

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strings"
)

// AddMissingSecrets returns the dev env file with a line for every name in
// required that it lacks, valued by newValue(name), and the names it added.
// Existing lines, values and comments are kept as they are: a developer's
// value is never replaced.
func AddMissingSecrets(existing []byte, required []string, newValue func(name string) string) ([]byte, []string) {
	have := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(existing))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		have[strings.TrimSpace(name)] = true
	}
	out := bytes.Clone(existing)
	if len(out) == 0 {
		out = []byte("# Dev secrets for `tandem up`; git-ignored, never commit real values.\n")
	}
	if !bytes.HasSuffix(out, []byte("\n")) {
		out = append(out, '\n')
	}
	var added []string
	for _, name := range required {
		if have[name] {
			continue
		}
		out = fmt.Appendf(out, "%s=%s\n", name, newValue(name))
		added = append(added, name)
	}
	return out, added
}

// safeDevValue is what a dev env file value may hold unquoted: no
// whitespace, quotes, '#' (a comment) or '$' (which both Compose
// implementations expand).
var safeDevValue = regexp.MustCompile(`^[A-Za-z0-9_./:@+,=-]*$`)

// QuoteDevValue writes value so that both Compose implementations read it
// back literally from the dev env file, single-quoted where it needs
// quoting; it tells whether it can: not with a single quote, a backslash
// or a line break in the value.
func QuoteDevValue(value string) (string, bool) {
	switch {
	case safeDevValue.MatchString(value):
		return value, true
	case strings.ContainsAny(value, "'\\\n\r"):
		return "", false
	}
	return "'" + value + "'", true
}
