package core_test

import (
	"testing"

	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/sim/vtime"
)

// TestFlushPhases: the first row flush and the first meta flush come
// FlushPhase and MetaFlushPhase after the first Tick, then one interval
// apart; with no phase the first Tick flushes (today's default). Method: an
// engine with a 2 s flush and 200 ms meta interval, phases 700 ms and
// 50 ms, ticked at its deadlines; the row chains' start times are
// recorded.
func TestFlushPhases(t *testing.T) {
	for _, tc := range []struct {
		name              string
		flush, meta       vtime.Duration
		wantRow, wantMeta vtime.Instant
	}{
		{"no phase", 0, 0, 0, 0},
		{"phased", 700 * vtime.Millisecond, 50 * vtime.Millisecond, vtime.Instant(700 * vtime.Millisecond), vtime.Instant(50 * vtime.Millisecond)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := core.New(core.Config{CaptureID: "c", Changefeed: "cf", Backend: core.BackendFile,
				FlushRows: -1, FlushPhase: tc.flush, MetaFlushPhase: tc.meta})
			if err != nil {
				t.Fatal(err)
			}
			rowAt, metaAt := vtime.Instant(-1), vtime.Instant(-1)
			var rowFlushes []vtime.Instant
			now := vtime.Instant(0)
			for i := 0; i < 64 && now < vtime.Instant(5*vtime.Second); i++ {
				r := makeRow(uint64(100 + i))
				if _, err := e.AppendRow(now, &r); err != nil {
					t.Fatal(err)
				}
				e.UpdateMeta(uint64(10+i), uint64(10+i))
				e.Tick(now)
				for _, c := range e.Ready() {
					switch {
					case c.Stream == "row":
						rowFlushes = append(rowFlushes, now)
						if rowAt < 0 {
							rowAt = now
						}
					case c.Stream == "meta" && metaAt < 0:
						metaAt = now
					}
					if err := e.Advance(c.ID, nil); err != nil {
						t.Fatal(err)
					}
				}
				now = e.NextDeadline()
			}
			if rowAt != tc.wantRow || metaAt != tc.wantMeta {
				t.Fatalf("first row flush at %v, first meta flush at %v; want %v and %v", rowAt, metaAt, tc.wantRow, tc.wantMeta)
			}
			if len(rowFlushes) < 2 || rowFlushes[1]-rowFlushes[0] != vtime.Instant(2*vtime.Second) {
				t.Fatalf("row flushes at %v; want them 2s apart after the first", rowFlushes)
			}
		})
	}
}

// TestFlushPhaseBounds: a phase outside [0, interval] is a config error.
func TestFlushPhaseBounds(t *testing.T) {
	for _, cfg := range []core.Config{
		{CaptureID: "c", Changefeed: "cf", FlushPhase: 3 * vtime.Second},
		{CaptureID: "c", Changefeed: "cf", MetaFlushPhase: -1},
	} {
		if _, err := core.New(cfg); err == nil {
			t.Fatalf("config %+v: no error for a phase outside its interval", cfg)
		}
	}
}
