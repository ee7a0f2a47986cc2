package results

import (
	"math"
	"os"
	"path/filepath"
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
