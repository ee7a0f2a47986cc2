package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/redosim/redosim/internal/quantile"
	"github.com/redosim/redosim/reports"
	"github.com/redosim/redosim/reports/stats"
	"github.com/redosim/redosim/results"
	"github.com/redosim/redosim/scenarios"
)

// printSummary ends stdout with a table: per variant, each headline
// metric's per-world value (for a distribution, each world's p99) as the
// median and the maximum across the variant's worlds, censored worlds
// counted apart, then the worlds that stopped progressing and the
// invariants held. Percentiles are type-7 linear interpolation.
func printSummary(w io.Writer, sc *scenarios.Scenario, runs []*worldRun) {
	var variants []string
	byVariant := map[string][]*results.World{}
	for _, r := range runs {
		v := r.spec.Variant
		if _, ok := byVariant[v]; !ok {
			variants = append(variants, v)
		}
		byVariant[v] = append(byVariant[v], r.outcome.World)
	}
	var metrics []results.MetricDoc
	for _, m := range sc.Metrics {
		if m.Headline {
			metrics = append(metrics, m)
		}
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	header := []string{"variant", "worlds"}
	for _, m := range metrics {
		name := m.Name
		if isSample(byVariant, m.Name) {
			name += " p99"
		}
		header = append(header, fmt.Sprintf("%s (%s) median", name, m.Unit), "max")
	}
	header = append(header, "stalled", "invariants held")
	fmt.Fprintln(tw, strings.Join(header, "\t")+"\t")
	for _, v := range variants {
		worlds := byVariant[v]
		row := []string{v, fmt.Sprint(len(worlds))}
		for _, m := range metrics {
			vals, censored := perWorld(worlds, m.Name)
			med, mx := percentile(vals, 50), percentile(vals, 100)
			if censored > 0 {
				mx = fmt.Sprintf("%s +%d censored", mx, censored)
			}
			row = append(row, med, mx)
		}
		row = append(row, stalledLine(worlds), heldLine(worlds))
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	tw.Flush()
	fmt.Fprintln(w, "  (median and max across each variant's worlds of the per-world value; a distribution by each world's p99;")
	fmt.Fprintln(w, "   censored: the world ended before the event, not counted; stalled: the checkpoint stopped moving, see the report)")
}

func isSample(byVariant map[string][]*results.World, name string) bool {
	for _, ws := range byVariant {
		for _, w := range ws {
			if slices.ContainsFunc(w.Samples, func(s results.Sample) bool { return s.Metric == name }) {
				return true
			}
		}
	}
	return false
}

// perWorld gathers a metric's value per world: a scalar's value, or the
// p99 of a distribution's observations; censored scalars are counted, not
// gathered.
func perWorld(worlds []*results.World, name string) (vals []float64, censored int) {
	for _, w := range worlds {
		found := false
		for _, s := range w.Scalars {
			if s.Metric != name {
				continue
			}
			found = true
			if s.Censored {
				censored++
			} else {
				vals = append(vals, s.Value)
			}
		}
		if found {
			continue
		}
		var obs []float64
		for _, s := range w.Samples {
			if s.Metric == name {
				fin, _ := stats.Finite(s.Values)
				obs = append(obs, fin...)
			}
		}
		if len(obs) > 0 {
			slices.Sort(obs)
			vals = append(vals, stats.Quantile(obs, 99))
		}
	}
	fin, _ := stats.Finite(vals)
	return fin, censored
}

func percentile(vals []float64, p float64) string {
	if len(vals) == 0 {
		return "-"
	}
	return formatNumber(quantile.Of(vals, p/100))
}

// formatNumber prints with 3 significant digits, plainly.
func formatNumber(v float64) string {
	switch {
	case v == 0:
		return "0"
	case v >= 1e6 || v <= -1e6:
		return fmt.Sprintf("%.3g", v)
	case v >= 100 || v <= -100:
		return fmt.Sprintf("%.0f", v)
	}
	return fmt.Sprintf("%.3g", v)
}

// stalledLine is "-" or "2/3 from 65 s".
func stalledLine(worlds []*results.World) string {
	n, first := 0, 0.0
	for _, w := range worlds {
		if at, ok := reports.StallAt(w); ok {
			if n == 0 || at < first {
				first = at
			}
			n++
		}
	}
	if n == 0 {
		return "-"
	}
	return fmt.Sprintf("%d/%d from %.0fs", n, len(worlds), first)
}

func heldLine(worlds []*results.World) string {
	held := 0
	for _, w := range worlds {
		if w.Held() {
			held++
		}
	}
	if held == len(worlds) {
		return fmt.Sprintf("all (%d/%d)", held, len(worlds))
	}
	return fmt.Sprintf("%d/%d", held, len(worlds))
}
