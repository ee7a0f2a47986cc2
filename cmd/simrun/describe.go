package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/redosim/redosim/scenarios"
)

func printList(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, sc := range scenarios.All() {
		fmt.Fprintf(tw, "%s\t%s\n", sc.Name, sc.Summary)
	}
	return tw.Flush()
}

// printDescribe prints a scenario's documentation; golden-tested.
func printDescribe(w io.Writer, name string) error {
	sc, err := scenarios.Lookup(name)
	if err != nil {
		return usagef("-describe: %s", stripConfig(err))
	}
	fmt.Fprintf(w, "%s: %s\n\n%s\n\n", sc.Name, sc.Summary, wrap(sc.Doc, 78))
	fmt.Fprintf(w, "Simulated time: %s (change with -duration)\n\n", sc.Duration)
	fmt.Fprintln(w, "Parameters (-set key=value):")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, p := range sc.Params {
		doc := p.Doc
		if len(p.Choices) > 0 {
			doc += " (" + strings.Join(p.Choices, ", ") + ")"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", p.Key, p.Kind, p.Default, doc)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nVariants (-variants a,b):")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, v := range sc.Variants {
		var sets []string
		for _, p := range sc.Params {
			if val, ok := v.Set[p.Key]; ok {
				sets = append(sets, p.Key+"="+val)
			}
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", v.Name, v.Doc, strings.Join(sets, " "))
	}
	tw.Flush()
	if sc.Sweep != "" {
		fmt.Fprintf(w, "\nThe variants sweep %s.\n", sc.Sweep)
	}
	fmt.Fprintln(w, "\nMetrics:")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, m := range sc.Metrics {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", m.Name, m.Unit, m.Doc)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nInvariants:")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, inv := range sc.Invariants {
		fmt.Fprintf(tw, "  %s\t%s\n", inv.Name, inv.Doc)
	}
	return tw.Flush()
}

// wrap folds text at width columns.
func wrap(s string, width int) string {
	var out strings.Builder
	col := 0
	for i, word := range strings.Fields(s) {
		if i > 0 && col+1+len(word) > width {
			out.WriteByte('\n')
			col = 0
		} else if i > 0 {
			out.WriteByte(' ')
			col++
		}
		out.WriteString(word)
		col += len(word)
	}
	return out.String()
}
