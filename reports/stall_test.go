package reports

import (
	"testing"

	"github.com/redosim/redosim/results"
)

func lagWorld(lag func(t float64) float64, end int) *results.World {
	s := results.Series{Metric: progressSeries, Unit: "s"}
	for t := 1; t <= end; t++ {
		s.Points = append(s.Points, results.Point{T: float64(t), V: lag(float64(t))})
	}
	return &results.World{Series: []results.Series{s}}
}

func TestDetectStall(t *testing.T) {
	// Progresses (lag about 2 s) until 60 s, then the checkpoint stands still.
	stalled := lagWorld(func(t float64) float64 {
		if t <= 60 {
			return 2
		}
		return t - 58
	}, 600)
	st, ok := detectStall(stalled)
	if !ok || st.At < 59 || st.At > 62 || st.LagEnd != 542 {
		t.Errorf("stalled world: %+v %v, want a stall at about 60 s", st, ok)
	}
	healthy := lagWorld(func(t float64) float64 { return 2 + float64(int(t)%60)/6 }, 600)
	if st, ok := detectStall(healthy); ok {
		t.Errorf("healthy world called stalled at %v", st.At)
	}
	// Stuck from 60 s but recovered in the last 30 s: not stalled at the end.
	recovered := lagWorld(func(t float64) float64 {
		switch {
		case t <= 60:
			return 2
		case t <= 570:
			return t - 58
		}
		return 2
	}, 600)
	if st, ok := detectStall(recovered); ok {
		t.Errorf("recovered world called stalled at %v", st.At)
	}
	// A short stall at the very end (shorter than 30 s) is not one.
	late := lagWorld(func(t float64) float64 {
		if t <= 580 {
			return 2
		}
		return t - 578
	}, 600)
	if _, ok := detectStall(late); ok {
		t.Errorf("20 s stall at the end called a stall")
	}
	if _, ok := detectStall(&results.World{}); ok {
		t.Errorf("world without the series called stalled")
	}
}
