package core

import "fmt"

// Pipelined flushes (Config.SyncChainsMax > 0; file backend and a policy
// that syncs the open file), after InnoDB's log writer and log flusher and
// pebble's LogWriter. A stream's chains come in three shapes:
//
//	flush chain:  [create] write ... [seal] sync <open file> [syncdir]
//	write chain:  write ...                         (written ahead)
//	sync chain:   sync <open file> [syncdir]
//
// At most SyncChainsMax chains that sync are in flight. With a sync slot
// free, buffered records go out in a flush chain, exactly as without
// pipelining; with two or more slots, flush chains overlap. With every
// slot busy, records wait, unless writeAheadBytes have gathered: then a
// write chain (one at a time) hands them to the OS while the syncs run,
// and the next flush or sync chain covers them.
//
// Chains complete in any order, so both watermarks advance through the
// prefix of completed chains in issue order (InnoDB's link_buf, over
// chains): the written LSN through chains that write, the durable LSN
// through chains that sync. A chain's sync covers its own writes; a flush
// chain is issued only when no write chain is in flight, so it covers every
// earlier write-ahead too, and a sync chain claims only the written LSN.
// An earlier flush chain's writes may still be running when a later one
// syncs, but the durable LSN passes the later claim only once the earlier
// sync completed too.
//
// Ordering on the files: a chain never writes a file another chain in
// flight creates (it waits for the create), and a chain that seals a file
// (truncate, sync, rename) waits until no chain is in flight, since a
// write or sync may still be using it.

// writeAheadBytes is how much a pipelined stream buffers before it writes
// while every sync slot is busy (pebble's 32 KiB block): the next sync
// then finds most of its data already written, yet a trickle of small
// records still costs one write per sync, not many.
const writeAheadBytes = 32 << 10

// pipelined reports whether the stream pipelines its flushes.
func (l *streamLog) pipelined() bool {
	return l.cfg.SyncChainsMax > 0 && l.cfg.Backend == BackendFile && l.syncsOpenFile()
}

// readyPipelined returns the next chain of a pipelined stream, or nil.
func (l *streamLog) readyPipelined(id uint64) []Op {
	if l.failed != nil {
		return nil
	}
	if ops := l.readyWrite(id); ops != nil {
		return ops
	}
	return l.readySync(id)
}

// readyWrite returns a flush chain when a sync slot is free, or a write
// chain when every slot is busy and writeAheadBytes are buffered; nil when
// the buffered records must wait.
func (l *streamLog) readyWrite(id uint64) []Op {
	if !l.flushWanted || len(l.segs) == 0 {
		l.flushWanted = false
		return nil
	}
	free := l.syncsBusy() < l.cfg.SyncChainsMax
	for _, seg := range l.segs {
		if seg.file.sealing && (len(l.writing) > 0 || len(l.syncing) > 0) {
			return nil
		}
		if seg.file.created && !seg.file.createDone {
			return nil
		}
	}
	for _, pc := range l.writing {
		if !pc.sync && !pc.writeDone {
			return nil // one write-ahead at a time; a flush chain waits for it
		}
	}
	if !free && l.pendingBytes < writeAheadBytes {
		return nil
	}
	l.flushWanted = false
	pc := &pendingChain{id: id, writes: true}
	ops := l.readyFile(pc, free)
	l.takeSegs(pc)
	l.writing = append(l.writing, pc)
	if pc.syncedTo > 0 { // a trailing sync, a seal, or the planted bug's claim
		l.issueSync(pc)
	}
	l.stats.Chains++
	return ops
}

// readySync returns a sync chain for what written-ahead chains left
// unsynced, once a slot is free; or nil.
func (l *streamLog) readySync(id uint64) []Op {
	f := l.syncFile
	if f == nil || f.sealing || l.plantAckBeforeSync || l.syncsBusy() >= l.cfg.SyncChainsMax || l.writtenLSN <= l.syncIssued {
		return nil
	}
	pc := &pendingChain{id: id, syncedTo: l.writtenLSN}
	ops := []Op{{Kind: OpSync, Path: f.name.String()}}
	if !f.dirDurable && !f.dirSyncing && !l.plantSkipDirSync {
		ops = append(ops, Op{Kind: OpSyncDir})
		pc.dirSync = f
	}
	l.issueSync(pc)
	l.stats.Syncs++
	l.stats.Chains++
	return ops
}

// issueSync counts pc among the chains that sync.
func (l *streamLog) issueSync(pc *pendingChain) {
	pc.sync = true
	if pc.dirSync != nil {
		pc.dirSync.dirSyncing = true
	}
	l.syncIssued = max(l.syncIssued, pc.syncedTo)
	l.syncing = append(l.syncing, pc)
}

// syncsBusy counts the chains whose sync is in flight (not those that
// completed and wait for an earlier one).
func (l *streamLog) syncsBusy() int {
	n := 0
	for _, pc := range l.syncing {
		if !pc.syncDone {
			n++
		}
	}
	return n
}

// advancePipelined applies the outcome of chain id of a pipelined stream.
// Engine.Advance passes only ids it issued and has not seen complete.
func (l *streamLog) advancePipelined(id uint64, err error) {
	pc := findChain(l.writing, id)
	if pc == nil {
		pc = findChain(l.syncing, id)
	}
	l.recycle(pc.bufs)
	if err != nil || l.failed != nil {
		// As in advance: an I/O error fails the stream for good, and no
		// later sync can prove anything durable after it (fsyncgate).
		if l.failed == nil {
			l.failed = fmt.Errorf("engine/core: %s log failed: %w", l.typ, err)
		}
		l.writing = dropChain(l.writing, pc)
		l.syncing = dropChain(l.syncing, pc)
		return
	}
	for _, f := range pc.created {
		f.createDone = true
	}
	pc.writeDone, pc.syncDone = true, true
	n := 0
	for ; n < len(l.writing) && l.writing[n].writeDone; n++ {
		done := l.writing[n]
		l.checkChainEnd(done)
		l.writtenLSN = done.endLSN
		l.syncFile = done.lastFile
		l.sealed = append(l.sealed, done.sealed...)
	}
	l.writing = append(l.writing[:0], l.writing[n:]...)
	for n = 0; n < len(l.syncing) && l.syncing[n].syncDone; n++ {
		done := l.syncing[n]
		l.syncedLSN = max(l.syncedLSN, done.syncedTo)
		if done.dirSync != nil {
			done.dirSync.dirDurable = true
		}
	}
	l.syncing = append(l.syncing[:0], l.syncing[n:]...)
	l.ack()
}

func findChain(q []*pendingChain, id uint64) *pendingChain {
	for _, pc := range q {
		if pc.id == id {
			return pc
		}
	}
	return nil
}

func dropChain(q []*pendingChain, pc *pendingChain) []*pendingChain {
	for i, p := range q {
		if p == pc {
			return append(q[:i], q[i+1:]...)
		}
	}
	return q
}
