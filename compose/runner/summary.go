package runner

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteStatus prints a table of units: state, and the URL of each port
// published on the host. Units of the plan without a container show as
// "not running".
func WriteStatus(out io.Writer, plan Plan, states map[string]Container) error {
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "SERVICE\tSTATE\tURL")
	for _, u := range plan {
		state := "not running"
		if c, ok := states[u.Name]; ok {
			state = u.Describe(c)
		}
		url := ""
		for i, port := range u.Ports {
			if i > 0 {
				url += " "
			}
			// Public ports are the HTTP entry points of the system.
			url += fmt.Sprintf("http://localhost:%d", port.Port)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\n", u.Name, state, url)
	}
	return w.Flush()
}
