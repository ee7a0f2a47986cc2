package fifo

import (
	"math/rand/v2"
	"testing"
)

// TestQueueMatchesASlice: any sequence of pushes and pops gives the items
// a plain slice queue gives, in order, and a queue pushed and popped
// forever stays within a bounded backing array.
func TestQueueMatchesASlice(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var q Queue[int]
	var ref []int
	maxCap := 0
	for i := range 100000 {
		if rng.IntN(2) == 0 || len(ref) == 0 {
			q.Push(i)
			ref = append(ref, i)
		} else {
			if got := *q.Front(); got != ref[0] {
				t.Fatalf("step %d: front %d, want %d", i, got, ref[0])
			}
			q.Pop()
			ref = ref[1:]
		}
		if q.Len() != len(ref) {
			t.Fatalf("step %d: len %d, want %d", i, q.Len(), len(ref))
		}
		if len(ref) > 0 && (*q.Back() != ref[len(ref)-1] || *q.At(len(ref) / 2) != ref[len(ref)/2]) {
			t.Fatalf("step %d: back/at disagree with the slice", i)
		}
		if len(ref) < 50 {
			maxCap = max(maxCap, cap(q.items))
		}
	}
	if maxCap > 4096 {
		t.Errorf("a queue of under 50 items grew a backing array of %d: popped slots are not reclaimed", maxCap)
	}
	q.Clear()
	if q.Len() != 0 || q.Back() != nil {
		t.Error("Clear left items")
	}
}
