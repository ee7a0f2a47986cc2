package dispatcher

import (
	"math"
	"slices"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/netsim"
)

// NoWatermark is the watermark of a node without dispatchers of a kind
// (TiCDC MaxUint64): the maintainer leaves it out of its minimum.
const NoWatermark uint64 = math.MaxUint64

// Watermarks returns the node's watermarks: the minimum checkpoint over its
// event dispatchers and over its redo dispatchers, NoWatermark for a kind
// the node has none of (C: aggregateDispatcherHeartbeats).
func (m *Manager) Watermarks() (watermark, redoWatermark uint64) {
	watermark, redoWatermark = NoWatermark, NoWatermark
	if m.cfg.Dispatcher.TestingKnobs.WatermarkMax {
		// Mutant: the most advanced dispatcher, not the least.
		return maxCheckpoint(m.eventList), maxCheckpoint(m.redoList)
	}
	for _, d := range m.eventList {
		watermark = min(watermark, d.CheckpointTs())
	}
	for _, d := range m.redoList {
		redoWatermark = min(redoWatermark, d.CheckpointTs())
	}
	return watermark, redoWatermark
}

// heartbeat sends the node's watermarks to the maintainer (every
// HeartbeatInterval).
func (m *Manager) heartbeat() {
	wm, rwm := m.Watermarks()
	if wm != NoWatermark {
		m.gWatermark.Set(float64(wm))
	}
	if rwm != NoWatermark {
		m.gRedoWatermark.Set(float64(rwm))
	}
	hb := msg.HeartBeat{Node: m.n.ID(), Watermark: wm, RedoWatermark: rwm, Dispatchers: len(m.eventTables) + len(m.redoTables)}
	m.n.Send(m.maintainer, hb, msgBytesBase)
}

// collectRedoMeta reports the flushed redo meta resolved ts to the
// maintainer when it rose since the last report (every FlushInterval, on
// the maintainer's node; C: collectRedoMeta).
func (m *Manager) collectRedoMeta() {
	_, rts := m.cfg.Meta.FlushedMeta()
	if rts <= m.lastSentRedoTs {
		return
	}
	m.lastSentRedoTs = rts
	m.w.Record("manager/redo-progress", string(m.n.ID()), rts)
	m.n.Send(m.maintainer, msg.RedoResolvedProgress{ResolvedTs: rts}, msgBytesBase)
}

// onMetaUpdate raises the unflushed redo meta. Only the current maintainer
// may raise it; the meta itself ignores values that would go back.
func (m *Manager) onMetaUpdate(from netsim.NodeID, u msg.RedoMetaUpdate) {
	if m.cfg.Meta == nil || from != m.maintainer {
		return
	}
	m.cfg.Meta.UpdateMeta(u.CheckpointTs, u.ResolvedTs)
}

// onForward applies a redoGlobalTs broadcast: dropped if its epoch is older
// than the maintainer's the manager knows; otherwise a monotonic raise of
// redoGlobalTs, and if it rose every event dispatcher retries its fence
// cache, in table order (C: RedoResolvedTsForwardMessageHandler).
func (m *Manager) onForward(from netsim.NodeID, f msg.RedoResolvedForward) {
	if f.MaintainerEpoch < m.epoch && !m.cfg.Dispatcher.TestingKnobs.ForwardIgnoresEpoch {
		m.forwardsDropped.Inc()
		m.w.Record("manager/forward-stale", string(m.n.ID()), sim.Digest(f.ResolvedTs, f.MaintainerEpoch))
		return
	}
	if f.MaintainerEpoch > m.epoch {
		m.maintainer, m.epoch = from, f.MaintainerEpoch
	}
	if !m.fence.Advance(f.ResolvedTs) {
		return
	}
	m.gRedoGlobalTs.Set(float64(f.ResolvedTs))
	m.w.Record("manager/redo-global-ts", string(m.n.ID()), f.ResolvedTs)
	for _, d := range slices.Clone(m.eventList) {
		if m.events[d.id.Table] == d { // still there: a retry may remove dispatchers
			d.HandleCacheEvents()
		}
	}
}

// maxCheckpoint is the largest checkpoint of ds, NoWatermark when ds is
// empty (the WatermarkMax mutant's aggregate).
func maxCheckpoint[D interface{ CheckpointTs() uint64 }](ds []D) uint64 {
	if len(ds) == 0 {
		return NoWatermark
	}
	var ts uint64
	for _, d := range ds {
		ts = max(ts, d.CheckpointTs())
	}
	return ts
}
