package osdriver

import (
	"errors"
	"syscall"
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

// TestFailpointDecode: what each return value injects; a value enabled
// behind ParseFailpoints' back (failpoint.Enable, GO_FAILPOINTS in another
// program) that the point does not take fails the call with
// ErrBadFailpoint rather than passing silently.
func TestFailpointDecode(t *testing.T) {
	cases := []struct {
		p     *point
		v     failpoint.Value
		ok    bool
		errno syscall.Errno
		short bool
		bad   bool
	}{
		{pointFdatasync, struct{}{}, true, syscall.EIO, false, false},
		{pointFdatasync, true, true, syscall.EIO, false, false},
		{pointFdatasync, false, false, 0, false, false},
		{pointFdatasync, "EROFS", true, syscall.EROFS, false, false},
		{pointPreallocate, true, true, syscall.ENOSPC, false, false},
		{pointWrite, "short", true, syscall.ENOSPC, true, false},
		{pointFdatasync, "short", false, 0, false, true},
		{pointWrite, 5, false, 0, false, true},
		{pointWrite, "EAGAIN", false, 0, false, true},
	}
	for _, c := range cases {
		f, ok, err := c.p.decode(c.v)
		if c.bad != errors.Is(err, ErrBadFailpoint) || ok != c.ok || (ok && (f.errno != c.errno || f.short != c.short)) {
			t.Errorf("%s return(%#v): fault %+v ok %v err %v", c.p.name, c.v, f, ok, err)
		}
	}
}
