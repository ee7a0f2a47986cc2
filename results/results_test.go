package results

import (
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWorldRoundTripAndDedup(t *testing.T) {
	dir := t.TempDir()
	w := &World{Scenario: "s", Variant: "v", Seed: 3, Series: []Series{{Metric: "lag", Unit: "s",
		Labels: []Label{{"node", "n1"}},
		Points: []Point{{1, 0.5}, {2, 1.5}, {600, 14.9}, {600, 15}, {601, math.NaN()}}}}}
	if err := WriteRun(dir, &Run{Scenario: "s", Variants: []string{"v"}}); err != nil {
		t.Fatal(err)
	}
	if err := WriteWorld(dir, w); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "worlds", "v-s3.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"t":[1,2,600,601],"v":[0.5,1.5,15,null]`) {
		t.Errorf("series not written as deduplicated columns: %s", data)
	}
	_, worlds, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := worlds[0].Series[0].Points
	if len(got) != 4 || got[2] != (Point{600, 15}) || !math.IsNaN(got[3].V) {
		t.Errorf("read back %v", got)
	}
	// A world of another schema version is refused with a clear error.
	os.WriteFile(filepath.Join(dir, "worlds", "old-s1.json"), []byte(`{"version":1,"variant":"old","seed":1}`), 0o644)
	if _, _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "schema version 1") {
		t.Errorf("old world: %v", err)
	}
}

func TestLoadRefusesMixedCampaigns(t *testing.T) {
	mk := func(r *Run, seed uint64) string {
		dir := t.TempDir()
		if err := WriteRun(dir, r); err != nil {
			t.Fatal(err)
		}
		if err := WriteWorld(dir, &World{Scenario: r.Scenario, Variant: r.Variants[0], Seed: seed, TraceHash: "h"}); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	base := func() *Run {
		return &Run{Scenario: "s", Variants: []string{"a"}, DurationSeconds: 600, Params: []Param{{Key: "tables", Value: "64"}}}
	}
	a := mk(base(), 1)
	short := base()
	short.DurationSeconds = 120
	other := base()
	other.Params[0].Value = "128"
	other.Variants = []string{"b"}
	for _, r := range []*Run{short, other} {
		dir := mk(r, 2)
		if _, _, err := Load(a, dir); !errors.Is(err, ErrMixed) {
			t.Errorf("Load of differing runs: %v, want ErrMixed", err)
		}
		run, worlds, err := LoadMixed(a, dir)
		if err != nil || len(worlds) != 2 || len(run.Warnings) != 1 || !strings.Contains(run.Warnings[0], "-allow-mixed") {
			t.Errorf("LoadMixed: %v, %d worlds, warnings %v", err, len(worlds), run.Warnings)
		}
	}
	// Shards of one campaign merge, variants and seeds united.
	b := mk(base(), 2)
	run, worlds, err := Load(a, b)
	if err != nil || len(worlds) != 2 || len(run.Seeds) != 0 && len(run.Seeds) != 2 {
		t.Errorf("Load of shards: %v, %d worlds", err, len(worlds))
	}
}

// TestSpansColumns: spans are written as columns (distinct process, track
// and name once, then an index, start and end per span) and read back in
// their order, exactly; a version-2 file (one object per span) still reads.
func TestSpansColumns(t *testing.T) {
	dir := t.TempDir()
	spans := []Span{
		{Process: "n1", Track: "redo-row", Name: "sync", Start: 1.087337305, End: 1.087534835},
		{Process: "cluster", Track: "barrier", Name: "syncpoint 7", Start: 60, End: 94.5},
		{Process: "n1", Track: "redo-row", Name: "sync", Start: 2.1, End: 2.1000001},
	}
	if err := WriteRun(dir, &Run{Scenario: "s", Variants: []string{"v"}}); err != nil {
		t.Fatal(err)
	}
	if err := WriteWorld(dir, &World{Scenario: "s", Variant: "v", Seed: 1, Spans: spans}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "worlds", "v-s1.json"))
	if err != nil {
		t.Fatal(err)
	}
	want := `"spans":{"keys":[["n1","redo-row","sync"],["cluster","barrier","syncpoint 7"]],"key":[0,1,0],` +
		`"start":[1.087337305,60,2.1],"end":[1.087534835,94.5,2.1000001]}`
	if !strings.Contains(string(data), want) || strings.Count(string(data), `"spans"`) != 1 {
		t.Errorf("spans not written as columns:\n%s", data)
	}
	_, worlds, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := worlds[0].Spans; !slices.Equal(got, spans) {
		t.Errorf("read back %v, want %v", got, spans)
	}
	v2 := `{"version":2,"scenario":"s","variant":"old","seed":2,"spans":[{"process":"n1","track":"redo-row","name":"sync","start":1,"end":1.5}]}`
	if err := os.WriteFile(filepath.Join(dir, "worlds", "old-s2.json"), []byte(v2), 0o644); err != nil {
		t.Fatal(err)
	}
	_, worlds, err = Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range worlds {
		if w.Variant == "old" && !slices.Equal(w.Spans, []Span{{Process: "n1", Track: "redo-row", Name: "sync", Start: 1, End: 1.5}}) {
			t.Errorf("version-2 spans read as %v", w.Spans)
		}
	}
}

// TestSeriesTimeRuns: regular times are written as [first, step, count]
// runs and read back bit for bit, whatever the step; irregular ones stay
// an array.
func TestSeriesTimeRuns(t *testing.T) {
	var every, tenths, thinned, odd []Point
	for i := 1; i <= 600; i++ {
		every = append(every, Point{T: float64(i), V: float64(i % 7)})
		tenths = append(tenths, Point{T: float64(i) * 0.1, V: 1})
	}
	thinned = append(thinned, Point{T: 1, V: 0})
	for i := 10; i <= 600; i += 10 {
		thinned = append(thinned, Point{T: float64(i), V: math.NaN()})
	}
	for _, x := range []float64{0.3, 1.7, 2.2, 9.25, 11, 40.5} {
		odd = append(odd, Point{T: x, V: x})
	}
	for _, c := range []struct {
		name string
		pts  []Point
		runs bool
	}{{"every second", every, true}, {"tenths", tenths, true}, {"thinned to 10 s", thinned, true}, {"irregular", odd, false}} {
		data, err := json.Marshal(Series{Metric: "m", Points: c.pts})
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(string(data), `"t_runs"`); got != c.runs || strings.Contains(string(data), `"t":`) == c.runs {
			t.Errorf("%s: written as %s", c.name, data)
		}
		if c.name == "thinned to 10 s" && !strings.Contains(string(data), `"t_runs":[[1,9,2],[20,10,59]]`) {
			t.Errorf("%s: written as %s", c.name, data)
		}
		var back Series
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if len(back.Points) != len(c.pts) {
			t.Fatalf("%s: read %d points, want %d", c.name, len(back.Points), len(c.pts))
		}
		for i, p := range back.Points {
			if math.Float64bits(p.T) != math.Float64bits(c.pts[i].T) || math.Float64bits(p.V) != math.Float64bits(c.pts[i].V) && !math.IsNaN(p.V) {
				t.Fatalf("%s: point %d read back as %v, want %v", c.name, i, p, c.pts[i])
			}
		}
	}
	for _, bad := range []string{`{"metric":"m","t_runs":[[0,1,3]],"v":[1,2]}`, `{"metric":"m","t_runs":[[0,1,1.5]],"v":[1,2]}`,
		`{"metric":"m","t":[1,2],"t_runs":[[0,1,2]],"v":[1,2]}`} {
		var s Series
		if err := json.Unmarshal([]byte(bad), &s); err == nil {
			t.Errorf("%s read without error", bad)
		}
	}
}
