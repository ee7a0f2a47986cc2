package osdriver

import (
	"time"

	"github.com/redosim/redosim/engine/core"
)

// loop ticks the core at its deadlines and starts each ready chain on its
// own goroutine. Streams never have two chains in flight (the core's
// rule), so chains of different streams run side by side.
func (d *Driver) loop() {
	defer close(d.done)
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		d.mu.Lock()
		if d.closed && d.running == 0 {
			d.mu.Unlock()
			return
		}
		now := d.now()
		d.eng.Tick(now)
		chains := d.eng.Ready()
		d.running += len(chains)
		wait := time.Duration(d.eng.NextDeadline() - now)
		d.mu.Unlock()
		for _, c := range chains {
			go d.runChain(c)
		}
		timer.Reset(max(wait, 50*time.Microsecond))
		select {
		case <-d.wake:
		case <-timer.C:
		}
	}
}

func (d *Driver) runChain(c core.Chain) {
	var cs chainStats
	err := d.files.run(c, &cs)
	d.mu.Lock()
	d.stats.add(cs)
	d.running--
	if aerr := d.eng.Advance(c.ID, err); aerr != nil {
		panic("engine/osdriver: driver bug: " + aerr.Error())
	}
	d.acked.Broadcast()
	d.signal()
	d.mu.Unlock()
}

// Close flushes what is buffered, waits for chains in flight, and closes
// the files. Appends after Close fail with ErrClosed.
func (d *Driver) Close() error {
	d.mu.Lock()
	d.eng.Flush()
	d.eng.FlushMeta()
	d.signal()
	for d.eng.Err() == nil && (d.eng.RowWrittenLSN() < d.eng.RowAppendedLSN() || d.eng.MetaPending()) {
		d.acked.Wait()
	}
	d.closed = true
	d.signal()
	d.mu.Unlock()
	<-d.done
	d.files.closeAll()
	return d.eng.Err()
}
