// Package eventservice models the event service of one TiCDC capture node
// (pkg/eventservice, the "event broker"): it serves the main and redo
// dispatchers registered with it, scanning the upstream's event store for
// each and sending their event streams to the collectors, bounded by a per
// dispatcher scan budget, a rate limiter, the changefeed's memory quota
// (congestion control) and the changefeed's adaptive scan window.
//
// # Per dispatcher
//
// A dispatcherStat holds one dispatcher's epoch: its received and sent
// resolved ts, its scan progress, its next syncpoint and its scan budget
// (1 KiB, doubling every 10 s up to 1 MiB). A RegisterDispatcher with a
// higher epoch (a reset) replaces it; the new epoch starts with a
// handshake (seq 1) and rescans from StartTs. Every DML, DDL and syncpoint
// takes the next seq; resolved events carry the last data seq.
//
// # Scan path (TiCDC event_broker.go)
//
//  1. Trigger: each upstream resolved-ts advance notifies every registered
//     dispatcher. An idle one claims Running and computes its range;
//     notifications while it is queued or running are ignored (throughput
//     mode, issue #6028; Config.ContinueWindowLimited adds the fix's
//     per-second catch-up).
//  2. Range: (scan progress, received resolved ts], capped at the
//     changefeed's scanMaxTs = minSentTs + interval. If that empties it
//     while a DDL or syncpoint is pending in the uncapped range, it steps
//     one interval locally (at least past the syncpoint; PR #5547). Still
//     empty: a rate-limited "signal" resolved ts. No data in the uncapped
//     range: only a resolved ts at the capped end (issue #6038;
//     Config.IdleBeyondWindow sends the uncapped end, the fix).
//  3. Admission, on a scan worker: the token bucket charges the last
//     scanned bytes; the collector must have sent a CongestionControl; low
//     changefeed memory resets the budget; the budget is debited from the
//     changefeed's available memory (else skip "changefeed_quota") and must
//     fit the dispatcher's available memory (else skip "dispatcher_quota").
//  4. Scan: events are read until the bytes reach the budget, stopping
//     between transactions; the unused budget is given back when the scan
//     completes, its cost (per scan, byte and event) after it started.
//  5. Send: syncpoints are emitted before the first event above them
//     (DML, DDL or resolved ts), one per interval crossed; a resolved ts
//     closes the scan. An interrupted scan is re-enqueued at once.
//
// minSentTs is refreshed every second from the dispatchers' sent resolved
// ts. Each CongestionControl v2 report feeds the scan-window controller
// (package scanwindow); v1 reports and congestion control v1 never do.
//
// Events bound for one collector leave as one msg.EventBatch (sent by
// value) per loop turn; resolved events alone wait up to 25 ms.
//
// # Determinism
//
// No clock but the loop's, no randomness, no goroutines. Dispatchers are
// kept sorted by id; maps are only looked up. The service draws nothing.
//
// Usage:
//
//	up, _ := upstream.New(w, upstream.Config{Tables: 4})
//	n := node.New(w, "capture-1", net)
//	es, err := eventservice.New(n, up, reg, eventservice.Config{
//		Window: scanwindow.Config{Algorithm: scanwindow.Algorithm4950},
//	})
//	if err != nil { ... }
//	n.Handle(func(from netsim.NodeID, m any) {
//		if !es.Handle(from, m) { other.Handle(from, m) }
//	})
//	up.Start()
//	// a collector sends msg.RegisterDispatcher and, every second,
//	// msg.CongestionControl; it receives msg.EventBatch.
//
// See Example for a runnable version.
package eventservice
