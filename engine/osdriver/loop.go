package osdriver

import (
	"time"

	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/internal/invariants"
)

// dispatchLocked hands every chain the core has ready to an idle worker,
// starting one when none is idle; the caller holds mu. Workers are as many
// as chains were ever in flight at once, which the core bounds: per log
// stream one, or SyncChainsMax chains that sync plus one writing ahead
// when pipelined; one meta chain. An idle worker's channel is empty, so
// the one-slot send never blocks.
func (d *Driver) dispatchLocked() {
	for _, c := range d.eng.Ready() {
		var ch chan core.Chain
		if n := len(d.idleWork); n > 0 {
			ch = d.idleWork[n-1]
			d.idleWork = d.idleWork[:n-1]
		} else {
			ch = make(chan core.Chain, 1)
			d.workers = append(d.workers, ch)
			d.finished.Add(1)
			go d.work(ch)
		}
		d.running++
		ch <- c
	}
}

// work runs the chains handed to it. After each it advances the core,
// goes idle and starts what the core has ready next (the last idle worker
// is taken first, so its own next chain lands in ch and runs without a
// goroutine switch), and wakes the appenders the core now acknowledges or
// the log's failure fails.
func (d *Driver) work(ch chan core.Chain) {
	defer d.finished.Done()
	var rel release
	for c := range ch {
		var cs chainStats
		err := d.files.run(c, &cs)
		d.mu.Lock()
		d.stats.add(cs)
		d.running--
		if aerr := d.eng.Advance(c.ID, err); aerr != nil {
			invariants.Failf("engine/osdriver: Advance pairs with Ready: %v", aerr)
		}
		d.releaseLocked(&rel)
		d.idleWork = append(d.idleWork, ch)
		d.dispatchLocked()
		d.idle.Broadcast()
		d.mu.Unlock()
		rel.wake()
		rel.reset()
	}
}

// releaseLocked moves to rel the waiters the core now acknowledges and,
// once the log has failed, every other waiter with the failure.
func (d *Driver) releaseLocked(rel *release) {
	rel.acked = d.rowWait.popAcked(d.eng.RowAckedLSN(), rel.acked)
	rel.acked = d.ddlWait.popAcked(d.eng.DDLAckedLSN(), rel.acked)
	if err := d.eng.Err(); err != nil {
		rel.err = err
		rel.failed = d.rowWait.popAll(rel.failed)
		rel.failed = d.ddlWait.popAll(rel.failed)
	}
}

// loop ticks the core at its deadlines (interval flushes, meta flushes)
// and starts what comes due. Appends and chain completions start their
// own chains; only time-driven work waits for this loop.
func (d *Driver) loop() {
	defer d.finished.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		d.mu.Lock()
		now := d.now()
		d.eng.Tick(now)
		d.dispatchLocked()
		wait := time.Duration(d.eng.NextDeadline() - now)
		d.mu.Unlock()
		timer.Reset(max(wait, 50*time.Microsecond))
		select {
		case <-d.quit:
			return
		case <-timer.C:
		}
	}
}

// Close flushes what is buffered, seals the open log files (sync, rename
// .log.tmp to .log, sync the directory), persists the meta, waits for
// chains in flight, and closes the files: a cleanly closed log has no
// .tmp file. Appends after Close fail with ErrClosed.
func (d *Driver) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return d.eng.Err()
	}
	d.closed = true // no append may open a file behind the seal
	d.eng.Seal()
	d.eng.FlushMeta()
	d.dispatchLocked()
	for d.eng.Err() == nil && (!d.eng.Sealed() || d.eng.MetaPending()) {
		d.idle.Wait()
	}
	for d.running > 0 {
		d.idle.Wait()
	}
	for _, ch := range d.workers {
		close(ch)
	}
	close(d.quit)
	var rel release
	rel.err = ErrClosed
	rel.failed = d.rowWait.popAll(d.ddlWait.popAll(nil))
	d.mu.Unlock()
	rel.wake()
	d.finished.Wait()
	d.files.closeAll()
	return d.eng.Err()
}
