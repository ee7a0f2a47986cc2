package cluster

import (
	"slices"

	"github.com/redosim/redosim/model/downstream"
	"github.com/redosim/redosim/model/tso"
	"github.com/redosim/redosim/sim"
)

// syncPointIntervalSec is the syncpoint interval in whole seconds, as the
// dispatchers get it (TiCDC's sync-point-interval is whole seconds): 0
// when syncpoints are off, or the configured interval is under a second.
func (c *Config) syncPointIntervalSec() int64 { return int64(c.SyncPointInterval / sim.Second) }

// syncPointDue is the syncpoint-completeness cursor: the syncpoints the
// changefeed must write are every interval boundary from the first at or
// above its start ts (tso.FirstSyncPoint, as the event service computes
// it for a dispatcher starting there), and next is the first of them not
// yet judged. A boundary S is judged once, when the persisted checkpoint
// is above S, so the cursor never rescans and holds only the rows written
// at or above it.
//
// Strictly above, not at: TiCDC's changefeed checkpoint can equal S
// before S's row is written. The event broker emits Sync(S) only before
// a resolved ts strictly above S (pkg/eventservice/event_broker.go
// emitSyncPointEventIfNeeded: ts > nextSyncPoint), so a dispatcher takes
// resolved S first and, idle, reports max(maxCommitTs-1, resolved) = S
// (downstreamadapter/dispatcher/basic_dispatcher.go GetCheckpointTs,
// table_progress.go GetCheckpointTs); a syncpoint waiting at the barrier
// is not in its TableProgress (AddBlockEventToSink adds it only on
// Write), so it still reports S; and the maintainer's min over the node
// heartbeats (maintainer/maintainer.go calculateNewCheckpointTs) is capped
// by pending block events only for DDLs that add tables
// (barrier.go GetMinBlockedCheckpointTsForNewTables). Every dispatcher's
// checkpoint passes S only after it has handled Sync(S), which the
// barrier lets none do before the writer has written the row; so a
// checkpoint above S owes the row. The start ts is no longer a special
// case: the checkpoint starts at it, before its row.
type syncPointDue struct {
	interval sim.Duration // 0: syncpoints off
	next     uint64
	// seen is how many of the downstream's syncpoint rows were read.
	seen int
	// written are the syncpoint rows written at or above next, ascending:
	// at most the few between the checkpoint and the downstream's head.
	written []uint64
}

func newSyncPointDue(cfg *Config, startTs uint64) syncPointDue {
	sec := cfg.syncPointIntervalSec()
	if sec <= 0 {
		return syncPointDue{}
	}
	iv := sim.Duration(sec) * sim.Second
	return syncPointDue{interval: iv, next: tso.FirstSyncPoint(startTs, iv, false)}
}

// absorb takes the rows the downstream wrote since the last call (its
// syncpoint table only grows, once per ts: a rewrite is ignored) into
// written. A row below the cursor comes after its boundary was judged
// missing: that violation is already counted.
func (d *syncPointDue) absorb(rows []downstream.SyncPointRow) {
	for ; d.seen < len(rows); d.seen++ {
		ts := rows[d.seen].PrimaryTs
		if ts < d.next {
			continue
		}
		if i, found := slices.BinarySearch(d.written, ts); !found {
			d.written = slices.Insert(d.written, i, ts)
		}
	}
}

// checkSyncPointCompleteness judges every syncpoint boundary below the
// persisted checkpoint not judged yet (see syncPointDue for why not at it): its row must be in the
// downstream's syncpoint table (read there, not from the observer hook
// syncpoint-barrier hangs on). A row between two boundaries is a syncpoint off the
// interval. (That no row above S reached the downstream before S's row
// is syncpoint-barrier's first check, at the moment the row is written.)
func (wt *watch) checkSyncPointCompleteness() {
	d := &wt.spDue
	ck := wt.cl.pdCheckpoint
	inv := wt.inv[InvSyncPointCompleteness]
	if d.interval == 0 {
		return
	}
	d.absorb(wt.cl.down.SyncPointRows())
	for d.next < ck {
		s := d.next
		d.next = tso.NextSyncPoint(s, d.interval)
		for len(d.written) > 0 && d.written[0] < s {
			inv.Failf("syncpoint row %d is off the %v syncpoint interval (next boundary %d)", d.written[0], d.interval, s)
			d.written = d.written[1:]
		}
		if len(d.written) > 0 && d.written[0] == s {
			d.written = d.written[1:]
			inv.Pass()
			continue
		}
		inv.Failf("syncpoint %d is below the changefeed checkpoint %d but its row is not in the downstream", s, ck)
	}
}
