// Package core is the redo engine's deterministic core: a row log, a DDL
// log and the meta, as a state machine that performs no I/O and reads no
// clock, after etcd-io/raft's Ready. Callers append records and tick it
// with the time; Ready hands out chains of I/O ops (create, write,
// truncate, sync, rename, directory sync, remove; put and delete for
// object storage) and Advance reports how each chain ended. A driver
// carries the ops out: engine/simdriver as loop events on a simulated disk
// or object store, engine/osdriver with goroutines, real files and
// fdatasync. The two write byte-identical files for the same script.
//
// # Files
//
// TiCDC's layout: <capture>_<changefeed>_<row|ddl>_<maxCommitTs>_<uuid>.log,
// written as .log.tmp (named with its first commit ts), synced, then at
// rotation (max log size) or a clean stop (Seal) truncated to its data,
// synced, renamed to its sealed name and the directory synced. Every file
// starts with a header record holding the LSN of its first record, so
// recovery restores the LSN after older files were collected, and the
// files of a stream must cover its LSNs without a gap. On object storage
// every flush uploads one whole object (TiCDC's memory backend). The meta
// is a small checksummed file carrying the checkpoint and resolved ts, the
// record version and the durable LSNs of the owner's row and DDL logs;
// it is written as .mtmp, synced, renamed under a fresh name, the
// directory synced, then the older metas removed; readers take the maximum
// over all meta files, so a crash between the two steps is harmless. GC
// removes the oldest sealed files whose max commit ts is below the meta
// checkpoint, never the newest one.
//
// With Config.Format = FormatTiCDC the engine writes TiCDC's format
// instead (engine/ticdc): msgpack payloads without checksums, no file
// headers (so no LSN checks), LogMeta metas named with the keyspace.
//
// # Damage
//
// A sealed file and a .meta file were synced whole before they got their
// names, so no crash can tear them: any bad frame in them is corruption.
// In an open file only a bad frame with nothing valid after it is a torn
// tail. A gap in a stream's LSNs is a missing file, unless every record
// before it is below the checkpoint (each header carries the greatest
// commit ts before its file): GC, or an upload that landed after a
// restarted capture's recovery, leaves such gaps and they lose nothing. A
// log ending below the LSN its meta promises lost synced records. AuditStorage finds all of
// these; Recover refuses to open on any (a *DamageError naming each file,
// offset and the records at stake), and changes nothing.
//
// # Acknowledgement semantics
//
//   - commit: an append is acknowledged after the sync that covers it
//     (group commit: one sync covers every append buffered meanwhile).
//   - interval: writes and syncs every flush interval, early after the
//     row-count trigger or at rotation; acknowledged after the covering
//     sync. Acknowledged means durable under both.
//   - os: written to the OS as soon as possible, synced only at rotation;
//     acknowledged once written (survives a process crash, not a machine
//     crash).
//   - none: buffered; acknowledged at once; written and synced every
//     interval (InnoDB's 0).
//
// # Failures
//
// Any I/O error fails the stream it belongs to: appends return the error
// and nothing more is acknowledged. An fsync that reports EIO may have
// dropped dirty pages as clean while readers still see them (fsyncgate),
// so no later success can prove them durable; the engine does not retry.
// Recovery after a restart audits the directory (see Damage), then its
// repair chain rewrites what it keeps of each open file, file by file
// and meta by meta, truncates torn tails, syncs and seals open files, and
// removes only what a crash provably left empty (open files with no
// record, unfinished .mtmp files of this capture); files of other
// captures, changefeeds and formats are never touched. Rewriting rather
// than only syncing makes durable even pages an earlier failed fsync
// dropped. The recovered meta counts as flushed only once the repair
// succeeded (Recovering reports the window); a failed repair issues
// nothing more.
//
// Usage:
//
//	e, rep, err := core.Recover(core.Config{Policy: core.PolicyCommit}, storage, 512)
//	lsn, err := e.AppendRow(now, &row)
//	for _, c := range e.Ready() { ...perform c.Ops...; e.Advance(c.ID, err) }
//	acked := e.RowAckedLSN() >= lsn
package core
