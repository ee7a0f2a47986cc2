package reports

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/redosim/redosim/reports/stats"
)

// verdictSection is what the report says first: what went wrong (invariant
// violations, stalls), then one sentence per headline metric saying which
// variant is best, by how much and with what confidence.
type verdictSection struct {
	// Alerts name violations and stalls; empty when nothing went wrong.
	Alerts []string
	// AllClear is said when Alerts is empty.
	AllClear string
	// Lines are one sentence per headline metric.
	Lines []string
	// Seeds is said once when some comparison had too few seeds to test.
	Seeds string
	// Method says how the sentences were decided.
	Method string
}

// stallsOf returns, per variant, the stalls of its worlds in seed order.
func stallsOf(d *dataset) map[*variantData][]stall {
	out := map[*variantData][]stall{}
	for _, v := range d.variants {
		for _, w := range v.Worlds {
			if st, ok := detectStall(w); ok {
				out[v] = append(out[v], st)
			}
		}
	}
	return out
}

func buildVerdict(d *dataset, a *analysis, inv invariantTable) verdictSection {
	var vs verdictSection
	for _, row := range inv.Violations {
		if row.Name == progressName {
			continue // the stall alerts below say it with more detail
		}
		vs.Alerts = append(vs.Alerts, fmt.Sprintf("`%s` violated **%s** (%s); first in `%s`%s: %s.",
			row.Variant, row.Name, row.Held, row.FirstWorld, atSuffix(row.FirstAt), strings.TrimSuffix(row.FirstDetail, ".")))
	}
	stalls := stallsOf(d)
	for _, v := range d.variants {
		st := stalls[v]
		if len(st) == 0 {
			continue
		}
		lo, hi := st[0].LagEnd, st[0].LagEnd
		for _, x := range st {
			lo, hi = min(lo, x.LagEnd), max(hi, x.LagEnd)
		}
		lag := fmtNum(lo) + " s"
		if lo != hi {
			lag = fmtNum(lo) + "–" + fmtNum(hi) + " s"
		}
		vs.Alerts = append(vs.Alerts, fmt.Sprintf("`%s` stopped progressing at %s in %d of %d seeds (checkpoint lag %s when the world ended at %s): "+
			"its lag, barrier and throughput metrics describe a stalled changefeed, and no syncpoint above the stuck checkpoint could finish its barrier.",
			v.Name, stallTimes(st), len(st), len(v.Worlds), lag, fmtSeconds(st[0].End)))
	}
	if len(vs.Alerts) == 0 {
		vs.AllClear = "Every invariant held in every world, and no world stopped progressing."
	}
	tooFew := false
	for _, ms := range summaryMetrics(a) {
		line, few := metricVerdict(ms, a, stalls)
		vs.Lines = append(vs.Lines, line)
		tooFew = tooFew || few
	}
	if tooFew {
		vs.Seeds = fmt.Sprintf("Differences marked \"untested\" come from too few seeds: with fewer than %d seeds per variant even two samples "+
			"that do not overlap cannot reach p < %.2f in a Mann-Whitney test, so they are single observations, not findings (run -seeds %d or more).",
			stats.MinSeeds(), stats.Alpha, stats.MinSeeds())
	}
	vs.Method = fmt.Sprintf("Each sentence ranks the variants by the median across seeds of the metric's per-world value (a distribution by each world's p99) "+
		"and tests the best against each other variant: %s. Below %d seeds per variant no outcome can reach p < %.2f, so no difference is called. "+
		"A variant that stalled is never ranked best while another did not stall. Stall rule: %s.",
		"two-sided Mann-Whitney U", stats.MinSeeds(), stats.Alpha, stallRule)
	return vs
}

func atSuffix(at string) string {
	if at == "" {
		return ""
	}
	return " at " + at
}

// stallTimes is "62 s" or "60 s–77 s" over the stalled seeds.
func stallTimes(st []stall) string {
	lo, hi := st[0].At, st[0].At
	for _, s := range st {
		lo, hi = min(lo, s.At), max(hi, s.At)
	}
	if lo == hi {
		return fmtSeconds(lo)
	}
	return fmtSeconds(lo) + "–" + fmtSeconds(hi)
}

// ranked is one variant's standing on a metric.
type ranked struct {
	vs       *variantStats
	acr      *acrossSeeds
	median   float64 // +Inf when censored values make it unknown
	stalled  bool
	stalls   int // seeds that stalled
	worlds   int
	censored int
}

// metricVerdict is the sentence of one headline metric, and whether some
// comparison in it had too few seeds.
func metricVerdict(ms *metricStats, a *analysis, stalls map[*variantData][]stall) (string, bool) {
	m := ms.Metric
	var rs []ranked
	for _, vs := range ms.Variants {
		acr := headlineQuantity(vs)
		if acr == nil {
			continue
		}
		vals := acr.compareValues()
		if len(vals) == 0 {
			continue
		}
		rs = append(rs, ranked{vs: vs, acr: acr, median: stats.Median(vals), stalled: len(stalls[vs.Variant]) > 0,
			stalls: len(stalls[vs.Variant]), worlds: len(vs.Variant.Worlds), censored: len(acr.Censored)})
	}
	name := quantityName(m, headlineStat(m))
	if len(rs) == 0 {
		return fmt.Sprintf("**%s**: no variant recorded it.", name), false
	}
	dir := m.direction()
	better := func(x, y ranked) bool { // x ranks before y
		if x.stalled != y.stalled {
			return !x.stalled
		}
		if dir == stats.HigherIsBetter {
			return x.median > y.median
		}
		return x.median < y.median
	}
	slices.SortStableFunc(rs, func(x, y ranked) int {
		switch {
		case better(x, y):
			return -1
		case better(y, x):
			return 1
		}
		return 0
	})
	unit, f := unitScale(m.Unit, typicalMean(ms))
	best := rs[0]
	word := "best"
	if dir == stats.Unknown {
		word = "lowest"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** (%s): `%s` is %s at %s", name, m.directionName(), best.vs.Variant.Name, word, medianText(best, unit, f))
	if len(rs) == 1 {
		b.WriteString(" " + seedsNote(rs) + ".")
		return b.String(), false
	}
	var others []string
	tooFew := false
	for _, r := range rs[1:] {
		c := findComparison(a, m, best.acr.Stat, best.vs.Variant, r.vs.Variant)
		rel := relDiff(best.median, r.median)
		part := fmt.Sprintf("`%s` %s (%s", r.vs.Variant.Name, medianText(r, unit, f), rel)
		switch {
		case c == nil || c.Verdict == stats.VerdictTooFew:
			tooFew = true
			part += ", untested)"
		case c.Verdict == stats.VerdictNone || c.Verdict == stats.VerdictUndefined:
			part += fmt.Sprintf(", ~ not significant, %s)", stats.FormatP(c.P))
		default:
			part += fmt.Sprintf(", significantly %s, %s)", flipVerdict(c.Verdict), stats.FormatP(c.P))
		}
		others = append(others, part)
	}
	b.WriteString("; " + strings.Join(others, ", "))
	b.WriteString(" " + seedsNote(rs) + ".")
	return b.String(), tooFew
}

func headlineStat(m *metric) string {
	if m.Kind == kindSample {
		return "p99"
	}
	return ""
}

// medianText is "19.9 s" with the censored and stalled marks.
func medianText(r ranked, unit string, f float64) string {
	n := len(r.acr.Values) + r.censored
	var s string
	if math.IsInf(r.median, 1) {
		s = fmt.Sprintf("never (censored in %d of %d seeds: the world ended first)", r.censored, n)
	} else {
		s = fmtNum(r.median*f) + " " + unit
		if r.censored > 0 {
			s += fmt.Sprintf(" (%d of %d seeds censored)", r.censored, n)
		}
	}
	switch {
	case r.stalled && r.stalls == r.worlds:
		s += " [stalled]"
	case r.stalled:
		s += fmt.Sprintf(" [stalled in %d of %d seeds]", r.stalls, r.worlds)
	}
	return s
}

// seedsNote says over how many seeds the medians are: "(medians of 5
// seeds each)" or "(medians of a: 3, b: 5 seeds)".
func seedsNote(rs []ranked) string {
	n0 := len(rs[0].acr.Values) + rs[0].censored
	same := true
	for _, r := range rs {
		same = same && len(r.acr.Values)+r.censored == n0
	}
	if same && len(rs) == 1 {
		return "(median of " + plural(n0, "seed") + ")"
	}
	if same {
		return "(medians of " + plural(n0, "seed") + " each)"
	}
	return "(medians of " + strings.TrimPrefix(seedCounts(rs), "seeds ") + " seeds)"
}

func relDiff(base, v float64) string {
	switch {
	case math.IsInf(v, 0) || math.IsInf(base, 0):
		return "not comparable: censored"
	case base == 0:
		return "baseline 0"
	}
	return fmtPercent((v - base) / math.Abs(base))
}

func seedCounts(rs []ranked) string {
	parts := make([]string, len(rs))
	for i, r := range rs {
		parts[i] = fmt.Sprintf("%s: %d", r.vs.Variant.Name, len(r.acr.Values)+r.censored)
	}
	return "seeds " + strings.Join(parts, ", ")
}

// findComparison returns the comparison of x and y on the metric's
// quantity stat, oriented as "x against y": a verdict of "better" means x is
// better than y.
func findComparison(a *analysis, m *metric, stat string, x, y *variantData) *stats.Comparison {
	for _, c := range a.comparisons {
		if c.Metric != m || c.Stat != stat {
			continue
		}
		if c.A == y && c.B == x {
			r := c.Result
			return &r
		}
		if c.A == x && c.B == y {
			r := c.Result
			r.Verdict = flipVerdict(r.Verdict)
			return &r
		}
	}
	return nil
}

func flipVerdict(v string) string {
	switch v {
	case stats.VerdictBetter:
		return stats.VerdictWorse
	case stats.VerdictWorse:
		return stats.VerdictBetter
	case stats.VerdictHigher:
		return stats.VerdictLower
	case stats.VerdictLower:
		return stats.VerdictHigher
	}
	return v
}
