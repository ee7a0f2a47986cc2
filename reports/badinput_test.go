package reports

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/redosim/redosim/reports/reportstest"
	"github.com/redosim/redosim/results"
)

func TestRenderRejectsUnusableInput(t *testing.T) {
	run, worlds := reportstest.Fixture(reportstest.Config{Seeds: []uint64{1, 2}})
	cases := []struct {
		name   string
		run    *results.Run
		worlds []*results.World
		want   string
	}{
		{"nil run", nil, worlds, "nil run"},
		{"no worlds", run, nil, "no worlds"},
		{"nil world", run, []*results.World{worlds[0], nil}, "world 1 is nil"},
		{"duplicate", run, []*results.World{worlds[0], worlds[0]}, "given twice"},
		{"other scenario", run, []*results.World{{Scenario: "other", Variant: "v1", Seed: 1}}, "scenario"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := Render(t.TempDir(), c.run, c.worlds, Options{})
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "reports: ") {
				t.Errorf("err = %v, want one mentioning %q", err, c.want)
			}
		})
	}
	if err := Render(t.TempDir(), run, nil, Options{}); !errors.Is(err, ErrNoWorlds) {
		t.Errorf("no worlds: %v is not ErrNoWorlds", err)
	}
	if err := Render(t.TempDir(), run, worlds, Options{TraceWorlds: []WorldKey{{Variant: "v9", Seed: 1}}}); err == nil {
		t.Errorf("unknown trace world gave no error")
	}
}

// TestRenderMarksGaps checks that a variant without worlds, a world of an
// unlisted variant, NaN values and a metric only some worlds record give a
// report with notes and marked empty sections, not an error or a panic.
func TestRenderMarksGaps(t *testing.T) {
	run, worlds := reportstest.Fixture(reportstest.Config{Variants: []string{"v1", "v2"}, Seeds: []uint64{1, 2, 3}, DurationSeconds: 60})
	run.Variants = append(run.Variants, "ghost")
	var kept []*results.World
	for _, w := range worlds {
		if w.Variant == "v2" && w.Seed == 3 {
			w.Variant = "extra"
		}
		kept = append(kept, w)
	}
	kept[0].Scalars[0].Value = math.NaN()
	kept[1].Samples[0].Values[0] = math.Inf(1)
	kept[1].Series[0].Points[3].V = math.NaN()
	for i := range kept[2].Scalars[1:] { // v1 s3: every throughput-like scalar NaN but one
		kept[2].Scalars[1+i].Value = math.NaN()
	}
	for _, w := range kept {
		if w.Variant == "v1" {
			for i := range w.Samples[0].Values {
				w.Samples[0].Values[i] = math.NaN()
			}
		}
	}
	out := t.TempDir()
	if err := Render(out, run, kept, Options{}); err != nil {
		t.Fatal(err)
	}
	md := readFile(t, out, "report.md")
	for _, want := range []string{
		`Variant "ghost" is listed in the run but has no worlds`,
		`Variant "extra" has worlds but is not listed`,
		`Metric "throughput", variant "v1": 1 non-finite value (NaN`,
		`Metric "commit_latency", variant "v1": 6000 non-finite values`,
		"No worlds for this variant: nothing to summarise.",
		"no data: no finite values",
		"no data: no worlds",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	if regexp.MustCompile(`[:,\[]\s*[-+]?(NaN|Inf)`).MatchString(readFile(t, out, "summary.json")) {
		t.Errorf("summary.json contains NaN (JSON has no NaN; it must be null)")
	}
}

func TestRenderEmptyWorlds(t *testing.T) {
	run := &results.Run{Scenario: "bare", Variants: []string{"a", "b"}}
	worlds := []*results.World{{Scenario: "bare", Variant: "a", Seed: 1}, {Scenario: "bare", Variant: "b", Seed: 1}}
	out := t.TempDir()
	if err := Render(out, run, worlds, Options{}); err != nil {
		t.Fatal(err)
	}
	md := readFile(t, out, "report.md")
	for _, want := range []string{"_No world recorded any invariant check._", "_No faults were injected._",
		"_No plottable data._", "_No scalar or sample metrics._", "(the run recorded no command)"} {
		if !strings.Contains(md, want) {
			t.Errorf("report.md lacks %q", want)
		}
	}
	if !strings.Contains(readFile(t, out, "trace.json"), `"traceEvents":[`) {
		t.Errorf("trace.json of empty worlds is not a trace")
	}
}

func TestRenderSweep(t *testing.T) {
	run, worlds := reportstest.SweepFixture()
	out := t.TempDir()
	if err := Render(out, run, worlds, Options{}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"sweep-throughput.png", "sweep-checkpoint_lag_p99.svg"} {
		if _, err := os.Stat(filepath.Join(out, "plots", f)); err != nil {
			t.Errorf("sweep plot %s: %v", f, err)
		}
	}
	md := readFile(t, out, "report.md")
	if !strings.Contains(md, "### Sweep") || !strings.Contains(md, "checkpoint_lag_p99 vs syncpoint-interval") {
		t.Errorf("report.md has no sweep section")
	}
	if strings.Contains(md, "not numeric") {
		t.Errorf("sweep values were not parsed: %s", md)
	}
}

func TestParseNumberAndWorldKey(t *testing.T) {
	for in, want := range map[string]float64{"30s": 30, "64": 64, "0.5 GiB": 0.5, "-2ms": -2, "1e3x": 1000} {
		got, _, err := parseNumber(in)
		if err != nil || got != want {
			t.Errorf("parseNumber(%q) = %v, %v", in, got, err)
		}
	}
	if _, _, err := parseNumber("fast"); err == nil {
		t.Errorf("parseNumber(fast) gave no error")
	}
	k, err := ParseWorldKey("v2:mem:7")
	if err != nil || k != (WorldKey{Variant: "v2:mem", Seed: 7}) || k.String() != "v2:mem:7" {
		t.Errorf("ParseWorldKey = %+v, %v", k, err)
	}
	if _, err := ParseWorldKey("v2"); err == nil {
		t.Errorf("ParseWorldKey(v2) gave no error")
	}
}

func TestFormatting(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 22982.4: "22982", 19.4912: "19.49", 0.004231: "0.004231",
		1234567: "1.235e+06", 0.0001234: "1.234e-04", -3.5: "-3.500"} {
		if got := fmtNum(v); got != want {
			t.Errorf("fmtNum(%v) = %q, want %q", v, got, want)
		}
	}
	if fmtNum(math.NaN()) != notAvailable || fmtPercent(-0.2012) != "-20.1 %" || fmtPercent(0.337) != "+33.7 %" {
		t.Errorf("NaN or percent formatting wrong: %q %q", fmtPercent(-0.2012), fmtPercent(0.337))
	}
	if fmtCount(10000) != "10,000" || fmtCount(1234567) != "1,234,567" || fmtCount(999) != "999" {
		t.Errorf("fmtCount: %q %q", fmtCount(10000), fmtCount(1234567))
	}
	if u, f := unitScale("s", 0.004); u != "ms" || f != 1e3 {
		t.Errorf("unitScale(s, 0.004) = %s, %v", u, f)
	}
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
