package cluster

import (
	"fmt"
	"github.com/redosim/redosim/model/collector"
	"math"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/simdriver"
	"github.com/redosim/redosim/model/downstream"
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/model/tso"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/check"
	"github.com/redosim/redosim/sim/metrics"
)

// The invariant catalogue of a changefeed world. Each is evaluated as
// events happen (or every watchInterval), not only at the end.
const (
	InvRedoBeforeSink        = "redo-before-sink"
	InvMonotonic             = "monotonic"
	InvOrdering              = "ordering"
	InvSyncPointBarrier      = "syncpoint-barrier"
	InvSyncPointCompleteness = "syncpoint-completeness"
	InvNoLoss                = "no-loss"
	InvMemory                = "memory"
	InvDisaster              = "disaster"
	InvDurableAck            = "durable-ack"
	InvCheckpointBound       = "checkpoint-bound"
	InvLiveness              = "liveness"
	InvNeverEvaluated        = "never-evaluated"
)

// Invariants documents the catalogue, in order.
func Invariants() [][2]string {
	return [][2]string{
		{InvRedoBeforeSink, "no row reaches the downstream with commitTs above the redo resolved ts durable when it was sent"},
		{InvMonotonic, "durable redo resolved ts, the persisted checkpoint, and per incarnation the maintainer's checkpoint, every redoGlobalTs and every dispatcher checkpoint never go back"},
		{InvOrdering, "checkpoint ts <= durable redo resolved ts <= upstream resolved ts"},
		{InvSyncPointBarrier, "when the syncpoint row for S is written, the downstream equals the upstream as of S"},
		{InvSyncPointCompleteness, "with syncpoints on, every syncpoint interval boundary S at or above the start ts that the persisted checkpoint passed (is above) has its syncpoint row downstream, and no row is off the interval"},
		{InvNoLoss, "every upstream change at or below the changefeed checkpoint is in the downstream"},
		{InvMemory, "each collector area's accounted memory stays within the breaker's hard limit (150% of its quota) plus what one append can add past it (its largest event, and one signal per path), and its accounting adds up"},
		{InvDisaster, "the downstream plus the redo log applied equals the upstream as of the redo meta's resolved ts"},
		{InvDurableAck, "with redo on and a durable flush policy, every batch the redo sink acknowledges to a redo dispatcher lies at or below its engine's synced row LSN: only synced bytes survive a crash"},
		{InvCheckpointBound, "the persisted changefeed checkpoint is at or below the checkpoint of every live event dispatcher, and a capture (re)starts its dispatchers at or below it"},
		{InvLiveness, "when judged (scenarios; swarm worlds in liveness mode), once the last fault's effect is over (a fault plan's, or a node down, a partition or a downstream stall the cluster sees) the persisted checkpoint and, with redo on, the durable redo resolved ts rise (by at least the configured minimum: any rise in the scenarios, a second in the swarm) within every LivenessBound (four times the periodic delays on their way, at least 40 s and, with syncpoints, two intervals); a stall is reported with the time it began"},
		{InvNeverEvaluated, "at the end of a world, every invariant its configuration exercises was evaluated at least once: monotonic, ordering and no-loss always, memory with the breaker on, redo-before-sink and durable-ack (after 10 s; durable-ack with a durable flush policy) and disaster with redo on, the syncpoint checks after three syncpoint intervals"},
	}
}

// memoryBound is the most an area may hold with the breaker on: the
// breaker checks the usage before each append and drops a DML, DDL or
// syncpoint at or above its hard limit (TiCDC's 150 % of the quota), so
// an area passes the limit by at most its largest droppable event, plus
// the events it never drops (a resolved ts or a handshake, at most one
// per path between two releases: the release the drop triggers empties
// paths). The slack comes from the events the world really queued, not a
// constant: at a 1 GiB quota with 3 KB rows it is a few kilobytes.
func memoryBound(u collector.Usage, hardLimit float64) int64 {
	return int64(float64(u.QuotaBytes)*hardLimit) + u.MaxEventBytes + int64(u.Paths)*u.MaxSignalBytes
}

// watchInterval is how often the sampled checks and metrics run.
const watchInterval = 100 * sim.Millisecond

// watch holds the checkers and the cluster-level metrics.
type watch struct {
	cl   *Cluster
	inv  map[string]*check.Checker
	mono monoState
	// durableRedo is the highest redo meta resolved ts seen durable.
	durableRedo uint64
	// reflectedPos is how far the upstream history is known to be in the
	// downstream: once a change is reflected it stays so (versions only
	// grow, applied DDLs stay applied), so no-loss and syncpoint checks
	// share one cursor and visit each change once.
	reflectedPos int
	// spDue is the syncpoint-completeness cursor.
	spDue    syncPointDue
	met      watchMetrics
	lastRows [2]uint64 // downstream rows, redo rows at the last sample
	// minDispatcherCk is the lowest checkpoint of any live dispatcher at
	// the last monotonic check: no live dispatcher scans below it.
	minDispatcherCk uint64
	// minEventCk is the lowest checkpoint of any live event dispatcher in
	// the current sweep (math.MaxUint64: none), for checkpoint-bound.
	minEventCk uint64
	ticks      uint64 // tick calls so far
	final      bool   // the end-of-world checks are running
	// gapLo and gapHi are the lowest and highest event dispatcher
	// checkpoints of the current sweep (gapSeen: any at all).
	gapLo, gapHi uint64
	gapSeen      bool
	// live are the liveness check's checkpoint and redo resolved ts;
	// disruptedAt is the last second a node was down or cut off.
	live        [2]liveSeries
	disruptedAt sim.Instant
}

type monoState struct {
	flushedResolved uint64
	maint           map[uint64]uint64 // epoch -> checkpoint
	redoGlobal      map[string]uint64 // node@incarnation -> redoGlobalTs
	disp            []dispatcherMono  // by capture index
}

type watchMetrics struct {
	checkpointLag, redoLag, fenceGap, fastSlowGap *metrics.Gauge
	usageMain, usageRedo                          *metrics.Gauge
	downRowsPerS, redoRowsPerS                    *metrics.Gauge
}

func newWatch(cl *Cluster) *watch {
	// The durable redo resolved ts starts at the changefeed's start ts:
	// TiCDC's initMeta persists (startTs, startTs) before the changefeed
	// runs, and nothing at or below startTs ever needs redo. The model
	// writes that first meta asynchronously; on slow object storage its PUT
	// can land after the first ordering check, which must not then see 0.
	wt := &watch{cl: cl, inv: map[string]*check.Checker{}, durableRedo: cl.startTs, mono: monoState{maint: map[uint64]uint64{},
		redoGlobal: map[string]uint64{}}}
	for _, inv := range Invariants() {
		wt.inv[inv[0]] = cl.checks.Add(inv[0], inv[1])
	}
	wt.spDue = newSyncPointDue(&cl.cfg, cl.startTs)
	wt.live = [2]liveSeries{{name: "the changefeed checkpoint"}, {name: "the durable redo resolved ts"}}
	r := cl.reg
	wt.met = watchMetrics{
		checkpointLag: r.Gauge("checkpoint_lag_seconds"), redoLag: r.Gauge("redo_lag_seconds"),
		fenceGap: r.Gauge("fence_gap_seconds"), fastSlowGap: r.Gauge("fast_slow_gap_seconds"),
		usageMain: r.Gauge("usage_ratio_main"), usageRedo: r.Gauge("usage_ratio_redo"),
		downRowsPerS: r.Gauge("downstream_rows_per_second"), redoRowsPerS: r.Gauge("redo_rows_per_second"),
	}
	if cl.cfg.bug(BugBlindSyncPointBarrier) {
		cl.down.Observe(blindSyncPoints{wt})
	} else {
		cl.down.Observe(wt)
	}
	return wt
}

// blindSyncPoints is the watch as the downstream's observer with the
// planted bug BugBlindSyncPointBarrier: it is never told of a syncpoint
// row, so syncpoint-barrier checks nothing.
type blindSyncPoints struct{ *watch }

func (blindSyncPoints) OnSyncPoint(downstream.SyncPointRow) {}

func (wt *watch) start() {
	wt.cl.w.Loop.Every(watchInterval, wt.tick)
	wt.cl.w.Loop.Every(sim.Second, wt.perSecond)
}

// accountingEvery is how many ticks apart the collector's full accounting
// recount runs.
const accountingEvery = 10

// tick runs the sampled checks.
func (wt *watch) tick() {
	wt.ticks++
	wt.refreshDurableRedo()
	wt.checkMonotonic()
	wt.checkSyncPointCompleteness()
	wt.checkOrdering()
	wt.checkMemory()
	wt.updateLags()
}

// refreshDurableRedo reads the owner's flushed meta (durable by
// definition) and checks it never goes back, even across restarts: a
// recovered engine takes the maximum over every meta file.
func (wt *watch) refreshDurableRedo() {
	c := wt.cl.captures[0]
	if !wt.cl.cfg.Redo.Enabled || c.redo == nil || c.redo.Recovering() {
		return // a recovering engine does not know its durable meta yet
	}
	r := c.redo.FlushedMeta().ResolvedTs
	wt.inv[InvMonotonic].Check(r >= wt.mono.flushedResolved, "durable redo resolved ts went back from %d to %d", wt.mono.flushedResolved, r)
	wt.mono.flushedResolved = max(wt.mono.flushedResolved, r)
	wt.durableRedo = max(wt.durableRedo, r)
}

func (wt *watch) checkMonotonic() {
	mono := wt.inv[InvMonotonic]
	if m := wt.cl.Maintainer(); m != nil {
		ck, ep := m.CheckpointTs(), m.Epoch()
		mono.Check(ck >= wt.mono.maint[ep], "maintainer (epoch %d) checkpoint went back from %d to %d", ep, wt.mono.maint[ep], ck)
		wt.mono.maint[ep] = max(wt.mono.maint[ep], ck)
		// The persisted checkpoint follows the maintainer and never goes
		// back; a restarted maintainer starts from it.
		wt.cl.pdCheckpoint = max(wt.cl.pdCheckpoint, ck)
	}
	// The sweep runs on the tick just before each whole second, where the
	// metrics sample (every second) reads the fast/slow gauge.
	sweep := wt.ticks%sweepEvery == sweepEvery-1 || wt.final
	if sweep {
		wt.minDispatcherCk, wt.minEventCk = math.MaxUint64, math.MaxUint64
		wt.gapLo, wt.gapHi, wt.gapSeen = 0, 0, false
	}
	for i, c := range wt.cl.captures {
		if c.mgr == nil {
			continue
		}
		inc := fmt.Sprintf("%s@%d", c.node.ID(), c.node.Incarnation())
		g := c.mgr.RedoGlobalTs()
		mono.Check(g >= wt.mono.redoGlobal[inc], "%s redoGlobalTs went back from %d to %d", inc, wt.mono.redoGlobal[inc], g)
		wt.mono.redoGlobal[inc] = max(wt.mono.redoGlobal[inc], g)
		if sweep {
			wt.checkDispatchers(i, c, inc)
		}
	}
	if sweep && wt.gapSeen {
		wt.met.fastSlowGap.Set(float64(tso.Physical(wt.gapHi)-tso.Physical(wt.gapLo)) / 1000)
	}
	if sweep && wt.minEventCk != math.MaxUint64 {
		wt.inv[InvCheckpointBound].Check(wt.cl.pdCheckpoint <= wt.minEventCk,
			"the persisted checkpoint %d is above the lowest live event dispatcher checkpoint %d", wt.cl.pdCheckpoint, wt.minEventCk)
	}
}

// checkRestartTs is checkpoint-bound at a capture's (re)start: its
// dispatchers must start at or below the persisted checkpoint, or the
// changes between the two are never replicated.
func (wt *watch) checkRestartTs(node string, startTs uint64) {
	wt.inv[InvCheckpointBound].Check(startTs <= wt.cl.pdCheckpoint,
		"capture %s restarts its dispatchers at %d, above the persisted checkpoint %d", node, startTs, wt.cl.pdCheckpoint)
}

// sweepEvery is how many ticks apart the per-dispatcher monotonic sweep
// runs: it visits every dispatcher (200 000 at TiCDC's scale), so once a
// second; a checkpoint that went back stays back until it is seen.
const sweepEvery = 10

// dispatcherMono is the highest checkpoint seen of each dispatcher of one
// node incarnation, by the index of its table in capture.allTables (tables
// are only appended, so an index keeps its table).
type dispatcherMono struct {
	incarnation uint64
	main, redo  []uint64
}

// checkDispatchers checks that no dispatcher checkpoint of capture c (the
// i-th) went back since the last sweep, and folds them into
// minDispatcherCk.
func (wt *watch) checkDispatchers(i int, c *capture, inc string) {
	for len(wt.mono.disp) <= i {
		wt.mono.disp = append(wt.mono.disp, dispatcherMono{})
	}
	st := &wt.mono.disp[i]
	if st.incarnation != c.node.Incarnation() { // new dispatchers: no history
		*st = dispatcherMono{incarnation: c.node.Incarnation()}
	}
	tables := c.allTables()
	for len(st.main) < len(tables) {
		st.main, st.redo = append(st.main, 0), append(st.redo, 0)
	}
	mono := wt.inv[InvMonotonic]
	check := func(last *uint64, id msg.DispatcherID, ck uint64) {
		wt.minDispatcherCk = min(wt.minDispatcherCk, ck)
		if ck < *last {
			mono.Failf("dispatcher %s/%s checkpoint went back from %d to %d", inc, id, *last, ck)
			return
		}
		mono.Pass()
		*last = ck
	}
	for j, t := range tables {
		if d := c.mgr.EventDispatcher(t); d != nil {
			ck := d.CheckpointTs()
			check(&st.main[j], msg.DispatcherID{Table: t, Mode: msg.ModeMain}, ck)
			wt.minEventCk = min(wt.minEventCk, ck)
			if t != msg.TableTrigger { // the fast/slow spread is over tables
				if !wt.gapSeen || ck < wt.gapLo {
					wt.gapLo = ck
				}
				wt.gapHi, wt.gapSeen = max(wt.gapHi, ck), true
			}
		}
		if !wt.cl.cfg.Redo.Enabled {
			continue
		}
		if d := c.mgr.RedoDispatcher(t); d != nil {
			check(&st.redo[j], msg.DispatcherID{Table: t, Mode: msg.ModeRedo}, d.CheckpointTs())
		}
	}
}

// checkOrdering: checkpoint <= durable redo resolved <= upstream resolved.
func (wt *watch) checkOrdering() {
	m := wt.cl.Maintainer()
	if m == nil {
		return
	}
	ck, upR := m.CheckpointTs(), wt.cl.up.ResolvedTs()
	ord := wt.inv[InvOrdering]
	if wt.cl.cfg.Redo.Enabled {
		ord.Check(ck <= wt.durableRedo, "checkpoint %d is above the durable redo resolved ts %d", ck, wt.durableRedo)
		ord.Check(wt.durableRedo <= upR, "durable redo resolved ts %d is above the upstream resolved ts %d", wt.durableRedo, upR)
		return
	}
	ord.Check(ck <= upR, "checkpoint %d is above the upstream resolved ts %d", ck, upR)
}

func (wt *watch) checkMemory() {
	mem := wt.inv[InvMemory]
	breaker := wt.cl.cfg.Collector.Breaker
	if breaker.HardLimit == 0 {
		breaker.HardLimit = collector.DefaultHardLimit
	}
	var um, ur float64
	for _, c := range wt.cl.captures {
		if c.col == nil {
			continue
		}
		main, redo := c.col.Usage()
		for _, u := range []struct {
			name string
			u    collector.Usage
		}{{"main", main}, {"redo", redo}} {
			if u.u.QuotaBytes == 0 || breaker.Disabled {
				continue // no area, or no hard limit to hold it
			}
			bound := memoryBound(u.u, breaker.HardLimit)
			mem.Check(u.u.UsedBytes <= bound, "%s %s area uses %d bytes, above %.0f%% of its quota %d plus the slack of one append (largest event %d B, %d paths x largest signal %d B)",
				c.node.ID(), u.name, u.u.UsedBytes, 100*breaker.HardLimit, u.u.QuotaBytes, u.u.MaxEventBytes, u.u.Paths, u.u.MaxSignalBytes)
		}
		// The recount walks every queued event (O(queued), 400 k events
		// in a full 1 GiB area): once a second, not every tick. A leak it
		// catches persists, so a second's delay costs no power.
		if wt.ticks%accountingEvery == 0 || wt.final {
			if err := c.col.CheckAccounting(); err != nil {
				mem.Failf("%s: %v", c.node.ID(), err)
			}
		}
		um, ur = max(um, main.Ratio), max(ur, redo.Ratio)
	}
	wt.met.usageMain.Set(um)
	wt.met.usageRedo.Set(ur)
}

// updateLags sets the lag gauges: now (as a TSO physical time) minus the
// checkpoint and the durable redo resolved ts. The spread of event
// dispatcher checkpoints (fast minus slow) is set by the dispatcher sweep.
func (wt *watch) updateLags() {
	nowMs := tso.Physical(wt.cl.up.Clock().At(wt.cl.w.Now()))
	lag := func(ts uint64) float64 { return float64(nowMs-tso.Physical(ts)) / 1000 }
	wt.met.checkpointLag.Set(lag(wt.cl.pdCheckpoint))
	if wt.cl.cfg.Redo.Enabled {
		wt.met.redoLag.Set(lag(wt.durableRedo))
		wt.met.fenceGap.Set(float64(tso.Physical(wt.durableRedo)-tso.Physical(wt.cl.pdCheckpoint)) / 1000)
	}
}

// perSecond runs the no-loss check and the throughput gauges, and lets
// the upstream forget what nothing can read again.
func (wt *watch) perSecond() {
	wt.checkNoLoss()
	wt.checkLiveness()
	wt.trimHistory()
	down := wt.cl.down.Stats().Rows
	var redo uint64
	for _, c := range wt.cl.captures {
		if c.redo != nil {
			redo += c.redo.Stats().Rows
		}
	}
	wt.met.downRowsPerS.Set(float64(down - wt.lastRows[0]))
	if redo >= wt.lastRows[1] {
		wt.met.redoRowsPerS.Set(float64(redo - wt.lastRows[1]))
	}
	wt.lastRows = [2]uint64{down, redo}
}

// trimHistory garbage-collects the upstream history below what any reader
// can still need: a restart starts at the persisted checkpoint, a live
// dispatcher (reset or not) scans from at least its own checkpoint, a new
// table's dispatchers start at their CREATE above both, and the checkers
// read from their cursor, which checkNoLoss has just moved past every
// change at or below the persisted checkpoint.
func (wt *watch) trimHistory() {
	floor := min(wt.cl.pdCheckpoint, wt.minDispatcherCk)
	if wt.cl.up.PosAfter(floor) > wt.reflectedPos {
		return // the cursor is behind (a change is missing downstream): keep it readable
	}
	wt.cl.up.Trim(floor)
}

// beforeSink is the redo-before-sink check, at the moment a batch is
// handed to the downstream.
func (wt *watch) beforeSink(d msg.DispatcherID, events []msg.Event) {
	if !wt.cl.cfg.Redo.Enabled {
		return
	}
	wt.refreshDurableRedo()
	inv := wt.inv[InvRedoBeforeSink]
	for i := range events {
		if events[i].Kind != msg.EventDML {
			continue
		}
		inv.Check(events[i].CommitTs <= wt.durableRedo, "%s sent commit ts %d to the downstream with durable redo resolved ts %d",
			d, events[i].CommitTs, wt.durableRedo)
	}
}

// OnDML implements downstream.Observer; the check runs in beforeSink.
func (wt *watch) OnDML(msg.DispatcherID, []msg.Event) {}

// OnDDL implements downstream.Observer.
func (wt *watch) OnDDL(*codec.DDL) {}

// OnSyncPoint is the syncpoint-barrier check: at the moment the row for S
// is written, the downstream must equal the upstream as of S. Checked
// without rebuilding the upstream state: every change at or below S must
// be reflected (reflectedUpTo), and nothing above S may ever have been
// applied. Versions only grow and downstream rows only come from upstream
// changes, so together these pin every key at its latest change <= S.
func (wt *watch) OnSyncPoint(row downstream.SyncPointRow) {
	start := wt.cl.up.Clock().InstantOf(row.PrimaryTs)
	wt.cl.rec.Span("cluster", "barrier", fmt.Sprintf("syncpoint %d", row.PrimaryTs), start, row.WrittenAt)
	wt.cl.rec.Observe("syncpoint_delay", "s", row.WrittenAt.Sub(start).Seconds())
	inv := wt.inv[InvSyncPointBarrier]
	if top := wt.cl.down.MaxAppliedTs(); top > row.PrimaryTs {
		inv.Failf("syncpoint %d written while the downstream holds a change at commit ts %d", row.PrimaryTs, top)
		return
	}
	if missing, first := reflectedUpTo(wt.cl.up, &wt.reflectedPos, row.PrimaryTs, wt.cl.down.State()); missing > 0 {
		inv.Failf("syncpoint %d written with %d upstream changes at or below it missing downstream; first: %s",
			row.PrimaryTs, missing, first)
		return
	}
	inv.Pass()
}

// checkDurableAck is the durable-ack check, at the moment the redo sink
// acknowledges a batch of dispatcher d whose rows end at LSN end in eng:
// an acknowledged row must survive a crash, so under a durable policy the
// row log must be synced past it.
func (wt *watch) checkDurableAck(d msg.DispatcherID, eng *core.Engine, end core.LSN) {
	if !eng.Config().Policy.Durable() {
		return // the policy promises no durability (os, none)
	}
	synced := eng.RowDurableLSN()
	wt.inv[InvDurableAck].Check(end <= synced, "%s acknowledged redo rows up to LSN %d with the row log synced to %d (written %d)",
		d, end, synced, eng.RowWrittenLSN())
}

// onRedoOp records the redo engine's syncs and uploads: latency samples
// and timeline slices.
func (wt *watch) onRedoOp(nodeID string) func(simdriver.OpEvent) {
	return func(e simdriver.OpEvent) {
		switch e.Op.Kind {
		case core.OpSync, core.OpPut:
			name := "redo_sync_latency"
			if e.Op.Kind == core.OpPut {
				name = "redo_put_latency"
			}
			wt.cl.rec.Observe(name, "s", e.End.Sub(e.Start).Seconds())
			wt.cl.rec.Span(nodeID, "redo-"+e.Stream, e.Op.Kind.String(), e.Start, e.End)
		}
	}
}

// onCrash records a node crash on the timeline.
func (wt *watch) onCrash(c *capture) {
	wt.cl.rec.Instant(string(c.node.ID()), "node", "crash", wt.cl.w.Now())
}
