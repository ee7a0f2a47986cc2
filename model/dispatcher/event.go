package dispatcher

import (
	"fmt"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim/node"
)

// EventDispatcher writes one table's (or the table trigger's) events to the
// downstream sink (TiCDC EventDispatcher, mode main). With redo enabled it
// holds back every batch above the node's redoGlobalTs in a one-slot cache
// (the redo fence, A7) and retries it when redoGlobalTs rises.
type EventDispatcher struct {
	basic
	fence *RedoGlobalTs
	// cache is the fence's one slot; nil when empty.
	cache *cacheSlot
	// rerun is set while HandleCacheEvents re-runs a cached batch: the
	// slot's first-cache instant, kept if the batch is cached again.
	rerun *cacheSlot
}

// NewEventDispatcher returns the event dispatcher d.ID (mode main) on node
// n. It implements the collector's Dispatcher interface (HandleEvents,
// CheckpointTs).
func NewEventDispatcher(n *node.Node, cfg Config, d Deps) (*EventDispatcher, error) {
	if n == nil {
		return nil, fmt.Errorf("%w: nil node", ErrConfig)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if err := d.check(msg.ModeMain); err != nil {
		return nil, err
	}
	if cfg.RedoEnabled && d.Fence == nil {
		return nil, fmt.Errorf("%w: event dispatcher %s: redo enabled and nil Fence", ErrConfig, d.ID)
	}
	e := &EventDispatcher{basic: newBasic(n, cfg, d), fence: d.Fence}
	e.onFlushed = e.retryCache
	return e, nil
}

// HandleEvents handles a batch of the dispatcher's events in stream order
// (a DDL or syncpoint alone) and reports whether the path must wait for
// wake. With redo enabled a batch whose last commitTs is above
// redoGlobalTs is cached whole (or, with FencePrefix, all but its prefix
// at or below redoGlobalTs) and the path waits; a second batch arriving
// while the cache is full is a bug and panics.
func (e *EventDispatcher) HandleEvents(events []msg.Event, wake func()) (block bool) {
	if len(events) == 0 {
		return false
	}
	if e.cache != nil {
		panic(fmt.Sprintf("model/dispatcher: bug: %s: fence cache is full: a batch of %d events (last commitTs %d) arrived while %d cached events wait; the path should be blocked",
			e.id, len(events), events[len(events)-1].CommitTs, len(e.cache.events)))
	}
	if !e.gated() {
		return e.handle(events, wake)
	}
	g := e.fence.Load()
	last := events[len(events)-1].CommitTs
	if e.cfg.TestingKnobs.FenceFirstCommitTs {
		last = events[0].CommitTs // mutant: the batch's first commitTs, not its last
	}
	if g >= last {
		e.noteRelease(len(events))
		return e.handle(events, wake)
	}
	if e.cfg.FencePrefix {
		if k := prefixLen(events, g); k > 0 {
			return e.handlePrefix(events, k, wake)
		}
	}
	e.cacheBatch(events, wake)
	return true
}

// gated reports whether the redo fence applies.
func (e *EventDispatcher) gated() bool {
	return e.cfg.RedoEnabled && !e.cfg.TestingKnobs.BypassFence
}

// Cached returns the number of events waiting in the fence cache.
func (e *EventDispatcher) Cached() int {
	if e.cache == nil {
		return 0
	}
	return len(e.cache.events)
}
