package osdriver

import (
	"testing"

	"github.com/pingcap/failpoint"
)

// TestFailpointOffAllocatesNothing: a point never enabled, and one
// enabled then disabled, cost the seam no allocation.
func TestFailpointOffAllocatesNothing(t *testing.T) {
	check := func(state string) {
		for _, p := range points {
			if n := testing.AllocsPerRun(100, func() {
				if err := p.inject("fdatasync", "x"); err != nil {
					t.Fatal(err)
				}
			}); n != 0 {
				t.Errorf("%s %s: %v allocations per call", state, p.name, n)
			}
		}
	}
	check("never enabled")
	for _, p := range points {
		if err := failpoint.Enable(p.name, "off"); err != nil {
			t.Fatal(err)
		}
		if err := failpoint.Disable(p.name); err != nil {
			t.Fatal(err)
		}
	}
	check("disabled")
}

// BenchmarkFailpointOff is what a point that is not enabled adds to each
// write and fdatasync: one lookup in failpoint's registry.
func BenchmarkFailpointOff(b *testing.B) {
	for b.Loop() {
		if err := pointFdatasync.inject("fdatasync", "x"); err != nil {
			b.Fatal(err)
		}
	}
}
