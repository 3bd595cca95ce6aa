package inspect

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// ErrUnknown is returned for a service or environment the catalogue does
// not declare.
var ErrUnknown = errors.New("unknown name")

// WriteEnv prints variables as a table; the values a variable overrides
// follow it, indented, highest precedence first.
func WriteEnv(w io.Writer, vars []Var) error {
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tVALUE\tFROM")
	for _, v := range vars {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", v.Name, v.Value.Value, v.Origin)
		for _, o := range v.Overrides {
			fmt.Fprintf(tw, "\t  overrides %s\t%s\n", o.Value, o.Origin)
		}
	}
	return flush(w, tw, &buf)
}

// WriteDiff prints changes grouped by service.
func WriteDiff(w io.Writer, a, b string, changes []Change) error {
	if len(changes) == 0 {
		_, err := fmt.Fprintf(w, "%s and %s do not differ\n", a, b)
		return err
	}
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "FIELD\t%s\t%s\n", a, b)
	service := ""
	for _, c := range changes {
		if c.Service != service {
			service = c.Service
			fmt.Fprintf(tw, "%s\t\t\n", service)
		}
		indent := ""
		if c.Service != "" {
			indent = "  "
		}
		fmt.Fprintf(tw, "%s%s\t%s\t%s\n", indent, c.Field, c.From, c.To)
	}
	return flush(w, tw, &buf)
}

// flush writes the table without the padding tabwriter leaves at the ends
// of short lines.
func flush(w io.Writer, tw *tabwriter.Writer, buf *bytes.Buffer) error {
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, line := range strings.SplitAfter(buf.String(), "\n") {
		if trimmed := strings.TrimRight(line, " \n"); line != "" {
			if _, err := fmt.Fprintln(w, trimmed); err != nil {
				return err
			}
		}
	}
	return nil
}
