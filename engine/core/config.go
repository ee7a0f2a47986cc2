package core

import (
	"errors"
	"fmt"
	"strings"

	"github.com/redosim/redosim/sim/vtime"
)

// Policy is a flush policy: when the log writes, when it syncs, and when an
// append counts as acknowledged.
type Policy uint8

// The flush policies, after InnoDB's innodb_flush_log_at_trx_commit and
// TiCDC's flush-interval.
const (
	// PolicyCommit syncs before an append is acknowledged (InnoDB 1). One
	// sync covers every append buffered while the previous one ran: group
	// commit. Acknowledged means durable.
	PolicyCommit Policy = iota + 1
	// PolicyInterval writes and syncs every FlushInterval, or sooner when
	// FlushRows rows are buffered or a file rotates (TiCDC's default, 2 s
	// and 1024 rows). Appends are acknowledged after the covering sync, so
	// acknowledged still means durable, only later.
	PolicyInterval
	// PolicyOS writes as soon as it can but never syncs except at rotation
	// (InnoDB 2). Acknowledged means handed to the OS: it survives a process
	// crash, not a machine crash.
	PolicyOS
	// PolicyNone only buffers; it writes and syncs every FlushInterval
	// (InnoDB 0). Appends are acknowledged at once and promise nothing.
	PolicyNone
)

var policyNames = map[string]Policy{"commit": PolicyCommit, "interval": PolicyInterval, "os": PolicyOS, "none": PolicyNone}

// String returns the policy's name as ParsePolicy reads it.
func (p Policy) String() string {
	for name, q := range policyNames {
		if p == q {
			return name
		}
	}
	return fmt.Sprintf("policy(%d)", uint8(p))
}

// ParsePolicy reads a policy name: commit, interval, os or none.
func ParsePolicy(s string) (Policy, error) {
	if p, ok := policyNames[s]; ok {
		return p, nil
	}
	return 0, fmt.Errorf("engine/core: unknown flush policy %q (commit, interval, os, none)", s)
}

// Durable reports whether an acknowledgement under p means the data
// survives a machine crash.
func (p Policy) Durable() bool { return p == PolicyCommit || p == PolicyInterval }

// Backend selects where log files land.
type Backend uint8

// The backends.
const (
	// BackendFile writes files in a directory: <name>.log.tmp, synced,
	// renamed to <name>.log and the directory synced at rotation.
	BackendFile Backend = iota + 1
	// BackendObject builds each file in memory and uploads it as one atomic
	// PUT at every flush or rotation (TiCDC's default "memory" backend).
	BackendObject
)

// String returns "file" or "object".
func (b Backend) String() string {
	if b == BackendObject {
		return "object"
	}
	return "file"
}

// Format is a log's on-disk format.
type Format uint8

// The formats.
const (
	// FormatRedosim is this engine's own: CRC-32C checksummed payloads, a
	// header with its start LSN in every file, a meta carrying the durable
	// LSNs. Any damage to synced data is detected.
	FormatRedosim Format = iota + 1
	// FormatTiCDC is TiCDC's (engine/ticdc): msgpack RedoLog payloads with
	// no checksum, no file headers, LogMeta metas, V1/V2 names. A reader
	// can tell a torn tail only by a payload that does not decode, and
	// cannot tell a missing file at all.
	FormatTiCDC
)

// String returns "redosim" or "ticdc".
func (f Format) String() string {
	if f == FormatTiCDC {
		return "ticdc"
	}
	return "redosim"
}

// ParseFormat reads a format name: redosim or ticdc.
func ParseFormat(s string) (Format, error) {
	switch s {
	case "redosim":
		return FormatRedosim, nil
	case "ticdc":
		return FormatTiCDC, nil
	}
	return 0, fmt.Errorf("engine/core: unknown log format %q (redosim, ticdc)", s)
}

// Compression is how objects are compressed.
type Compression uint8

// The compressions.
const (
	CompressionNone Compression = iota
	CompressionLZ4
)

// DefaultKeyspace is TiCDC's default keyspace: log names omit it (the V1
// layout), meta names carry it.
const DefaultKeyspace = "default"

// Config configures an Engine. Zero values take the documented defaults.
type Config struct {
	// CaptureID and Changefeed name the files; they must not contain "_".
	// Defaults "capture" and "changefeed".
	CaptureID, Changefeed string
	// Backend is where files land. Default BackendFile.
	Backend Backend
	// Format is the on-disk format. Default FormatRedosim.
	Format Format
	// Compression is CompressionLZ4 to upload each object as one LZ4
	// frame (TiCDC's compression = "lz4"). It needs FormatTiCDC and
	// BackendObject. Default CompressionNone.
	Compression Compression
	// Keyspace is the TiCDC keyspace in FormatTiCDC names: with
	// DefaultKeyspace (the default) logs take the V1 layout, with any
	// other the V2 one. It must not contain "_". Unused by FormatRedosim.
	Keyspace string
	// Policy is the row log's flush policy. Default PolicyInterval. The DDL
	// log always uses PolicyCommit: each DDL is written and synced alone.
	Policy Policy
	// FlushInterval is the row log's flush period under PolicyInterval and
	// PolicyNone. Default 2 s (TiCDC's flush-interval); minimum 1 ms.
	FlushInterval vtime.Duration
	// FlushRows flushes the row log early once more than this many rows are
	// buffered (TiCDC's 1024). Default 1024; negative turns it off.
	FlushRows int
	// MaxLogBytes rotates a file before a record would take it past this
	// size. Default 64 MiB (TiCDC's max-log-size).
	MaxLogBytes int64
	// MetaFlushInterval is how often changed meta is persisted. Default
	// 200 ms (TiCDC's meta-flush-interval).
	MetaFlushInterval vtime.Duration
	// FlushPhase and MetaFlushPhase place the first row flush and the
	// first meta flush that long after the engine's first Tick (then one
	// interval apart), as a process's tickers start at the moment it did.
	// Default 0: both at the first Tick. At most the interval.
	FlushPhase, MetaFlushPhase vtime.Duration
	// MetaReader makes this engine a non-owner of the meta: several captures
	// write logs into one store, and only the one that owns the changefeed's
	// meta (TiCDC's table-trigger redo dispatcher) persists it and deletes
	// old metas. A meta reader still collects its own sealed files below the
	// checkpoint it is given with UpdateMeta. Default false (the owner).
	MetaReader bool
	// NameSeed seeds the UUIDs in file names, so a world names its files the
	// same way every run.
	NameSeed uint64
	// SyncChainsMax, when positive, pipelines the file backend's flushes
	// under the commit and interval policies (log_pipeline.go), after
	// InnoDB's log writer and flusher: up to SyncChainsMax chains that sync
	// may be in flight per stream, and while every one is busy, 32 KiB of
	// buffered records are written ahead in a chain of their own, so the
	// next sync finds them in the page cache. A stream then has several
	// chains in flight; the acknowledged LSN advances through the prefix
	// of completed ones. 1 suits a real disk (writes overlap the sync);
	// more lets syncs overlap too. Default 0: one chain per flush, write
	// then sync, one chain in flight per stream. At most
	// SyncChainsMaxBound.
	SyncChainsMax int
	// TestingKnobs plant the mutation harness's slips (model/cluster
	// Mutants). Never set in a real world.
	TestingKnobs TestingKnobs
}

// TestingKnobs are mutants of the engine and its drivers: one realistic
// slip each, measured by the mutation harness (model/cluster Mutants,
// simrun mutants). The zero value plants nothing.
type TestingKnobs struct {
	// MetaWrittenLSN writes the meta with the logs' appended LSNs (the
	// next LSN to hand out) instead of their synced ones.
	MetaWrittenLSN bool
	// GCNewestSealed lets GC delete the newest sealed file of a log too.
	GCNewestSealed bool
	// AckWrittenLSN acknowledges appends up to the written LSN under the
	// commit and interval policies instead of the synced one.
	AckWrittenLSN bool
	// GCBelowResolved collects sealed files below the meta's resolved ts
	// instead of its checkpoint.
	GCBelowResolved bool
	// FlushedAtIssue counts a meta as flushed when its chain is issued,
	// not when it completes.
	FlushedAtIssue bool
	// ReleaseOneEarly makes engine/simdriver call back one appender past
	// the acknowledged ones whenever it calls any back.
	ReleaseOneEarly bool
}

// SyncChainsMaxBound bounds Config.SyncChainsMax.
const SyncChainsMaxBound = 8

// Defaults, after TiCDC's ConsistentConfig.
const (
	DefaultFlushInterval     = 2 * vtime.Second
	DefaultFlushRows         = 1024
	DefaultMaxLogBytes       = 64 << 20
	DefaultMetaFlushInterval = 200 * vtime.Millisecond
)

// ErrConfig is wrapped by every configuration error.
var ErrConfig = errors.New("engine/core: bad config")

func (c *Config) validate() error {
	if c.CaptureID == "" {
		c.CaptureID = "capture"
	}
	if c.Changefeed == "" {
		c.Changefeed = "changefeed"
	}
	for _, id := range []string{c.CaptureID, c.Changefeed} {
		if strings.ContainsAny(id, "_/") {
			return fmt.Errorf("%w: id %q must not contain '_' or '/'", ErrConfig, id)
		}
	}
	if c.Backend == 0 {
		c.Backend = BackendFile
	}
	if c.Format == 0 {
		c.Format = FormatRedosim
	}
	if c.Format > FormatTiCDC {
		return fmt.Errorf("%w: unknown format %d", ErrConfig, c.Format)
	}
	if c.Keyspace == "" {
		c.Keyspace = DefaultKeyspace
	}
	if c.Compression > CompressionLZ4 {
		return fmt.Errorf("%w: unknown compression %d", ErrConfig, c.Compression)
	}
	if c.Compression == CompressionLZ4 && (c.Format != FormatTiCDC || c.Backend != BackendObject) {
		return fmt.Errorf("%w: lz4 compression needs the ticdc format on the object backend (files are appended, objects uploaded whole)", ErrConfig)
	}
	if strings.ContainsAny(c.Keyspace, "_/") {
		return fmt.Errorf("%w: keyspace %q must not contain '_' or '/'", ErrConfig, c.Keyspace)
	}
	if c.Policy == 0 {
		c.Policy = PolicyInterval
	}
	if c.Backend == BackendObject && c.Policy == PolicyOS {
		return fmt.Errorf("%w: policy os needs a file backend (an object has no page cache to hand data to)", ErrConfig)
	}
	if c.Policy > PolicyNone {
		return fmt.Errorf("%w: unknown policy %d", ErrConfig, c.Policy)
	}
	if c.FlushInterval == 0 {
		c.FlushInterval = DefaultFlushInterval
	}
	if c.FlushInterval < vtime.Millisecond {
		return fmt.Errorf("%w: flush interval %v is under 1ms", ErrConfig, c.FlushInterval)
	}
	if c.FlushRows == 0 {
		c.FlushRows = DefaultFlushRows
	}
	if c.MaxLogBytes == 0 {
		c.MaxLogBytes = DefaultMaxLogBytes
	}
	if c.MaxLogBytes < 4096 {
		return fmt.Errorf("%w: max log size %d is under 4096 bytes", ErrConfig, c.MaxLogBytes)
	}
	if c.SyncChainsMax < 0 || c.SyncChainsMax > SyncChainsMaxBound {
		return fmt.Errorf("%w: sync chains max %d is outside [0, %d]", ErrConfig, c.SyncChainsMax, SyncChainsMaxBound)
	}
	if c.MetaFlushInterval == 0 {
		c.MetaFlushInterval = DefaultMetaFlushInterval
	}
	if c.MetaFlushInterval < vtime.Millisecond {
		return fmt.Errorf("%w: meta flush interval %v is under 1ms", ErrConfig, c.MetaFlushInterval)
	}
	if c.FlushPhase < 0 || c.FlushPhase > c.FlushInterval || c.MetaFlushPhase < 0 || c.MetaFlushPhase > c.MetaFlushInterval {
		return fmt.Errorf("%w: flush phases %v and %v must lie in [0, interval] (%v and %v)",
			ErrConfig, c.FlushPhase, c.MetaFlushPhase, c.FlushInterval, c.MetaFlushInterval)
	}
	return nil
}

// logKeyspace is the keyspace log file names carry: none (V1) but for a
// TiCDC log outside the default keyspace.
func (c *Config) logKeyspace() string {
	if c.Format == FormatTiCDC && c.Keyspace != DefaultKeyspace {
		return c.Keyspace
	}
	return ""
}

// metaName returns the name of a new meta file: TiCDC's layout carries
// the keyspace.
func (c *Config) metaName(uuid string) string {
	if c.Format == FormatTiCDC {
		return MetaName(c.CaptureID, c.Keyspace+"_"+c.Changefeed, uuid)
	}
	return MetaName(c.CaptureID, c.Changefeed, uuid)
}
