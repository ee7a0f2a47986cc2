package apply

import (
	"fmt"

	"github.com/redosim/redosim/engine/codec"
)

// Stats counts what an apply did.
type Stats struct {
	// RowsApplied counts rows that changed the state.
	RowsApplied int64
	// RowsSkipped counts rows the version or watermark check skipped: work
	// an earlier, interrupted apply had already done.
	RowsSkipped int64
	// RowsDiscarded counts rows the plan discarded because a later drop or
	// truncate of their table erases them.
	RowsDiscarded int64
	// DDLsApplied counts DDLs that changed the state.
	DDLsApplied int64
	// DDLsSkipped counts DDLs the state had already applied.
	DDLsSkipped int64
	// Barriers counts the barriers the reader waited at.
	Barriers int64
}

// count adds the outcome of applying one record.
func (s *Stats) count(rec *codec.Record, applied bool) {
	switch {
	case rec.Type == codec.TypeDDL && applied:
		s.DDLsApplied++
	case rec.Type == codec.TypeDDL:
		s.DDLsSkipped++
	case applied:
		s.RowsApplied++
	default:
		s.RowsSkipped++
	}
}

// add adds o to s.
func (s *Stats) add(o Stats) {
	s.RowsApplied += o.RowsApplied
	s.RowsSkipped += o.RowsSkipped
	s.RowsDiscarded += o.RowsDiscarded
	s.DDLsApplied += o.DDLsApplied
	s.DDLsSkipped += o.DDLsSkipped
	s.Barriers += o.Barriers
}

// Serial applies records one at a time, in the order given, on the caller's
// goroutine: the reference every parallel replay must agree with. It checks
// each record's order against the ones before it and refuses a record that
// breaks apply order, without applying it.
type Serial struct {
	st    *State
	chk   *logChecker
	stats Stats
}

// NewSerial returns a serial applier that writes into st.
func NewSerial(st *State) (*Serial, error) {
	if st == nil {
		return nil, fmt.Errorf("%w: nil state", ErrBadConfig)
	}
	return &Serial{st: st, chk: newLogChecker()}, nil
}

// Apply checks rec against the records applied before it and applies it.
func (s *Serial) Apply(rec *codec.Record) error {
	if err := s.chk.check(rec); err != nil {
		return err
	}
	applied, err := s.st.applyRecord(rec)
	if err != nil {
		return err
	}
	s.stats.count(rec, applied)
	return nil
}

// Stats returns what the applier has done so far.
func (s *Serial) Stats() Stats { return s.stats }

// ApplySerial checks the whole log first and then applies it record by
// record into st. A log out of apply order changes nothing.
func ApplySerial(st *State, recs []codec.Record) (Stats, error) {
	a, err := NewSerial(st)
	if err != nil {
		return Stats{}, err
	}
	chk := newLogChecker()
	for i := range recs {
		if err := chk.check(&recs[i]); err != nil {
			return Stats{}, err
		}
	}
	for i := range recs {
		applied, err := st.applyRecord(&recs[i])
		if err != nil {
			return a.stats, fmt.Errorf("%w (record %d)", err, i)
		}
		a.stats.count(&recs[i], applied)
	}
	return a.stats, nil
}
