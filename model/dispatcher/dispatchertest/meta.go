package dispatchertest

import (
	"github.com/redosim/redosim/model/dispatcher"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/node"
)

// Meta is a fake redo meta (A6): UpdateMeta raises the unflushed values,
// a ticker on the node makes them durable every flushEvery.
type Meta struct {
	unflushedCkpt, unflushedRts uint64
	flushedCkpt, flushedRts     uint64
	// Flushes counts flushes that changed something.
	Flushes int
}

var _ dispatcher.RedoMeta = (*Meta)(nil)

// NewMeta returns a meta at (startTs, startTs) flushed every flushEvery on
// node n.
func NewMeta(n *node.Node, flushEvery sim.Duration, startTs uint64) *Meta {
	m := &Meta{unflushedCkpt: startTs, unflushedRts: startTs, flushedCkpt: startTs, flushedRts: startTs}
	n.Every(flushEvery, m.flush)
	return m
}

// UpdateMeta raises the unflushed values; lower ones are ignored.
func (m *Meta) UpdateMeta(checkpointTs, resolvedTs uint64) {
	m.unflushedCkpt = max(m.unflushedCkpt, checkpointTs)
	m.unflushedRts = max(m.unflushedRts, resolvedTs)
}

// FlushedMeta returns the durable values.
func (m *Meta) FlushedMeta() (checkpointTs, resolvedTs uint64) {
	return m.flushedCkpt, m.flushedRts
}

func (m *Meta) flush() {
	if m.unflushedCkpt == m.flushedCkpt && m.unflushedRts == m.flushedRts {
		return
	}
	m.flushedCkpt, m.flushedRts = m.unflushedCkpt, m.unflushedRts
	m.Flushes++
}
