package dispatchertest

import (
	"fmt"
	"slices"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/model/tso"
	"github.com/redosim/redosim/sim"
)

// GenConfig configures a Gen. Zero fields take the documented defaults.
type GenConfig struct {
	// TxnEvery is the mean gap between two DML events of one table
	// (exponential). Default 20 ms.
	TxnEvery sim.Duration
	// ResolvedEvery is the resolved ts period. Default 200 ms.
	ResolvedEvery sim.Duration
	// SyncPointEvery is the syncpoint period; 0 means off.
	SyncPointEvery sim.Duration
	// DDLEvery is the mean gap between DDLs over all tables (exponential);
	// 0 means none.
	DDLEvery sim.Duration
	// Until is when generation stops, with a last resolved ts. Default 10 s.
	Until sim.Instant
}

func (c *GenConfig) defaults() {
	if c.TxnEvery <= 0 {
		c.TxnEvery = 20 * sim.Millisecond
	}
	if c.ResolvedEvery <= 0 {
		c.ResolvedEvery = 200 * sim.Millisecond
	}
	if c.Until <= 0 {
		c.Until = sim.Instant(10 * sim.Second)
	}
}

// Gen generates each table's event stream in TiCDC's order (invariant 1):
// DMLs at their own commitTs, DDLs alone at theirs (to the table and the
// table trigger), resolved ts with logical 0, and syncpoints S before any
// event above S (a resolved(S) may come just before Sync(S)). Every event
// of a table goes to all of that table's paths (main and redo).
type Gen struct {
	w      *sim.World
	r      *sim.Rand
	clock  *tso.Clock
	cfg    GenConfig
	tables []int64 // real tables
	paths  map[int64][]*Path
	seq    map[*Path]uint64
	stream map[int64][]msg.Event

	// SyncPoints are the syncpoint ts generated, ascending.
	SyncPoints []uint64
	// DDLs are the DDL commit ts generated, ascending.
	DDLs []uint64
	// LastResolved is the last resolved ts generated.
	LastResolved uint64
}

// NewGen returns a generator for tables (msg.TableTrigger is implied) on
// the world's stream "dispatchertest/gen".
func NewGen(w *sim.World, clock *tso.Clock, tables []int64, cfg GenConfig) *Gen {
	cfg.defaults()
	return &Gen{
		w: w, r: w.Rand("dispatchertest/gen"), clock: clock, cfg: cfg,
		tables: slices.Clone(tables),
		paths:  make(map[int64][]*Path), seq: make(map[*Path]uint64),
		stream: make(map[int64][]msg.Event),
	}
}

// Attach makes p receive table's events.
func (g *Gen) Attach(table int64, p *Path) { g.paths[table] = append(g.paths[table], p) }

// Stream returns the events generated for table so far.
func (g *Gen) Stream(table int64) []msg.Event { return g.stream[table] }

// Start schedules generation on the loop.
func (g *Gen) Start() {
	for _, t := range g.tables {
		g.scheduleDML(t)
	}
	g.w.Loop.Every(g.cfg.ResolvedEvery, g.resolvedTick)
	if g.cfg.SyncPointEvery > 0 {
		g.w.Loop.Every(g.cfg.SyncPointEvery, g.syncPointTick)
	}
	if g.cfg.DDLEvery > 0 {
		g.scheduleDDL()
	}
	g.w.Loop.At(g.cfg.Until, g.final)
}

// running reports whether generation goes on.
func (g *Gen) running() bool { return g.w.Now() < g.cfg.Until }

func (g *Gen) exp(mean sim.Duration) sim.Duration {
	return sim.Duration(g.r.ExpFloat64()*float64(mean)) + 1
}

func (g *Gen) scheduleDML(t int64) {
	g.w.Loop.After(g.exp(g.cfg.TxnEvery), func() {
		if !g.running() {
			return
		}
		ts := g.clock.Next(g.w.Now())
		rows := 1 + g.r.IntN(4)
		g.emit(t, msg.Event{Kind: msg.EventDML, CommitTs: ts, StartTs: ts - 1, Bytes: int64(rows * 300)})
		g.scheduleDML(t)
	})
}

func (g *Gen) scheduleDDL() {
	g.w.Loop.After(g.exp(g.cfg.DDLEvery), func() {
		if !g.running() || len(g.tables) == 0 {
			return
		}
		t := g.tables[g.r.IntN(len(g.tables))]
		ts := g.clock.Next(g.w.Now())
		ddl := &codec.DDL{StartTs: ts - 1, CommitTs: ts, Kind: codec.DDLAddColumn, Blocked: []int64{t},
			Query: fmt.Sprintf("alter table t%d add column c%d int", t, len(g.DDLs))}
		ev := msg.Event{Kind: msg.EventDDL, CommitTs: ts, StartTs: ts - 1, DDL: ddl, Bytes: 200}
		g.DDLs = append(g.DDLs, ts)
		g.emit(t, ev)
		g.emit(msg.TableTrigger, ev)
		g.scheduleDDL()
	})
}

func (g *Gen) resolvedTick() {
	if g.running() {
		g.resolved(g.clock.At(g.w.Now()))
	}
}

func (g *Gen) resolved(ts uint64) {
	g.LastResolved = max(g.LastResolved, ts)
	for _, t := range g.all() {
		g.emit(t, msg.Event{Kind: msg.EventResolved, CommitTs: ts})
	}
}

func (g *Gen) syncPointTick() {
	if !g.running() {
		return
	}
	s := g.clock.At(g.w.Now())
	g.SyncPoints = append(g.SyncPoints, s)
	for _, t := range g.all() {
		if g.r.IntN(2) == 0 {
			g.emit(t, msg.Event{Kind: msg.EventResolved, CommitTs: s})
			g.LastResolved = max(g.LastResolved, s)
		}
		g.emit(t, msg.Event{Kind: msg.EventSyncPoint, CommitTs: s, Bytes: 40})
	}
}

// final emits the last resolved ts at Until.
func (g *Gen) final() { g.resolved(g.clock.At(g.w.Now())) }

// all returns the trigger and the real tables.
func (g *Gen) all() []int64 { return append([]int64{msg.TableTrigger}, g.tables...) }

// emit records ev in table's stream and pushes a copy to each of its paths.
func (g *Gen) emit(table int64, ev msg.Event) {
	g.stream[table] = append(g.stream[table], ev)
	for _, p := range g.paths[table] {
		e := ev
		e.Dispatcher = p.ID
		e.Epoch = 1
		if e.Kind != msg.EventResolved {
			g.seq[p]++
		}
		e.Seq = g.seq[p]
		p.Push(e)
	}
}
