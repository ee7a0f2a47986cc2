// Package disk is the world's storage: FS, a synchronous in-memory
// crashable file system with no notion of time, and Disk, a timed device
// over it whose I/O completes as events of the world's loop.
//
// # The file system
//
// Each file is a volatile page cache (what readers see) over a durable
// image (what survives power loss); each directory has volatile entries
// over synced entries. Paths are slash-separated and rooted at "/"; a
// relative path is taken from the root and every path is cleaned. Files
// have one name each (no hard links); directories cannot be renamed.
//
// # Fault model, zone by zone
//
// Durable image (bytes a successful Sync covered). A crash never changes
// them, except where the application has since rewritten them without
// syncing: then the old or the new sector survives (and see garbage
// below). Two faults reach them, and only when a test or a fault plan asks:
// FlipBit (rot: one bit of the durable image and of the cached copy
// inverted) and AddLatentReadError (a sector that fails every read with
// ErrReadError until it is rewritten; the medium's property, so it
// survives crashes). Neither is ever random here. Recovery stays possible
// because the damage is local and detectable: a checksummed record
// notices a flipped bit, and a read error is reported, never silent.
//
// Unsynced tail (bytes written since the last Sync: the dirty sectors,
// and a pending size change). A crash loses them, except that writeback
// may have got part way: the file keeps a prefix of its crash units (its
// dirty sectors in offset order, then the new size), and the dirty sector
// right after the prefix may hold garbage (random bytes). Sectors are
// SectorBytes (512 by default) and are written whole: a kept sector is
// exactly the page cache's sector. Kept sectors past the durable size
// grow the file; the garbage sector grows it too (the size reached the
// journal, the data did not). By default garbage replaces only bytes
// written since the last sync, so every synced byte survives every crash;
// CrashConfig.GarbageWholeSector models a disk without atomic sector
// writes, where a torn rewrite of a sector holding synced bytes destroys
// them too. Recovery stays possible because damage is confined to the
// tail: a log that frames records with lengths and checksums finds its
// longest valid prefix, and no acknowledged (synced) record lies past it.
// Real kernels may write back any subset of dirty pages; the prefix model
// covers the torn tail of an append-only log, the case a redo log meets.
//
// Namespace (directory entries). Create, MkdirAll, Rename and Remove are
// durable only after SyncDir of the directory they change; Sync of a file
// does not make its name durable. A crash keeps exactly the synced
// entries reachable from the root, so an unsynced new file vanishes, an
// unsynced removal is undone (the file returns with its durable
// contents), and an unsynced rename is undone. Rename is atomic: after a
// crash the file has exactly one of its names. A rename between two
// directories is one journal transaction: SyncDir of either makes both
// halves durable. Recovery stays possible because the engine seals files
// with write, sync, rename, sync-dir, and each step leaves a valid state.
//
// Fsync errors (InjectWritebackError, fault point sim/disk/fsyncEIO). The
// next Sync or SyncData of the file returns ErrIO exactly once. Like Linux
// since 4.13 ("fsyncgate"), the failed writeback marks the dirty pages
// clean: readers keep seeing the new bytes, the durable image never gets
// them, a retried sync succeeds, and a crash shows the old durable
// contents. An engine that retries fsync and trusts the success loses
// data; that is the bug this zone exists to expose. Recovery stays
// possible only if the engine treats ErrIO as fatal for the unsynced data
// (rewrite it, or crash and recover from the durable state).
//
// Space (SetCapacity, fault point sim/disk/enospc). A write that would
// grow the files past the capacity fails with ErrNoSpace and writes
// nothing (no partial writes); overwrites and shrinking succeed. Nothing
// already written is lost, so recovery is to free space and retry.
//
// # Crashes are clones
//
// FS.Crash draws every choice from the stream it is given, file by file in
// path order, and returns a new, independent FS; the old one answers
// ErrCrashed from then on. FS.CrashSpace, FS.CrashWith, FS.CrashChoices
// and FS.CrashStates expose the same choices deterministically, so a test
// can enumerate every crash state of a small workload.
//
// # The timed device
//
// Disk applies each op's effect at its completion, just before the
// callback runs; a read or sync binds to its file like a descriptor once
// the earlier ops on its path are done. Buffered writes and namespace ops take a latency draw
// and a page-cache copy; reads and syncs queue FIFO at the device,
// QueueDepth at a time, a sync after the earlier writes of its file and
// after any sync of the same file. Latencies come from a Profile; Stall
// and the sim/disk/stall fault point slow ops down. Disk.Crash drops every
// op in flight: its callback never runs and it has no effect. Every
// completion is recorded in the world's trace.
//
// Usage:
//
//	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
//	d := disk.New(w, disk.Config{Name: "redo0"}) // local-vm profile
//	d.Create("/0001.log", func(err error) {
//		d.SyncDir("/", func(err error) { /* the name is durable */ })
//		d.Append("/0001.log", rec, func(off int64, err error) {
//			d.SyncData("/0001.log", func(err error) { /* rec is durable */ })
//		})
//	})
//	err := w.Loop.Run()
//
// ExampleDisk and ExampleFS_CrashWith are compiled versions.
package disk
