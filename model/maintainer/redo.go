package maintainer

import (
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
)

// redoMeta is the maintainer's computed redo meta (TiCDC redoMetaTs).
type redoMeta struct {
	checkpointTs, resolvedTs uint64
}

// redoTick is the redo period task (A7, periodRedoInterval): raise the
// meta's resolved ts to the minimum redo watermark and its checkpoint to
// the changefeed checkpoint; if either moved, ask the maintainer's own
// node (the table-trigger redo dispatcher's manager) to update the meta.
func (m *Maintainer) redoTick() {
	changed := false
	if ts, ok := m.minWatermark(!m.cfg.TestingKnobs.RedoResolvedFromMain); ok && ts > m.redoMeta.resolvedTs {
		m.redoMeta.resolvedTs = ts
		m.met.redoMetaResolved.Set(float64(ts))
		m.barriers[msg.ModeRedo].prune(ts)
		changed = true
		if m.cfg.ForwardUnflushedMeta {
			m.onRedoPersisted(msg.RedoResolvedProgress{ResolvedTs: ts}) // before TiCDC #3426: not yet flushed
		}
	}
	ck := m.checkpointTs
	if m.cfg.TestingKnobs.RedoCheckpointFromResolved {
		ck = m.redoMeta.resolvedTs // mutant: the resolved ts is not a checkpoint
	}
	if ck > m.redoMeta.checkpointTs {
		m.redoMeta.checkpointTs = ck
		changed = true
	}
	if !changed {
		return
	}
	u := msg.RedoMetaUpdate{CheckpointTs: m.redoMeta.checkpointTs, ResolvedTs: m.redoMeta.resolvedTs}
	m.w.Record("maintainer/redo-meta", m.actor, sim.Digest(u.CheckpointTs, u.ResolvedTs))
	m.n.Send(m.n.ID(), u, msgBytes)
}

// onRedoPersisted handles the flushed meta's resolved ts (C:
// onRedoPersisted): when it rose, it becomes the redo resolved ts and is
// broadcast, with the maintainer's epoch, to every node as redoGlobalTs.
func (m *Maintainer) onRedoPersisted(p msg.RedoResolvedProgress) {
	if p.ResolvedTs <= m.redoResolvedTs {
		return
	}
	m.redoResolvedTs = p.ResolvedTs
	m.redoGlobalTs = p.ResolvedTs
	m.met.redoResolved.Set(float64(p.ResolvedTs))
	m.met.redoGlobal.Set(float64(p.ResolvedTs))
	m.w.Record("maintainer/redo-forward", m.actor, sim.Digest(p.ResolvedTs, m.cfg.Epoch))
	m.forward()
}

// forward sends the redo resolved ts to every node as redoGlobalTs.
func (m *Maintainer) forward() {
	f := msg.RedoResolvedForward{ResolvedTs: m.redoResolvedTs, MaintainerEpoch: m.cfg.Epoch}
	for _, id := range m.cfg.Nodes {
		m.n.Send(id, f, msgBytes)
	}
}

// resendForward is the ForwardResend fix: the current redo resolved ts
// again, so a restarted dispatcher manager (its redoGlobalTs back at 0)
// learns it without waiting for an increase its own fenced dispatchers
// may be what prevents. Managers raise monotonically, so a resend is
// harmless.
func (m *Maintainer) resendForward() {
	if m.redoResolvedTs > m.cfg.StartTs {
		m.forward()
	}
}
