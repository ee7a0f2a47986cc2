// Package osdriver runs the redo engine's deterministic core on a real file
// system with goroutines and real fdatasync: the same core the simulation
// runs, so what is measured here is the engine the simulation checks.
//
// Appenders call AppendRow from any number of goroutines. Each takes the
// core's mutex only to encode its record into the log buffer and reserve
// its LSN (the core encodes straight into the buffer it will write),
// starts any chain the core has ready, and then waits on its own slot of
// an LSN-ordered queue. Worker goroutines run the chains, writing and
// fdatasyncing with the mutex released, so appends keep filling the
// buffer during a sync and the next sync covers them all: group commit.
// When a chain completes, its worker wakes exactly the appenders the core
// now acknowledges (no broadcast) and takes the core's next chain itself;
// a loop goroutine only ticks the core at its deadlines.
//
// On a real disk, run the core with Config.SyncChainsMax 1 and the driver
// with PreallocateBytes set: the core then writes the next batch while the
// last one syncs (InnoDB's writer and flusher, with a link_buf over chains
// advancing the durable LSN), and log files are zero-filled spares made in
// the background, so a sync overwrites allocated blocks and commits no
// file-system metadata. bench/engine measures both against pebble's
// LogWriter.
//
// This package is outside every simulated world: it reads the wall clock
// and starts goroutines (the determinism rules exempt engine/osdriver).
//
// Usage:
//
//	cfg := core.Config{Policy: core.PolicyCommit, SyncChainsMax: 1}
//	drv, rep, err := osdriver.Open("/var/redo", cfg, osdriver.Options{PreallocateBytes: 64 << 20})
//	lsn, err := drv.AppendRow(&row) // returns once acknowledged
//	drv.Close()
package osdriver

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/sim"
)

// ErrClosed is returned by appends after Close.
var ErrClosed = errors.New("engine/osdriver: closed")

// Options tune the driver beyond the core's Config.
type Options struct {
	// PreallocateBytes, when positive, makes new log files zero-filled,
	// synced files of this size, so syncs overwrite allocated blocks
	// instead of growing the file: one device write fewer per sync and
	// 30–45 % less latency on ext4. Open fills the first spare; a
	// background goroutine fills the next one in the log directory's
	// .spare subdirectory once the open file is half written, if its
	// syncs were small enough for the zeros to pay (see
	// preallocSyncBytesMax); otherwise, or if none is ready, a file starts
	// empty. Nothing in the commit path waits for zeros. Sealing cuts the
	// unused tail. Set it to the core's MaxLogBytes. Default 0 (off).
	PreallocateBytes int64

	// sys is the seam to the OS (nil: the OS itself); tests record calls.
	sys syscalls
}

// Driver runs one engine on one directory.
type Driver struct {
	dir   string
	opts  Options
	start time.Time
	files *fileTable
	// waiters recycles appenders' wait slots, so a commit allocates none.
	waiters sync.Pool

	mu       sync.Mutex
	eng      *core.Engine
	closed   bool
	rowWait  waitQueue
	ddlWait  waitQueue
	idleWork []chan core.Chain // workers waiting for a chain, see work
	workers  []chan core.Chain // every worker
	running  int               // chains in flight
	idle     *sync.Cond        // broadcast after every chain, for Close
	stats    Stats
	quit     chan struct{}  // closed by Close: the tick loop ends
	finished sync.WaitGroup // the tick loop and the workers
}

// Stats counts the driver's real I/O: fdatasyncs and writes, how many and
// how long they took in total.
type Stats struct {
	Syncs      uint64
	SyncTime   time.Duration
	Writes     uint64
	WriteBytes uint64
	WriteTime  time.Duration
	// Preallocated counts log files that took a zero-filled spare.
	Preallocated uint64
}

// Open recovers the engine from dir (created if missing), runs the repair
// chain, and starts the driver.
func Open(dir string, cfg core.Config, opts Options) (*Driver, *core.RecoveryReport, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, fmt.Errorf("engine/osdriver: mkdir %s: %w", dir, err)
	}
	// The directory's own entry must be durable before anything in it is.
	if err := syncDir(filepath.Dir(filepath.Clean(dir))); err != nil {
		return nil, nil, fmt.Errorf("engine/osdriver: sync parent of %s: %w", dir, err)
	}
	cfg.Backend = core.BackendFile
	eng, rep, err := core.Recover(cfg, DirStorage(dir), 512)
	if err != nil {
		return nil, nil, err
	}
	d := &Driver{dir: dir, opts: opts, start: time.Now(), eng: eng, files: newFileTable(dir, opts.sys),
		quit: make(chan struct{})}
	d.waiters.New = newWaiter
	d.idle = sync.NewCond(&d.mu)
	for _, c := range eng.Ready() { // the repair chain, run before anything else
		var cs chainStats
		err := d.files.run(c, &cs)
		d.stats.add(cs)
		if aerr := eng.Advance(c.ID, err); aerr != nil || err != nil {
			d.files.closeAll()
			return nil, nil, errors.Join(err, aerr)
		}
	}
	if opts.PreallocateBytes > 0 {
		if d.files.spares, err = newSpares(dir, opts.PreallocateBytes); err != nil {
			d.files.closeAll()
			return nil, nil, err
		}
	}
	d.finished.Add(1)
	go d.loop()
	return d, rep, nil
}

// now is the driver's clock: wall time since Open, as the core's Instant.
func (d *Driver) now() sim.Instant { return sim.Instant(time.Since(d.start)) }

// AppendRow appends a row and returns once it is acknowledged under the
// policy (for PolicyCommit: durable).
func (d *Driver) AppendRow(row *codec.Row) (core.LSN, error) {
	return d.append(&d.rowWait, func() (core.LSN, core.LSN, error) {
		lsn, err := d.eng.AppendRow(d.now(), row)
		return lsn, d.eng.RowAckedLSN(), err
	})
}

// AppendDDL appends a DDL and returns once it is durable.
func (d *Driver) AppendDDL(ddl *codec.DDL) (core.LSN, error) {
	return d.append(&d.ddlWait, func() (core.LSN, core.LSN, error) {
		lsn, err := d.eng.AppendDDL(d.now(), ddl)
		return lsn, d.eng.DDLAckedLSN(), err
	})
}

// append runs add (an append to the core that returns the record's LSN
// and the stream's acknowledged LSN) under the mutex, starts whatever the
// core has ready, and waits on its own slot in wq until a chain's
// completion acknowledges the LSN or fails the log.
func (d *Driver) append(wq *waitQueue, add func() (lsn, acked core.LSN, err error)) (core.LSN, error) {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return 0, ErrClosed
	}
	lsn, acked, err := add()
	if err == nil {
		err = d.eng.Err()
	}
	if err != nil || acked >= lsn {
		d.dispatchLocked()
		d.mu.Unlock()
		if err != nil {
			return 0, err
		}
		return lsn, nil
	}
	w := d.waiters.Get().(*waiter)
	w.lsn = lsn
	wq.push(w)
	d.dispatchLocked()
	d.mu.Unlock()
	err = <-w.done
	d.waiters.Put(w)
	if err != nil {
		return 0, err
	}
	return lsn, nil
}

// UpdateMeta raises the meta persisted at the next meta flush.
func (d *Driver) UpdateMeta(checkpointTs, resolvedTs uint64) {
	d.mu.Lock()
	d.eng.UpdateMeta(checkpointTs, resolvedTs)
	d.mu.Unlock()
}

// Stats returns the driver's I/O counters and the core's.
func (d *Driver) Stats() (Stats, core.Stats) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stats, d.eng.Stats()
}
