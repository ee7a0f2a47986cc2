package apply

import (
	"bytes"
	"cmp"
	"slices"
	"sort"

	"github.com/redosim/redosim/engine/codec"
)

// StepKind says what the reader does with one record of a Plan.
type StepKind uint8

// Step kinds.
const (
	// StepDispatch appends the record to the queue of worker Step.Worker.
	StepDispatch StepKind = 1
	// StepBarrier waits until every worker has drained its queue, then
	// applies the record alone, before anything after it is dispatched.
	StepBarrier StepKind = 2
	// StepDiscard skips the record: a later drop or truncate of its table
	// erases whatever it would write.
	StepDiscard StepKind = 3
)

// String returns the lower-case name of the step kind.
func (k StepKind) String() string {
	switch k {
	case StepDispatch:
		return "dispatch"
	case StepBarrier:
		return "barrier"
	case StepDiscard:
		return "discard"
	}
	return "step?"
}

// Step is the reader's decision for one record.
type Step struct {
	// Kind says whether the record is dispatched, a barrier or discarded.
	Kind StepKind
	// Worker is the worker queue of a dispatched record, in [0, Workers).
	Worker int
	// Partition is the key sub-partition of a dispatched row's table: 0
	// unless the table is hot.
	Partition int
}

// Plan is the schedule of a parallel replay: one Step per record, in log
// order. It is a pure function of the log and the Config, so the goroutine
// executor and the virtual-time executor run the same schedule.
//
// Every row names one (table, key) and so falls in exactly one partition (a
// table, or a key sub-partition of a hot table); a partition maps to one
// worker for the whole plan (see Placement), and a worker applies its queue
// in order, so the changes of a key reach the downstream in log order.
// Every DDL is a barrier. A record that spans partitions would also be a
// barrier; codec has none today.
//
// Rows of a table that a later drop or truncate in the log erases are
// discarded (unless Config.KeepDoomedRows). NewPlan finds them in a backward
// pre-scan over the whole log, which it holds anyway; a streaming reader
// would get the same answer from a first pass over the DDL stream alone,
// which TiCDC keeps in files of its own.
//
// Executing a plan ends in the state Serial reaches for every log NewPlan
// accepts, applied to any state the log fits. A log that does not fit its
// state (a row for a table the state, not the log, has dropped) fails
// serially; in parallel it fails too unless all such rows were discarded.
type Plan struct {
	cfg    Config
	recs   []codec.Record
	steps  []Step
	tables []int64 // every table a row names, sorted
	hot    map[int64]*HotTable
}

// NewPlan checks that recs is in apply order and schedules it. The plan
// keeps recs; do not modify them while it is in use.
func NewPlan(recs []codec.Record, cfg Config) (*Plan, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	chk := newLogChecker()
	for i := range recs {
		if err := chk.check(&recs[i]); err != nil {
			return nil, err
		}
	}
	p := &Plan{cfg: cfg, recs: recs, steps: make([]Step, len(recs)), hot: make(map[int64]*HotTable)}
	for i := range p.cfg.Hot {
		p.hot[p.cfg.Hot[i].TableID] = &p.cfg.Hot[i]
	}
	var doomed []bool
	if !cfg.KeepDoomedRows {
		doomed = doomedRows(recs)
	}
	spray := make(map[int64]int)
	for i := range recs {
		rec := &recs[i]
		switch {
		case rec.Type == codec.TypeDDL && cfg.bug == bugDDLNotBarrier:
			p.steps[i] = Step{Kind: StepDispatch}
		case rec.Type == codec.TypeDDL:
			p.steps[i] = Step{Kind: StepBarrier}
		case doomed != nil && doomed[i]:
			p.steps[i] = Step{Kind: StepDiscard}
		default:
			p.steps[i] = Step{Kind: StepDispatch, Partition: p.partition(&rec.Row, spray)}
		}
	}
	p.place()
	return p, nil
}

// partKey names a partition: a table, or one sub-partition of a hot table.
type partKey struct {
	table int64
	part  int
}

// place maps every partition to a worker (see Placement) and fills in the
// Worker of every dispatched step.
func (p *Plan) place() {
	rows := make(map[partKey]int)
	for i, s := range p.steps {
		if s.Kind == StepDispatch && p.recs[i].Type == codec.TypeRow {
			rows[partKey{p.recs[i].Row.TableID, s.Partition}]++
		}
	}
	parts := make([]partKey, 0, len(rows))
	for k := range rows {
		parts = append(parts, k)
	}
	slices.SortFunc(parts, func(a, b partKey) int {
		return cmp.Or(-cmp.Compare(rows[a], rows[b]), cmp.Compare(a.table, b.table), cmp.Compare(a.part, b.part))
	})
	worker := make(map[partKey]int, len(parts))
	load := make([]int, p.cfg.Workers)
	for _, k := range parts {
		w := int((mix64(uint64(k.table)) + uint64(k.part)) % uint64(p.cfg.Workers))
		if p.cfg.Placement == PlaceBalanced {
			w = slices.Index(load, slices.Min(load))
		}
		worker[k] = w
		load[w] += rows[k]
	}
	seen := make(map[int64]bool)
	for i := range p.steps {
		s := &p.steps[i]
		if s.Kind != StepDispatch || p.recs[i].Type != codec.TypeRow {
			continue
		}
		id := p.recs[i].Row.TableID
		s.Worker = worker[partKey{id, s.Partition}]
		if !seen[id] {
			seen[id] = true
			p.tables = append(p.tables, id)
		}
	}
	slices.Sort(p.tables)
}

// doomedRows marks, scanning backwards, every row followed later in the log
// by a drop or truncate of its table. Such a row has commitTs <= that DDL's
// (the log checker made sure), so the DDL removes whatever it writes.
func doomedRows(recs []codec.Record) []bool {
	doomed := make([]bool, len(recs))
	erased := make(map[int64]bool)
	for i := len(recs) - 1; i >= 0; i-- {
		rec := &recs[i]
		if rec.Type == codec.TypeRow {
			doomed[i] = erased[rec.Row.TableID]
			continue
		}
		if rec.DDL.Kind == codec.DDLDrop || rec.DDL.Kind == codec.DDLTruncate {
			for _, id := range ddlTables(&rec.DDL) {
				erased[id] = true
			}
		}
	}
	return doomed
}

// partition picks the sub-partition of a row: 0 unless its table is hot.
func (p *Plan) partition(r *codec.Row, spray map[int64]int) int {
	h := p.hot[r.TableID]
	if h == nil {
		return 0
	}
	if p.cfg.bug == bugKeySpray {
		spray[r.TableID]++
		return spray[r.TableID] % h.Partitions
	}
	return h.partition(r.Key)
}

// partition returns the sub-partition of key.
func (h *HotTable) partition(key []byte) int {
	if len(h.Splits) > 0 {
		return sort.Search(len(h.Splits), func(i int) bool { return bytes.Compare(key, h.Splits[i]) < 0 })
	}
	return int(fnv64a(key) % uint64(h.Partitions))
}

// mix64 is the SplitMix64 finalizer: it spreads consecutive table ids.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// Step returns the step of record i.
func (p *Plan) Step(i int) Step { return p.steps[i] }

// Config returns the plan's config with its defaults filled in.
func (p *Plan) Config() Config { return p.cfg }

// PlanSummary counts a plan's steps.
type PlanSummary struct {
	// Dispatched, Barriers and Discarded count the steps of each kind.
	Dispatched, Barriers, Discarded int
	// PerWorker counts the records dispatched to each worker.
	PerWorker []int
}

// Summary counts the plan's steps, per kind and per worker.
func (p *Plan) Summary() PlanSummary {
	s := PlanSummary{PerWorker: make([]int, p.cfg.Workers)}
	for _, st := range p.steps {
		switch st.Kind {
		case StepDispatch:
			s.Dispatched++
			s.PerWorker[st.Worker]++
		case StepBarrier:
			s.Barriers++
		case StepDiscard:
			s.Discarded++
		}
	}
	return s
}
