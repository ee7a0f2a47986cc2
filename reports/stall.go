package reports

import (
	"github.com/redosim/redosim/results"
)

// progressSeries is the series a stall is read from: the changefeed
// checkpoint lag, now minus the checkpoint ts, unlabelled. A world that
// does not record it is never called stalled.
const progressSeries = "checkpoint_lag_seconds"

// Stall rule: from some time t0 to the end of the world the checkpoint
// (time minus lag) advanced by at most stallRate of the virtual time that
// passed, and that final window lasted at least stallMinSeconds and
// stallMinShare of the world.
const (
	stallRate       = 0.05
	stallMinSeconds = 30
	stallMinShare   = 0.1
	stallSlack      = 1.0 // seconds of checkpoint progress that do not count
)

// stallRule is the rule as the report states it.
const stallRule = "a world stopped progressing at t0 when, from t0 to its end, its changefeed checkpoint (time minus checkpoint_lag_seconds) " +
	"advanced by at most 5 % of the virtual time that passed, over at least the last 30 s and 10 % of the world; t0 is the first time the checkpoint came within 1 s of its final value " +
	"(or, for a checkpoint that still creeps, the earliest time from which the 5 % rule holds without a break)"

// stall is one world's stall, if any.
type stall struct {
	At     float64 // t0
	LagEnd float64 // checkpoint lag at the end
	End    float64 // the world's last sample time
}

// detectStall applies the stall rule to the world's progress series.
func detectStall(w *results.World) (stall, bool) {
	var pts []results.Point
	for _, s := range w.Series {
		if s.Metric == progressSeries && len(s.Labels) == 0 {
			pts = finitePoints(s.Points)
			break
		}
	}
	if len(pts) < 2 {
		return stall{}, false
	}
	last := pts[len(pts)-1]
	end, cEnd := last.T, last.T-last.V
	minWindow := max(stallMinSeconds, stallMinShare*end)
	found := false
	st := stall{LagEnd: last.V, End: end}
	// Going back from the end: the last minWindow must be stalled, and
	// t0 moves back as long as the rule still holds.
	for i := len(pts) - 2; i >= 0; i-- {
		p := pts[i]
		window := end - p.T
		if window < minWindow {
			continue
		}
		if cEnd-(p.T-p.V) > stallRate*window {
			break
		}
		st.At, found = p.T, true
	}
	if !found {
		return st, false
	}
	// The rate rule reaches back over a slow start; the stall began when
	// the checkpoint last moved by more than stallSlack, if that still
	// leaves a long enough window (a checkpoint that creeps keeps t0).
	for _, p := range pts {
		if p.T >= st.At && p.T-p.V >= cEnd-stallSlack {
			if end-p.T >= minWindow {
				st.At = p.T
			}
			break
		}
	}
	return st, found
}

// StallAt reports whether the world stopped progressing by the report's
// stall rule (see the verdict's method) and, if so, from when (seconds of
// virtual time). simrun prints it in its summary table.
func StallAt(w *results.World) (at float64, ok bool) {
	st, ok := detectStall(w)
	return st.At, ok
}
