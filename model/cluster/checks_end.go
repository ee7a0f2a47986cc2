package cluster

import (
	"fmt"

	"github.com/redosim/redosim/engine/apply"
	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/reader"
	"github.com/redosim/redosim/engine/simdriver"
	"github.com/redosim/redosim/model/tso"
	"github.com/redosim/redosim/model/upstream"
	"github.com/redosim/redosim/sim"
)

// checkNoLoss walks the upstream history up to the persisted checkpoint
// (from where it stopped last time) and checks that every change reached
// the downstream.
func (wt *watch) checkNoLoss() {
	if lost, first := reflectedUpTo(wt.cl.up, &wt.reflectedPos, wt.cl.pdCheckpoint, wt.cl.down.State()); lost > 0 {
		wt.inv[InvNoLoss].Failf("%d changes at or below checkpoint %d are missing downstream; first: %s", lost, wt.cl.pdCheckpoint, first)
		return
	}
	wt.inv[InvNoLoss].Pass()
}

// reflectedUpTo checks the upstream history from position *pos up to
// commit ts upTo against st and advances *pos: a row change is reflected
// when its key's version in st is at least its commit ts (a later change
// may have superseded it, a truncate cleared it), a DDL when st applied
// it. It returns how many were not, and the first.
func reflectedUpTo(up *upstream.Upstream, pos *int, upTo uint64, st versions) (missing int, first string) {
	*pos = up.HistoryFrom(*pos, upTo, func(row *codec.Row, ddl *codec.DDL) {
		ok := true
		if row != nil {
			v, _ := st.Version(row.TableID, row.Key)
			ok = v >= row.CommitTs
		} else {
			ok = st.HasDDL(ddl)
		}
		if !ok {
			if missing == 0 {
				first = describeChange(row, ddl)
			}
			missing++
		}
	})
	return missing, first
}

// describeChange names a missing change for a violation.
func describeChange(row *codec.Row, ddl *codec.DDL) string {
	if ddl != nil {
		table := int64(0)
		if len(ddl.Blocked) > 0 {
			table = ddl.Blocked[0]
		}
		return fmt.Sprintf("ddl %s change at commit ts %d (table %d)", ddl.Kind, ddl.CommitTs, table)
	}
	return fmt.Sprintf("row %s change at commit ts %d (table %d)", row.Op, row.CommitTs, row.TableID)
}

// versions is what reflectedUpTo asks of a state.
type versions interface {
	Version(tableID int64, key []byte) (uint64, bool)
	HasDDL(d *codec.DDL) bool
}

// overlay is a base state with a log applied on top, without copying the
// base: for a log of rows only, a key's version after applying the log to
// the base is the larger of its version in each (a versioned state keeps
// the newest change, and rows alone never move a table's truncate mark).
type overlay struct{ base, top *apply.State }

func (o overlay) Version(tableID int64, key []byte) (uint64, bool) {
	b, bok := o.base.Version(tableID, key)
	t, tok := o.top.Version(tableID, key)
	return max(b, t), bok || tok
}

func (o overlay) HasDDL(d *codec.DDL) bool { return o.base.HasDDL(d) || o.top.HasDDL(d) }

// Disaster is what a disaster recovery at one moment found.
type Disaster struct {
	// Meta is the redo meta read from storage.
	MetaCheckpointTs, MetaResolvedTs uint64
	// RPOSeconds is the upstream's newest commit minus the meta resolved
	// ts, in seconds of TSO physical time: what the recovery loses.
	RPOSeconds float64
	// Rows and DDLs applied from the log.
	Rows, DDLs int
	// Held reports whether downstream + log equals the upstream as of the
	// meta resolved ts.
	Held bool
	// Log and State are the records applied and the state before applying,
	// for RTO measurements. State is the live downstream state: read it or
	// clone it, never apply to it.
	Log   []codec.Record
	State *apply.State
}

// CheckDisaster stops nothing but acts as if everything stopped now:
// it reads the redo log from storage, applies it to a copy of the
// downstream, and compares with the upstream as of the meta's resolved
// ts (the disaster invariant).
func (cl *Cluster) CheckDisaster() (*Disaster, error) {
	inv := cl.watch.inv[InvDisaster]
	if !cl.cfg.Redo.Enabled {
		return nil, nil
	}
	log, err := reader.Read(simdriver.Storage(cl.target), reader.Options{Changefeed: cl.cfg.Changefeed})
	if err != nil {
		inv.Failf("read redo: %v", err)
		return nil, err
	}
	recs, err := apply.MergeForApply(log.Rows, log.DDLs)
	if err != nil {
		inv.Failf("sort redo: %v", err)
		return nil, err
	}
	down := cl.down.State()
	st, before, err := applyLog(down, recs, len(log.DDLs) > 0)
	if err != nil {
		inv.Failf("apply redo: %v", err)
		return nil, err
	}
	// Equal to the upstream as of the meta resolved ts: every change at or
	// below it reflected, nothing above it applied (the log holds nothing
	// above it; the downstream holds nothing above durable redo).
	// The downstream already reflects the history up to the watch's cursor
	// (no-loss); the log must bring the rest up to the resolved ts.
	var after versions = st
	if before != down {
		after = overlay{base: down, top: st}
	}
	pos := cl.watch.reflectedPos
	missing, first := reflectedUpTo(cl.up, &pos, log.Meta.ResolvedTs, after)
	top := cl.down.MaxAppliedTs()
	d := &Disaster{MetaCheckpointTs: log.Meta.CheckpointTs, MetaResolvedTs: log.Meta.ResolvedTs,
		Rows: len(log.Rows), DDLs: len(log.DDLs), Log: recs, State: down, Held: missing == 0 && top <= log.Meta.ResolvedTs}
	if last := cl.up.ResolvedTs(); last > log.Meta.ResolvedTs {
		d.RPOSeconds = float64(tso.Physical(last)-tso.Physical(log.Meta.ResolvedTs)) / 1000
	}
	if msg := cl.checkParallelReplay(recs, before, st); msg != "" {
		inv.Failf("%s", msg)
	} else if d.Held {
		inv.Pass()
	} else {
		inv.Failf("downstream + redo log (%d rows, %d ddls) is not the upstream as of meta resolved ts %d: %d changes missing (first: %s), newest downstream change %d",
			d.Rows, d.DDLs, log.Meta.ResolvedTs, missing, first, top)
	}
	return d, nil
}

// applyLog applies the redo log recs serially for the disaster check and
// returns the result and the state it started from (the parallel replay
// must match it from there). A log with DDLs is applied to a copy of the
// downstream. A log of rows only is applied to an empty state and read
// over the downstream (overlay): no copy of the downstream, whose size is
// every live key; the one thing the downstream decides for rows, a row of
// a table it has dropped, is checked against it first.
func applyLog(down *apply.State, recs []codec.Record, ddls bool) (st, before *apply.State, err error) {
	if ddls {
		before = down
		st = down.Clone()
	} else {
		for i := range recs {
			if t := recs[i].Row.TableID; down.Dropped(t) {
				return nil, nil, fmt.Errorf("row of table %d at commitTs %d: table dropped downstream", t, recs[i].Row.CommitTs)
			}
		}
		if before, err = apply.NewState(apply.StateConfig{NoDigest: true}); err != nil {
			return nil, nil, err
		}
		st = before.Clone()
	}
	if _, err := apply.ApplySerial(st, recs); err != nil {
		return nil, nil, err
	}
	return st, before, nil
}

// finish runs the end-of-world checks.
func (wt *watch) finish() {
	wt.final = true
	wt.tick()
	wt.checkNoLoss()
	if wt.cl.cfg.Redo.Enabled {
		wt.cl.CheckDisaster()
	}
	wt.checkEvaluated()
}

// rowsReachDownstreamWithin is how long a world runs before rows must have
// reached the downstream: a few redo flush and meta intervals (2 s and
// 200 ms by default) and a downstream transaction, with room to spare.
const rowsReachDownstreamWithin = 10 * sim.Second

// syncPointsDueWithin is how many syncpoint intervals a world runs before
// syncpoint rows must have been written and judged: the first boundary
// above the start ts is at most one interval in, and the checkpoint must
// then pass it.
const syncPointsDueWithin = 3

// expectedInvariants lists the invariants a world of this configuration
// exercises once it has run for elapsed: each of them must have been
// evaluated, or its checker watched nothing. The rules are explicit, from
// the configuration alone:
//   - monotonic and ordering run every watch tick, no-loss at the end:
//     always;
//   - memory checks an area's usage against the breaker's hard limit: with
//     the breaker on;
//   - redo-before-sink checks every batch handed to the downstream,
//     durable-ack every batch the redo sink acknowledges, and disaster runs
//     at the end: with redo on (the first two once rows had time to get
//     through, rowsReachDownstreamWithin; durable-ack under a durable
//     flush policy);
//   - syncpoint-barrier checks every syncpoint row, syncpoint-completeness
//     every boundary the checkpoint passes: with syncpoints on, once the
//     world ran syncPointsDueWithin intervals, unless the world promises
//     no progress (Config.NoProgressPromised);
//   - liveness judges every second once the world is quiet: when judged
//     (Config.Liveness), once the world ran past its last fault.
func (cl *Cluster) expectedInvariants(elapsed sim.Duration) []string {
	out := []string{InvMonotonic, InvOrdering, InvNoLoss}
	if !cl.cfg.Collector.Breaker.Disabled {
		out = append(out, InvMemory)
	}
	if cl.cfg.Redo.Enabled {
		if elapsed >= rowsReachDownstreamWithin {
			out = append(out, InvRedoBeforeSink)
			if cl.durablePolicy() {
				out = append(out, InvDurableAck)
			}
		}
		out = append(out, InvDisaster)
	}
	if cl.cfg.Liveness.Judged && elapsed > cl.cfg.Liveness.FaultsOverAt+sim.Second {
		out = append(out, InvLiveness)
	}
	if sec := cl.cfg.syncPointIntervalSec(); sec > 0 && !cl.cfg.NoProgressPromised && elapsed >= syncPointsDueWithin*sim.Duration(sec)*sim.Second {
		out = append(out, InvSyncPointBarrier, InvSyncPointCompleteness)
	}
	return out
}

// checkEvaluated is the never-evaluated check, the last of the world: an
// invariant the configuration exercises (expectedInvariants) that was
// never evaluated held vacuously, and says so.
func (wt *watch) checkEvaluated() {
	elapsed := sim.Duration(wt.cl.w.Now())
	inv := wt.inv[InvNeverEvaluated]
	held := true
	for _, name := range wt.cl.expectedInvariants(elapsed) {
		if wt.inv[name].Evaluated() == 0 {
			held = false
			inv.Failf("%s was never evaluated in %v of a world that exercises it (%s)", name, elapsed, wt.cl.exercises(name))
		}
	}
	if held {
		inv.Pass()
	}
}

// durablePolicy reports whether the redo row log's flush policy promises
// an acknowledged row is durable (the default, interval, does).
func (cl *Cluster) durablePolicy() bool {
	p := cl.cfg.Redo.Engine.Policy
	return p == 0 || p.Durable()
}

// exercises says why the configuration exercises the invariant name.
func (cl *Cluster) exercises(name string) string {
	switch name {
	case InvMemory:
		return "release circuit breaker on"
	case InvRedoBeforeSink, InvDisaster:
		return "redo on"
	case InvDurableAck:
		p := cl.cfg.Redo.Engine.Policy
		if p == 0 {
			p = core.PolicyInterval
		}
		return "redo on, flush policy " + p.String()
	case InvSyncPointBarrier, InvSyncPointCompleteness:
		return fmt.Sprintf("a syncpoint every %ds", cl.cfg.syncPointIntervalSec())
	case InvLiveness:
		return fmt.Sprintf("liveness judged from t=%v", cl.cfg.Liveness.FaultsOverAt)
	}
	return "every world"
}
