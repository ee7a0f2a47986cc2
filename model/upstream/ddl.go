package upstream

import (
	"fmt"
	"slices"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/sim"
)

// scheduleDDL schedules the next DDL an exponential gap of mean
// 1/DDLPerMinute minutes from now, unless DDLs are off.
func (u *Upstream) scheduleDDL() {
	if u.cfg.DDLPerMinute <= 0 {
		return
	}
	gapNs := u.rDDL.ExpFloat64() / u.cfg.DDLPerMinute * float64(sim.Minute)
	gap := gapMax
	if gapNs < float64(gapMax) {
		gap = sim.Duration(gapNs)
	}
	u.ddlTimer = u.w.Loop.After(gap, u.ddlFn)
}

// runDDLArrival commits one drawn DDL and schedules the next.
func (u *Upstream) runDDLArrival() {
	kind, target := u.drawDDL()
	u.commitDDL(kind, target)
	u.scheduleDDL()
}

// drawDDL draws a DDL kind (create, drop, truncate, add-column with equal
// odds) and its table. The live table count stays sane: a drop that would
// leave fewer than max(1, Tables/2) live tables becomes a create, and a
// create that would pass 2*Tables becomes an add-column. A create takes a
// new id, never a dropped one.
func (u *Upstream) drawDDL() (codec.DDLKind, int64) {
	kind := codec.DDLKind(1 + u.rDDL.IntN(4))
	if kind == codec.DDLDrop && len(u.live) <= max(1, u.cfg.Tables/2) {
		kind = codec.DDLCreate
	}
	if kind == codec.DDLCreate && len(u.live) >= 2*u.cfg.Tables {
		kind = codec.DDLAddColumn
	}
	if kind == codec.DDLCreate {
		u.nextTableID++
		return kind, u.nextTableID - 1
	}
	return kind, u.live[u.rDDL.IntN(len(u.live))]
}

// commitDDL commits a DDL of kind on table id at its own commitTs, applies
// its effect on the table set and notifies.
func (u *Upstream) commitDDL(kind codec.DDLKind, id int64) {
	now := u.w.Now()
	ddl := codec.DDL{StartTs: u.clock.Next(now), CommitTs: u.clock.Next(now), Kind: kind}
	ids := []int64{id}
	switch kind {
	case codec.DDLCreate:
		ddl.Added = ids
		ddl.Query = fmt.Sprintf("create table t%d (id bigint primary key, v bigint, pad blob)", id)
	case codec.DDLDrop:
		ddl.Blocked, ddl.Dropped = ids, ids
		ddl.Query = fmt.Sprintf("drop table t%d", id)
	case codec.DDLTruncate:
		ddl.Blocked = ids
		ddl.Query = fmt.Sprintf("truncate table t%d", id)
	default:
		ddl.Blocked = ids
		ddl.Query = fmt.Sprintf("alter table t%d add column c%d int default 0", id, u.stats.DDLs)
	}
	pos := u.hist.end
	stored := ddl
	u.hist.append(codec.Row{StartTs: ddl.StartTs, CommitTs: ddl.CommitTs}) // the DDL's slot: Op 0
	u.ddls = append(u.ddls, ddlEntry{pos: pos, ddl: &stored})
	bytes := int64(codec.RecordFrameSize(&codec.Record{Type: codec.TypeDDL, DDL: ddl}))
	t := u.applyDDL(kind, id)
	ev := tableEvent{commitTs: ddl.CommitTs, bytes: bytes, pos: uint32(pos)}
	t.events = append(t.events, ev)
	trigger := u.tables[TableTrigger]
	trigger.events = append(trigger.events, ev)
	u.stats.DDLs++
	u.stats.Bytes += bytes
	u.w.Record("ddl", traceActor, ddl.CommitTs^uint64(kind)<<56^uint64(id)<<8)
	for _, fn := range u.onDDL {
		fn(DDLEvent{DDL: ddl})
	}
	for _, fn := range u.onCommit {
		fn(id, ddl.CommitTs)
		fn(TableTrigger, ddl.CommitTs)
	}
}

// applyDDL changes the table state for a DDL of kind on id and returns the
// table.
func (u *Upstream) applyDDL(kind codec.DDLKind, id int64) *table {
	switch kind {
	case codec.DDLCreate:
		t := u.addTable(id)
		u.tablesChanged()
		return t
	case codec.DDLDrop:
		t := u.tables[id]
		t.live, t.keys = false, nil
		i, _ := slices.BinarySearch(u.live, id)
		u.live = slices.Delete(u.live, i, i+1)
		u.tablesChanged()
		return t
	case codec.DDLTruncate:
		t := u.tables[id]
		t.keys.truncate()
		return t
	default:
		t := u.tables[id]
		t.extraCols = min(t.extraCols+1, addedColumnsMax)
		return t
	}
}
