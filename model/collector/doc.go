// Package collector models TiCDC's EventCollector (new architecture,
// downstreamadapter/eventcollector and utils/dynstream) on one capture node
// for one changefeed: it receives event batches from event services, queues
// them per dispatcher under memory accounting, hands them to dispatchers one
// batch at a time, reports its memory to the event services (congestion
// control) and breaks memory deadlocks by releasing blocked paths.
//
// Two dynamic streams, main (event dispatchers) and redo (redo
// dispatchers), each hold one area for the changefeed with its quota, and a
// path per dispatcher whose max pending is max(quota/PathDivisor,
// PathMinBytes). An event's bytes count from the moment it is queued until
// it is popped for handling, not until the sink flushes it:
//
//	area used = Σ path pending = Σ bytes of the queued events
//
// Each stream hands out one batch per HandleCost, as a loop event, taking
// the first path of a FIFO of ready paths: consecutive DML and resolved
// events up to a count and a byte bound (the bytes may overshoot by one
// event); a DDL, syncpoint, handshake or Drop event alone. Consecutive
// resolved events collapse to the latest when queued. A dispatcher that
// answers block=true gets nothing more until it calls the batch's wake.
//
// When a batch is handed out the per-dispatcher stat checks it (D4, E5):
// events of a stale epoch are skipped; a seq gap, a non-handshake first
// event or a Drop event resets the dispatcher (epoch+1, RegisterDispatcher
// from its CheckpointTs); a DML older than the last handed-out commit ts,
// or a second DDL or syncpoint at the same commit ts, is dropped.
//
// Every CongestionInterval each event service node serving a dispatcher
// gets a CongestionControl: Available (min over the areas), the
// dispatchers' path memory left, and in v2 the usage ratio (max or min of
// the areas, per Aggregation) and the releases since the last report.
//
// The breaker (E4) runs on each append: with usage above UsageHigh and no
// size decrease for NoDequeueFor, or at usage >= HardLimit, it releases the
// most advanced blocking paths until ReleaseShare of the pending bytes is
// freed (at most once per MinInterval); at the hard limit the incoming DML,
// DDL or syncpoint is replaced by a zero-size Drop event. A released path's
// events are discarded silently; its dispatcher resets when the gap shows
// (or at once with ResetOnRelease).
//
// Usage:
//
//	n := node.New(w, "capture-1", net)
//	c, err := collector.New(n, reg, collector.Config{RedoQuotaBytes: collector.DefaultRedoQuotaBytes})
//	if err != nil { ... }
//	n.Handle(func(from netsim.NodeID, m any) {
//		if !c.Handle(from, m) { ... other actors' messages ... }
//	})
//	c.AddDispatcher(msg.DispatcherID{Table: 1, Mode: msg.ModeRedo}, redoDispatcher, "capture-1", startTs, 600)
//	...
//	main, redo := c.Usage()
//
// Everything runs on the world's loop: no clock, no goroutines, no
// randomness (nothing is drawn), dispatchers and paths kept sorted by id.
package collector
