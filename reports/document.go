package reports

import (
	"fmt"
	"slices"
	"strings"

	"github.com/redosim/redosim/reports/plots"
	"github.com/redosim/redosim/reports/stats"
	"github.com/redosim/redosim/results"
)

// document is everything report.md and index.html show, formatted once so
// both say the same.
type document struct {
	Title       string
	Scenario    string
	Description string
	Command     string
	Sweep       string
	Notes       []string
	Verdict     verdictSection
	Params      paramTable
	Variants    []variantSummary
	Comparisons []comparisonRow
	Invariants  invariantTable
	Faults      []faultRow
	Probes      []probeRow
	Figures     []figureGroup
	// KeyFigures are the few figures shown under the verdict (they are in
	// Figures too).
	KeyFigures []figureRef
	Stats      []statsTable
	Worlds     []worldRow
	Methods    methods
	Files      []fileRow
}

type variantSummary struct {
	Name   string
	Color  string // the variant's colour in every plot, "#rrggbb"
	Worlds int
	Seeds  string
	Rows   []summaryRow
}

// summaryRow is one headline quantity of one variant across its seeds.
type summaryRow struct {
	Metric, Unit, Quantity, N, Median, Interval, Range, Censored string
}

type comparisonRow struct {
	Quantity, B, A, RelDiff, P, N, Verdict string
}

type figureGroup struct {
	Title   string
	Intro   string
	Figures []figureRef
}

type statsTable struct {
	Metric, Kind, Unit, Doc, Direction string
	Rows                               []statsRow
}

type statsRow struct {
	Variant, Quantity, N, Mean, SD, P50, P90, P99, Max, MeanCI, MedianCI string
}

type worldRow struct {
	Name, Variant, Seed, SimTime, Events, Wall, Invariants, TraceHash, Command string
}

type fileRow struct{ Name, Doc string }

// paramTable is what each variant really ran: one row per parameter, one
// column per variant, read from the worlds' own parameters.
type paramTable struct {
	Variants []string
	Rows     []paramRow
}

// paramRow is one parameter; Differs marks a value that is not the same
// for every variant.
type paramRow struct {
	Key, Doc string
	Cells    []string
	Differs  bool
}

// maxParamValues is how many distinct values of one variant a cell lists.
const maxParamValues = 4

func paramRows(d *dataset) paramTable {
	t := paramTable{Variants: d.variantNames()}
	docs := map[string]string{}
	var keys []string
	seen := map[string]bool{}
	add := func(k string) {
		if !seen[k] {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for _, p := range d.run.Params {
		docs[p.Key] = p.Doc
		add(p.Key)
	}
	for _, w := range d.worlds {
		for _, p := range w.Params {
			add(p.Key)
		}
	}
	runValue := map[string]string{}
	for _, p := range d.run.Params {
		runValue[p.Key] = p.Value
	}
	for _, k := range keys {
		row := paramRow{Key: k, Doc: docs[k]}
		for _, v := range d.variants {
			row.Cells = append(row.Cells, variantParam(v, k, runValue))
		}
		for _, c := range row.Cells {
			row.Differs = row.Differs || c != row.Cells[0]
		}
		t.Rows = append(t.Rows, row)
	}
	// What differs between the variants comes first.
	slices.SortStableFunc(t.Rows, func(a, b paramRow) int {
		switch {
		case a.Differs && !b.Differs:
			return -1
		case b.Differs && !a.Differs:
			return 1
		}
		return 0
	})
	return t
}

// variantParam is the value of k in the variant's worlds: one value, the
// distinct values in seed order, or the run's value when no world records
// the key.
func variantParam(v *variantData, k string, runValue map[string]string) string {
	var vals []string
	for _, w := range v.Worlds {
		i := slices.IndexFunc(w.Params, func(p results.Param) bool { return p.Key == k })
		if i >= 0 && !slices.Contains(vals, w.Params[i].Value) {
			vals = append(vals, w.Params[i].Value)
		}
	}
	switch {
	case len(vals) == 0 && len(v.Worlds) > 0:
		if rv, ok := runValue[k]; ok {
			return rv
		}
		return "—"
	case len(vals) == 0:
		return "—"
	case len(vals) > maxParamValues:
		return fmt.Sprintf("%d values: %s … %s", len(vals), strings.Join(vals[:2], ", "), vals[len(vals)-1])
	}
	return strings.Join(vals, " / ")
}

func buildDocument(d *dataset, a *analysis, figs []figureRef, m methods, opts Options) *document {
	doc := &document{
		Title:       opts.Title,
		Scenario:    d.run.Scenario,
		Description: d.run.Description,
		Command:     d.run.Command,
		Sweep:       d.run.Sweep,
		Params:      paramRows(d),
		Methods:     m,
	}
	if doc.Title == "" {
		doc.Title = d.run.Scenario + ": simulation report"
	}
	if doc.Command == "" {
		doc.Command = "(the run recorded no command)"
	}
	doc.Variants = variantSummaries(d, a)
	doc.Comparisons = comparisonRows(a)
	doc.Invariants = invariantRows(d)
	doc.Verdict = buildVerdict(d, a, doc.Invariants)
	doc.Faults = faultRows(d)
	doc.Probes = probeRows(d)
	doc.Figures = figureGroups(figs)
	doc.KeyFigures = keyFigures(figs)
	doc.Stats = statsTables(a)
	doc.Worlds = worldRows(d)
	doc.Files = reportFiles()
	doc.Notes = append([]string{}, d.notes...)
	return doc
}

// summaryMetrics are the headline metrics, or every metric when none is
// marked headline.
func summaryMetrics(a *analysis) []*metricStats {
	var out []*metricStats
	for _, ms := range a.metrics {
		if ms.Metric.Headline() {
			out = append(out, ms)
		}
	}
	if len(out) == 0 {
		return a.metrics
	}
	return out
}

func variantSummaries(d *dataset, a *analysis) []variantSummary {
	var out []variantSummary
	for vi, v := range d.variants {
		c := plots.Color(v.Index)
		vsum := variantSummary{Name: v.Name, Color: fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B), Worlds: len(v.Worlds), Seeds: seedList(v.Worlds)}
		for _, ms := range summaryMetrics(a) {
			vsum.Rows = append(vsum.Rows, summaryRowOf(ms.Metric, ms.Variants[vi]))
		}
		out = append(out, vsum)
	}
	return out
}

// summaryRowOf is the headline quantity of a metric (a scalar's value, a
// sample's per-world p99) across the variant's seeds: the median, its
// interval when there are enough seeds, else the range, and the censored
// worlds.
func summaryRowOf(m *metric, vs *variantStats) summaryRow {
	row := summaryRow{Metric: m.Name, Unit: m.Unit, Quantity: "value per world", N: "0", Median: notAvailable,
		Interval: notAvailable, Range: notAvailable, Censored: "—"}
	acr := headlineQuantity(vs)
	if m.Kind == kindSample {
		row.Quantity = "each world's p99"
	}
	if acr == nil {
		return row
	}
	if len(acr.Censored) > 0 {
		row.Censored = fmt.Sprintf("%d (≥ %s %s)", len(acr.Censored), fmtNum(slices.Min(acr.CensoredBound)), m.Unit)
	}
	row.N = fmt.Sprint(len(acr.Values) + len(acr.Censored))
	s := acr.Summary
	if s == nil {
		return row
	}
	unit, f := unitScale(m.Unit, s.P50)
	row.Unit = unit
	row.Median = fmtNum(s.P50 * f)
	row.Range = "[" + fmtNum(s.Min*f) + ", " + fmtNum(s.Max*f) + "]"
	if s.MedianCI.Defined() {
		row.Interval = fmtInterval(s.MedianCI, f)
	} else {
		row.Interval = fmt.Sprintf("n < %d", stats.MinIntervalN())
	}
	return row
}

func seedList(worlds []*results.World) string {
	if len(worlds) == 0 {
		return "none"
	}
	parts := make([]string, len(worlds))
	for i, w := range worlds {
		parts[i] = fmt.Sprint(w.Seed)
	}
	return strings.Join(parts, ", ")
}

// comparisonRows lists the comparisons of the summary metrics.
func comparisonRows(a *analysis) []comparisonRow {
	shown := map[*metric]bool{}
	for _, ms := range summaryMetrics(a) {
		shown[ms.Metric] = true
	}
	var out []comparisonRow
	for _, c := range a.comparisons {
		if !shown[c.Metric] {
			continue
		}
		q := quantityName(c.Metric, c.Stat)
		if c.Stat != "" {
			q += " (per seed)"
		}
		out = append(out, comparisonRow{Quantity: q, B: c.B.Name, A: c.A.Name, RelDiff: fmtPercent(c.Result.RelDiff),
			P: stats.FormatP(c.Result.P), N: fmt.Sprintf("%d vs %d", c.Result.NB, c.Result.NA), Verdict: c.Result.Verdict})
	}
	return out
}

func figureGroups(figs []figureRef) []figureGroup {
	sections := []figureGroup{
		{Title: "Headline metrics", Intro: fmt.Sprintf("Median across seeds; whiskers: the 95 %% order-statistic interval of the median with at least %d seeds, else the seeds' min–max range.", stats.MinIntervalN())},
		{Title: "Time series", Intro: "One line per variant: the median across seeds; the band spans the seeds' min and max. Red: fault windows (lines: instant faults). Strips at the bottom: syncpoint barriers of each variant's first seed, in its colour. Dashed: reference values (quota, hard limit)."},
		{Title: "Distributions", Intro: "Step CDFs of every observation, all seeds pooled."},
		{Title: "Across seeds", Intro: "One box per variant over the seeds' values; each dot is one seed."},
		{Title: "Sweep", Intro: fmt.Sprintf("Each metric against the swept parameter: the median across seeds at each value; band: the 95 %% order-statistic interval of the median with at least %d seeds, else the seeds' min–max range.", stats.MinIntervalN())},
	}
	index := map[string]int{figHeadline: 0, figSeries: 1, figCDF: 2, figBox: 3, figSweep: 4}
	for _, f := range figs {
		i := index[f.Section]
		sections[i].Figures = append(sections[i].Figures, f)
	}
	var out []figureGroup
	for _, s := range sections {
		if len(s.Figures) > 0 {
			out = append(out, s)
		}
	}
	return out
}

// probeRow is one coverage probe: how many worlds reached it and how often.
type probeRow struct{ Name, Worlds, Count string }

// probeRows sums the worlds' coverage probes, by name.
func probeRows(d *dataset) []probeRow {
	worlds, counts := map[string]int{}, map[string]uint64{}
	for _, w := range d.worlds {
		for _, p := range w.Probes {
			worlds[p.Name]++
			counts[p.Name] += p.Count
		}
	}
	names := make([]string, 0, len(worlds))
	for n := range worlds {
		names = append(names, n)
	}
	slices.Sort(names)
	out := make([]probeRow, 0, len(names))
	for _, n := range names {
		out = append(out, probeRow{Name: n, Worlds: fmt.Sprintf("%d of %d", worlds[n], len(d.worlds)), Count: fmt.Sprint(counts[n])})
	}
	return out
}

// keyFigures are the headline figure and the progress series (the
// checkpoint lag, where stalls show).
func keyFigures(figs []figureRef) []figureRef {
	var out []figureRef
	for _, f := range figs {
		if f.Section == figHeadline || f.PNG == "plots/ts-"+progressSeries+".png" {
			out = append(out, f)
		}
	}
	return out
}

func statsTables(a *analysis) []statsTable {
	var out []statsTable
	for _, ms := range a.metrics {
		m := ms.Metric
		t := statsTable{Metric: m.Name, Kind: m.Kind, Doc: m.Doc.Doc, Direction: m.directionName()}
		unit, f := unitScale(m.Unit, typicalMean(ms))
		t.Unit = unit
		for _, vs := range ms.Variants {
			t.Rows = append(t.Rows, variantStatsRows(vs, f)...)
		}
		out = append(out, t)
	}
	return out
}

// variantStatsRows are the rows of one variant: pooled (samples) then
// each across-seeds quantity; one "no data" row when nothing was recorded.
func variantStatsRows(vs *variantStats, f float64) []statsRow {
	var rows []statsRow
	if vs.Pooled != nil {
		rows = append(rows, statsRowOf(vs.Variant.Name, "pooled observations", vs.Pooled, f))
	}
	for _, acr := range vs.Across {
		if acr.Summary == nil {
			continue
		}
		q := "across seeds"
		if acr.Stat != "" {
			q = "per-seed " + acr.Stat + " across seeds"
		}
		rows = append(rows, statsRowOf(vs.Variant.Name, q, acr.Summary, f))
	}
	if len(rows) == 0 {
		why := fmt.Sprintf("no data: %d of %d worlds do not record it", vs.Missing, len(vs.Variant.Worlds))
		if vs.Missing < len(vs.Variant.Worlds) {
			why = "no data: no finite values"
		}
		if len(vs.Variant.Worlds) == 0 {
			why = "no data: no worlds"
		}
		rows = append(rows, statsRow{Variant: vs.Variant.Name, Quantity: why, N: "0", Mean: "—", SD: "—",
			P50: "—", P90: "—", P99: "—", Max: "—", MeanCI: "—", MedianCI: "—"})
	}
	return rows
}

func statsRowOf(variant, quantity string, s *stats.Summary, f float64) statsRow {
	return statsRow{Variant: variant, Quantity: quantity, N: fmtCount(s.N), Mean: fmtNum(s.Mean * f),
		SD: fmtNum(s.SD * f), P50: fmtNum(s.P50 * f), P90: fmtNum(s.P90 * f), P99: fmtNum(s.P99 * f),
		Max: fmtNum(s.Max * f), MeanCI: fmtInterval(s.MeanCI, f), MedianCI: fmtInterval(s.MedianCI, f)}
}

func worldRows(d *dataset) []worldRow {
	var out []worldRow
	for _, w := range d.worlds {
		held := 0
		for _, inv := range w.Invariants {
			if inv.Held {
				held++
			}
		}
		out = append(out, worldRow{Name: worldName(w), Variant: w.Variant, Seed: fmt.Sprint(w.Seed),
			SimTime: fmtSeconds(w.SimSeconds), Events: fmtCount(int(w.Events)), Wall: fmtShort(w.WallSeconds) + " s",
			Invariants: fmt.Sprintf("%d/%d held", held, len(w.Invariants)), TraceHash: w.TraceHash, Command: w.Command})
	}
	return out
}

func reportFiles() []fileRow {
	return []fileRow{
		{"index.html", "this report, self-contained: figures embedded, no network; one file to attach to an issue"},
		{"report.md", "the same report in Markdown"},
		{"summary.json", "every metric's statistics per variant and every pairwise comparison"},
		{"timeseries.csv", fmt.Sprintf("series in long format, one row per (world, series, time): world,variant,seed,time,metric,labels,value; "+
			"the series the scenario documents (the ones drawn here) at every sample the world took (1 s unless the scenario says otherwise), "+
			"the others at %g s (the first sample at or after each multiple, and the last); of a run of equal values only its first and last rows are written "+
			"(a forward fill restores the rest); simrun -full-csv keeps every sample", CSVCoarseStep)},
		{"trace.json", "Chrome trace-event timeline (see Method): open in Perfetto (ui.perfetto.dev) or chrome://tracing; simrun -full-trace puts every world and counter in it"},
		{"plots/", "every figure as PNG and SVG"},
	}
}
