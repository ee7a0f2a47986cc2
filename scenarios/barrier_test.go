package scenarios

import (
	"testing"

	"github.com/redosim/redosim/results"
	"github.com/redosim/redosim/sim"
)

// censoredScalar returns a world's scalar and whether it is censored.
func censoredScalar(w *results.World, metric string) (results.Scalar, bool) {
	for _, s := range w.Scalars {
		if s.Metric == metric {
			return s, true
		}
	}
	return results.Scalar{}, false
}

// TestUnfinishedBarrierIsCensored: a syncpoint barrier still open when the
// world ends is recorded as barrier_unfinished, censored (a lower bound),
// never as a barrier_duration; a world whose barriers all finish has none.
// Method: a syncpoint every 10 s and tables behind a downstream 5000 times
// slower, so the slow tables hold the last barrier open at 45 s; and the
// same world without slow tables for 42 s. The slow tables stop the
// checkpoint on purpose, so liveness is not judged.
func TestUnfinishedBarrierIsCensored(t *testing.T) {
	set := map[string]string{"rows-per-second": "1000", "row-bytes": "lognormal(300,0.2)", "syncpoint-interval": "10s", "slow-factor": "5000",
		"liveness": "false"}
	w := runHeldWorld(t, "syncpoint", "none", 1, 45*sim.Second, set)
	s, ok := censoredScalar(w, "barrier_unfinished")
	if !ok || !s.Censored || s.Value <= 0 {
		t.Fatalf("slow tables at the end: barrier_unfinished %+v (present %v), want a censored positive lower bound", s, ok)
	}
	set["slow-share"] = "0"
	quick := runHeldWorld(t, "syncpoint", "none", 1, 42*sim.Second, set)
	if s, ok := censoredScalar(quick, "barrier_unfinished"); ok {
		t.Fatalf("every barrier finished, yet barrier_unfinished %+v", s)
	}
}
