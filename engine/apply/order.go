package apply

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/redosim/redosim/engine/codec"
)

// SortForApply returns the records in apply order, as TiCDC's redo reader
// and applier hand them out: rows by (commitTs, startTs, op) with
// delete < update < insert, DDLs by commitTs, and each DDL placed after every
// row with commitTs <= its commitTs and before the first newer row. Ties
// keep their input order. The input is not modified.
func SortForApply(recs []codec.Record) ([]codec.Record, error) {
	var rows, ddls []codec.Record
	for i := range recs {
		switch recs[i].Type {
		case codec.TypeRow:
			rows = append(rows, recs[i])
		case codec.TypeDDL:
			ddls = append(ddls, recs[i])
		default:
			return nil, fmt.Errorf("%w: record %d has type %d", ErrBadRecord, i, recs[i].Type)
		}
	}
	return mergeForApply(rows, ddls, true), nil
}

// MergeForApply is SortForApply for records already split by type, as a
// redo reader hands them out: rows and ddls, each usually in order. It
// returns the records in apply order without modifying its inputs, and
// costs one pass over each when they are sorted already (a sorted input is
// left as it is, so ties keep their order as in SortForApply). With no
// DDLs and sorted rows the result is rows itself: do not modify it.
func MergeForApply(rows, ddls []codec.Record) ([]codec.Record, error) {
	for i := range rows {
		if rows[i].Type != codec.TypeRow {
			return nil, fmt.Errorf("%w: row %d has type %d", ErrBadRecord, i, rows[i].Type)
		}
	}
	for i := range ddls {
		if ddls[i].Type != codec.TypeDDL {
			return nil, fmt.Errorf("%w: ddl %d has type %d", ErrBadRecord, i, ddls[i].Type)
		}
	}
	return mergeForApply(rows, ddls, false), nil
}

// mergeForApply sorts rows and ddls stably unless they are sorted already
// (in place when owned, else on copies), then interleaves them.
func mergeForApply(rows, ddls []codec.Record, owned bool) []codec.Record {
	byVersion := func(a, b codec.Record) int { return cmpVersion(rowVersion(&a.Row), rowVersion(&b.Row)) }
	byCommit := func(a, b codec.Record) int { return cmp.Compare(a.DDL.CommitTs, b.DDL.CommitTs) }
	if !slices.IsSortedFunc(rows, byVersion) {
		if !owned {
			rows = slices.Clone(rows)
		}
		slices.SortStableFunc(rows, byVersion)
	}
	if !slices.IsSortedFunc(ddls, byCommit) {
		if !owned {
			ddls = slices.Clone(ddls)
		}
		slices.SortStableFunc(ddls, byCommit)
	}
	if len(ddls) == 0 {
		return rows // nothing to interleave: no copy of a large log
	}
	out := make([]codec.Record, 0, len(rows)+len(ddls))
	i := 0
	for j := range ddls {
		for i < len(rows) && rows[i].Row.CommitTs <= ddls[j].DDL.CommitTs {
			out = append(out, rows[i])
			i++
		}
		out = append(out, ddls[j])
	}
	return append(out, rows[i:]...)
}

func cmpVersion(a, b version) int {
	switch {
	case a.less(b):
		return -1
	case b.less(a):
		return 1
	}
	return 0
}

// tableCheck is what logChecker knows of one table from the log so far.
type tableCheck struct {
	last     version // version of the table's last row
	hasRow   bool
	floorTs  uint64 // commitTs of the last DDL on the table: later rows must be newer
	hasFloor bool
	dropped  bool // the log dropped the table and has not created it again
	used     bool // the log wrote or altered the table since it last created or dropped it
}

// logChecker checks, one record at a time, that a log is in apply order and
// that it respects the life of each table on its own terms (it does not
// know the state the log is applied to). Serial and NewPlan share it, so
// both refuse the same logs.
type logChecker struct {
	tables    map[int64]*tableCheck
	lastDDLTs uint64
	n         int // records checked so far
}

func newLogChecker() *logChecker {
	return &logChecker{tables: make(map[int64]*tableCheck)}
}

func (c *logChecker) table(id int64) *tableCheck {
	t := c.tables[id]
	if t == nil {
		t = &tableCheck{}
		c.tables[id] = t
	}
	return t
}

// check checks the next record of the log.
func (c *logChecker) check(rec *codec.Record) error {
	var err error
	switch rec.Type {
	case codec.TypeRow:
		err = c.checkRow(&rec.Row)
	case codec.TypeDDL:
		err = c.checkDDL(&rec.DDL)
	default:
		err = fmt.Errorf("%w: type %d", ErrBadRecord, rec.Type)
	}
	if err != nil {
		return fmt.Errorf("%w (record %d)", err, c.n)
	}
	c.n++
	return nil
}

func (c *logChecker) checkRow(r *codec.Row) error {
	if r.Op < codec.OpDelete || r.Op > codec.OpInsert {
		return fmt.Errorf("%w: row of table %d has op %d", ErrBadRecord, r.TableID, r.Op)
	}
	t := c.table(r.TableID)
	v := rowVersion(r)
	switch {
	case t.dropped:
		return fmt.Errorf("%w: row of table %d at commitTs %d after the log dropped the table",
			ErrLifecycle, r.TableID, r.CommitTs)
	case t.hasRow && v.less(t.last):
		return fmt.Errorf("%w: row of table %d goes back: (%d, %d, %s) after (%d, %d, %s)",
			ErrOrder, r.TableID, v.commitTs, v.startTs, v.op, t.last.commitTs, t.last.startTs, t.last.op)
	case t.hasFloor && r.CommitTs <= t.floorTs:
		return fmt.Errorf("%w: row of table %d at commitTs %d after a ddl of the table at commitTs %d",
			ErrOrder, r.TableID, r.CommitTs, t.floorTs)
	}
	t.last, t.hasRow, t.used = v, true, true
	return nil
}

func (c *logChecker) checkDDL(d *codec.DDL) error {
	if err := checkDDLShape(d); err != nil {
		return err
	}
	if d.CommitTs < c.lastDDLTs {
		return fmt.Errorf("%w: ddl at commitTs %d after a ddl at commitTs %d", ErrOrder, d.CommitTs, c.lastDDLTs)
	}
	for _, list := range [][]int64{d.Blocked, d.Added, d.Dropped} {
		for _, id := range list {
			if t := c.tables[id]; t != nil && t.hasRow && t.last.commitTs > d.CommitTs {
				return fmt.Errorf("%w: row of table %d at commitTs %d precedes a ddl of the table at commitTs %d",
					ErrOrder, id, t.last.commitTs, d.CommitTs)
			}
		}
	}
	if err := c.checkDDLLife(d); err != nil {
		return err
	}
	c.lastDDLTs = d.CommitTs
	for _, list := range [][]int64{d.Blocked, d.Added, d.Dropped} {
		for _, id := range list {
			t := c.table(id)
			t.floorTs, t.hasFloor = max(t.floorTs, d.CommitTs), true
		}
	}
	for _, id := range ddlTables(d) {
		t := c.table(id)
		t.dropped, t.used = d.Kind == codec.DDLDrop, d.Kind != codec.DDLDrop
	}
	return nil
}

// checkDDLLife refuses a create of a table the log uses and has not
// dropped, and any other DDL on a table the log has dropped.
func (c *logChecker) checkDDLLife(d *codec.DDL) error {
	for _, id := range ddlTables(d) {
		t := c.tables[id]
		if t == nil {
			continue
		}
		if d.Kind == codec.DDLCreate && t.used && !t.dropped {
			return fmt.Errorf("%w: create of table %d at commitTs %d, which the log already uses",
				ErrLifecycle, id, d.CommitTs)
		}
		if d.Kind != codec.DDLCreate && t.dropped {
			return fmt.Errorf("%w: %s of table %d at commitTs %d after the log dropped it",
				ErrLifecycle, d.Kind, id, d.CommitTs)
		}
	}
	return nil
}
