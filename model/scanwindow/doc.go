// Package scanwindow models the per-changefeed scan window of TiCDC's event
// service: the adaptive scan interval that bounds how far past the slowest
// dispatcher's sent resolved ts (minSentTs) any dispatcher of the changefeed
// may scan, so that fast dispatchers do not flood the event collector's
// memory while slow ones hold a syncpoint or the redo fence back.
//
// A Controller is a pure state machine: it is fed congestion-control v2
// reports (usage ratio and memory-release count, about one per second per
// collector node) with the virtual instant they arrive, and answers the
// current scan interval and the scan upper bound minSentTs + interval. Three
// algorithms are modelled:
//
//	none      congestion control v1: no window; the interval never caps a scan
//	v2-4030   TiCDC PR #4030: tiered brake (x1/4, x1/2, x9/10) and gated
//	          growth (x3/2, x5/4); a memory release resets to the default
//	v2-4950   TiCDC PR #4950: fast/slow EMAs, a pressure score, a critical
//	          brake with an emergency path to 1 s, a 5 s floor for ordinary
//	          decreases, and growth that slows as the window widens
//
// Combine and CombineBytes fold the main and redo dynamic streams' usage
// into the report's single ratio (today's max, or PR #4030's first min).
//
// Usage:
//
//	c, err := scanwindow.New(scanwindow.Config{
//		Algorithm:         scanwindow.Algorithm4950,
//		SyncPointInterval: 10 * sim.Minute,
//	})
//	...
//	c.Observe(now, scanwindow.Report{UsageRatio: 0.95})
//	end := min(receivedResolvedTs, c.ScanMaxTs(minSentTs))
//
// Everything is deterministic: no clock, no randomness, no goroutines; the
// same reports at the same instants give the same intervals.
package scanwindow
