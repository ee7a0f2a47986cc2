package cluster

import (
	"fmt"

	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/model/dispatcher"
	"github.com/redosim/redosim/model/maintainer"
	"github.com/redosim/redosim/model/tso"
	"github.com/redosim/redosim/model/upstream"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/check"
)

// LivenessBoundMin is the least the liveness bound is (LivenessBound).
const LivenessBoundMin = 40 * sim.Second

// livenessDelaysFactor is how many times the periodic delays on a ts's
// way to the checkpoint the liveness bound allows.
const livenessDelaysFactor = 4

// LivenessBound is how long the checkpoint (and, with redo on, the
// durable redo resolved ts) of a quiet world may go without advancing by
// a second: livenessDelaysFactor times the periodic delays a ts passes on
// its way there (the upstream resolved tick; with redo, the redo flush,
// the meta flush and the maintainer's redo tick, the redo fence's path;
// with syncpoints, the block-status resend a barrier may wait for), and
// at least LivenessBoundMin. With syncpoints on it is also at least two
// syncpoint intervals: the scan window caps a changefeed's dispatchers at
// the slowest one's sent resolved ts plus one interval, so under pressure
// the checkpoint moves in syncpoint steps, each when a barrier completes,
// and a changefeed that keeps up takes at most an interval per step. At
// TiCDC's defaults without syncpoints the delays sum to 4.2 s, so the
// bound is 40 s; with syncpoints every 60 s it is 120 s.
func (c *Config) LivenessBound() sim.Duration {
	if c.Liveness.Bound > 0 {
		return c.Liveness.Bound
	}
	delays := orDefault(c.Upstream.ResolvedInterval, upstream.DefaultResolvedInterval)
	if c.Redo.Enabled {
		delays += engineInterval(c.Redo.Engine.FlushInterval, core.DefaultFlushInterval) +
			engineInterval(c.Redo.Engine.MetaFlushInterval, core.DefaultMetaFlushInterval) +
			orDefault(c.Maintainer.RedoTick, maintainer.DefaultRedoTick)
	}
	steps := sim.Duration(0)
	if c.SyncPointInterval > 0 {
		delays += orDefault(c.Dispatcher.BlockResend, dispatcher.DefaultBlockResend)
		steps = 2 * c.SyncPointInterval
	}
	return max(LivenessBoundMin, livenessDelaysFactor*delays, steps)
}

func orDefault(d, def sim.Duration) sim.Duration {
	if d <= 0 {
		return def
	}
	return d
}

// liveSeries is the liveness check's view of one ts (the checkpoint, the
// durable redo resolved ts).
type liveSeries struct {
	name string
	// ts is the value when it last advanced, or when the world became
	// quiet; since is when.
	ts    uint64
	since sim.Instant
	// stalled is set once the current stall is reported.
	stalled bool
}

// observe judges ts at now: once the world is quiet (after quiet), it
// must rise by more than 0 and at least minAdvance within every bound.
func (ls *liveSeries) observe(inv *check.Checker, now, quiet sim.Instant, bound, minAdvance sim.Duration, ts uint64) {
	rise := sim.Duration(tso.Physical(ts)-tso.Physical(ls.ts)) * sim.Millisecond
	if now <= quiet || ts > ls.ts && rise >= minAdvance {
		ls.ts, ls.since, ls.stalled = ts, now, false
		if now > quiet {
			inv.Pass()
		}
		return
	}
	switch {
	case ls.stalled:
	case now.Sub(ls.since) > bound:
		ls.stalled = true
		by := ""
		if minAdvance > 0 {
			by = fmt.Sprintf(" by %v", minAdvance)
		}
		inv.Failf("%s stood still from t=%.3fs: it did not rise%s within %v, with no fault active since t=%.3fs",
			ls.name, ls.since.Seconds(), by, bound, quiet.Seconds())
	default:
		inv.Pass()
	}
}

// checkLiveness is the liveness invariant, every second: in a quiet world
// (no fault's effect left, Config.Liveness) the persisted checkpoint and,
// with redo on, the durable redo resolved ts keep advancing. A node down,
// a partition or a downstream stall the cluster sees makes the world not
// quiet, whoever scheduled it. A stall is reported once, with the time it
// began.
func (wt *watch) checkLiveness() {
	lc := wt.cl.cfg.Liveness
	if !lc.Judged {
		return
	}
	now := wt.cl.w.Now()
	if wt.disrupted() {
		wt.disruptedAt = now
	}
	quiet := max(sim.Instant(lc.FaultsOverAt), wt.disruptedAt, wt.cl.down.StalledUntil())
	inv, bound := wt.inv[InvLiveness], wt.cl.cfg.LivenessBound()
	wt.live[0].observe(inv, now, quiet, bound, lc.MinAdvance, wt.cl.pdCheckpoint)
	if wt.cl.cfg.Redo.Enabled {
		wt.live[1].observe(inv, now, quiet, bound, lc.MinAdvance, wt.durableRedo)
	}
}

// disrupted reports whether a capture node is down or two are cut apart.
func (wt *watch) disrupted() bool {
	for _, a := range wt.cl.captures {
		if !a.node.Up() {
			return true
		}
		for _, b := range wt.cl.captures {
			if a != b && wt.cl.net.Partitioned(a.node.ID(), b.node.ID()) {
				return true
			}
		}
	}
	return false
}
