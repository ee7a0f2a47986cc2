package disk

// Fault points a Disk consults through its world (sim.World.Fire). Inside
// a world only the harness decides when they fire, so a seed replays
// exactly. Each firing is recorded in the trace by World.Fire.
const (
	// FaultFsyncEIO is consulted when a Sync or SyncData completes; when
	// it fires, the file gets a writeback error first (InjectWritebackError),
	// so that sync drops the dirty pages and returns ErrIO, and the next
	// one succeeds without the dropped data (fsyncgate).
	FaultFsyncEIO = "sim/disk/fsyncEIO"
	// FaultENOSPC is consulted when a Create, WriteAt, Append or growing
	// Truncate completes; when it fires the op fails with ErrNoSpace and
	// changes nothing, whatever the capacity.
	FaultENOSPC = "sim/disk/enospc"
	// FaultReadError is consulted when a ReadAt or ReadFile completes;
	// when it fires, the first sector the read touches gets a latent read
	// error (AddLatentReadError), so this read and later ones fail with
	// ErrReadError until the sector is rewritten.
	FaultReadError = "sim/disk/readError"
	// FaultStall is consulted when an op starts service; when it fires,
	// the value decides the slowdown of that op: a duration ("2s", "500ms")
	// is added to its service time, a bare positive number ("20")
	// multiplies its latency, and anything else (or no value) multiplies
	// it by DefaultStallFactor.
	FaultStall = "sim/disk/stall"
)

// DefaultStallFactor multiplies the latency of an op when FaultStall
// fires without a usable factor: a tenfold slowdown, the order of a
// garbage-collecting SSD or a throttled cloud volume.
const DefaultStallFactor = 10.0
