package apply

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/redosim/redosim/engine/codec"
)

// Defaults and bounds of VirtualConfig, in virtual nanoseconds.
const (
	// DefaultRowCostNs is the default time to apply one row downstream:
	// 50 µs, a row written to a MySQL-like database in its own statement.
	DefaultRowCostNs = 50_000
	// DefaultDDLCostNs is the default time to run one DDL downstream: 10 ms.
	DefaultDDLCostNs = 10_000_000
	// CostNsMax bounds any one cost: 1000 s.
	CostNsMax = 1_000_000_000_000
)

// VirtualConfig is the cost model of a replay in virtual time. The zero
// value charges DefaultRowCostNs per row, DefaultDDLCostNs per DDL and
// nothing for reading.
type VirtualConfig struct {
	// RowCostNs returns the virtual time a worker takes to apply a row, in
	// [0, CostNsMax] ns. Default (nil): DefaultRowCostNs for every row.
	RowCostNs func(*codec.Row) int64
	// DDLCostNs returns the virtual time a DDL takes, in [0, CostNsMax] ns.
	// Default (nil): DefaultDDLCostNs for every DDL.
	DDLCostNs func(*codec.DDL) int64
	// ReadCostNs is the reader's virtual time per record (decode and
	// dispatch), in [0, CostNsMax] ns. Default 0: reading is free.
	ReadCostNs int64
	// CrashAtNs, when positive, is a crash at that virtual instant: only
	// work finished by then reaches the state. Default 0: no crash.
	CrashAtNs int64
}

func (c *VirtualConfig) validate() error {
	if c.RowCostNs == nil {
		c.RowCostNs = func(*codec.Row) int64 { return DefaultRowCostNs }
	}
	if c.DDLCostNs == nil {
		c.DDLCostNs = func(*codec.DDL) int64 { return DefaultDDLCostNs }
	}
	if c.ReadCostNs < 0 || c.ReadCostNs > CostNsMax {
		return fmt.Errorf("%w: read cost %d ns outside [0, %d]", ErrBadConfig, c.ReadCostNs, int64(CostNsMax))
	}
	if c.CrashAtNs < 0 {
		return fmt.Errorf("%w: crash at %d ns is negative", ErrBadConfig, c.CrashAtNs)
	}
	return nil
}

// cost returns the virtual time record i takes.
func (c *VirtualConfig) cost(rec *codec.Record, i int) (int64, error) {
	var ns int64
	if rec.Type == codec.TypeDDL {
		ns = c.DDLCostNs(&rec.DDL)
	} else {
		ns = c.RowCostNs(&rec.Row)
	}
	if ns < 0 || ns > CostNsMax {
		return 0, fmt.Errorf("%w: cost %d ns of record %d outside [0, %d]", ErrBadConfig, ns, i, int64(CostNsMax))
	}
	return ns, nil
}

// due reports whether work finishing at fin happens before the crash.
func (c *VirtualConfig) due(fin int64) bool { return c.CrashAtNs == 0 || fin <= c.CrashAtNs }

// VirtualResult is the outcome of a replay in virtual time.
type VirtualResult struct {
	// MakespanNs is the virtual time from the first read to the last
	// finished record (CrashAtNs after a crash).
	MakespanNs int64
	// BusyNs is each worker's virtual time spent applying.
	BusyNs []int64
	// BarrierWaitNs is the reader's time spent waiting for workers to
	// drain at barriers.
	BarrierWaitNs int64
	// ReaderBlockedNs is the reader's time spent waiting for room in a
	// full worker queue.
	ReaderBlockedNs int64
	// Crashed reports that CrashAtNs cut the replay short.
	Crashed bool
	// Stats counts what reached the state.
	Stats Stats
}

// vworker is one worker queue in virtual time.
type vworker struct {
	fin  []int64 // ring: finish times of the last QueueLen records queued
	n    int     // records queued so far
	last int64   // finish time of the last record queued
}

// vevent is a dispatched record and the instant its worker finishes it.
type vevent struct {
	fin    int64
	worker int
	seq    int
	idx    int
}

// vrun is one RunVirtual.
type vrun struct {
	st  *State
	p   *Plan
	cfg VirtualConfig
	now int64 // the reader's clock
	ws  []vworker
	seg []vevent // records dispatched since the last barrier
	seq int
	res VirtualResult
}

// RunVirtual executes the plan on st in virtual time, with no goroutines:
// each worker is a FIFO queue of at most Config.QueueLen records, the
// reader spends ReadCostNs per record and waits when the queue it feeds is
// full, a worker spends RowCostNs per row, and at a barrier the reader waits
// until every worker is idle and then spends DDLCostNs alone. Records reach
// the state in the order their workers finish them (ties by worker, then
// dispatch order). The result depends only on st, the plan and cfg.
func RunVirtual(st *State, p *Plan, cfg VirtualConfig) (VirtualResult, error) {
	if st == nil || p == nil {
		return VirtualResult{}, fmt.Errorf("%w: nil state or plan", ErrBadConfig)
	}
	if err := cfg.validate(); err != nil {
		return VirtualResult{}, err
	}
	v := &vrun{st: st, p: p, cfg: cfg, ws: make([]vworker, p.cfg.Workers)}
	v.res.BusyNs = make([]int64, p.cfg.Workers)
	for i := range v.ws {
		v.ws[i].fin = make([]int64, p.cfg.QueueLen)
	}
	for i, s := range p.steps {
		v.now += cfg.ReadCostNs
		var err error
		switch s.Kind {
		case StepDiscard:
			v.res.Stats.RowsDiscarded++
		case StepDispatch:
			err = v.dispatch(i, s.Worker)
		case StepBarrier:
			err = v.barrier(i)
		}
		if err != nil {
			return v.res, err
		}
	}
	if err := v.flush(); err != nil {
		return v.res, err
	}
	end := v.now
	for i := range v.ws {
		end = max(end, v.ws[i].last)
	}
	v.res.MakespanNs = end
	if cfg.CrashAtNs > 0 && cfg.CrashAtNs < end {
		v.res.MakespanNs, v.res.Crashed = cfg.CrashAtNs, true
	}
	return v.res, nil
}

// dispatch queues record i on worker w.
func (v *vrun) dispatch(i, w int) error {
	ns, err := v.cfg.cost(&v.p.recs[i], i)
	if err != nil {
		return err
	}
	wk := &v.ws[w]
	slot := wk.n % len(wk.fin)
	if wk.n >= len(wk.fin) && wk.fin[slot] > v.now {
		// The queue is full until the record QueueLen places back is done.
		v.res.ReaderBlockedNs += wk.fin[slot] - v.now
		v.now = wk.fin[slot]
	}
	fin := max(v.now, wk.last) + ns
	wk.fin[slot], wk.n, wk.last = fin, wk.n+1, fin
	v.res.BusyNs[w] += ns
	v.seg = append(v.seg, vevent{fin: fin, worker: w, seq: v.seq, idx: i})
	v.seq++
	return nil
}

// barrier waits for every worker to drain, then applies record i alone.
func (v *vrun) barrier(i int) error {
	v.res.Stats.Barriers++
	if err := v.flush(); err != nil {
		return err
	}
	idle := v.now
	for w := range v.ws {
		idle = max(idle, v.ws[w].last)
	}
	v.res.BarrierWaitNs += idle - v.now
	ns, err := v.cfg.cost(&v.p.recs[i], i)
	if err != nil {
		return err
	}
	v.now = idle + ns
	for w := range v.ws {
		v.ws[w].last = v.now
	}
	if !v.cfg.due(v.now) {
		return nil
	}
	return v.apply(i)
}

// flush applies the records dispatched since the last barrier, in the
// order their workers finish them.
func (v *vrun) flush() error {
	slices.SortFunc(v.seg, func(a, b vevent) int {
		return cmp.Or(cmp.Compare(a.fin, b.fin), cmp.Compare(a.worker, b.worker), cmp.Compare(a.seq, b.seq))
	})
	for _, e := range v.seg {
		if !v.cfg.due(e.fin) {
			break
		}
		if err := v.apply(e.idx); err != nil {
			return err
		}
	}
	v.seg = v.seg[:0]
	return nil
}

// apply applies record i to the state.
func (v *vrun) apply(i int) error {
	rec := &v.p.recs[i]
	applied, err := v.st.applyRecord(rec)
	if err != nil {
		return fmt.Errorf("%w (record %d)", err, i)
	}
	v.res.Stats.count(rec, applied)
	return nil
}

// RunVirtualSerial applies recs one by one into st in virtual time: each
// record costs ReadCostNs plus its row or DDL cost, with nothing
// overlapping. It is the baseline RunVirtual's makespans compare against;
// it checks the whole log first, like ApplySerial.
func RunVirtualSerial(st *State, recs []codec.Record, cfg VirtualConfig) (VirtualResult, error) {
	if st == nil {
		return VirtualResult{}, fmt.Errorf("%w: nil state", ErrBadConfig)
	}
	if err := cfg.validate(); err != nil {
		return VirtualResult{}, err
	}
	chk := newLogChecker()
	for i := range recs {
		if err := chk.check(&recs[i]); err != nil {
			return VirtualResult{}, err
		}
	}
	res := VirtualResult{BusyNs: make([]int64, 1)}
	for i := range recs {
		ns, err := cfg.cost(&recs[i], i)
		if err != nil {
			return res, err
		}
		res.MakespanNs += cfg.ReadCostNs + ns
		res.BusyNs[0] += ns
		if !cfg.due(res.MakespanNs) {
			res.Crashed = true
			continue
		}
		applied, err := st.applyRecord(&recs[i])
		if err != nil {
			return res, fmt.Errorf("%w (record %d)", err, i)
		}
		res.Stats.count(&recs[i], applied)
	}
	if res.Crashed {
		res.MakespanNs = cfg.CrashAtNs
	}
	return res, nil
}
