package apply

import (
	"fmt"

	"github.com/redosim/redosim/engine/codec"
)

// ddlTables returns the tables a DDL acts on: the created tables of a
// create, the dropped tables of a drop, the blocked tables otherwise.
func ddlTables(d *codec.DDL) []int64 {
	switch d.Kind {
	case codec.DDLCreate:
		return d.Added
	case codec.DDLDrop:
		return d.Dropped
	}
	return d.Blocked
}

// checkDDLShape rejects a DDL of unknown kind or one that names no table to
// act on.
func checkDDLShape(d *codec.DDL) error {
	if d.Kind < codec.DDLCreate || d.Kind > codec.DDLAddColumn {
		return fmt.Errorf("%w: ddl at commitTs %d has kind %d", ErrBadRecord, d.CommitTs, d.Kind)
	}
	if len(ddlTables(d)) == 0 {
		return fmt.Errorf("%w: %s ddl at commitTs %d names no table", ErrBadRecord, d.Kind, d.CommitTs)
	}
	return nil
}

// applyDDL applies d and reports whether it changed the state. A DDL that
// fails changes nothing.
func (s *State) applyDDL(d *codec.DDL) (bool, error) {
	if err := checkDDLShape(d); err != nil {
		return false, err
	}
	id := makeDDLID(d)
	if _, ok := s.ddlSeen[id]; ok && !s.cfg.Blind {
		return false, nil
	}
	ids := ddlTables(d)
	if d.Kind != codec.DDLCreate {
		for _, tid := range ids {
			if t := s.tables[tid]; t != nil && t.dropped {
				return false, fmt.Errorf("%w: %s ddl at commitTs %d: table %d dropped",
					ErrLifecycle, d.Kind, d.CommitTs, tid)
			}
		}
	}
	for _, tid := range ids {
		t := s.table(tid)
		switch d.Kind {
		case codec.DDLCreate:
			t.dropped = false
		case codec.DDLDrop:
			s.clear(t, d.CommitTs)
			t.dropped = true
		case codec.DDLTruncate:
			s.clear(t, d.CommitTs)
		}
	}
	s.ddls = append(s.ddls, cloneDDL(d))
	s.ddlSeen[id] = struct{}{}
	return true, nil
}

// clear removes the rows a truncate or drop at commitTs ts removes: those
// with commitTs <= ts (every row, when blind), and raises the table's
// watermark so that a replayed older row stays out.
func (s *State) clear(t *table, ts uint64) {
	for i := range t.stripes {
		sp := &t.stripes[i]
		sp.rows.each(func(k []byte, e entry) {
			if s.cfg.Blind || e.ver.commitTs <= ts {
				sp.dropRow(k, s.cfg.NoDigest)
			}
		})
	}
	t.clearedTs = max(t.clearedTs, ts)
}

// cloneDDL copies d's table lists, which the state keeps.
func cloneDDL(d *codec.DDL) codec.DDL {
	c := *d
	c.Blocked = append([]int64(nil), d.Blocked...)
	c.Added = append([]int64(nil), d.Added...)
	c.Dropped = append([]int64(nil), d.Dropped...)
	return c
}
