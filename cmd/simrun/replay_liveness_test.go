package main

import (
	"path/filepath"
	"testing"
)

// TestReplayJudgesLiveness: a repro file a swarm campaign wrote for a
// liveness failure replays as a liveness failure (exit 1), with plain
// -replay as with -swarm -replay, and a file written before TiCDC's
// constants and tick phases replays with the semantics of its day (the
// note says so). The two files are the 3 000-world campaign's liveness
// failures (issue 15): s529 is the small-quota livelock, known
// (swarm KnownIssues backlog-livelock-small-quota), and still fails; s346
// was the barrier's lost Pass, fixed, and now holds.
func TestReplayJudgesLiveness(t *testing.T) {
	for _, tc := range []struct {
		name string
		code int
		want string
	}{
		{"liveness-after-crash-s529.json", 1, "FAILED liveness"},
		{"liveness-after-crashes-s346.json", 0, "every property held"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join("testdata", "repro", tc.name)
			for _, args := range [][]string{{"-replay", path}, {"-swarm", "-replay", path}} {
				r := run1(t, tc.code, args...)
				r.outputHas(t, tc.want)
			}
			run1(t, tc.code, "-replay", path).stderrHas(t, "predates TiCDC's constants", "scaled-thresholds=true", "tick-phases=false")
		})
	}
}
