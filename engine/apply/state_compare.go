package apply

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/redosim/redosim/engine/codec"
)

// StoredRow is a live row of a State: its column values and the commitTs of
// the change that last wrote it.
type StoredRow struct {
	Columns  [][]byte
	CommitTs uint64
}

// liveRow is one visible row, for comparing and hashing.
type liveRow struct {
	table int64
	key   string
	row   StoredRow
}

// Get returns the live row of a table under key. A deleted key, a key of a
// dropped table and an unknown key report false.
func (s *State) Get(tableID int64, key []byte) (StoredRow, bool) {
	t := s.tables[tableID]
	if t == nil || t.dropped {
		return StoredRow{}, false
	}
	e, ok := t.stripes[stripeOf(key)].rows.get(key)
	if !ok || e.deleted() {
		return StoredRow{}, false
	}
	return StoredRow{Columns: e.cols, CommitTs: e.ver.commitTs}, true
}

// Dropped reports whether the table is dropped (and not created again).
func (s *State) Dropped(tableID int64) bool {
	t := s.tables[tableID]
	return t != nil && t.dropped
}

// DDLs returns the DDLs applied so far, in apply order. Do not modify.
func (s *State) DDLs() []codec.DDL { return s.ddls }

// RowCount returns the number of live rows over all tables that exist.
// O(rows), without sorting them.
func (s *State) RowCount() int {
	n := 0
	for _, t := range s.tables {
		if t.dropped {
			continue
		}
		for i := range t.stripes {
			t.stripes[i].rows.each(func(_ []byte, e entry) {
				if !e.deleted() {
					n++
				}
			})
		}
	}
	return n
}

// Clone returns a deep copy of the state (column values are shared).
func (s *State) Clone() *State {
	c := &State{
		cfg:     s.cfg,
		tables:  make(map[int64]*table, len(s.tables)),
		ddls:    slices.Clone(s.ddls),
		ddlSeen: make(map[ddlID]struct{}, len(s.ddlSeen)),
	}
	for id := range s.ddlSeen {
		c.ddlSeen[id] = struct{}{}
	}
	for id, t := range s.tables {
		ct := &table{dropped: t.dropped, clearedTs: t.clearedTs}
		for i := range t.stripes {
			ct.stripes[i].rows = t.stripes[i].rows.clone()
			ct.stripes[i].rowSum, ct.stripes[i].live = t.stripes[i].rowSum, t.stripes[i].live
		}
		c.tables[id] = ct
	}
	return c
}

// sortedTables returns the table ids of s in increasing order.
func (s *State) sortedTables() []int64 {
	ids := make([]int64, 0, len(s.tables))
	for id := range s.tables {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// droppedTables returns the dropped table ids in increasing order.
func (s *State) droppedTables() []int64 {
	var ids []int64
	for _, id := range s.sortedTables() {
		if s.tables[id].dropped {
			ids = append(ids, id)
		}
	}
	return ids
}

// liveRows returns every visible row, sorted by (table, key). Tombstones,
// watermarks and rows of dropped tables are not visible.
func (s *State) liveRows() []liveRow {
	var out []liveRow
	for _, id := range s.sortedTables() {
		t := s.tables[id]
		if t.dropped {
			continue
		}
		start := len(out)
		for i := range t.stripes {
			t.stripes[i].rows.each(func(k []byte, e entry) {
				if !e.deleted() {
					out = append(out, liveRow{table: id, key: string(k),
						row: StoredRow{Columns: e.cols, CommitTs: e.ver.commitTs}})
				}
			})
		}
		slices.SortFunc(out[start:], func(a, b liveRow) int { return cmpString(a.key, b.key) })
	}
	return out
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Digest returns a hash of what the downstream shows: the live rows (key,
// columns, commitTs) of every table that exists, the set of dropped tables
// and the applied DDLs in order. Rows enter as an order-free sum of row
// hashes kept up to date as rows change, so two states that Equal have the
// same digest whatever order they were built in, and a digest costs
// O(tables + DDLs), not a sort of every row.
func (s *State) Digest() uint64 {
	if s.cfg.NoDigest {
		panic("engine/apply: Digest of a state configured with NoDigest")
	}
	h := newDigest()
	for _, id := range s.sortedTables() {
		t := s.tables[id]
		if t.dropped {
			continue
		}
		var sum uint64
		live := 0
		for i := range t.stripes {
			sum += t.stripes[i].rowSum
			live += t.stripes[i].live
		}
		if live == 0 {
			continue // a table without rows shows nothing
		}
		h.word(uint64(id))
		h.word(uint64(live))
		h.word(sum)
	}
	h.word(0xd0d0)
	for _, id := range s.droppedTables() {
		h.word(uint64(id))
	}
	h.word(0xdd1)
	for i := range s.ddls {
		h.ddl(&s.ddls[i])
	}
	return h.sum
}

// digest is FNV-1a over length-prefixed words and byte strings.
type digest struct{ sum uint64 }

func newDigest() *digest { return &digest{sum: 14695981039346656037} }

func (d *digest) raw(b []byte) {
	for _, c := range b {
		d.sum ^= uint64(c)
		d.sum *= 1099511628211
	}
}

func (d *digest) word(w uint64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], w)
	d.raw(b[:])
}

func (d *digest) bytes(b []byte) {
	d.word(uint64(len(b)))
	d.raw(b)
}

func (d *digest) ddl(x *codec.DDL) {
	d.word(x.CommitTs)
	d.word(x.StartTs)
	d.word(uint64(x.Kind))
	for _, list := range [][]int64{x.Blocked, x.Added, x.Dropped} {
		d.word(uint64(len(list)))
		for _, id := range list {
			d.word(uint64(id))
		}
	}
	d.bytes([]byte(x.Query))
}

// Equal reports whether s and other show the same downstream: the same live
// rows, dropped tables and DDL history (see Digest). Tombstones and
// watermarks are bookkeeping and do not count.
func (s *State) Equal(other *State) bool { return len(s.Diff(other, 1)) == 0 }

// Diff describes up to limit differences between s (left) and other
// (right), in table and key order; nil when they are Equal.
func (s *State) Diff(other *State, limit int) []string {
	var out []string
	add := func(format string, args ...any) bool {
		out = append(out, fmt.Sprintf(format, args...))
		return len(out) < limit
	}
	if limit <= 0 {
		return nil
	}
	if !diffDDLs(s.ddls, other.ddls, add) {
		return out
	}
	if a, b := s.droppedTables(), other.droppedTables(); !slices.Equal(a, b) {
		if !add("dropped tables: left %v, right %v", a, b) {
			return out
		}
	}
	diffRows(s.liveRows(), other.liveRows(), add)
	return out
}

// diffDDLs reports DDL history differences; it returns false when add asks
// to stop.
func diffDDLs(a, b []codec.DDL, add func(string, ...any) bool) bool {
	for i := 0; i < max(len(a), len(b)); i++ {
		switch {
		case i >= len(a):
			return add("ddl %d: left none, right %s at %d", i, b[i].Kind, b[i].CommitTs)
		case i >= len(b):
			return add("ddl %d: left %s at %d, right none", i, a[i].Kind, a[i].CommitTs)
		}
		da, db := newDigest(), newDigest()
		da.ddl(&a[i])
		db.ddl(&b[i])
		if da.sum != db.sum && !add("ddl %d: left %s at %d, right %s at %d",
			i, a[i].Kind, a[i].CommitTs, b[i].Kind, b[i].CommitTs) {
			return false
		}
	}
	return true
}

// diffRows merge-walks two sorted row lists.
func diffRows(a, b []liveRow, add func(string, ...any) bool) {
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		c := 0
		switch {
		case i >= len(a):
			c = 1
		case j >= len(b):
			c = -1
		default:
			c = cmpRowKey(a[i], b[j])
		}
		more := true
		switch {
		case c < 0:
			more = add("table %d key %q: left %s, right none", a[i].table, a[i].key, fmtRow(a[i].row))
			i++
		case c > 0:
			more = add("table %d key %q: left none, right %s", b[j].table, b[j].key, fmtRow(b[j].row))
			j++
		default:
			if !sameRow(a[i].row, b[j].row) {
				more = add("table %d key %q: left %s, right %s", a[i].table, a[i].key,
					fmtRow(a[i].row), fmtRow(b[j].row))
			}
			i, j = i+1, j+1
		}
		if !more {
			return
		}
	}
}

func cmpRowKey(a, b liveRow) int {
	if a.table != b.table {
		if a.table < b.table {
			return -1
		}
		return 1
	}
	return cmpString(a.key, b.key)
}

func sameRow(a, b StoredRow) bool {
	return a.CommitTs == b.CommitTs && slices.EqualFunc(a.Columns, b.Columns, bytes.Equal)
}

func fmtRow(r StoredRow) string {
	return fmt.Sprintf("%q@%d", r.Columns, r.CommitTs)
}

// Version returns the commitTs of the newest change the state reflects
// for (tableID, key): a live row, a delete's tombstone, or the truncate or
// drop that cleared the table; ok is false when the state knows of none. A
// change with commitTs <= Version has reached the state, or been
// superseded there. Checkers use it to prove no change was lost.
func (s *State) Version(tableID int64, key []byte) (commitTs uint64, ok bool) {
	t := s.tables[tableID]
	if t == nil {
		return 0, false
	}
	v := t.clearedTs
	if e, found := t.stripes[stripeOf(key)].rows.get(key); found {
		v = max(v, e.ver.commitTs)
	}
	return v, v > 0
}

// HasDDL reports whether the state has applied d.
func (s *State) HasDDL(d *codec.DDL) bool {
	_, ok := s.ddlSeen[makeDDLID(d)]
	return ok
}
