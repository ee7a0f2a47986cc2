package dispatcher

import (
	"github.com/redosim/redosim/sim/metrics"
	"github.com/redosim/redosim/sim/netsim"
)

// Metric names. Every metric carries the label node=<node id>.
const (
	// MetricFenceWait is a histogram of the seconds a batch (or, with
	// FencePrefix, the part of one) waited in an event dispatcher's fence
	// cache before it was handed on; one observation per release.
	MetricFenceWait = "dispatcher_fence_wait_seconds"
	// MetricFenceWaitEvents is a counter of event-seconds spent in fence
	// caches: each released event adds its wait. It compares fence variants.
	MetricFenceWaitEvents = "dispatcher_fence_wait_event_seconds"
	// MetricFenceCached counts batches put into a fence cache (re-caching
	// a batch counts again).
	MetricFenceCached = "dispatcher_fence_cached_batches"
	// MetricBlockResends counts block statuses resent for lack of an ACK.
	MetricBlockResends = "dispatcher_block_status_resends"
	// MetricBlockStatuses counts block statuses reported (first sends).
	MetricBlockStatuses = "dispatcher_block_statuses"
	// MetricRedoGlobalTs is the node's redoGlobalTs (gauge, TSO as float).
	MetricRedoGlobalTs = "dispatcher_redo_global_ts"
	// MetricWatermark is the node's last heartbeat watermark (gauge).
	MetricWatermark = "dispatcher_watermark_ts"
	// MetricRedoWatermark is the node's last heartbeat redo watermark.
	MetricRedoWatermark = "dispatcher_redo_watermark_ts"
	// MetricForwardsDropped counts RedoResolvedForward messages dropped as
	// coming from a stale maintainer epoch.
	MetricForwardsDropped = "dispatcher_forwards_dropped"
)

// Metrics are the metrics a node's dispatchers share. Create them with
// NewMetrics; the Manager does it for its dispatchers.
type Metrics struct {
	fenceWait       *metrics.Histogram
	fenceWaitEvents *metrics.Counter
	fenceCached     *metrics.Counter
	resends         *metrics.Counter
	statuses        *metrics.Counter
}

// NewMetrics registers the dispatcher metrics of node in reg.
func NewMetrics(reg *metrics.Registry, node netsim.NodeID) *Metrics {
	l := metrics.L("node", string(node))
	return &Metrics{
		fenceWait:       reg.Histogram(MetricFenceWait, l),
		fenceWaitEvents: reg.Counter(MetricFenceWaitEvents, l),
		fenceCached:     reg.Counter(MetricFenceCached, l),
		resends:         reg.Counter(MetricBlockResends, l),
		statuses:        reg.Counter(MetricBlockStatuses, l),
	}
}
