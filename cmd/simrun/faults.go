package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/redosim/redosim/engine/osdriver"
	"github.com/redosim/redosim/scenarios"
)

// printFaultList prints every fault point, scheduled action and planted
// bug of the catalogue, one line each, grouped as the -faults grammar
// uses them, and then the OS driver's failpoints, which only real-disk
// runs evaluate.
func printFaultList(w io.Writer) error {
	groups := []struct {
		title string
		match func(layer, name string) bool
	}{
		{"Fault points (-faults 'POINT@AT', 'POINT@FROM..UNTIL*PROB', '...=VALUE' or 'POINT#N')", func(layer, name string) bool {
			return layer != "scenario" && layer != "bug" && layer != "mutant" && !strings.HasPrefix(name, "bug/")
		}},
		{"Scheduled actions (-faults 'ACTION[:TARGET]@AT[..UNTIL]')", func(layer, _ string) bool { return layer == "scenario" }},
		{"Planted bugs (-faults 'BUG@0s..'; each must be caught by an invariant)", func(layer, name string) bool {
			return layer == "bug" || strings.HasPrefix(name, "bug/")
		}},
		{"Mutants (-faults 'MUTANT@0s..'; measured by simrun mutants, not all caught)", func(layer, _ string) bool { return layer == "mutant" }},
	}
	cat := scenarios.Catalogue()
	for i, g := range groups {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintln(w, g.title+":")
		tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		for _, p := range cat {
			if g.match(p.Layer, p.Name) {
				fmt.Fprintf(tw, "  %s\t%s\n", p.Name, p.What)
			}
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Real-disk failpoints (redo gen -failpoints 'NAME=TERM;...' or GO_FAILPOINTS; never inside a world):")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, p := range osdriver.FailpointCatalogue() {
		fmt.Fprintf(tw, "  %s\tbefore %s; return(%s), return(true) = %s, sleep(MS)\n",
			p.Name, p.What, strings.Join(quoted(p.Values), "|"), p.Default)
	}
	return tw.Flush()
}

func quoted(vals []string) []string {
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = fmt.Sprintf("%q", v)
	}
	return out
}
