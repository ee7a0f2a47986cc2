package collector

import (
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim/metrics"
)

// Metric names. Every metric carries node=<capture node>; per-area ones
// area=main|redo; collector_path_pending_bytes dispatcher=<id> for the first
// Config.PathMetricsMax dispatchers added.
const (
	MetricUsedBytes      = "collector_used_bytes"             // gauge: area used bytes
	MetricUsageRatio     = "collector_usage_ratio"            // gauge: area used/quota, not clamped
	MetricPathPendingMax = "collector_path_pending_max_bytes" // gauge: largest path pending, per congestion tick
	MetricPathPending    = "collector_path_pending_bytes"     // gauge: one path's pending bytes
	MetricBatches        = "collector_batches_total"          // counter: batches handed to dispatchers
	MetricEvents         = "collector_events_handled_total"   // counter: events in them
	MetricReleaseRounds  = "collector_release_rounds_total"   // counter: releases that freed a path
	MetricPathsReleased  = "collector_paths_released_total"   // counter: paths released
	MetricResets         = "collector_resets_total"           // counter: dispatcher resets
	MetricDrops          = "collector_drop_events_total"      // counter: events replaced by Drop events
	MetricDedupes        = "collector_dedupes_total"          // counter: events dropped by the commit-ts filter
	MetricCongestionSent = "collector_congestion_sent_total"  // counter: congestion-control messages
	MetricAvailable      = "collector_available_bytes"        // gauge: last reported changefeed Available
)

// streamMetrics are one area's metrics.
type streamMetrics struct {
	used, ratio, pathMax *metrics.Gauge
	batches, events      *metrics.Counter
	releaseRounds        *metrics.Counter
	pathsReleased        *metrics.Counter
}

func newStreamMetrics(reg *metrics.Registry, nodeLabel metrics.Label, mode msg.Mode) streamMetrics {
	al := metrics.L("area", mode.String())
	return streamMetrics{
		used:          reg.Gauge(MetricUsedBytes, nodeLabel, al),
		ratio:         reg.Gauge(MetricUsageRatio, nodeLabel, al),
		pathMax:       reg.Gauge(MetricPathPendingMax, nodeLabel, al),
		batches:       reg.Counter(MetricBatches, nodeLabel, al),
		events:        reg.Counter(MetricEvents, nodeLabel, al),
		releaseRounds: reg.Counter(MetricReleaseRounds, nodeLabel, al),
		pathsReleased: reg.Counter(MetricPathsReleased, nodeLabel, al),
	}
}

// collectorMetrics are the collector-wide metrics.
type collectorMetrics struct {
	resets, drops, dedupes, congestionSent *metrics.Counter
	available                              *metrics.Gauge
}

func newCollectorMetrics(reg *metrics.Registry, nodeLabel metrics.Label) collectorMetrics {
	return collectorMetrics{
		resets:         reg.Counter(MetricResets, nodeLabel),
		drops:          reg.Counter(MetricDrops, nodeLabel),
		dedupes:        reg.Counter(MetricDedupes, nodeLabel),
		congestionSent: reg.Counter(MetricCongestionSent, nodeLabel),
		available:      reg.Gauge(MetricAvailable, nodeLabel),
	}
}

// sampleMetrics refreshes the gauges that need a scan of the paths; the
// congestion ticker calls it every CongestionInterval.
func (c *Collector) sampleMetrics() {
	c.main.met.pathMax.Set(float64(c.main.pathPendingMax()))
	if c.redo != nil {
		c.redo.met.pathMax.Set(float64(c.redo.pathPendingMax()))
	}
}
