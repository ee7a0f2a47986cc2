package dispatcher

import (
	"slices"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
)

// RedoGlobalTs is a node's redoGlobalTs: the redo resolved ts the
// maintainer last broadcast, below which event dispatchers may write (A7).
// It only rises. The Manager owns one and shares it with its event
// dispatchers; it starts at 0, as in TiCDC.
type RedoGlobalTs struct {
	ts uint64
}

// Load returns the current redoGlobalTs.
func (g *RedoGlobalTs) Load() uint64 { return g.ts }

// Advance raises redoGlobalTs to ts and reports whether it rose
// (TiCDC CompareAndMonotonicIncrease).
func (g *RedoGlobalTs) Advance(ts uint64) bool {
	if ts <= g.ts {
		return false
	}
	g.ts = ts
	return true
}

// cacheSlot is the fence's one slot (TiCDC cacheEvents, a channel of
// capacity 1): a copy of the batch, its wake and when it was first cached.
type cacheSlot struct {
	events []msg.Event
	wake   func()
	since  sim.Instant
}

// cacheBatch puts a batch in the fence cache. The caller has checked the
// slot is free.
func (e *EventDispatcher) cacheBatch(events []msg.Event, wake func()) {
	since := e.w.Now()
	if e.rerun != nil {
		since = e.rerun.since
	}
	e.cache = &cacheSlot{events: slices.Clone(events), wake: wake, since: since}
	e.met.fenceCached.Inc()
	e.w.Record("dispatcher/fence-cache", e.actor, sim.Digest(events[len(events)-1].CommitTs, uint64(len(events))))
}

// HandleCacheEvents re-runs the cached batch (TiCDC HandleCacheEvents); the
// Manager calls it on every event dispatcher whenever redoGlobalTs rises.
// The batch may be cached again; if it no longer blocks, its stored wake
// runs. While a prefix of the batch is still in flight (FencePrefix) the
// rest waits for that flush, so writes of one dispatcher never overlap.
func (e *EventDispatcher) HandleCacheEvents() {
	slot := e.cache
	if slot == nil || e.Busy() {
		return
	}
	e.cache = nil
	e.rerun = slot
	block := e.HandleEvents(slot.events, slot.wake)
	e.rerun = nil
	if !block {
		slot.wake()
	}
}

// retryCache is the event dispatcher's onFlushed: with FencePrefix the
// cached rest of a batch may have been waiting for its prefix's flush.
func (e *EventDispatcher) retryCache() {
	if e.cache != nil {
		e.HandleCacheEvents()
	}
}

// noteRelease records the fence wait of n events handed on now, if they
// come out of the cache.
func (e *EventDispatcher) noteRelease(n int) {
	if e.rerun == nil {
		return
	}
	e.w.Probe(ProbeFenceCacheReleased)
	wait := e.w.Now().Sub(e.rerun.since)
	e.met.fenceWait.Observe(wait.Seconds())
	e.met.fenceWaitEvents.Add(wait.Seconds() * float64(n))
	e.w.Record("dispatcher/fence-release", e.actor, sim.Digest(uint64(wait), uint64(n)))
}

// prefixLen returns how many leading events have commitTs <= g.
func prefixLen(events []msg.Event, g uint64) int {
	k := 0
	for k < len(events) && events[k].CommitTs <= g {
		k++
	}
	return k
}

// handlePrefix is the FencePrefix variant: hand the first k events (all at
// or below redoGlobalTs) on now and cache the rest. The path's wake runs
// once both parts are done.
func (e *EventDispatcher) handlePrefix(events []msg.Event, k int, wake func()) bool {
	headWake, restWake := join2(wake)
	e.cacheBatch(events[k:], restWake)
	e.noteRelease(k)
	if !e.handle(events[:k], headWake) {
		headWake()
	}
	return true
}

// join2 returns two functions; wake runs when both have been called. Each
// may be called once.
func join2(wake func()) (first, second func()) {
	left := 2
	part := func() func() {
		called := false
		return func() {
			if called {
				panic("model/dispatcher: bug: a fence part woke twice")
			}
			called = true
			left--
			if left == 0 {
				wake()
			}
		}
	}
	return part(), part()
}
