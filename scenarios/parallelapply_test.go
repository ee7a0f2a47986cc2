package scenarios

import "testing"

// TestParallelApplySplitHotTable replays a log where table 1 has half the
// rows. Without the split its worker bounds the speedup near 2 whatever
// the workers; cut into 8 key ranges it spreads over all 8, so the
// makespan falls well below. Both replays end in the serial state, and the
// same seed replays to the same hash.
func TestParallelApplySplitHotTable(t *testing.T) {
	set := map[string]string{"rows": "50000"}
	plain := runHeld(t, Spec{Variant: "w8", Seed: 6, Set: set}, "parallel-apply")
	split := runHeld(t, Spec{Variant: "w8-split", Seed: 6, Set: set}, "parallel-apply")
	mp, ms := scalar(t, plain, "makespan"), scalar(t, split, "makespan")
	if !(ms < 0.7*mp) {
		t.Errorf("makespan, 8 workers: split %.3fs, unsplit %.3fs: want split below 70 %%", ms, mp)
	}
	if s := scalar(t, plain, "speedup"); s > 2.2 {
		t.Errorf("unsplit speedup %.2f with a table of half the rows: want at most about 2", s)
	}
	again := runHeld(t, Spec{Variant: "w8-split", Seed: 6, Set: set}, "parallel-apply")
	if again.TraceHash != split.TraceHash {
		t.Errorf("same seed, different hashes: %s %s", split.TraceHash, again.TraceHash)
	}
	t.Logf("makespan unsplit %.3fs (speedup %.2f), split %.3fs (speedup %.2f)",
		mp, scalar(t, plain, "speedup"), ms, scalar(t, split, "speedup"))
}
