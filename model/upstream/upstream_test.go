package upstream

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/model/tso"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/dist"
)

// busyConfig is a small world with everything switched on: cross-table
// transactions, a small key space (so inserts run out of fresh keys and
// deletes empty tables), and frequent DDLs.
func busyConfig() Config {
	return Config{Tables: 6, RowsPerSecond: 800, CrossTableProb: 0.4, KeysPerTable: 50,
		UpdateShare: 0.3, DeleteShare: 0.3, DDLPerMinute: 40, ResolvedInterval: 200 * sim.Millisecond}
}

func TestDeterminism(t *testing.T) {
	a, wa := run(t, 7, busyConfig(), 20*sim.Second)
	b, wb := run(t, 7, busyConfig(), 20*sim.Second)
	c, wc := run(t, 8, busyConfig(), 20*sim.Second)
	if !reflect.DeepEqual(a.History(), b.History()) {
		t.Fatal("same seed, different History")
	}
	if wa.Trace.Hash() != wb.Trace.Hash() {
		t.Fatal("same seed, different trace hash")
	}
	if a.Stats().DDLs == 0 || len(a.groups) == 0 {
		t.Fatalf("busy config exercised too little: %+v, %d side groups", a.Stats(), len(a.groups))
	}
	for id := int64(0); id < a.nextTableID; id++ {
		ea, eb := scanAll(a, id, 0, math.MaxUint64), scanAll(b, id, 0, math.MaxUint64)
		if !reflect.DeepEqual(ea, eb) {
			t.Fatalf("same seed, different Scan of table %d", id)
		}
	}
	if reflect.DeepEqual(a.History(), c.History()) || wa.Trace.Hash() == wc.Trace.Hash() {
		t.Fatal("different seeds, same History or trace")
	}
}

func TestRatesAsConfigured(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"default", Config{}},
		{"big constant txns", Config{RowsPerSecond: 5000, TxnRows: dist.Const{V: 40}, KeysPerTable: 1 << 20}},
		{"ddl heavy", Config{Tables: 10, RowsPerSecond: 200, DDLPerMinute: 30}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const seconds = 60
			u, _ := run(t, 1, tc.cfg, seconds*sim.Second)
			cfg, st := u.Config(), u.Stats()
			want := cfg.RowsPerSecond * seconds
			if got := float64(st.Rows + st.RowsSkipped); math.Abs(got-want) > 0.05*want {
				t.Errorf("rows %v in %ds, want %v ± 5%%", got, seconds, want)
			}
			wantDDL := cfg.DDLPerMinute * seconds / 60
			if got := float64(st.DDLs); math.Abs(got-wantDDL) > 4*math.Sqrt(wantDDL)+2 {
				t.Errorf("ddls %v in %ds, want %v (Poisson)", got, seconds, wantDDL)
			}
			meanTxn := float64(st.Rows+st.RowsSkipped) / float64(st.Txns)
			if m := cfg.TxnRows.Mean(); math.Abs(meanTxn-m) > 0.15*m {
				t.Errorf("mean txn rows %.2f, want about %.2f", meanTxn, m)
			}
		})
	}
}

func TestRowSizes(t *testing.T) {
	u, _ := run(t, 3, Config{Tables: 4, RowBytes: dist.Const{V: 512}}, 5*sim.Second)
	hist := u.History()
	for i := range hist {
		rec := &hist[i]
		if rec.Type != codec.TypeRow {
			continue
		}
		got := codec.RecordFrameSize(rec)
		if rec.Row.Op == codec.OpDelete {
			if got > 64 {
				t.Fatalf("delete frame %d bytes, want the smallest", got)
			}
			continue
		}
		if got != 512 {
			t.Fatalf("row %d frame %d bytes, want 512", i, got)
		}
	}
	// The default: about 300 B on average over inserts and updates.
	u, _ = run(t, 3, Config{}, 10*sim.Second)
	var sum, n float64
	hist = u.History()
	for i := range hist {
		if rec := &hist[i]; rec.Type == codec.TypeRow && rec.Row.Op != codec.OpDelete {
			sum += float64(codec.RecordFrameSize(rec))
			n++
		}
	}
	if mean := sum / n; mean < 290 || mean > 320 {
		t.Errorf("mean row frame %.1f bytes, want about 300", mean)
	}
}

func TestSkew(t *testing.T) {
	count := func(cfg Config) map[int64]int {
		cfg.DDLPerMinute = -1
		u, _ := run(t, 5, cfg, 60*sim.Second)
		c := map[int64]int{}
		for _, rec := range u.History() {
			c[rec.Row.TableID]++
		}
		return c
	}
	zipf := count(Config{Tables: 64})
	for id := int64(2); id <= 64; id++ {
		if zipf[id] >= zipf[1] {
			t.Errorf("zipf: table %d has %d rows, table 1 only %d", id, zipf[id], zipf[1])
		}
	}
	if share := float64(zipf[1]) / 60000; share < 0.10 || share > 0.16 {
		t.Errorf("zipf 0.8: table 1 share %.3f, want about 0.13", share)
	}
	uniform := count(Config{Tables: 64, Skew: -1})
	if share := float64(uniform[1]) / 60000; share > 0.025 {
		t.Errorf("uniform: table 1 share %.3f, want about 1/64", share)
	}
	hot := count(Config{Tables: 64, HotTables: []int64{30}})
	if share := float64(hot[30]) / 60000; share < 0.45 || share > 0.6 {
		t.Errorf("hot table 30 share %.3f, want about 0.5", share)
	}
}

func TestScanBoundaries(t *testing.T) {
	u, _ := run(t, 11, busyConfig(), 20*sim.Second)
	for id := int64(0); id < u.nextTableID; id++ {
		all := scanAll(u, id, 0, math.MaxUint64)
		checkScanMatchesHistory(t, u, id, all)
		for i := 1; i < len(all); i += max(1, len(all)/7) {
			ts := all[i].CommitTs
			if got := scanAll(u, id, ts, math.MaxUint64); len(got) != len(all)-i-1 {
				t.Fatalf("table %d: Scan after %d gave %d events, want %d (exclusive)", id, ts, len(got), len(all)-i-1)
			}
			if got := scanAll(u, id, 0, ts); len(got) != i+1 {
				t.Fatalf("table %d: Scan up to %d gave %d events, want %d (inclusive)", id, ts, len(got), i+1)
			}
			if !u.HasData(id, ts-1, ts) || u.HasData(id, ts, ts) {
				t.Fatalf("table %d: HasData around %d wrong", id, ts)
			}
			if got := scanAll(u, id, ts-1, ts); len(got) != 1 || got[0].CommitTs != ts {
				t.Fatalf("table %d: Scan (%d, %d] = %d events", id, ts-1, ts, len(got))
			}
		}
	}
	n := 0
	u.Scan(1, 0, math.MaxUint64, func(Event) bool { n++; return n < 3 })
	if n != 3 {
		t.Errorf("Scan did not stop when fn returned false: %d calls", n)
	}
	if u.HasData(999999, 0, math.MaxUint64) || len(scanAll(u, 999999, 0, math.MaxUint64)) != 0 {
		t.Error("unknown table has data")
	}
}

// checkScanMatchesHistory checks that table id's events are exactly its
// rows and DDLs in History, in order, grouped by transaction.
func checkScanMatchesHistory(t *testing.T, u *Upstream, id int64, evs []Event) {
	t.Helper()
	var want []codec.Record
	for _, rec := range u.History() {
		if rec.Type == codec.TypeRow && rec.Row.TableID == id && id != TableTrigger ||
			rec.Type == codec.TypeDDL && (id == TableTrigger || slices.Contains(ddlTables(&rec.DDL), id)) {
			want = append(want, rec)
		}
	}
	var got []codec.Record
	for i, ev := range evs {
		if i > 0 && ev.CommitTs <= evs[i-1].CommitTs {
			t.Fatalf("table %d: events out of order at %d", id, i)
		}
		var bytes int64
		if ev.IsDDL() {
			got = append(got, codec.Record{Type: codec.TypeDDL, DDL: *ev.DDL})
			bytes = int64(codec.RecordFrameSize(&got[len(got)-1]))
		}
		for j := range ev.Rows {
			r := &ev.Rows[j]
			if r.CommitTs != ev.CommitTs || r.StartTs != ev.StartTs || r.TableID != id {
				t.Fatalf("table %d: event %d holds a foreign row %+v", id, i, *r)
			}
			got = append(got, codec.Record{Type: codec.TypeRow, Row: *r})
			bytes += int64(codec.RecordFrameSize(&got[len(got)-1]))
		}
		if bytes != ev.Bytes {
			t.Fatalf("table %d: event %d Bytes %d, rows sum to %d", id, i, ev.Bytes, bytes)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("table %d: Scan yields %d records, History has %d for it", id, len(got), len(want))
	}
}

func TestHistorySortedAndPrefix(t *testing.T) {
	u, _ := run(t, 13, busyConfig(), 20*sim.Second)
	h := u.History()
	for i := 1; i < len(h); i++ {
		if !applyLess(&h[i-1], &h[i]) {
			t.Fatalf("history not in apply order at %d: %+v then %+v", i, h[i-1], h[i])
		}
		if h[i].Type == codec.TypeDDL && h[i-1].CommitTs() == h[i].CommitTs() ||
			h[i-1].Type == codec.TypeDDL && h[i-1].CommitTs() == h[i].CommitTs() {
			t.Fatalf("ddl shares commitTs %d with another change", h[i].CommitTs())
		}
	}
	for _, i := range []int{0, 1, len(h) / 3, len(h) / 2, len(h) - 1} {
		ts := h[i].CommitTs()
		p := u.HistoryUpTo(ts)
		if len(p) == 0 || p[len(p)-1].CommitTs() != ts || (len(p) < len(h) && h[len(p)].CommitTs() <= ts) {
			t.Fatalf("HistoryUpTo(%d) = %d records, not the prefix up to it", ts, len(p))
		}
		if len(u.HistoryUpTo(ts-1)) >= len(p) && ts > h[0].CommitTs() {
			t.Fatalf("HistoryUpTo(%d) not shorter than HistoryUpTo(%d)", ts-1, ts)
		}
	}
	if len(u.HistoryUpTo(0)) != 0 || len(u.HistoryUpTo(math.MaxUint64)) != len(h) {
		t.Error("HistoryUpTo ends wrong")
	}
	if p := u.HistoryUpTo(u.ResolvedTs()); len(p) == 0 || p[len(p)-1].CommitTs() > u.ResolvedTs() {
		t.Error("HistoryUpTo(resolved) wrong")
	}
}

// TestKeyAndTableLifecycle replays History and checks every change fits
// the state before it: updates and deletes hit live keys, inserts keys that
// are not live, no transaction touches a key twice, rows only go to live
// tables, a create takes a new id, truncate empties, add-column widens.
func TestKeyAndTableLifecycle(t *testing.T) {
	cfg := busyConfig()
	u, _ := run(t, 17, cfg, 30*sim.Second)
	live := map[int64]map[string]bool{}
	cols := map[int64]int{}
	seen := map[int64]bool{}
	for id := int64(1); id <= int64(cfg.Tables); id++ {
		live[id], seen[id], cols[id] = map[string]bool{}, true, 2
	}
	kinds := map[codec.DDLKind]int{}
	var txnTs uint64
	var txnKeys map[string]bool
	h := u.History()
	for i := range h {
		if h[i].Type == codec.TypeDDL {
			checkDDLStep(t, &h[i].DDL, live, seen, cols)
			kinds[h[i].DDL.Kind]++
			continue
		}
		r := &h[i].Row
		keys, ok := live[r.TableID]
		if !ok {
			t.Fatalf("row of table %d, which is not live", r.TableID)
		}
		k := string(r.Key)
		switch r.Op {
		case codec.OpInsert:
			if keys[k] {
				t.Fatalf("insert of live key %x in table %d", r.Key, r.TableID)
			}
			keys[k] = true
		case codec.OpUpdate:
			if !keys[k] {
				t.Fatalf("update of missing key %x in table %d", r.Key, r.TableID)
			}
		case codec.OpDelete:
			if !keys[k] {
				t.Fatalf("delete of missing key %x in table %d", r.Key, r.TableID)
			}
			delete(keys, k)
		}
		if r.Op != codec.OpDelete && len(r.Columns) != cols[r.TableID] {
			t.Fatalf("row of table %d has %d columns, want %d", r.TableID, len(r.Columns), cols[r.TableID])
		}
		if r.CommitTs != txnTs {
			txnTs, txnKeys = r.CommitTs, map[string]bool{}
		}
		if tk := fmt.Sprint(r.TableID, "/", k); txnKeys[tk] {
			t.Fatalf("transaction %d touches key %x of table %d twice", r.CommitTs, r.Key, r.TableID)
		} else {
			txnKeys[tk] = true
		}
	}
	for k := codec.DDLCreate; k <= codec.DDLAddColumn; k++ {
		if kinds[k] == 0 {
			t.Errorf("no %s DDL in %d DDLs", k, u.Stats().DDLs)
		}
	}
	var want []int64
	for id, keys := range live {
		if keys != nil {
			want = append(want, id)
		}
	}
	slices.Sort(want)
	if !slices.Equal(u.Tables(), want) {
		t.Errorf("Tables() = %v, replay says %v", u.Tables(), want)
	}
}

func checkDDLStep(t *testing.T, d *codec.DDL, live map[int64]map[string]bool, seen map[int64]bool, cols map[int64]int) {
	t.Helper()
	switch d.Kind {
	case codec.DDLCreate:
		id := d.Added[0]
		if seen[id] {
			t.Fatalf("create reuses table id %d", id)
		}
		seen[id], live[id], cols[id] = true, map[string]bool{}, 2
	case codec.DDLDrop:
		if live[d.Dropped[0]] == nil || !slices.Equal(d.Blocked, d.Dropped) {
			t.Fatalf("bad drop %+v", d)
		}
		delete(live, d.Dropped[0])
	case codec.DDLTruncate:
		if live[d.Blocked[0]] == nil {
			t.Fatalf("truncate of table %d, which is not live", d.Blocked[0])
		}
		live[d.Blocked[0]] = map[string]bool{}
	case codec.DDLAddColumn:
		if live[d.Blocked[0]] == nil {
			t.Fatalf("add-column on table %d, which is not live", d.Blocked[0])
		}
		cols[d.Blocked[0]]++
	}
}

func TestDDLEffects(t *testing.T) {
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	u, err := New(w, Config{Tables: 3, DDLPerMinute: -1, RowsPerSecond: 3000, KeysPerTable: 100})
	if err != nil {
		t.Fatal(err)
	}
	var ddls []DDLEvent
	u.OnDDL(func(ev DDLEvent) { ddls = append(ddls, ev) })
	u.Start()
	step := func(kind codec.DDLKind, id int64) uint64 {
		if err := w.Loop.RunUntil(w.Now().Add(sim.Second)); err != nil {
			t.Fatal(err)
		}
		u.commitDDL(kind, id)
		return ddls[len(ddls)-1].CommitTs
	}
	truncTs := step(codec.DDLTruncate, 1)
	dropTs := step(codec.DDLDrop, 2)
	newID := u.nextTableID
	u.nextTableID++
	createTs := step(codec.DDLCreate, newID)
	step(codec.DDLAddColumn, 3)
	if err := w.Loop.RunUntil(w.Now().Add(sim.Second)); err != nil {
		t.Fatal(err)
	}
	if got := u.Tables(); !slices.Equal(got, []int64{1, 3, 4}) {
		t.Errorf("Tables() = %v, want [1 3 4]", got)
	}
	if u.HasData(2, dropTs, math.MaxUint64) {
		t.Error("dropped table 2 got data after its drop")
	}
	if !u.HasData(4, createTs, math.MaxUint64) {
		t.Error("created table 4 got no rows")
	}
	// After the truncate, table 1 starts empty: its first changes insert.
	first := scanAll(u, 1, truncTs, math.MaxUint64)[0]
	for _, r := range first.Rows {
		if r.Op != codec.OpInsert {
			t.Errorf("first change after truncate is a %s", r.Op)
		}
	}
	trig := scanAll(u, TableTrigger, 0, math.MaxUint64)
	if len(trig) != 4 || !trig[0].IsDDL() || trig[2].DDL.Kind != codec.DDLCreate {
		t.Errorf("table trigger saw %d events, want the 4 DDLs", len(trig))
	}
	if !strings.Contains(ddls[1].Query, "drop table t2") {
		t.Errorf("drop query %q", ddls[1].Query)
	}
}

func TestStop(t *testing.T) {
	u, w := run(t, 1, Config{}, sim.Second)
	u.Stop()
	u.Stop()
	before, res := u.Stats(), u.ResolvedTs()
	if err := w.Loop.RunUntil(w.Now().Add(10 * sim.Second)); err != nil {
		t.Fatal(err)
	}
	if u.Stats() != before || u.ResolvedTs() != res || w.Loop.Pending() != 0 {
		t.Errorf("upstream moved after Stop: %+v, %d pending", u.Stats(), w.Loop.Pending())
	}
	u.Start()
	if err := w.Loop.RunUntil(w.Now().Add(sim.Second)); err != nil {
		t.Fatal(err)
	}
	if u.Stats().Rows == before.Rows || u.ResolvedTs() == res {
		t.Error("upstream did not resume after Start")
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	w := sim.NewWorld(sim.WorldConfig{})
	for _, tc := range []struct {
		field string
		cfg   Config
	}{
		{"Tables", Config{Tables: -1}},
		{"KeysPerTable", Config{KeysPerTable: -5}},
		{"TxnRowsMax", Config{TxnRowsMax: TxnRowsMaxMax + 1}},
		{"RowBytesMax", Config{RowBytesMax: -1}},
		{"RowsPerSecond", Config{RowsPerSecond: -1}},
		{"RowsPerSecond", Config{RowsPerSecond: math.Inf(1)}},
		{"Skew", Config{Skew: math.NaN()}},
		{"HotShare", Config{HotShare: 1.5}},
		{"CrossTableProb", Config{CrossTableProb: 2}},
		{"UpdateShare + DeleteShare", Config{UpdateShare: 0.7, DeleteShare: 0.5}},
		{"HotTables[1]", Config{Tables: 4, HotTables: []int64{2, 5}}},
		{"HotTables[1]", Config{Tables: 4, HotTables: []int64{2, 2}}},
		{"ResolvedInterval", Config{ResolvedInterval: sim.Microsecond}},
		{"StartPhysicalMs", Config{StartPhysicalMs: -1}},
	} {
		_, err := New(w, tc.cfg)
		if !errors.Is(err, ErrBadConfig) || !strings.Contains(err.Error(), tc.field) {
			t.Errorf("New(%+v) = %v, want ErrBadConfig naming %s", tc.cfg, err, tc.field)
		}
	}
	u, err := New(w, Config{})
	if err != nil {
		t.Fatal(err)
	}
	c := u.Config()
	if c.Tables != 64 || c.RowsPerSecond != 1000 || c.Skew != 0.8 || c.KeysPerTable != 10000 ||
		c.DDLPerMinute != 0.2 || c.ResolvedInterval != sim.Second || c.StartPhysicalMs != tso.DefaultStartPhysicalMs ||
		c.HotShare != 0 || c.CrossTableProb != 0.1 {
		t.Errorf("defaults not filled: %+v", c)
	}
	if u.ResolvedTs() != tso.Compose(tso.DefaultStartPhysicalMs, 0) {
		t.Errorf("initial resolved ts %d", u.ResolvedTs())
	}
}

func TestCallbacksAndTxn(t *testing.T) {
	w := sim.NewWorld(sim.WorldConfig{Seed: 2})
	u, err := New(w, Config{Tables: 5, CrossTableProb: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	var commits, rows int
	u.OnTxn(func(txn *Txn) {
		rows += len(txn.Rows)
		for i := 1; i < len(txn.Rows); i++ {
			a, b := &txn.Rows[i-1], &txn.Rows[i]
			if a.TableID > b.TableID || a.TableID == b.TableID && string(a.Key) >= string(b.Key) {
				t.Fatalf("txn rows not sorted by table then key")
			}
		}
		if !slices.IsSorted(txn.Tables) || len(txn.Tables) == 0 || len(txn.Tables) > 3 {
			t.Fatalf("txn tables %v", txn.Tables)
		}
	})
	u.OnCommit(func(table int64, commitTs uint64) {
		commits++
		if !u.HasData(table, commitTs-1, commitTs) {
			t.Fatalf("OnCommit(%d, %d) before the data is scannable", table, commitTs)
		}
	})
	u.Start()
	if err := w.Loop.RunUntil(sim.Instant(5 * sim.Second)); err != nil {
		t.Fatal(err)
	}
	if int64(rows) != u.Stats().Rows || commits < int(u.Stats().Txns) {
		t.Errorf("callbacks saw %d rows / %d commits, stats %+v", rows, commits, u.Stats())
	}
}
