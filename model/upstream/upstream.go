package upstream

import (
	"slices"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/model/tso"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/dist"
)

// TableTrigger is the pseudo table of TiCDC's table trigger event
// dispatcher (the DDL span): Scan and HasData on it see every DDL, and
// OnCommit reports every DDL on it too. No row ever belongs to it.
const TableTrigger int64 = 0

// traceActor names the upstream in the world's trace.
const traceActor = "model/upstream"

// Txn is one committed upstream transaction. Its rows are sorted by table
// then key; every row carries the transaction's StartTs and CommitTs.
type Txn struct {
	StartTs, CommitTs uint64
	// Rows are the row changes, sorted by (TableID, Key).
	Rows []codec.Row
	// Tables are the tables the rows touch, sorted.
	Tables []int64
}

// DDLEvent is one committed DDL job: its kind, timestamps, and the tables
// it blocks, adds and drops (see codec.DDL).
type DDLEvent struct {
	codec.DDL
}

// Stats counts what an Upstream has committed so far.
type Stats struct {
	// Txns is the number of committed transactions.
	Txns int64
	// Rows is the number of committed row changes; Inserts, Updates and
	// Deletes split it by op.
	Rows, Inserts, Updates, Deletes int64
	// RowsSkipped counts row changes a transaction wanted but could not
	// make: an insert into a full key space with no live key to update.
	RowsSkipped int64
	// Bytes is the encoded size of the committed rows and DDLs, in bytes of
	// redo frames (codec.RecordFrameSize).
	Bytes int64
	// DDLs is the number of committed DDL jobs.
	DDLs int64
	// Tables is the number of live tables now.
	Tables int
}

// table is the state of one table id, live or dropped.
type table struct {
	id        int64
	live      bool
	keys      *keyPool // nil once dropped
	extraCols int      // columns added by add-column DDLs
	events    []tableEvent
}

// Upstream is the simulated upstream TiDB cluster: it runs a transactional
// workload on a world's loop, hands out TSO timestamps, advances the
// resolved ts, serves per-table scans as TiCDC's event store does, and
// keeps the whole committed history as the oracle for invariant checkers.
// It is not safe for concurrent use (one world, one goroutine).
type Upstream struct {
	w     *sim.World
	cfg   Config
	clock *tso.Clock

	rArrival, rTxn, rRows, rValues, rSize, rDDL *sim.Rand

	running                             bool
	arrivalTimer, ddlTimer, resolvedTmr sim.Timer
	nextTxnRows                         int
	arriveFn, ddlFn                     func() // bound once: a method value allocates

	resolved  uint64
	announced bool

	tables      map[int64]*table // by id; looked up, never ranged over
	all         []*table         // every table ever, the trigger first, in creation order
	live        []int64          // live table ids, sorted
	hot         []int64          // live HotTables, in config order
	zipf        *dist.Zipf       // over live, by rank
	nextTableID int64

	hist        history
	groups      [][]codec.Row // rows of an event that are not contiguous in one history chunk
	groupsFirst int           // group number of groups[0]
	ddls        []ddlEntry    // the DDLs held, by history position
	ddlsTrimmed int           // DDLs dropped from ddls by Trim
	floorTs     uint64        // the Trim floor: nothing at or below it is read again
	arena       arena
	stats       Stats
	scratch     txnScratch

	onResolved []func(ts uint64)
	onCommit   []func(table int64, commitTs uint64)
	onTxn      []func(txn *Txn)
	onDDL      []func(ev DDLEvent)
}

// New returns an upstream on world w with tables 1..cfg.Tables, empty and
// live, and the resolved ts at the current instant. It draws nothing and
// schedules nothing until Start. Config errors wrap ErrBadConfig and name
// the field.
func New(w *sim.World, cfg Config) (*Upstream, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	u := &Upstream{
		w:        w,
		cfg:      cfg,
		clock:    tso.NewClock(cfg.StartPhysicalMs),
		rArrival: w.Rand("model/upstream/arrival"),
		rTxn:     w.Rand("model/upstream/txn"),
		rRows:    w.Rand("model/upstream/rows"),
		rValues:  w.Rand("model/upstream/values"),
		rSize:    w.Rand("model/upstream/size"),
		rDDL:     w.Rand("model/upstream/ddl"),
		tables:   make(map[int64]*table, cfg.Tables+1),
	}
	u.arriveFn, u.ddlFn = u.arrive, u.runDDLArrival
	u.resolved = u.clock.At(w.Now())
	u.tables[TableTrigger] = &table{id: TableTrigger}
	u.all = append(u.all, u.tables[TableTrigger])
	for id := int64(1); id <= int64(cfg.Tables); id++ {
		u.addTable(id)
	}
	u.nextTableID = int64(cfg.Tables) + 1
	u.tablesChanged()
	return u, nil
}

// addTable makes table id live and empty.
func (u *Upstream) addTable(id int64) *table {
	t := &table{id: id, live: true, keys: newKeyPool(uint32(u.cfg.KeysPerTable))}
	u.tables[id] = t
	u.all = append(u.all, t)
	u.live = append(u.live, id)
	return t
}

// tablesChanged rebuilds the table pickers after the live set changed.
func (u *Upstream) tablesChanged() {
	slices.Sort(u.live)
	u.hot = u.hot[:0]
	for _, id := range u.cfg.HotTables {
		if t := u.tables[id]; t != nil && t.live {
			u.hot = append(u.hot, id)
		}
	}
	z, err := dist.NewZipf(len(u.live), u.cfg.Skew)
	if err != nil {
		panic("model/upstream: " + err.Error()) // validate and the drop floor rule it out
	}
	u.zipf = z
	u.stats.Tables = len(u.live)
}

// Start schedules the workload on the world's loop: transaction arrivals,
// DDL arrivals and the resolved-ts ticker. Starting a running upstream does
// nothing.
func (u *Upstream) Start() {
	if u.running {
		return
	}
	u.running = true
	u.scheduleTxn()
	u.scheduleDDL()
	if u.cfg.ResolvedPhase > 0 {
		u.resolvedTmr = u.w.Loop.EveryAfter(u.cfg.ResolvedPhase, u.cfg.ResolvedInterval, u.advanceResolved)
	} else {
		u.resolvedTmr = u.w.Loop.Every(u.cfg.ResolvedInterval, u.advanceResolved)
	}
}

// Stop cancels everything Start scheduled: no transaction, DDL or resolved
// ts advance happens after it. Stopping a stopped upstream does nothing.
func (u *Upstream) Stop() {
	if !u.running {
		return
	}
	u.running = false
	u.arrivalTimer.Stop()
	u.ddlTimer.Stop()
	u.resolvedTmr.Stop()
}

// advanceResolved moves the resolved ts to the clock's ts at now (logical
// 0), which every later commit is strictly above, and announces it.
func (u *Upstream) advanceResolved() {
	ts := u.clock.At(u.w.Now())
	if ts <= u.resolved {
		return
	}
	u.resolved = ts
	u.announced = true
	u.w.Record("resolved", traceActor, ts)
	for _, fn := range u.onResolved {
		fn(ts)
	}
}

// Clock returns the upstream's TSO clock. Callers may read it (At,
// InstantOf); a caller that calls Next takes timestamps from the upstream's
// own sequence, which is allowed (it is how PD behaves) but shifts later
// commit ts.
func (u *Upstream) Clock() *tso.Clock { return u.clock }

// Config returns the validated configuration, defaults filled in.
func (u *Upstream) Config() Config { return u.cfg }

// Tables returns the live tables, sorted. The slice is a copy.
func (u *Upstream) Tables() []int64 { return slices.Clone(u.live) }

// Live reports whether table id exists now.
func (u *Upstream) Live(id int64) bool {
	t := u.tables[id]
	return t != nil && t.live
}

// ResolvedTs returns the upstream resolved ts: every change with commitTs
// at or below it is committed and visible to Scan, and no change will ever
// commit at or below it.
func (u *Upstream) ResolvedTs() uint64 { return u.resolved }

// OnResolved registers fn to be called at each resolved-ts advance, with
// the new resolved ts. Callbacks run in registration order.
func (u *Upstream) OnResolved(fn func(ts uint64)) { u.onResolved = append(u.onResolved, fn) }

// OnCommit registers fn to be called for each table that gets new data: once
// per table of a committed transaction (in table order) and once per table a
// DDL touches, plus TableTrigger for every DDL. It is the event store's
// notification to the event broker.
func (u *Upstream) OnCommit(fn func(table int64, commitTs uint64)) {
	u.onCommit = append(u.onCommit, fn)
}

// OnTxn registers fn to be called with each committed transaction, after it
// is in the history. The Txn and its Rows slice are reused after fn returns;
// copy what you keep (the row bytes themselves are immutable and may be
// kept).
func (u *Upstream) OnTxn(fn func(txn *Txn)) { u.onTxn = append(u.onTxn, fn) }

// OnDDL registers fn to be called with each committed DDL, after it is in
// the history.
func (u *Upstream) OnDDL(fn func(ev DDLEvent)) { u.onDDL = append(u.onDDL, fn) }

// Stats returns the counts so far.
func (u *Upstream) Stats() Stats { return u.stats }
