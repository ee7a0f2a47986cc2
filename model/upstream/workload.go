package upstream

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/sim"
)

// Row shape: every non-delete row has a value column, a padding column and
// one small column per add-column DDL of its table, up to
// addedColumnsMax.
const (
	keyBytes         = 8 // big-endian table-local integer
	valueBytes       = 8 // a random uint64 from the values stream
	addedColumnBytes = 4 // an added column holds a 4-byte zero default
	addedColumnsMax  = 64
	// gapMax bounds one arrival gap, so that a tiny rate cannot overflow
	// virtual time.
	gapMax = 100 * 365 * 24 * sim.Hour
)

// txnScratch holds the buffers runTxn reuses from one transaction to the
// next, so that a transaction allocates nothing but its rows' bytes.
type txnScratch struct {
	txn    Txn
	tables []*table
	counts []int
}

// scheduleTxn draws the next transaction's size n and schedules its arrival
// an exponential gap of mean n/RowsPerSecond from now, so the row rate is
// RowsPerSecond whatever the size distribution.
func (u *Upstream) scheduleTxn() {
	n := u.drawTxnRows()
	u.nextTxnRows = n
	gapNs := u.rArrival.ExpFloat64() * float64(n) / u.cfg.RowsPerSecond * float64(sim.Second)
	gap := gapMax
	if gapNs < float64(gapMax) {
		gap = sim.Duration(gapNs)
	}
	u.arrivalTimer = u.w.Loop.After(gap, u.arriveFn)
}

// arrive runs the transaction drawn by scheduleTxn and schedules the next.
func (u *Upstream) arrive() {
	u.runTxn(u.nextTxnRows)
	u.scheduleTxn()
}

// drawTxnRows draws a transaction's row count: TxnRows rounded, clamped to
// [1, TxnRowsMax].
func (u *Upstream) drawTxnRows() int {
	x := math.Round(u.cfg.TxnRows.Sample(u.rTxn))
	switch {
	case !(x >= 1): // also NaN
		return 1
	case x > float64(u.cfg.TxnRowsMax):
		return u.cfg.TxnRowsMax
	}
	return int(x)
}

// runTxn builds a transaction of n rows on one to three tables and commits
// it. Rows it cannot make (no key fits) are skipped; a transaction left
// with no row does not commit.
func (u *Upstream) runTxn(n int) {
	s := &u.scratch
	u.pickTxnTables(n)
	s.txn.Rows, s.txn.Tables = s.txn.Rows[:0], s.txn.Tables[:0]
	for i, t := range s.tables {
		start := len(s.txn.Rows)
		for j := 0; j < s.counts[i]; j++ {
			u.genRow(t)
		}
		t.keys.finish()
		rows := s.txn.Rows[start:]
		if len(rows) == 0 {
			continue
		}
		slices.SortFunc(rows, func(a, b codec.Row) int { return bytes.Compare(a.Key, b.Key) })
		s.txn.Tables = append(s.txn.Tables, t.id)
	}
	if len(s.txn.Rows) > 0 {
		u.commitTxn(&s.txn)
	}
}

// pickTxnTables fills the scratch tables (sorted by id, distinct) and how
// many rows each gets (at least one). With CrossTableProb a transaction
// spans 2 or 3 tables, fewer when n or the live tables are fewer.
func (u *Upstream) pickTxnTables(n int) {
	s := &u.scratch
	k := 1
	if u.cfg.CrossTableProb > 0 && u.rTxn.Float64() < u.cfg.CrossTableProb {
		k = 2 + u.rTxn.IntN(2)
	}
	k = min(k, n, len(u.live))
	s.tables = s.tables[:0]
	for attempt := 0; len(s.tables) < k && attempt < 8*k; attempt++ {
		if t := u.tables[u.pickTable()]; !slices.Contains(s.tables, t) {
			s.tables = append(s.tables, t)
		}
	}
	slices.SortFunc(s.tables, func(a, b *table) int { return compareInt64(a.id, b.id) })
	s.counts = s.counts[:0]
	for range s.tables {
		s.counts = append(s.counts, 1)
	}
	if len(s.tables) == 1 {
		s.counts[0] = n
		return
	}
	for r := len(s.tables); r < n; r++ {
		s.counts[u.rTxn.IntN(len(s.tables))]++
	}
}

// pickTable draws one live table: a hot table with HotShare, else a Zipf
// rank over the live tables.
func (u *Upstream) pickTable() int64 {
	if u.cfg.HotShare > 0 && u.rTxn.Float64() < u.cfg.HotShare && len(u.hot) > 0 {
		return u.hot[u.rTxn.IntN(len(u.hot))]
	}
	return u.live[u.zipf.Pick(u.rTxn)]
}

// genRow appends one row change of table t to the scratch transaction, or
// counts it skipped when no key fits.
func (u *Upstream) genRow(t *table) {
	key, op, ok := u.pickKey(t.keys, u.drawOp())
	if !ok {
		u.stats.RowsSkipped++
		return
	}
	u.scratch.txn.Rows = append(u.scratch.txn.Rows, u.makeRow(t, op, key))
}

// drawOp draws delete with DeleteShare, update with UpdateShare, else
// insert.
func (u *Upstream) drawOp() codec.Op {
	x := u.rRows.Float64()
	switch {
	case x < u.cfg.DeleteShare:
		return codec.OpDelete
	case x < u.cfg.DeleteShare+u.cfg.UpdateShare:
		return codec.OpUpdate
	}
	return codec.OpInsert
}

// pickKey finds a key for op in p, changing the op when it cannot apply: an
// update or delete with no live key becomes an insert, an insert with no
// fresh key becomes an update. The key is marked touched.
func (u *Upstream) pickKey(p *keyPool, op codec.Op) (uint32, codec.Op, bool) {
	if op != codec.OpInsert {
		if k, ok := p.takeLive(u.rRows); ok {
			if op == codec.OpDelete {
				p.touchedFree = append(p.touchedFree, k)
			} else {
				p.touchedLive = append(p.touchedLive, k)
			}
			return k, op, true
		}
	}
	if k, ok := p.takeFresh(u.rRows); ok {
		p.touchedLive = append(p.touchedLive, k)
		return k, codec.OpInsert, true
	}
	if k, ok := p.takeLive(u.rRows); ok {
		p.touchedLive = append(p.touchedLive, k)
		return k, codec.OpUpdate, true
	}
	return 0, 0, false
}

// makeRow builds a row of table t. Its key and value come from the arena;
// its padding column is a slice of the shared zero buffer, sized so the
// row's frame is the drawn RowBytes (to within the frame's 8-byte
// alignment). The timestamps are set at commit.
func (u *Upstream) makeRow(t *table, op codec.Op, key uint32) codec.Row {
	row := codec.Row{TableID: t.id, Op: op, Key: u.arena.alloc(keyBytes)}
	binary.BigEndian.PutUint64(row.Key, uint64(key))
	if op == codec.OpDelete {
		return row
	}
	cols := u.arena.allocColumns(2 + t.extraCols)
	cols[0] = u.arena.alloc(valueBytes)
	binary.BigEndian.PutUint64(cols[0], u.rValues.Uint64())
	for i := 2; i < len(cols); i++ {
		cols[i] = u.arena.padding(addedColumnBytes)
	}
	cols[1] = u.arena.padding(0)
	row.Columns = cols
	u.sizeRow(&row)
	return row
}

// sizeRow sets row.Columns[1] to padding so that the row's frame is the
// size drawn from RowBytes, rounded up to 8 (or the smallest frame the row
// allows).
func (u *Upstream) sizeRow(row *codec.Row) {
	x := u.cfg.RowBytes.Sample(u.rSize)
	want := 0
	if x > 0 {
		want = int(min(x, float64(u.cfg.RowBytesMax)))
	}
	want = (want + 7) &^ 7
	rec := codec.Record{Type: codec.TypeRow, Row: *row} // shares row's column list
	size := codec.RecordFrameSize(&rec)
	pad := want - size
	for i := 0; i < 4 && pad > 0; i++ { // converges in two rounds: prefixes grow by at most 2 B
		row.Columns[1] = u.arena.padding(pad)
		size = codec.RecordFrameSize(&rec)
		if size <= want {
			return
		}
		pad -= size - want
	}
	if size > want {
		row.Columns[1] = u.arena.padding(0)
	}
}

func compareInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
