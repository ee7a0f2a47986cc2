package scenarios

import (
	"testing"

	"github.com/redosim/redosim/sim"
)

// TestRedoFlushRowTrigger runs redo-flush briefly at a fast PUT. With the
// 1024-row trigger each capture (1500 rows/s) uploads an object about
// every 1024 rows instead of one per 2 s flush interval (about 3000 rows):
// more objects, each smaller.
func TestRedoFlushRowTrigger(t *testing.T) {
	spec := func(variant string) Spec { return Spec{Variant: variant, Seed: 5, Duration: 40 * sim.Second} }
	on := runHeld(t, spec("on-20ms"), "redo-flush")
	off := runHeld(t, spec("off-20ms"), "redo-flush")
	objOn, objOff := scalar(t, on, "row_objects_per_second"), scalar(t, off, "row_objects_per_second")
	if !(objOn > 2*objOff) {
		t.Errorf("row objects per second: trigger on %.2f, off %.2f: want on more than twice off", objOn, objOff)
	}
	sizeOn, sizeOff := sampleMedian(t, on, "row_object_bytes"), sampleMedian(t, off, "row_object_bytes")
	if !(sizeOn < sizeOff/2) {
		t.Errorf("median row object: trigger on %.0f B, off %.0f B: want on less than half", sizeOn, sizeOff)
	}
	t.Logf("objects/s on %.2f off %.2f; median object on %.0f B off %.0f B", objOn, objOff, sizeOn, sizeOff)
}

// TestRedoFlushSlowFirstMeta is the regression test of the ordering
// checker's start: with a 1 s PUT the first redo meta is durable only
// after the first checks ran, which must read the changefeed's start ts
// as the durable redo resolved ts, not 0 (this seed used to fail at 0.1 s).
func TestRedoFlushSlowFirstMeta(t *testing.T) {
	runHeld(t, Spec{Variant: "on-1s", Seed: 1, Duration: 5 * sim.Second}, "redo-flush")
}
