package results

import (
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
