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
// failures; both still fail, so they are known, not fixed (issue 15).
func TestReplayJudgesLiveness(t *testing.T) {
	for _, name := range []string{"liveness-after-crash-s529.json", "liveness-after-crashes-s346.json"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", "repro", name)
			for _, args := range [][]string{{"-replay", path}, {"-swarm", "-replay", path}} {
				r := run1(t, 1, args...)
				r.stderrHas(t, "FAILED liveness")
			}
			run1(t, 1, "-replay", path).stderrHas(t, "predates TiCDC's constants", "scaled-thresholds=true", "tick-phases=false")
		})
	}
}
