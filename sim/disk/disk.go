package disk

import (
	"hash/crc32"

	"github.com/redosim/redosim/internal/invariants"
	"github.com/redosim/redosim/sim"
)

// castagnoli is the CRC-32C table a borrowed write's payload is summed with.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Config configures New.
type Config struct {
	// Name names the disk in the trace and its random stream
	// ("sim/disk/<Name>"). "" means "disk0".
	Name string
	// Profile is the device timing. The zero Profile means
	// ProfileByName("local-vm").
	Profile Profile
	// FS configures the file system the disk starts with.
	FS FSConfig
}

// Disk is a timed device over an FS: every op is submitted now and
// completes later as an event of the world's loop, when its callback runs.
//
// An op's effect is applied at its completion, just before its callback
// runs: the callback, and anything that runs after it, sees the effect;
// nothing sees it earlier. A sync persists the page cache as it is at the
// sync's completion, so writes that completed while it ran are persisted
// too (allowed: fsync promises at least the earlier writes). Memory-lane
// ops on one path complete in submission order, so two Appends in flight
// get increasing offsets.
//
// There are two lanes. Buffered writes and namespace ops (WriteAt, Append,
// Truncate, Create, MkdirAll, Rename, Remove) only touch memory: each
// starts at once and takes a latency draw plus bytes over the page-cache
// bandwidth. Reads and syncs (ReadAt, ReadFile, Sync, SyncData, SyncDir)
// go to the device: a FIFO queue served QueueDepth at a time. A device op
// first waits for the memory-lane ops on its path submitted before it (a
// sync waits for the earlier writes of its file; SyncDir for the earlier
// creates, renames and removes in the directory). Two syncs of one path
// never overlap: the later one waits, holding its queue slot (Linux
// serializes them on the inode; on this machine write+fsync from 8 threads
// is no faster than from one). A sync's service time is its latency plus
// its dirty bytes over the flush bandwidth, measured when it starts.
//
// Callbacks may be nil. A Disk is not safe for concurrent use; it lives
// in one world.
type Disk struct {
	w         *sim.World
	name      string
	prof      Profile
	fs        *FS
	rand      *sim.Rand
	crashRand *sim.Rand
	epoch     uint64
	queue     []*op
	inService int
	inFlight  int
	paths     map[string]*pathState
	stalls    []stallWindow
	stats     Stats
}

// Stats counts what a Disk did. Latencies are from submission to
// completion, in virtual time.
type Stats struct {
	// Submitted and Completed count ops; Completed includes failed ops.
	Submitted, Completed uint64
	// Writes counts WriteAt and Append; Reads counts ReadAt and ReadFile;
	// Syncs counts Sync and SyncData; SyncDirs counts SyncDir; MetaOps
	// counts Create, MkdirAll, Truncate, Rename and Remove.
	Writes, Reads, Syncs, SyncDirs, MetaOps uint64
	// Errors counts completed ops that returned an error.
	Errors uint64
	// BytesWritten is the bytes of successful writes; BytesRead of reads;
	// BytesFlushed the dirty bytes successful syncs wrote to the device.
	BytesWritten, BytesRead, BytesFlushed int64
	// SyncLatencySum and SyncLatencyMax cover Sync and SyncData.
	SyncLatencySum, SyncLatencyMax sim.Duration
	// QueueWaitSum is the time device ops spent queued for a slot.
	QueueWaitSum sim.Duration
	// QueueLenMax is the longest the device queue has been.
	QueueLenMax int
	// Crashes counts Crash and SetFS calls; Dropped the in-flight ops they
	// discarded.
	Crashes, Dropped uint64
}

// New returns a disk in world w with an empty file system.
func New(w *sim.World, cfg Config) *Disk {
	if cfg.Name == "" {
		cfg.Name = "disk0"
	}
	if cfg.Profile.isZero() {
		cfg.Profile, _ = ProfileByName("local-vm")
	}
	if cfg.Profile.QueueDepth <= 0 {
		cfg.Profile.QueueDepth = 1
	}
	return &Disk{
		w:         w,
		name:      cfg.Name,
		prof:      cfg.Profile,
		fs:        NewFS(cfg.FS),
		rand:      w.Rand("sim/disk/" + cfg.Name),
		crashRand: w.Rand("sim/disk/" + cfg.Name + "/crash"),
		paths:     map[string]*pathState{},
	}
}

// Name returns the disk's name.
func (d *Disk) Name() string { return d.name }

// Profile returns the disk's timing profile.
func (d *Disk) Profile() Profile { return d.prof }

// FS returns the current file system. It changes after Crash and SetFS.
// Synchronous calls on it take no virtual time (for setup, checks, and
// listing a directory during recovery).
func (d *Disk) FS() *FS { return d.fs }

// Stats returns the counters so far.
func (d *Disk) Stats() Stats { return d.stats }

// InFlight returns the number of ops submitted and not yet completed.
func (d *Disk) InFlight() int { return d.inFlight }

// Create creates or truncates a file (FS.Create) and calls done.
func (d *Disk) Create(path string, done func(error)) {
	d.submit(&op{kind: opCreate, path: path, done: done})
}

// MkdirAll creates a directory and its parents (FS.MkdirAll).
func (d *Disk) MkdirAll(dir string, done func(error)) {
	d.submit(&op{kind: opMkdir, path: dir, done: done})
}

// WriteAt writes p at off (FS.WriteAt). p is copied at submission.
func (d *Disk) WriteAt(path string, off int64, p []byte, done func(error)) {
	d.submit(&op{kind: opWrite, path: path, off: off, data: append([]byte(nil), p...), done: done})
}

// WriteAtBorrowed is WriteAt without the copy: p is read when the write
// completes, so the caller must leave it unchanged until done is called
// (or the disk loses power, which drops the write). The redo engine's
// chains promise exactly that of their payloads, and at TiCDC's rates the
// copy was a sixth of a world's allocations.
func (d *Disk) WriteAtBorrowed(path string, off int64, p []byte, done func(error)) {
	o := &op{kind: opWrite, path: path, off: off, data: p, done: done, borrowed: true}
	if invariants.Enabled {
		o.borrowedSum = crc32.Checksum(p, castagnoli)
	}
	d.submit(o)
}

// Append appends p (FS.Append) and reports the offset it landed at. p is
// copied at submission.
func (d *Disk) Append(path string, p []byte, done func(off int64, err error)) {
	d.submit(&op{kind: opAppend, path: path, data: append([]byte(nil), p...), doneOff: done})
}

// ReadAt reads up to n bytes at off (FS.ReadAt; a short read reports
// io.EOF).
func (d *Disk) ReadAt(path string, off int64, n int, done func([]byte, error)) {
	d.submit(&op{kind: opRead, path: path, off: off, n: n, doneData: done})
}

// ReadFile reads a whole file (FS.ReadFile).
func (d *Disk) ReadFile(path string, done func([]byte, error)) {
	d.submit(&op{kind: opReadFile, path: path, doneData: done})
}

// Sync is fsync (FS.Sync).
func (d *Disk) Sync(path string, done func(error)) {
	d.submit(&op{kind: opSync, path: path, done: done})
}

// SyncData is fdatasync (FS.SyncData): same durability as Sync, cheaper
// when the file's size did not change.
func (d *Disk) SyncData(path string, done func(error)) {
	d.submit(&op{kind: opSyncData, path: path, done: done})
}

// SyncDir is fsync of a directory (FS.SyncDir).
func (d *Disk) SyncDir(dir string, done func(error)) {
	d.submit(&op{kind: opSyncDir, path: dir, done: done})
}

// Rename renames a file atomically (FS.Rename).
func (d *Disk) Rename(oldPath, newPath string, done func(error)) {
	d.submit(&op{kind: opRename, path: oldPath, path2: newPath, done: done})
}

// Remove removes a file or an empty directory (FS.Remove).
func (d *Disk) Remove(path string, done func(error)) {
	d.submit(&op{kind: opRemove, path: path, done: done})
}

// Truncate sets a file's size (FS.Truncate).
func (d *Disk) Truncate(path string, size int64, done func(error)) {
	d.submit(&op{kind: opTruncate, path: path, off: size, done: done})
}

// Stall multiplies the latency of every op that starts service in
// [from, until) by factor (> 0); overlapping windows multiply.
func (d *Disk) Stall(from, until sim.Instant, factor float64) {
	if !(factor > 0) || until <= from {
		panic("sim/disk: Stall needs from < until and a positive factor")
	}
	d.stalls = append(d.stalls, stallWindow{from: from, until: until, factor: factor})
}

// Crash cuts the power: the file system is replaced by its crash image
// (FS.Crash drawing from r, or from the disk's stream
// "sim/disk/<name>/crash" when r is nil), and every op in flight is dropped. A dropped op never
// completes and its callback never runs; since effects apply at
// completion, it had no effect either. The disk stays usable: ops
// submitted after Crash run against the new file system (the restarted
// node's view). Stall windows stay.
func (d *Disk) Crash(r *sim.Rand) {
	if r == nil {
		r = d.crashRand
	}
	d.replace(d.fs.Crash(r))
	d.w.Record("disk.crash", d.name, d.fs.Digest())
}

// SetFS replaces the file system, dropping in-flight ops as Crash does,
// e.g. to restart on an image from FS.CrashWith or FS.CrashStates.
func (d *Disk) SetFS(fs *FS) {
	d.replace(fs)
	d.w.Record("disk.setfs", d.name, d.fs.Digest())
}

func (d *Disk) replace(fs *FS) {
	d.stats.Crashes++
	d.stats.Dropped += uint64(d.inFlight)
	d.fs = fs
	d.epoch++
	clear(d.queue)
	d.queue = d.queue[:0]
	d.inService, d.inFlight = 0, 0
	d.paths = map[string]*pathState{}
}
