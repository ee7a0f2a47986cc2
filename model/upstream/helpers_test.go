package upstream

import (
	"testing"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/sim"
)

// run builds an upstream on a fresh world seeded with seed, runs it for d of
// virtual time and returns both.
func run(t testing.TB, seed uint64, cfg Config, d sim.Duration) (*Upstream, *sim.World) {
	t.Helper()
	w := sim.NewWorld(sim.WorldConfig{Seed: seed})
	u, err := New(w, cfg)
	if err != nil {
		t.Fatal(err)
	}
	u.Start()
	if err := w.Loop.RunUntil(sim.Instant(d)); err != nil {
		t.Fatal(err)
	}
	return u, w
}

// applyLess is the apply order of History: commitTs, startTs, then op for
// rows (engine/reader.Less), then table and key.
func applyLess(a, b *codec.Record) bool {
	if a.CommitTs() != b.CommitTs() {
		return a.CommitTs() < b.CommitTs()
	}
	if a.Type != codec.TypeRow || b.Type != codec.TypeRow {
		return false
	}
	if a.Row.StartTs != b.Row.StartTs {
		return a.Row.StartTs < b.Row.StartTs
	}
	if a.Row.Op != b.Row.Op {
		return a.Row.Op < b.Row.Op
	}
	if a.Row.TableID != b.Row.TableID {
		return a.Row.TableID < b.Row.TableID
	}
	return string(a.Row.Key) < string(b.Row.Key)
}

// scanAll returns every event of table up to ts.
func scanAll(u *Upstream, table int64, after, upTo uint64) []Event {
	var out []Event
	u.Scan(table, after, upTo, func(ev Event) bool {
		out = append(out, ev)
		return true
	})
	return out
}

// ddlTables returns the tables a DDL touches (those whose Scan shows it).
func ddlTables(d *codec.DDL) []int64 {
	var ids []int64
	ids = append(ids, d.Added...)
	ids = append(ids, d.Blocked...)
	for _, id := range d.Dropped {
		dup := false
		for _, b := range d.Blocked {
			dup = dup || b == id
		}
		if !dup {
			ids = append(ids, id)
		}
	}
	return ids
}
