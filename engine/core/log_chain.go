package core

import (
	"fmt"

	"github.com/redosim/redosim/engine/ticdc"
)

// syncsOpenFile reports whether the policy syncs the file still open at
// the end of a flush (every policy but os, which syncs only at rotation).
func (l *streamLog) syncsOpenFile() bool { return l.policy != PolicyOS }

// ready returns the next flush chain's ops, or nil when the stream has
// nothing to do or a chain is already in flight. A pipelined stream may
// have more than one chain ready: call ready until nil.
func (l *streamLog) ready(id uint64) []Op {
	if l.pipelined() {
		return l.readyPipelined(id)
	}
	if l.inflight != nil || l.failed != nil || !l.flushWanted {
		return nil
	}
	l.flushWanted = false
	if len(l.segs) == 0 {
		return nil
	}
	var ops []Op
	pc := &pendingChain{id: id}
	if l.cfg.Backend == BackendObject {
		ops = l.readyObject(pc)
	} else {
		ops = l.readyFile(pc, true)
	}
	l.takeSegs(pc)
	l.inflight = pc
	l.stats.Chains++
	return ops
}

// takeSegs hands the buffered segments to chain pc, whose buffers come
// back for reuse when it completes.
func (l *streamLog) takeSegs(pc *pendingChain) {
	for _, seg := range l.segs {
		l.segCapHint = max(l.segCapHint/2, len(seg.data)) // decays when batches shrink
		if seg.data != nil {
			pc.bufs = append(pc.bufs, seg.data)
		}
	}
	clear(l.segs)
	l.segs = l.segs[:0]
	l.rowsPending = 0
	l.pendingBytes = 0
}

// readyFile builds a file-backend flush: create, write, and for each file
// being sealed sync, rename and sync the directory; then, if syncOpen, sync
// the open file (and its directory entry, the first time) unless the
// policy is os.
func (l *streamLog) readyFile(pc *pendingChain, syncOpen bool) []Op {
	var ops []Op
	for i, seg := range l.segs {
		f := seg.file
		pc.lastFile = f
		tmp := f.name.String()
		if !f.created {
			ops = append(ops, Op{Kind: OpCreate, Path: tmp})
			f.created = true
			pc.created = append(pc.created, f)
		}
		if len(seg.data) > 0 {
			ops = append(ops, Op{Kind: OpWrite, Path: tmp, Offset: f.writtenBytes, Data: seg.data})
			f.writtenBytes += int64(len(seg.data))
			l.stats.Writes++
		}
		pc.endLSN = seg.endLSN
		lastOfFile := i == len(l.segs)-1 || l.segs[i+1].file != f
		if f.sealing && lastOfFile {
			final := f.finalName()
			// The truncate is a no-op unless the driver preallocated the
			// file; it cuts the unused tail before the seal.
			ops = append(ops, Op{Kind: OpTruncate, Path: tmp, Offset: f.sizeBytes},
				Op{Kind: OpSync, Path: tmp}, Op{Kind: OpRename, Path: tmp, NewPath: final}, Op{Kind: OpSyncDir})
			pc.sealed = append(pc.sealed, sealedFile{name: final, maxTs: f.maxTs})
			pc.syncedTo = seg.endLSN
			l.stats.Syncs++
			l.stats.FilesSealed++
			l.stats.SealedBytes = append(l.stats.SealedBytes, f.sizeBytes)
		}
	}
	if f := l.cur; f != nil && l.plantAckBeforeSync {
		pc.syncedTo = pc.endLSN // planted bug: claim the sync without issuing it
		return ops
	}
	if f := l.cur; f != nil && syncOpen && l.syncsOpenFile() && l.segs[len(l.segs)-1].file == f {
		ops = append(ops, Op{Kind: OpSync, Path: f.name.String()})
		l.stats.Syncs++
		if !f.dirDurable && !f.dirSyncing && !l.plantSkipDirSync {
			ops = append(ops, Op{Kind: OpSyncDir})
			pc.dirSync = f
		}
		pc.syncedTo = pc.endLSN
	}
	return ops
}

// readyObject builds an object-backend flush: every buffered file becomes
// one object, uploaded whole under its sealed name. The open file is sealed
// too, so every flush makes a new object, as TiCDC's memory backend does.
func (l *streamLog) readyObject(pc *pendingChain) []Op {
	var ops []Op
	for _, seg := range l.segs {
		f := seg.file
		final := f.finalName()
		data := seg.data
		if l.cfg.Compression == CompressionLZ4 {
			// One LZ4 frame over the whole object, as TiCDC's memory
			// backend compresses each upload. Compressing bytes in
			// memory cannot fail.
			packed, err := ticdc.Compress(data)
			if err != nil {
				panic("engine/core: lz4 over a buffer: " + err.Error())
			}
			data = packed
		}
		ops = append(ops, Op{Kind: OpPut, Path: final, Data: data})
		pc.sealed = append(pc.sealed, sealedFile{name: final, maxTs: f.maxTs})
		pc.endLSN = seg.endLSN
		l.stats.Puts++
		l.stats.FilesSealed++
		l.stats.SealedBytes = append(l.stats.SealedBytes, f.sizeBytes)
	}
	pc.syncedTo = pc.endLSN
	l.cur = nil
	return ops
}

// advance applies the outcome of chain id, the chain in flight (or, for a
// pipelined stream, one of its chains).
func (l *streamLog) advance(id uint64, err error) {
	if l.pipelined() {
		l.advancePipelined(id, err)
		return
	}
	pc := l.inflight
	l.inflight = nil
	l.recycle(pc.bufs)
	if err != nil {
		// An I/O error fails the stream: pages an fsync reported as lost
		// may still read back from the cache, so no later success can prove
		// them durable (fsyncgate). Recovery after a restart rewrites what
		// it keeps; see package doc.
		l.failed = fmt.Errorf("engine/core: %s log failed: %w", l.typ, err)
		return
	}
	if pc.repair {
		return
	}
	l.checkChainEnd(pc)
	l.writtenLSN = pc.endLSN
	// A chain that syncs nothing (policy os, no seal) has syncedTo 0: the
	// durable LSN stays.
	l.syncedLSN = max(l.syncedLSN, pc.syncedTo)
	if pc.dirSync != nil {
		pc.dirSync.dirDurable = true
	}
	l.sealed = append(l.sealed, pc.sealed...)
	l.ack()
}

// ack raises the acknowledged LSN under the policy and asks for the next
// flush when appends are waiting.
func (l *streamLog) ack() {
	switch l.policy {
	case PolicyCommit, PolicyInterval:
		if l.cfg.TestingKnobs.AckWrittenLSN {
			l.ackedLSN = max(l.ackedLSN, l.writtenLSN) // mutant: written is not durable
			break
		}
		l.ackedLSN = max(l.ackedLSN, l.syncedLSN)
	case PolicyOS:
		l.ackedLSN = max(l.ackedLSN, l.writtenLSN)
	}
	if len(l.segs) > 0 && (l.policy == PolicyCommit || l.policy == PolicyOS) {
		l.flushWanted = true
	}
	l.checkWatermarks()
}

// collect removes from the sealed list the oldest files whose max
// commitTs is below checkpointTs and returns their names: GC. A file at
// exactly the checkpoint is kept, since a DDL at the checkpoint is still
// read. Only a prefix in LSN order goes (a file below the checkpoint after
// one above it waits), so the files left stay contiguous and a gap always
// means loss; and the newest sealed file always stays, so the end LSN the
// meta promises stays checkable.
func (l *streamLog) collect(checkpointTs uint64) []string {
	n, keep := 0, 1
	if l.cfg.TestingKnobs.GCNewestSealed {
		keep = 0 // mutant: the newest sealed file may go too
	}
	for n < len(l.sealed)-keep && l.sealed[n].maxTs < checkpointTs {
		n++
	}
	gone := make([]string, 0, n)
	for _, s := range l.sealed[:n] {
		gone = append(gone, s.name)
	}
	l.sealed = append(l.sealed[:0], l.sealed[n:]...)
	l.stats.FilesRemoved += uint64(len(gone))
	if n == 0 {
		return nil
	}
	return gone
}

// seal marks the open file for sealing at the next flush (Engine.Seal).
func (l *streamLog) seal() {
	if l.cur == nil {
		return
	}
	l.cur.sealing = true
	l.flushWanted = true
	if len(l.segs) == 0 || l.segs[len(l.segs)-1].file != l.cur {
		// Its data already went out: an empty segment carries the seal.
		l.segs = append(l.segs, &segment{file: l.cur, endLSN: l.nextLSN})
	}
	l.cur = nil
}

// idleSealed reports whether the stream has no open file, nothing
// buffered and no chain in flight.
func (l *streamLog) idleSealed() bool {
	return l.cur == nil && len(l.segs) == 0 && l.inflight == nil && len(l.writing) == 0 && len(l.syncing) == 0
}
