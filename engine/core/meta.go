package core

import (
	"strings"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/ticdc"
	"github.com/redosim/redosim/sim/vtime"
)

// Meta is the log's progress record: every change with commitTs <=
// CheckpointTs is in the downstream; every change with commitTs <=
// ResolvedTs is durable in the log. Both only grow.
type Meta struct {
	CheckpointTs uint64
	ResolvedTs   uint64
}

// metaStream persists Meta after TiCDC's scheme: every MetaFlushInterval,
// if it changed, a new uniquely named meta file (or object) is written and
// made durable, then the previous ones are deleted. A meta file is written
// as .mtmp, synced, renamed to .meta and the directory synced, so a
// .meta file was whole on disk before it had its name and any damage to
// it is corruption, never a crash; an object is one atomic PUT. The meta
// carries the record version and the durable LSNs of this capture's row
// and DDL logs, so a reader can tell a log shorter than the meta promises. A crash between the two
// leaves several meta files, and a reader takes the maximum over all of
// them, so the scheme needs no rename. GC of log files rides on the same
// chain, after the meta that justifies it is durable.
type metaStream struct {
	cfg       *Config
	uuids     *uuidSource
	unflushed Meta
	flushed   Meta
	// recovered is the meta recovery read from files it is still making
	// durable; it becomes flushed when the repair chain succeeds.
	recovered   Meta
	files       []string // meta files on storage, oldest first
	nextFlushAt vtime.Instant
	ticked      bool // the first tick placed nextFlushAt at its phase
	due         bool
	inflight    *metaChain
	failed      error
	regressions uint64
	writes      uint64
}

type metaChain struct {
	meta    Meta
	name    string
	deleted []string
}

// update raises the unflushed meta; a value below the current one is
// ignored and counted, never applied.
func (m *metaStream) update(checkpointTs, resolvedTs uint64) {
	if checkpointTs < m.unflushed.CheckpointTs || resolvedTs < m.unflushed.ResolvedTs {
		m.regressions++
	}
	m.unflushed.CheckpointTs = max(m.unflushed.CheckpointTs, checkpointTs)
	m.unflushed.ResolvedTs = max(m.unflushed.ResolvedTs, resolvedTs)
}

func (m *metaStream) tick(now vtime.Instant) {
	if !m.ticked {
		m.ticked = true
		if m.cfg.MetaFlushPhase > 0 {
			m.nextFlushAt = now.Add(m.cfg.MetaFlushPhase)
			return
		}
	}
	if now >= m.nextFlushAt {
		m.due = true
		m.nextFlushAt = now.Add(m.cfg.MetaFlushInterval)
	}
}

// ready builds the meta chain: write the new meta durably, delete the old
// metas, then the GC victims. gc is asked for victims only when a chain is
// really issued.
func (m *metaStream) ready(gc func(checkpointTs uint64) []string, rowLSN, ddlLSN LSN) []Op {
	if m.inflight != nil || m.failed != nil || !m.due || m.unflushed == m.flushed {
		return nil
	}
	m.due = false
	if m.cfg.MetaReader {
		return m.readyGCOnly(gc)
	}
	name := m.cfg.metaName(m.uuids.next())
	var data []byte
	if m.cfg.Format == FormatTiCDC {
		data = ticdc.AppendMeta(nil, codec.Meta{CheckpointTs: m.unflushed.CheckpointTs, ResolvedTs: m.unflushed.ResolvedTs})
	} else {
		data = codec.EncodeMeta(nil, codec.Meta{CheckpointTs: m.unflushed.CheckpointTs, ResolvedTs: m.unflushed.ResolvedTs,
			Version: codec.MetaVersion, RowLSN: uint64(rowLSN), DDLLSN: uint64(ddlLSN)})
	}
	mc := &metaChain{meta: m.unflushed, name: name}
	var ops []Op
	if m.cfg.Backend == BackendObject {
		ops = append(ops, Op{Kind: OpPut, Path: name, Data: data})
	} else {
		tmp := strings.TrimSuffix(name, ExtMeta) + ExtMetaTmp
		ops = append(ops, Op{Kind: OpCreate, Path: tmp}, Op{Kind: OpWrite, Path: tmp, Data: data},
			Op{Kind: OpSync, Path: tmp}, Op{Kind: OpRename, Path: tmp, NewPath: name}, Op{Kind: OpSyncDir})
	}
	var victims []string
	gcTs := m.unflushed.CheckpointTs
	if m.cfg.TestingKnobs.GCBelowResolved {
		gcTs = m.unflushed.ResolvedTs // mutant: the resolved ts is not a checkpoint
	}
	for _, f := range append(append([]string(nil), m.files...), gc(gcTs)...) {
		if f != name { // never delete what this chain writes
			victims = append(victims, f)
		}
	}
	for _, v := range victims {
		if m.cfg.Backend == BackendObject {
			ops = append(ops, Op{Kind: OpDelete, Path: v})
		} else {
			ops = append(ops, Op{Kind: OpRemove, Path: v})
		}
	}
	if len(victims) > 0 && m.cfg.Backend == BackendFile {
		ops = append(ops, Op{Kind: OpSyncDir})
	}
	mc.deleted = victims
	m.inflight = mc
	m.writes++
	if m.cfg.TestingKnobs.FlushedAtIssue {
		m.flushed = m.unflushed // mutant: issued is not durable
	}
	return ops
}

func (m *metaStream) advance(err error) {
	mc := m.inflight
	m.inflight = nil
	if err != nil {
		m.failed = err
		return
	}
	m.flushed.CheckpointTs = max(m.flushed.CheckpointTs, mc.meta.CheckpointTs)
	m.flushed.ResolvedTs = max(m.flushed.ResolvedTs, mc.meta.ResolvedTs)
	if mc.name != "" {
		m.files = []string{mc.name}
	}
}

// readyGCOnly is the meta chain of a non-owner: no meta file, only the
// collection of its own sealed files below the checkpoint it was given.
func (m *metaStream) readyGCOnly(gc func(checkpointTs uint64) []string) []Op {
	victims := gc(m.unflushed.CheckpointTs)
	m.flushed = m.unflushed
	if len(victims) == 0 {
		return nil
	}
	var ops []Op
	for _, v := range victims {
		if m.cfg.Backend == BackendObject {
			ops = append(ops, Op{Kind: OpDelete, Path: v})
		} else {
			ops = append(ops, Op{Kind: OpRemove, Path: v})
		}
	}
	if m.cfg.Backend == BackendFile {
		ops = append(ops, Op{Kind: OpSyncDir})
	}
	m.inflight = &metaChain{meta: m.unflushed, name: ""}
	m.writes++
	return ops
}
