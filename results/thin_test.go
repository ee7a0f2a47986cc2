package results

import (
	"reflect"
	"testing"
)

// TestThinned: one point per step, the first at or after each multiple;
// of points at one time the last; the last point always; the input left
// as it was.
func TestThinned(t *testing.T) {
	pts := []Point{{0, 1}, {1, 2}, {9.5, 3}, {10, 4}, {10, 5}, {12, 6}, {21, 7}, {23, 8}}
	s := Series{Metric: "m", Points: append([]Point(nil), pts...)}
	got := s.Thinned(10).Points
	want := []Point{{0, 1}, {10, 5}, {21, 7}, {23, 8}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Thinned(10) = %v, want %v", got, want)
	}
	if !reflect.DeepEqual(s.Points, pts) {
		t.Fatalf("Thinned changed its input: %v", s.Points)
	}
}
