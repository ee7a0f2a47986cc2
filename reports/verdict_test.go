package reports

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redosim/redosim/reports/reportstest"
	"github.com/redosim/redosim/results"
)

// TestVerdictNamesStallFirst: a variant whose checkpoint stops moving is
// named in the verdict's first lines and is never ranked best, even on a
// metric where its (truncated) value looks best.
func TestVerdictNamesStallFirst(t *testing.T) {
	run, worlds := reportstest.Fixture(reportstest.Config{})
	for _, w := range worlds {
		stalled := w.Variant == "v2"
		s := results.Series{Metric: progressSeries, Unit: "s"}
		for t := 1.0; t <= 600; t++ {
			lag := 2.0
			if stalled && t > 80 {
				lag = t - 78
			}
			s.Points = append(s.Points, results.Point{T: t, V: lag})
		}
		w.Series = append(w.Series, s)
	}
	out := t.TempDir()
	if err := Render(out, run, worlds, Options{}); err != nil {
		t.Fatal(err)
	}
	md := readFile(t, out, "report.md")
	verdict := md[strings.Index(md, "## Verdict"):strings.Index(md, "## Run")]
	if !strings.Contains(verdict, "`v2` stopped progressing at 79 s in 5 of 5 seeds") {
		t.Errorf("verdict does not name the stall:\n%s", verdict)
	}
	if strings.Contains(verdict, "`v2` is best") {
		t.Errorf("the stalled variant is ranked best:\n%s", verdict)
	}
	if !strings.Contains(md, "| progress (the report's stall rule, not a checker) | ✔ 5/5 | ✔ 5/5 | ✘ 0/5 |") {
		t.Errorf("the invariants table does not show the stall as a failed progress row")
	}
	if strings.Contains(verdict, "violated **progress") {
		t.Errorf("the stall is alerted twice")
	}
	if !strings.HasPrefix(strings.TrimSpace(md[strings.Index(md, "\n"):]), "## Verdict") {
		t.Errorf("report.md does not open with the verdict")
	}
	html := readFile(t, out, "index.html")
	if !strings.Contains(html, `id="verdict"`) || strings.Index(html, `id="verdict"`) > strings.Index(html, `id="parameters"`) {
		t.Errorf("index.html does not open with the verdict")
	}
}

// TestCensoredNeverAValue: a world that never recovered is counted as
// censored, left out of the median, and ranks as worst.
func TestCensoredNeverAValue(t *testing.T) {
	run, worlds := reportstest.Fixture(reportstest.Config{})
	run.Metrics = append(run.Metrics, results.MetricDoc{Name: "recovery_seconds", Unit: "s", Headline: true, LowerIsBetter: true})
	for _, w := range worlds {
		sc := results.Scalar{Metric: "recovery_seconds", Unit: "s", Value: 10 + float64(w.Seed)}
		if w.Variant == "none" {
			sc = results.Scalar{Metric: "recovery_seconds", Unit: "s", Value: 240, Censored: true}
		}
		w.Scalars = append(w.Scalars, sc)
	}
	out := t.TempDir()
	if err := Render(out, run, worlds, Options{}); err != nil {
		t.Fatal(err)
	}
	md := readFile(t, out, "report.md")
	if !strings.Contains(md, "`none` never (censored in 5 of 5 seeds") {
		t.Errorf("censored variant not reported as censored:\n%s", md[:3000])
	}
	if !strings.Contains(md, "| recovery_seconds | s | value per world | 5 | n/a | n/a | n/a | 5 (≥ 240.0 s) |") {
		t.Errorf("summary row of the censored variant wrong:\n%s", md[strings.Index(md, "## Summary"):strings.Index(md, "## Comparisons")])
	}
	data, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil || !strings.Contains(string(data), `"censored_seeds"`) {
		t.Errorf("summary.json lacks the censored seeds: %v", err)
	}
}
