package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestPrintLadderAlignsColumns: every row of the ladder's table, a run
// and a rung that died before reporting, has a value under each header.
func TestPrintLadderAlignsColumns(t *testing.T) {
	ok := rungResult{rung: ladder[0], stats: benchStats{SimSeconds: 600, WallSeconds: 2, Events: 1000, RSSHalfBytes: 1 << 20, RSSEndBytes: 2 << 20},
		peakRSS: 3 << 20, outBytes: 1e6}
	dead := rungResult{rung: ladder[1], peakRSS: 1 << 20, timedOut: true}
	var out bytes.Buffer
	printLadder(&out, []rungResult{ok, dead}, 100)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("want a header and two rows:\n%s", out.String())
	}
	fields := func(l string) int { // a header or value with spaces counts once
		for _, h := range []string{"peak RSS MiB", "RSS half MiB", "RSS end MiB", "real-time x", "cost/event (x kernel)", "wall s", "sim s", "out MB", "timed out"} {
			l = strings.ReplaceAll(l, h, "h")
		}
		return len(strings.Fields(l))
	}
	want := fields(lines[0])
	for _, l := range lines[1:] {
		if n := fields(l); n != want {
			t.Errorf("%d fields, want %d: %q", n, want, l)
		}
	}
	if !strings.Contains(lines[1], " 2 ") || !strings.Contains(lines[2], "timed") {
		t.Errorf("rows lost their values:\n%s", out.String())
	}
}
