package upstream

import (
	"reflect"
	"strings"
	"testing"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/sim"
)

// scanAll collects what Scan yields for every table and the trigger.
func scanEvery(u *Upstream, after uint64) map[int64][]Event {
	out := map[int64][]Event{}
	for _, t := range u.all {
		u.Scan(t.id, after, u.ResolvedTs(), func(ev Event) bool {
			out[t.id] = append(out[t.id], ev)
			return true
		})
	}
	return out
}

// TestTrimKeepsWhatCanBeRead: after Trim(floor), every scan from the floor
// and the history from the first change above it are what they were, the
// memory below it is gone (whole chunks), and a scan below the floor is a
// broken contract that panics with the rule.
func TestTrimKeepsWhatCanBeRead(t *testing.T) {
	cfg := busyConfig()
	cfg.RowsPerSecond, cfg.KeysPerTable = 20000, 5000
	u, _ := run(t, 3, cfg, 10*sim.Second)
	hist := u.History()
	floor := hist[len(hist)*2/3].CommitTs()
	wantScans := scanEvery(u, floor)
	wantTail := u.HistoryUpTo(^uint64(0))[u.PosAfter(floor):]
	chunks := len(u.hist.chunks)

	u.Trim(floor)
	if got := scanEvery(u, floor); !reflect.DeepEqual(got, wantScans) {
		t.Fatal("scans from the floor changed after Trim")
	}
	var tail []codec.Record
	u.HistoryFrom(u.PosAfter(floor), ^uint64(0), func(row *codec.Row, ddl *codec.DDL) {
		if ddl != nil {
			tail = append(tail, codec.Record{Type: codec.TypeDDL, DDL: *ddl})
		} else {
			tail = append(tail, codec.Record{Type: codec.TypeRow, Row: *row})
		}
	})
	if !reflect.DeepEqual(tail, wantTail) {
		t.Fatal("history above the floor changed after Trim")
	}
	if len(u.hist.chunks) >= chunks-1 || u.hist.start() == 0 {
		t.Errorf("Trim kept %d of %d history chunks (start %d)", len(u.hist.chunks), chunks, u.hist.start())
	}
	if u.hist.start() > u.PosAfter(floor) {
		t.Errorf("Trim dropped position %d, above the floor's first change %d", u.hist.start(), u.PosAfter(floor))
	}
	for _, tb := range u.all {
		if len(tb.events) > 0 && tb.events[0].commitTs <= floor {
			t.Fatalf("table %d keeps index entries at or below the floor", tb.id)
		}
	}
	for _, d := range u.ddls {
		if d.pos < u.hist.start() {
			t.Fatalf("a DDL at position %d is kept below the history's start %d", d.pos, u.hist.start())
		}
	}
	u.Trim(floor - 1) // a lower floor does nothing
	if u.FloorTs() != floor {
		t.Errorf("floor went back to %d", u.FloorTs())
	}
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(string), "below the trimmed floor") {
			t.Fatalf("a scan below the floor: recovered %v, want the floor's panic", r)
		}
	}()
	u.Scan(1, floor-1, u.ResolvedTs(), func(Event) bool { return true })
}

// TestRowsThroughCountsEachRowOnce: RowsThrough(ts) is the number of row
// changes (not DDLs) in the history at or below ts, before and after Trim
// drops the history below a floor under ts.
func TestRowsThroughCountsEachRowOnce(t *testing.T) {
	cfg := busyConfig()
	cfg.RowsPerSecond, cfg.KeysPerTable = 20000, 5000
	u, _ := run(t, 5, cfg, 10*sim.Second)
	hist := u.History()
	count := func(ts uint64) (rows, ddls int) {
		for _, r := range hist {
			if r.CommitTs() > ts {
				break
			}
			if r.Type == codec.TypeDDL {
				ddls++
			} else {
				rows++
			}
		}
		return rows, ddls
	}
	at := hist[len(hist)*5/6].CommitTs()
	want, ddls := count(at)
	if ddls == 0 {
		t.Fatal("no DDL below the probe: the test would not see DDLs miscounted as rows")
	}
	if got := u.RowsThrough(at); got != want {
		t.Fatalf("RowsThrough before Trim = %d, want %d", got, want)
	}
	u.Trim(hist[len(hist)/2].CommitTs())
	if got := u.RowsThrough(at); got != want {
		t.Fatalf("RowsThrough after Trim = %d, want %d", got, want)
	}
}
