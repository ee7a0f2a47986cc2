package sim

import (
	"strings"
	"testing"

	"github.com/redosim/redosim/internal/invariants"
)

// TestVirtualTimeNeverGoesBack plants the kernel bug the loop's two
// assertions guard: an event in the heap, or one being scheduled, before
// the loop's clock. At and After clamp the past to now, so only a bug in
// the kernel itself can get there.
func TestVirtualTimeNeverGoesBack(t *testing.T) {
	if !invariants.Enabled {
		t.Skip("assertions compiled out: run with -tags invariants (make test does)")
	}
	const rule = "virtual time never goes back"
	l := NewLoop(0)
	l.At(10, func() {})
	l.now = 20 // as if the clock had run past a queued event
	if v := invariants.Catch(func() { l.Step() }); v == nil || !strings.Contains(v.Msg, rule) {
		t.Fatalf("Step past a queued event: %v; want %q", v, rule)
	}
	if v := invariants.Catch(func() { l.schedule(5, 0, func() {}) }); v == nil || !strings.Contains(v.Msg, rule) {
		t.Fatalf("schedule in the past: %v; want %q", v, rule)
	}
}
