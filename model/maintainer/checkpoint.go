package maintainer

import (
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/model/tso"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/netsim"
)

// onHeartbeat keeps a node's latest watermarks.
func (m *Maintainer) onHeartbeat(from netsim.NodeID, hb msg.HeartBeat) {
	m.progress[from] = nodeProgress{watermark: hb.Watermark, redoWatermark: hb.RedoWatermark}
}

// minWatermark returns the minimum over the nodes' latest watermarks (redo
// ones when redo is set), leaving out nodes without dispatchers of that
// kind. ok is false when a node of Nodes has not heartbeated yet (it
// freezes the computation) or no node has such dispatchers.
func (m *Maintainer) minWatermark(redo bool) (ts uint64, ok bool) {
	ts = noWatermark
	for _, id := range m.cfg.Nodes {
		p, seen := m.progress[id]
		if !seen && m.cfg.TestingKnobs.IgnoreUnreportedNode {
			continue // mutant: the node is left out instead of freezing the minimum
		}
		if !seen {
			return 0, false
		}
		wm := p.watermark
		if redo {
			wm = p.redoWatermark
		}
		ts = min(ts, wm)
	}
	return ts, ts != noWatermark
}

// updateCheckpoint raises the changefeed checkpoint to the minimum node
// watermark (invariant 6); it never goes back.
func (m *Maintainer) updateCheckpoint() {
	defer m.updateLag()
	if m.cfg.TestingKnobs.CheckpointFromLastHeartbeat {
		// Planted bug: one node's watermark per tick, round robin, instead
		// of the minimum over all of them; it goes back whenever the
		// nodes differ.
		m.bugTick++
		id := m.cfg.Nodes[m.bugTick%len(m.cfg.Nodes)]
		if p, ok := m.progress[id]; ok && p.watermark != noWatermark {
			m.setCheckpoint(p.watermark)
		}
		return
	}
	ts, ok := m.minWatermark(m.cfg.TestingKnobs.CheckpointFromRedo) // mutant when set: the redo watermarks
	if !ok || ts <= m.checkpointTs {
		return
	}
	m.setCheckpoint(ts)
}

// setCheckpoint records a new checkpoint.
func (m *Maintainer) setCheckpoint(ts uint64) {
	if ts == m.checkpointTs {
		return
	}
	m.checkpointTs = ts
	m.met.checkpoint.Set(float64(ts))
	m.w.Record("maintainer/checkpoint", m.actor, ts)
	m.barriers[msg.ModeMain].prune(ts)
}

// updateLag sets the checkpoint lag: the TSO physical clock now minus the
// checkpoint's physical part.
func (m *Maintainer) updateLag() {
	nowMs := m.cfg.StartPhysicalMs + int64(m.w.Now())/int64(sim.Millisecond)
	lagMs := nowMs - tso.Physical(m.checkpointTs)
	m.met.lag.Set(float64(lagMs) / 1000)
}
