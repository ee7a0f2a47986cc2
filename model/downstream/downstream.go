// Package downstream models the changefeed's MySQL-compatible sink and the
// database behind it. A pool of workers executes transactions; each
// transaction costs a per-transaction latency plus a per-row latency, both
// drawn from distributions set per table, so some tables (and their
// dispatchers) are fast and some slow; stall windows multiply latencies.
// Rows become visible in the downstream state when their transaction
// completes. Writes are idempotent (engine/apply's State keeps a commitTs
// per row), so redelivery after a reset or a restart is harmless, as TiCDC
// assumes of its MySQL sink.
//
// Syncpoints write a syncpoint row (primary_ts = the syncpoint ts,
// secondary_ts = the downstream's own ts at that moment); DDLs write a
// ddl_ts row after executing. Observers see every batch as it is accepted
// and every syncpoint as it is written: the invariant checkers hang there.
//
// Usage:
//
//	ds, _ := downstream.New(w, downstream.Config{Workers: 16})
//	ds.SetTableLatency(7, dist.MustParse("lognormal(20ms,0.3)"), dist.MustParse("const(200us)"))
//	ds.WriteDML(events, func() { ... flushed ... })
package downstream

import (
	"fmt"

	"github.com/redosim/redosim/engine/apply"
	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/dist"
)

// Config configures the downstream. Zero values take the defaults.
type Config struct {
	// Workers is the number of transactions executed at once (TiCDC's MySQL
	// sink worker-count: 16 for MySQL, 64 for TiDB). Default 16.
	Workers int
	// TxnLatency is the fixed cost of one transaction. Default
	// lognormal(2ms,0.4), a TiDB round trip and commit.
	TxnLatency dist.Dist
	// RowLatency is the cost of each row in a transaction. Default
	// const(50us).
	RowLatency dist.Dist
	// QueueLenMax bounds transactions waiting for a worker. Default 1<<20.
	QueueLenMax int
	// TestingKnobs plant the mutation harness's slips (model/cluster
	// Mutants). Never set in a real world.
	TestingKnobs TestingKnobs
}

// TestingKnobs are mutants of the downstream: one realistic slip each,
// measured by the mutation harness (model/cluster Mutants, simrun
// mutants). The zero value plants nothing.
type TestingKnobs struct {
	// DoneOneTxnEarly calls a DML batch's done when all but one of its
	// transactions have committed.
	DoneOneTxnEarly bool
}

func (c *Config) validate() error {
	if c.Workers == 0 {
		c.Workers = 16
	}
	if c.Workers < 0 {
		return fmt.Errorf("model/downstream: workers %d must be positive", c.Workers)
	}
	if c.TxnLatency == nil {
		c.TxnLatency = dist.LogNormal{Median: float64(2 * sim.Millisecond), Sigma: 0.4}
	}
	if c.RowLatency == nil {
		c.RowLatency = dist.Const{V: float64(50 * sim.Microsecond)}
	}
	if c.QueueLenMax == 0 {
		c.QueueLenMax = 1 << 20
	}
	return nil
}

// SyncPointRow is a written syncpoint: TiCDC's syncpoint_v1 row.
type SyncPointRow struct {
	PrimaryTs   uint64
	SecondaryTs uint64
	WrittenAt   sim.Instant
}

// Observer sees what reaches the downstream.
type Observer interface {
	// OnDML is called when a batch of DML events is handed to the sink,
	// before any of it is executed (the redo-before-sink check).
	OnDML(d msg.DispatcherID, events []msg.Event)
	// OnSyncPoint is called right after the syncpoint row for ts is written.
	OnSyncPoint(row SyncPointRow)
	// OnDDL is called right after a DDL is executed.
	OnDDL(ddl *codec.DDL)
}

// Downstream is the sink and the database behind it.
type Downstream struct {
	w         *sim.World
	cfg       Config
	state     *apply.State
	tables    map[int64]tableLatency
	stall     []stall
	busy      int
	queue     []*txn
	observers []Observer
	syncRows  []SyncPointRow
	ddlTs     map[int64]uint64
	rands     map[int64]*sim.Rand // each table's latency stream, looked up once
	stats     Stats
	// maxApplied is the highest commit ts of any row or DDL ever applied.
	maxApplied uint64
}

type tableLatency struct{ txn, row dist.Dist }

type stall struct {
	from, until sim.Instant
	factor      float64
	tables      map[int64]bool // nil: every table
}

// txn is one unit of work for a worker.
type txn struct {
	table  int64
	rows   int
	apply  func()
	done   func()
	queued sim.Instant
}

// Stats counts what the downstream did.
type Stats struct {
	Txns, Rows, DDLs, SyncPoints uint64
	// SyncPointsIgnored counts syncpoint rows written again (INSERT IGNORE).
	SyncPointsIgnored uint64
	BusyMax           int
	QueueMax          int
	QueueWaitSum      sim.Duration
}

// New returns an empty downstream.
func New(w *sim.World, cfg Config) (*Downstream, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	// The downstream is the checkers' oracle of what arrived: versions are
	// all they ask, and keeping column slices would pin the upstream's row
	// arena for as long as any row of a block stays live.
	st, err := apply.NewState(apply.StateConfig{NoDigest: true, VersionsOnly: true})
	if err != nil {
		return nil, err
	}
	return &Downstream{w: w, cfg: cfg, state: st, tables: map[int64]tableLatency{}, ddlTs: map[int64]uint64{},
		rands: map[int64]*sim.Rand{}}, nil
}

// SetTableLatency sets one table's transaction and row latencies (a slow
// table is one with a larger distribution).
func (d *Downstream) SetTableLatency(table int64, txnLatency, rowLatency dist.Dist) {
	d.tables[table] = tableLatency{txn: txnLatency, row: rowLatency}
}

// Stall multiplies latencies by factor in [from, until), for the listed
// tables or (none listed) for all.
func (d *Downstream) Stall(from, until sim.Instant, factor float64, tables ...int64) {
	s := stall{from: from, until: until, factor: factor}
	if len(tables) > 0 {
		s.tables = map[int64]bool{}
		for _, t := range tables {
			s.tables[t] = true
		}
	}
	d.stall = append(d.stall, s)
}

// StalledUntil returns when the last scheduled stall ends (0: none).
func (d *Downstream) StalledUntil() sim.Instant {
	var end sim.Instant
	for _, s := range d.stall {
		end = max(end, s.until)
	}
	return end
}

// Observe adds an observer.
func (d *Downstream) Observe(o Observer) { d.observers = append(d.observers, o) }

// State returns the downstream database's state.
func (d *Downstream) State() *apply.State { return d.state }

// SyncPointRows returns the syncpoint rows written, in order.
func (d *Downstream) SyncPointRows() []SyncPointRow { return d.syncRows }

// Stats returns the downstream's counters.
func (d *Downstream) Stats() Stats { return d.stats }

// DDLTs returns the ddl_ts row of a table (0 if none), TiCDC's restart
// point for tables touched by DDLs.
func (d *Downstream) DDLTs(table int64) uint64 { return d.ddlTs[table] }

// Config returns the downstream's configuration with defaults filled in.
func (d *Downstream) Config() Config { return d.cfg }

// MaxAppliedTs returns the highest commit ts of any row or DDL the
// downstream has ever applied (a syncpoint check: nothing above S).
func (d *Downstream) MaxAppliedTs() uint64 { return d.maxApplied }
