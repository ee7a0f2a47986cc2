package upstream

import (
	"fmt"
	"math"
	"sort"

	"github.com/redosim/redosim/engine/codec"
)

// sideGroup flags tableEvent.n: the rows are in Upstream.groups[pos], not
// history[pos:pos+n]. Rows per event stay far below it (TxnRowsMaxMax).
const sideGroup = 1 << 31

// tableEvent indexes one Event of a table: the rows of one transaction on
// the table, or one DDL touching it. 24 bytes; rows stay in the history.
type tableEvent struct {
	commitTs uint64
	bytes    int64  // encoded frame bytes of the rows or the DDL
	pos      uint32 // history index of the first row or of the DDL, or groups index
	n        uint32 // rows (0 for a DDL), | sideGroup when in groups
}

// Event is what an event store scan yields for one table: the row changes
// of one transaction on that table, or one DDL touching it.
//
// Rows and DDL alias the upstream's history: they are read-only. History
// chunks never move, so they stay valid; keeping them keeps their chunk's
// memory alive after Trim, so do not keep them for long.
type Event struct {
	// Table is the scanned table.
	Table int64
	// StartTs and CommitTs are the transaction's or DDL's timestamps.
	StartTs, CommitTs uint64
	// Rows are the transaction's row changes on Table, in apply order
	// (delete < update < insert, then key). Nil for a DDL.
	Rows []codec.Row
	// DDL is the DDL, nil for rows.
	DDL *codec.DDL
	// Bytes is the encoded size of Rows or of the DDL, in redo frame bytes.
	Bytes int64
}

// IsDDL reports whether the event is a DDL.
func (e *Event) IsDDL() bool { return e.DDL != nil }

// commitTxn stamps txn with fresh timestamps, appends its rows to the
// history in apply order, indexes them per table and notifies.
func (u *Upstream) commitTxn(txn *Txn) {
	now := u.w.Now()
	txn.StartTs = u.clock.Next(now)
	txn.CommitTs = u.clock.Next(now)
	if u.cfg.bug == bugCommitAtResolved && u.announced {
		txn.StartTs, txn.CommitTs = u.resolved-1, u.resolved
	}
	for i := range txn.Rows {
		txn.Rows[i].StartTs, txn.Rows[i].CommitTs = txn.StartTs, txn.CommitTs
	}
	first := u.hist.end
	var total int64
	for op := codec.OpDelete; op <= codec.OpInsert; op++ {
		for i := range txn.Rows {
			if txn.Rows[i].Op == op {
				total += u.appendHistory(txn.Rows[i])
				u.countOp(op)
			}
		}
	}
	if len(txn.Tables) == 1 {
		u.indexRows(txn.Tables[0], txn.CommitTs, first, len(txn.Rows), total)
	} else {
		for _, id := range txn.Tables {
			u.indexCrossRows(id, txn.CommitTs, first)
		}
	}
	u.stats.Txns++
	u.stats.Rows += int64(len(txn.Rows))
	u.stats.Bytes += total
	u.w.Record("commit", traceActor, txnDigest(txn))
	for _, fn := range u.onTxn {
		fn(txn)
	}
	for _, id := range txn.Tables {
		for _, fn := range u.onCommit {
			fn(id, txn.CommitTs)
		}
	}
}

// appendHistory appends row and returns its frame size.
func (u *Upstream) appendHistory(row codec.Row) int64 {
	u.hist.append(row)
	return int64(codec.RecordFrameSize(&codec.Record{Type: codec.TypeRow, Row: row}))
}

func (u *Upstream) countOp(op codec.Op) {
	switch op {
	case codec.OpDelete:
		u.stats.Deletes++
	case codec.OpUpdate:
		u.stats.Updates++
	default:
		u.stats.Inserts++
	}
}

// indexRows records history positions [pos, pos+n) as an event of table
// id; rows that straddle two history chunks are copied into a side group.
func (u *Upstream) indexRows(id int64, commitTs uint64, pos, n int, bytes int64) {
	t := u.tables[id]
	if _, ok := u.hist.span(pos, n); !ok {
		group := make([]codec.Row, n)
		for i := range group {
			group[i] = *u.hist.at(pos + i)
		}
		u.indexGroup(t, commitTs, bytes, group)
		return
	}
	t.events = append(t.events, tableEvent{commitTs: commitTs, bytes: bytes, pos: uint32(pos), n: uint32(n)})
}

// indexGroup records group as an event of table t, kept apart from the
// history.
func (u *Upstream) indexGroup(t *table, commitTs uint64, bytes int64, group []codec.Row) {
	t.events = append(t.events, tableEvent{commitTs: commitTs, bytes: bytes, pos: uint32(u.groupsFirst + len(u.groups)), n: uint32(len(group)) | sideGroup})
	u.groups = append(u.groups, group)
}

// indexCrossRows indexes table id's rows of a cross-table transaction whose
// records start at history position first. In apply order a table's rows
// are contiguous only when the other tables' rows do not fall between
// them; otherwise they are copied into a side group (a few % of rows).
func (u *Upstream) indexCrossRows(id int64, commitTs uint64, first int) {
	lo, hi, n := -1, -1, 0
	var bytes int64
	for i := first; i < u.hist.end; i++ {
		row := u.hist.at(i)
		if row.TableID != id {
			continue
		}
		if lo < 0 {
			lo = i
		}
		hi = i
		n++
		bytes += int64(codec.RecordFrameSize(&codec.Record{Type: codec.TypeRow, Row: *row}))
	}
	if hi-lo+1 == n {
		u.indexRows(id, commitTs, lo, n, bytes)
		return
	}
	group := make([]codec.Row, 0, n)
	for i := lo; i <= hi; i++ {
		if row := u.hist.at(i); row.TableID == id {
			group = append(group, *row)
		}
	}
	u.indexGroup(u.tables[id], commitTs, bytes, group)
}

// txnDigest folds a transaction's timestamps and row identities into one
// trace digest.
func txnDigest(txn *Txn) uint64 {
	h := txn.CommitTs*0x9e3779b97f4a7c15 ^ txn.StartTs
	for i := range txn.Rows {
		r := &txn.Rows[i]
		for _, b := range r.Key {
			h = (h ^ uint64(b)) * 0x100000001b3
		}
		h = (h ^ uint64(r.TableID)<<8 ^ uint64(r.Op)) * 0x100000001b3
	}
	return h
}

// event turns an index entry of table id into an Event.
func (u *Upstream) event(id int64, e *tableEvent) Event {
	ev := Event{Table: id, CommitTs: e.commitTs, Bytes: e.bytes}
	switch {
	case e.n&sideGroup != 0:
		ev.Rows = u.groups[int(e.pos)-u.groupsFirst]
	case e.n == 0:
		ev.DDL = u.ddlAt(int(e.pos))
		ev.StartTs = ev.DDL.StartTs
		return ev
	default:
		ev.Rows, _ = u.hist.span(int(e.pos), int(e.n))
	}
	ev.StartTs = ev.Rows[0].StartTs
	return ev
}

// Scan calls fn with table's events whose commitTs is in (afterTs, upToTs],
// ordered by (commitTs, startTs), as TiCDC's event store serves a
// dispatcher's scan. It stops early when fn returns false (a byte-budgeted
// scan). TableTrigger yields every DDL. A dropped table still yields its
// history, ending with the drop. Scan does not clamp upToTs to ResolvedTs:
// the caller does, as the event broker does. afterTs must not be below the
// floor given to Trim (the event store has garbage-collected below it).
// Cost: O(log events + yielded).
func (u *Upstream) Scan(table int64, afterTs, upToTs uint64, fn func(ev Event) bool) {
	t := u.tables[table]
	if t == nil {
		return
	}
	u.checkFloor(table, afterTs)
	evs := t.events
	for i := searchEvents(evs, afterTs); i < len(evs) && evs[i].commitTs <= upToTs; i++ {
		if !fn(u.event(table, &evs[i])) {
			return
		}
	}
}

// HasData reports whether table has an event with commitTs in (afterTs,
// upToTs]. O(log events). afterTs must not be below the Trim floor.
func (u *Upstream) HasData(table int64, afterTs, upToTs uint64) bool {
	t := u.tables[table]
	if t == nil {
		return false
	}
	u.checkFloor(table, afterTs)
	i := searchEvents(t.events, afterTs)
	return i < len(t.events) && t.events[i].commitTs <= upToTs
}

// checkFloor asserts the event store's contract: nothing is read below the
// garbage-collection floor.
func (u *Upstream) checkFloor(table int64, afterTs uint64) {
	if afterTs < u.floorTs {
		panic(fmt.Sprintf("model/upstream: table %d read after ts %d, below the trimmed floor %d (the rule: no scan starts below the changefeed checkpoint)", table, afterTs, u.floorTs))
	}
}

// searchEvents returns the index of the first event with commitTs > ts.
func searchEvents(evs []tableEvent, ts uint64) int {
	return sort.Search(len(evs), func(i int) bool { return evs[i].commitTs > ts })
}

// Trim garbage-collects the history below floorTs, as TiCDC's event store
// drops data below the changefeed checkpoint: every change with commitTs
// <= floorTs may be forgotten (whole history chunks below the first later
// change, per-table index entries, side groups). The caller promises that
// no later Scan or HasData starts below floorTs and that it reads the
// history (HistoryFrom) only at positions after those changes. A floor
// below an earlier one does nothing.
func (u *Upstream) Trim(floorTs uint64) {
	if floorTs <= u.floorTs {
		return
	}
	u.floorTs = floorTs
	for _, t := range u.all {
		i := searchEvents(t.events, floorTs)
		t.events = t.events[i:]
	}
	n := 0
	for n < len(u.groups) && u.groups[n][0].CommitTs <= floorTs {
		n++
	}
	clear(u.groups[:n])
	u.groups, u.groupsFirst = u.groups[n:], u.groupsFirst+n
	u.hist.trimBelow(u.PosAfter(floorTs))
	for len(u.ddls) > 0 && u.ddls[0].pos < u.hist.start() {
		u.ddls = u.ddls[1:]
		u.ddlsTrimmed++
	}
}

// RowsThrough returns how many row changes committed at or below ts, each
// counted once however often a downstream applies it: the distinct rows a
// checkpoint at ts covers. ts must be at or above FloorTs. O(log history).
func (u *Upstream) RowsThrough(ts uint64) int {
	if ts < u.floorTs {
		panic(fmt.Sprintf("model/upstream: RowsThrough(%d) below the trimmed floor %d: the rule is that history below the floor is gone", ts, u.floorTs))
	}
	pos := u.PosAfter(ts)
	ddls := u.ddlsTrimmed + sort.Search(len(u.ddls), func(i int) bool { return u.ddls[i].pos >= pos })
	return pos - ddls
}

// ddlEntry is a DDL and its history position.
type ddlEntry struct {
	pos int
	ddl *codec.DDL
}

// ddlAt returns the DDL at history position pos.
func (u *Upstream) ddlAt(pos int) *codec.DDL {
	i := sort.Search(len(u.ddls), func(i int) bool { return u.ddls[i].pos >= pos })
	if i == len(u.ddls) || u.ddls[i].pos != pos {
		panic(fmt.Sprintf("model/upstream: no DDL at history position %d", pos))
	}
	return u.ddls[i].ddl
}

// FloorTs is the highest floor given to Trim (0 before any).
func (u *Upstream) FloorTs() uint64 { return u.floorTs }

// HistoryEnd is the position after the newest change: History positions
// run from 0 (the first change ever committed) up to it.
func (u *Upstream) HistoryEnd() int { return u.hist.end }

// PosAfter returns the position of the first held change with commitTs >
// ts (HistoryEnd when there is none). O(log history).
func (u *Upstream) PosAfter(ts uint64) int {
	lo, hi := u.hist.start(), u.hist.end
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if u.hist.at(mid).CommitTs <= ts {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// HistoryFrom calls fn with every change from position pos on whose
// commitTs is <= upToTs, in apply order (by commitTs, then startTs, then
// delete < update < insert, then table and key; a DDL commits alone at its
// commitTs), and returns the position after the last one visited: row for
// a row change, ddl for a DDL (the other nil). It is the oracle invariant
// checkers compare the downstream against, read with a cursor so each
// change is visited once. pos must not be below what Trim dropped. What fn
// is given is read-only.
func (u *Upstream) HistoryFrom(pos int, upToTs uint64, fn func(row *codec.Row, ddl *codec.DDL)) int {
	for ; pos < u.hist.end; pos++ {
		row := u.hist.at(pos)
		if row.CommitTs > upToTs {
			break
		}
		if isDDLSlot(row) {
			fn(nil, u.ddlAt(pos))
		} else {
			fn(row, nil)
		}
	}
	return pos
}

// History returns a copy of every change still held (all of them unless
// Trim dropped some), in apply order, as records. O(history): for tests
// and small worlds; checkers use HistoryFrom.
func (u *Upstream) History() []codec.Record {
	return u.HistoryUpTo(math.MaxUint64)
}

// HistoryUpTo returns a copy of the held changes with commitTs <= ts.
func (u *Upstream) HistoryUpTo(ts uint64) []codec.Record {
	var out []codec.Record
	u.HistoryFrom(u.hist.start(), ts, func(row *codec.Row, ddl *codec.DDL) {
		if ddl != nil {
			out = append(out, codec.Record{Type: codec.TypeDDL, DDL: *ddl})
		} else {
			out = append(out, codec.Record{Type: codec.TypeRow, Row: *row})
		}
	})
	return out
}
