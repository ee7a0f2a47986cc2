package main

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/redosim/redosim/internal/quantile"
	"github.com/redosim/redosim/results"
	"github.com/redosim/redosim/scenarios"
)

// printSummary ends stdout with a table: per variant, each headline metric
// across seeds (median and p99: for a per-world number, over the worlds;
// for a distribution, over every observation pooled), and the invariants
// held. Percentiles are type-7 linear interpolation.
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
		header = append(header, fmt.Sprintf("%s p50 (%s)", m.Name, m.Unit), "p99")
	}
	header = append(header, "invariants held")
	fmt.Fprintln(tw, strings.Join(header, "\t")+"\t")
	for _, v := range variants {
		worlds := byVariant[v]
		row := []string{v, fmt.Sprint(len(worlds))}
		for _, m := range metrics {
			vals := metricValues(worlds, m.Name)
			row = append(row, percentile(vals, 50), percentile(vals, 99))
		}
		row = append(row, heldLine(worlds))
		fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
	}
	tw.Flush()
}

// metricValues gathers a metric from scalars, else from pooled samples.
func metricValues(worlds []*results.World, name string) []float64 {
	var vals []float64
	for _, w := range worlds {
		for _, s := range w.Scalars {
			if s.Metric == name {
				vals = append(vals, s.Value)
			}
		}
	}
	if len(vals) > 0 {
		return vals
	}
	for _, w := range worlds {
		for _, s := range w.Samples {
			if s.Metric == name {
				vals = append(vals, s.Values...)
			}
		}
	}
	return vals
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
