package reports

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/redosim/redosim/reports/reportstest"
	"github.com/redosim/redosim/results"
)

var update = flag.Bool("update", false, "rewrite testdata/fixture.report.md from the current renderer")

func renderFixture(t *testing.T) string {
	t.Helper()
	run, worlds := reportstest.Fixture(reportstest.Config{})
	out := t.TempDir()
	if err := Render(out, run, worlds, Options{}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGoldenMarkdown compares report.md of the fixture with
// testdata/fixture.report.md; regenerate with `go test ./reports -update`
// and read the diff.
func TestGoldenMarkdown(t *testing.T) {
	out := renderFixture(t)
	got, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "fixture.report.md")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./reports -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("report.md differs from %s; run go test ./reports -update and read the diff\n%s", golden, firstDiff(got, want))
	}
}

func firstDiff(got, want []byte) string {
	g, w := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := range min(len(g), len(w)) {
		if g[i] != w[i] {
			return "line " + itoa(i+1) + ":\n got: " + g[i] + "\nwant: " + w[i]
		}
	}
	return "lengths differ: " + itoa(len(g)) + " vs " + itoa(len(w)) + " lines"
}

func itoa(i int) string { return strconv.Itoa(i) }

// TestRenderDeterministic renders the fixture twice: every file, PNG and
// SVG included, must be byte-identical.
func TestRenderDeterministic(t *testing.T) {
	a, b := renderFixture(t), renderFixture(t)
	assertSameTree(t, a, b)
}

func assertSameTree(t *testing.T, a, b string) {
	t.Helper()
	fa, fb := treeFiles(t, a), treeFiles(t, b)
	if strings.Join(fa, ",") != strings.Join(fb, ",") {
		t.Fatalf("file sets differ:\n%v\n%v", fa, fb)
	}
	pngs := 0
	for _, f := range fa {
		da, _ := os.ReadFile(filepath.Join(a, f))
		db, _ := os.ReadFile(filepath.Join(b, f))
		if !bytes.Equal(da, db) {
			t.Errorf("%s differs", f)
		}
		if strings.HasSuffix(f, ".png") {
			pngs++
		}
	}
	if pngs == 0 {
		t.Errorf("no PNG was written")
	}
}

func treeFiles(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		out = append(out, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

func TestRenderWritesEveryFile(t *testing.T) {
	out := renderFixture(t)
	for _, f := range []string{"index.html", "report.md", "summary.json", "timeseries.csv", "trace.json",
		"plots/headline.png", "plots/headline.svg", "plots/ts-checkpoint_lag.png", "plots/cdf-commit_latency.svg",
		"plots/box-throughput.png"} {
		if st, err := os.Stat(filepath.Join(out, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing or empty: %v", f, err)
		}
	}
	html, _ := os.ReadFile(filepath.Join(out, "index.html"))
	for _, bad := range []string{"http://", "https://", "<link", "@import", "src=\"/"} {
		if bytes.Contains(html, []byte(bad)) {
			t.Errorf("index.html is not self-contained: contains %q", bad)
		}
	}
	md, _ := os.ReadFile(filepath.Join(out, "report.md"))
	for _, want := range []string{"simrun run -scenario syncpoint", "type-7 linear interpolation", "memory-quota",
		"✘ 4/5", "simrun replay -scenario syncpoint -variant v1 -seed 3", "disk-stall", "sample standard deviation"} {
		if !bytes.Contains(md, []byte(want)) {
			t.Errorf("report.md lacks %q", want)
		}
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("index.html lacks %q", want)
		}
	}
}

func TestTimeseriesCSV(t *testing.T) {
	out := renderFixture(t)
	f, err := os.Open(filepath.Join(out, "timeseries.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[0], ","); got != "world,variant,seed,time,metric,labels,value" {
		t.Fatalf("header = %q", got)
	}
	// 15 worlds × (5 documented series × 601 points + the undocumented
	// fast_slow_gap thinned to one point per 10 s: 61), less the rows the
	// held-value rule leaves out (checked against every row below).
	run, worlds := reportstest.Fixture(reportstest.Config{})
	doc := map[string]bool{}
	for _, m := range run.Metrics {
		doc[m.Name] = true
	}
	every, err := timeseriesCSV(worlds, func(m string) bool { return doc[m] }, true)
	if err != nil {
		t.Fatal(err)
	}
	all, err := csv.NewReader(bytes.NewReader(every)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(all)-1 != 15*(5*601+61) {
		t.Errorf("%d rows with every row kept, want %d", len(all)-1, 15*(5*601+61))
	}
	if len(rows) >= len(all)*9/10 {
		t.Errorf("the held-value rule left out %d of %d rows; the fixture's scan_interval is a step function", len(all)-len(rows), len(all)-1)
	}
	if got := forwardFilled(t, rows, all); got != "" {
		t.Errorf("timeseries.csv forward-filled differs from every row: %s", got)
	}
	labelled := 0
	for _, r := range rows[1:] {
		if len(r) != 7 {
			t.Fatalf("row %v has %d fields", r, len(r))
		}
		if r[5] != "" {
			labelled++
			if r[5] != "changefeed=cf-1" {
				t.Fatalf("labels = %q", r[5])
			}
		}
	}
	if labelled != 15*61 {
		t.Errorf("%d labelled rows, want %d", labelled, 15*61)
	}
	if r := rows[1]; r[0] != "none-s1" || r[1] != "none" || r[2] != "1" || r[3] != "0" || r[4] != "checkpoint_lag" {
		t.Errorf("first row = %v", r)
	}
	got, err := timeseriesCSV([]*results.World{{Variant: "a", Seed: 2, Series: []results.Series{{Metric: "m",
		Labels: []results.Label{{Key: "k", Value: "v,1"}, {Key: "j", Value: "2"}},
		Points: []results.Point{{T: 1.5, V: math.NaN()}, {T: 2, V: 1e-9}, {T: 2, V: 3}}}}}}, func(string) bool { return true }, false)
	if err != nil {
		t.Fatal(err)
	}
	want := "world,variant,seed,time,metric,labels,value\na-s2,a,2,1.5,m,\"k=v,1;j=2\",NaN\na-s2,a,2,2,m,\"k=v,1;j=2\",3\n"
	if string(got) != want {
		t.Errorf("csv =\n%s\nwant\n%s", got, want)
	}
	// Coarse: the first sample at or after each multiple of 10 s, and the last.
	var pts []results.Point
	for t := 1; t <= 35; t++ {
		pts = append(pts, results.Point{T: float64(t), V: float64(t)})
	}
	got, err = timeseriesCSV([]*results.World{{Variant: "a", Seed: 1, Series: []results.Series{{Metric: "m", Points: pts}}}},
		func(string) bool { return false }, false)
	if err != nil {
		t.Fatal(err)
	}
	var times []string
	for _, line := range strings.Split(strings.TrimSpace(string(got)), "\n")[1:] {
		times = append(times, strings.Split(line, ",")[3])
	}
	if strings.Join(times, " ") != "1 10 20 30 35" {
		t.Errorf("coarse times %v, want 1 10 20 30 35", times)
	}
	// Held values: of a run of equal values the first and last row.
	vals := []float64{0, 0, 0, 0, 1, 1, 2, 2, 2, math.NaN(), math.NaN(), math.NaN()}
	pts = pts[:0]
	for i, v := range vals {
		pts = append(pts, results.Point{T: float64(i), V: v})
	}
	got, err = timeseriesCSV([]*results.World{{Variant: "a", Seed: 1, Series: []results.Series{{Metric: "m", Points: pts}}}},
		func(string) bool { return true }, false)
	if err != nil {
		t.Fatal(err)
	}
	times = times[:0]
	for _, line := range strings.Split(strings.TrimSpace(string(got)), "\n")[1:] {
		times = append(times, strings.Split(line, ",")[3])
	}
	if strings.Join(times, " ") != "0 3 4 5 6 8 9 11" {
		t.Errorf("held-value times %v, want 0 3 4 5 6 8 9 11", times)
	}
}

// forwardFilled checks that the rows of a timeseries.csv, forward-filled
// per series onto the times of all (the same series with every row), are
// all: every row of rows is a row of all, and each row of all has the
// value of the last row of rows at or before it in its series. It returns
// the first difference, or "".
func forwardFilled(t *testing.T, rows, all [][]string) string {
	t.Helper()
	type key struct{ world, metric, labels string }
	kept := map[key][][]string{}
	for _, r := range rows[1:] {
		k := key{r[0], r[4], r[5]}
		kept[k] = append(kept[k], r)
	}
	next := map[key]int{}
	for _, r := range all[1:] {
		k := key{r[0], r[4], r[5]}
		rs, i := kept[k], next[k]
		if i < len(rs) && rs[i][3] == r[3] {
			if strings.Join(rs[i], ",") != strings.Join(r, ",") {
				return fmt.Sprintf("row %v, want %v", rs[i], r)
			}
			next[k]++
			continue
		}
		if i == 0 {
			return fmt.Sprintf("series %v has no row at or before %v", k, r)
		}
		if rs[i-1][6] != r[6] {
			return fmt.Sprintf("row %v left out, but the value held is %s", r, rs[i-1][6])
		}
	}
	for k, rs := range kept {
		if next[k] != len(rs) {
			return fmt.Sprintf("series %v: row %v is not a row of the full CSV", k, rs[next[k]])
		}
	}
	return ""
}

// TestMergedShardsEqualCombined writes the fixture as two shards and checks
// that RenderDirs on them writes exactly what Render writes for the whole.
func TestMergedShardsEqualCombined(t *testing.T) {
	run, worlds := reportstest.Fixture(reportstest.Config{})
	shards := []string{t.TempDir(), t.TempDir()}
	for i, dir := range shards {
		r := *run
		r.Seeds = [][]uint64{{1, 2, 3}, {4, 5}}[i]
		if err := results.WriteRun(dir, &r); err != nil {
			t.Fatal(err)
		}
	}
	for _, w := range worlds {
		dir := shards[0]
		if w.Seed > 3 {
			dir = shards[1]
		}
		if err := results.WriteWorld(dir, w); err != nil {
			t.Fatal(err)
		}
	}
	merged, combined := t.TempDir(), t.TempDir()
	if err := RenderDirs(merged, Options{}, shards...); err != nil {
		t.Fatal(err)
	}
	if err := Render(combined, run, worlds, Options{}); err != nil {
		t.Fatal(err)
	}
	assertSameTree(t, merged, combined)
}

func TestRenderDirsErrors(t *testing.T) {
	err := RenderDirs(t.TempDir(), Options{}, t.TempDir())
	if !errors.Is(err, results.ErrNoResults) {
		t.Errorf("RenderDirs on an empty dir: %v, want ErrNoResults", err)
	}
}

func TestSummaryJSON(t *testing.T) {
	out := renderFixture(t)
	data, err := os.ReadFile(filepath.Join(out, "summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	var s jsonSummaryRead
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	if len(s.Metrics) != 7 || len(s.Variants) != 3 {
		t.Fatalf("%d metrics, %d variants", len(s.Metrics), len(s.Variants))
	}
	// 4 scalars × 3 pairs + 3 samples × 2 per-seed stats × 3 pairs.
	if len(s.Comparisons) != 4*3+3*2*3 {
		t.Errorf("%d comparisons", len(s.Comparisons))
	}
	for _, c := range s.Comparisons {
		significant := c.P != nil && *c.P < 0.05
		decided := c.Verdict == "better" || c.Verdict == "worse"
		if decided != significant || c.NA != 5 && c.Metric != "barrier_duration" && c.Metric != "rpo" {
			t.Errorf("%s %s vs %s: verdict %q with p=%v, n=%d", c.Metric, c.B, c.A, c.Verdict, c.P, c.NA)
		}
	}
	if len(s.Verdict.Lines) == 0 {
		t.Errorf("summary.json has no verdict lines")
	}
	for _, m := range s.Metrics {
		if m.Name == "barrier_duration" && m.Variants[0].Pooled != nil {
			t.Errorf("variant none has no barrier_duration but got pooled stats")
		}
		if m.Name == "throughput" {
			st := m.Variants[0].AcrossSeeds[0].Stats
			if st.N != 5 || st.MeanCI != nil {
				t.Errorf("throughput/none across seeds = %+v", st)
			}
		}
	}
}

type jsonSummaryRead struct {
	Variants []string `json:"variants"`
	Metrics  []struct {
		Name     string `json:"name"`
		Variants []struct {
			Pooled      *struct{ N int } `json:"pooled"`
			AcrossSeeds []struct {
				Stats struct {
					N      int         `json:"n"`
					MeanCI *[2]float64 `json:"mean_ci"`
				} `json:"stats"`
			} `json:"across_seeds"`
		} `json:"variants"`
	} `json:"metrics"`
	Comparisons []struct {
		Metric  string   `json:"metric"`
		A       string   `json:"a"`
		B       string   `json:"b"`
		P       *float64 `json:"p_value"`
		NA      int      `json:"n_a"`
		Verdict string   `json:"verdict"`
	} `json:"comparisons"`
	Verdict struct {
		Lines []string `json:"lines"`
	} `json:"verdict"`
}

// BenchmarkRenderFixture measures a whole report of the 3 × 5 fixture.
func BenchmarkRenderFixture(b *testing.B) {
	run, worlds := reportstest.Fixture(reportstest.Config{})
	out := b.TempDir()
	b.ReportAllocs()
	for b.Loop() {
		if err := Render(out, run, worlds, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderLargeSamples renders 3 variants × 2 seeds with 500 000
// observations per world: the pooled percentiles sort once.
func BenchmarkRenderLargeSamples(b *testing.B) {
	run, worlds := reportstest.Fixture(reportstest.Config{Seeds: []uint64{1, 2}, DurationSeconds: 60})
	for i, w := range worlds {
		vals := make([]float64, 500_000)
		for j := range vals {
			vals[j] = float64((j*7919+i*104729)%100_003) / 1e5
		}
		w.Samples[0].Values = vals
	}
	out := b.TempDir()
	for b.Loop() {
		if err := Render(out, run, worlds, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
