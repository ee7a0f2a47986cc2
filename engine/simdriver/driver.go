// Package simdriver runs the redo engine's deterministic core inside a
// simulated world: it carries the core's chains of I/O out on a simulated
// disk (sim/disk) or object store (sim/objstore) as loop events, ticks the
// core on virtual time, and calls each appender back when its record is
// acknowledged under the flush policy. No goroutines, no wall clock.
//
// Fault points (see faultpoints.go) are consulted through the world before
// each op, so a fault plan can fail a sync or crash the node at an exact
// persistence step.
//
// Usage:
//
//	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
//	d := disk.New(w, disk.Config{Name: "nvme0", Profile: p})
//	drv, _, err := simdriver.Open(w, core.Config{}, simdriver.Target{Disk: d, Dir: "redo"})
//	drv.AppendRow(&row, func(err error) { ... acknowledged ... })
//	w.Loop.Run()
package simdriver

import (
	"errors"
	"fmt"
	"github.com/redosim/redosim/internal/fifo"
	"path"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/disk"
	"github.com/redosim/redosim/sim/objstore"
)

// ErrStopped is given to every waiting appender when the driver is stopped
// (its node crashed) before their records were acknowledged.
var ErrStopped = errors.New("engine/simdriver: stopped")

// ErrInjected is the error of an op failed by a fault point.
var ErrInjected = errors.New("engine/simdriver: injected fault")

// Target is where the log lives: a directory on a simulated disk, or a key
// prefix in a simulated object store. Exactly one of Disk and Store is set.
type Target struct {
	Disk  *disk.Disk
	Dir   string
	Store *objstore.Store
}

// OpEvent describes one completed op, for metrics and timelines.
type OpEvent struct {
	Stream string
	Op     core.Op
	Start  sim.Instant
	End    sim.Instant
	Err    error
}

// Driver runs one engine in one world.
type Driver struct {
	w       *sim.World
	eng     *core.Engine
	target  Target
	row     waiters
	ddl     waiters
	timer   sim.Timer
	timerAt sim.Instant
	stopped bool
	// OnOp, when set, is called after every op completes.
	OnOp func(OpEvent)
	// OnCrashPoint, when set, is called when a fault point fires with the
	// value "crash": the harness crashes the node there and then.
	OnCrashPoint func(point string)
	probes       probeState // coverage probes (probes.go)
}

type waiter struct {
	lsn  core.LSN
	done func(error)
}

// waiters is a FIFO of appenders; LSNs only grow, so the head is always
// the next to be acknowledged.
type waiters struct{ q fifo.Queue[waiter] }

func (ws *waiters) push(lsn core.LSN, done func(error)) {
	ws.q.Push(waiter{lsn: lsn, done: done})
}

// release calls back every waiter at or below acked when it is called, in
// order; a waiter a callback pushes waits for the next release. extra is
// the ReleaseOneEarly mutant: one waiter more.
func (ws *waiters) release(acked core.LSN, extra bool) {
	n := 0
	for n < ws.q.Len() && ws.q.At(n).lsn <= acked {
		n++
	}
	if extra && n > 0 && n < ws.q.Len() {
		n++ // mutant: the loop bound is one past the acknowledged waiters
	}
	for ; n > 0 && ws.q.Len() > 0; n-- { // a callback may fail the rest
		wt := *ws.q.Front()
		ws.q.Pop()
		wt.done(nil)
	}
}

func (ws *waiters) fail(err error) {
	for n := ws.q.Len(); n > 0 && ws.q.Len() > 0; n-- {
		wt := *ws.q.Front()
		ws.q.Pop()
		wt.done(err)
	}
}

// Open recovers the engine from the target's current contents (an empty
// target gives an empty engine) and starts it. The recovery report says
// what was found and repaired; repairs run as the first chain.
func Open(w *sim.World, cfg core.Config, target Target) (*Driver, *core.RecoveryReport, error) {
	if (target.Disk == nil) == (target.Store == nil) {
		return nil, nil, fmt.Errorf("engine/simdriver: target needs exactly one of a disk and an object store")
	}
	if target.Store != nil {
		cfg.Backend = core.BackendObject
	} else {
		cfg.Backend = core.BackendFile
		if err := makeDurableDir(target.Disk.FS(), target.Dir); err != nil {
			return nil, nil, err
		}
	}
	eng, rep, err := core.Recover(cfg, Storage(target), sectorBytes(target))
	if err != nil {
		return nil, nil, err
	}
	probeRecovery(w, rep)
	d := &Driver{w: w, eng: eng, target: target}
	d.pump()
	return d, rep, nil
}

// makeDurableDir creates dir and syncs every parent on the way, so the
// directory itself survives a crash (a new entry is durable only once its
// parent is synced). Setup happens before the world runs, so it is done
// directly on the file system, without modelled latency.
func makeDurableDir(fs *disk.FS, dir string) error {
	if err := fs.MkdirAll(dir); err != nil {
		return fmt.Errorf("engine/simdriver: mkdir %s: %w", dir, err)
	}
	for d := dir; d != "." && d != "/" && d != ""; d = path.Dir(d) {
		if err := fs.SyncDir(path.Dir(d)); err != nil {
			return fmt.Errorf("engine/simdriver: sync parent of %s: %w", d, err)
		}
	}
	return nil
}

func sectorBytes(t Target) int {
	if t.Disk != nil {
		return t.Disk.FS().SectorBytes()
	}
	return 512
}

// Engine returns the core, for inspection (stats, meta, LSNs).
func (d *Driver) Engine() *core.Engine { return d.eng }

// AppendRow appends a row; done runs when it is acknowledged under the
// policy, or with an error when the log fails or the driver stops.
func (d *Driver) AppendRow(row *codec.Row, done func(error)) {
	if d.stopped {
		done(ErrStopped)
		return
	}
	lsn, err := d.eng.AppendRow(d.w.Now(), row)
	if err != nil {
		done(err)
		return
	}
	d.row.push(lsn, done)
	d.pump()
}

// AppendDDL appends a DDL; done runs once it is durable.
func (d *Driver) AppendDDL(ddl *codec.DDL, done func(error)) {
	if d.stopped {
		done(ErrStopped)
		return
	}
	lsn, err := d.eng.AppendDDL(d.w.Now(), ddl)
	if err != nil {
		done(err)
		return
	}
	d.ddl.push(lsn, done)
	d.pump()
}

// UpdateMeta raises the meta to persist at the next meta flush.
func (d *Driver) UpdateMeta(checkpointTs, resolvedTs uint64) {
	d.eng.UpdateMeta(checkpointTs, resolvedTs)
}

// FlushedMeta returns the meta last made durable.
func (d *Driver) FlushedMeta() core.Meta { return d.eng.FlushedMeta() }

// Flush asks for a row-log flush now, whatever the policy.
func (d *Driver) Flush() {
	d.eng.Flush()
	d.pump()
}

// Seal asks for a clean stop's seal: each log's open file is flushed,
// synced, renamed to its sealed name and the directory synced (see
// core.Engine.Seal); Sealed reports when it is done.
func (d *Driver) Seal() {
	d.eng.Seal()
	d.pump()
}

// Sealed reports whether both logs are sealed and idle.
func (d *Driver) Sealed() bool { return d.eng.Sealed() }

// Stop ends the driver: as when its node crashes, nothing more is issued,
// callbacks of ops in flight are ignored, and waiting appenders get
// ErrStopped.
func (d *Driver) Stop() {
	if d.stopped {
		return
	}
	d.stopped = true
	d.probeStop()
	d.timer.Stop()
	d.row.fail(ErrStopped)
	d.ddl.fail(ErrStopped)
}

// pump starts every chain the core has ready, releases acknowledged
// appenders, and arms the tick timer.
func (d *Driver) pump() {
	if d.stopped {
		return
	}
	for _, c := range d.eng.Ready() {
		d.runChain(c, 0)
	}
	if err := d.eng.Err(); err != nil {
		d.row.fail(err)
		d.ddl.fail(err)
	}
	extra := d.eng.Config().TestingKnobs.ReleaseOneEarly
	d.row.release(d.eng.RowAckedLSN(), extra)
	d.ddl.release(d.eng.DDLAckedLSN(), extra)
	next := d.eng.NextDeadline()
	if !d.timer.Pending() || next < d.timerAt {
		d.timer.Stop()
		d.timerAt = next
		d.timer = d.w.Loop.At(next, d.onTick)
	}
}

// Recovering reports whether the engine's recovery repair is not done
// yet (pending, in flight or failed): FlushedMeta is not known until it is.
func (d *Driver) Recovering() bool { return d.eng.Recovering() }
