package scenarios

import (
	"testing"

	"github.com/redosim/redosim/sim"
)

// TestThroughputCountsDistinctRows: in a world of crashes and power loss,
// where restarted dispatchers re-apply rows from their checkpoints, the
// throughput never exceeds the offered load: it counts each upstream row
// once. (Counting applies, it read 1004 rows/s from 1000.) Method: the
// crash-loop scenario's resend variant, seed 1, 2 minutes at 1000 rows/s.
func TestThroughputCountsDistinctRows(t *testing.T) {
	w := runHeldWorld(t, "crash-loop", "resend", 1, 2*sim.Minute, map[string]string{"rows-per-second": "1000"})
	if got := mustScalar(t, w, "throughput"); got > 1000 || got <= 0 {
		t.Fatalf("throughput %.1f rows/s from an offered 1000: want (0, 1000]", got)
	}
}
