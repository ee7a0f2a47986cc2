package dispatchertest

import (
	"fmt"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
)

// Target is what the collector needs of a dispatcher (model/collector's
// Dispatcher interface).
type Target interface {
	HandleEvents(events []msg.Event, wake func()) (block bool)
	CheckpointTs() uint64
}

// Driver is a fake event collector: one path per dispatcher, each a queue
// of events fed to HandleEvents in batches (a DDL or syncpoint alone, else
// up to BatchMax DML and resolved events), waiting for wake when the
// dispatcher blocks. Wakes are handled on the next loop event, as the
// dynamic stream would.
type Driver struct {
	w        *sim.World
	batchMax int
	paths    []*Path
}

// NewDriver returns a driver with batches of at most batchMax events.
func NewDriver(w *sim.World, batchMax int) *Driver {
	return &Driver{w: w, batchMax: max(1, batchMax)}
}

// Path is one dispatcher's queue.
type Path struct {
	d         *Driver
	ID        msg.DispatcherID
	t         Target
	queue     []msg.Event
	waiting   bool
	scheduled bool
	token     uint64
	// Handled counts events handed to HandleEvents.
	Handled int
	// Blocks counts batches that blocked the path.
	Blocks int
}

// Add adds a path for dispatcher t.
func (d *Driver) Add(id msg.DispatcherID, t Target) *Path {
	p := &Path{d: d, ID: id, t: t}
	d.paths = append(d.paths, p)
	return p
}

// Paths returns the paths in the order added.
func (d *Driver) Paths() []*Path { return d.paths }

// Push appends events that arrive now.
func (p *Path) Push(evs ...msg.Event) {
	p.queue = append(p.queue, evs...)
	p.kick()
}

// Queued returns the number of events not yet handed over.
func (p *Path) Queued() int { return len(p.queue) }

// Waiting reports whether the path waits for a wake.
func (p *Path) Waiting() bool { return p.waiting }

func (p *Path) kick() {
	if p.waiting || p.scheduled || len(p.queue) == 0 {
		return
	}
	p.scheduled = true
	p.d.w.Loop.After(0, p.deliver)
}

// deliver hands the next batch over.
func (p *Path) deliver() {
	p.scheduled = false
	if p.waiting || len(p.queue) == 0 {
		return
	}
	batch := p.take()
	p.Handled += len(batch)
	p.waiting = true
	p.token++
	tok := p.token
	woken := false
	wake := func() {
		if woken || !p.waiting || p.token != tok {
			panic(fmt.Sprintf("dispatchertest: %s woke a path that does not wait for it", p.ID))
		}
		woken = true
		p.waiting = false
		p.kick()
	}
	if p.t.HandleEvents(batch, wake) {
		p.Blocks++
		return
	}
	if woken {
		panic(fmt.Sprintf("dispatchertest: %s woke its path and returned block=false", p.ID))
	}
	p.token++ // a later wake for this batch is a bug
	p.waiting = false
	p.kick()
}

// take removes the next batch from the queue.
func (p *Path) take() []msg.Event {
	k := 1
	if first := p.queue[0].Kind; first != msg.EventDDL && first != msg.EventSyncPoint && first != msg.EventHandshake {
		for k < len(p.queue) && k < p.d.batchMax {
			kind := p.queue[k].Kind
			if kind != msg.EventDML && kind != msg.EventResolved {
				break
			}
			k++
		}
	}
	batch := make([]msg.Event, k)
	copy(batch, p.queue[:k])
	p.queue = p.queue[k:]
	return batch
}
