package maintainer

import (
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim/metrics"
	"github.com/redosim/redosim/sim/netsim"
)

// Metric names. Every metric carries the label node=<maintainer's node>;
// the barrier ones also mode=main|redo.
const (
	// MetricCheckpoint is the changefeed checkpoint (gauge, TSO as float).
	MetricCheckpoint = "maintainer_checkpoint_ts"
	// MetricCheckpointLag is the TSO physical clock now minus the
	// checkpoint's, in seconds (gauge, updated every CheckpointInterval).
	MetricCheckpointLag = "maintainer_checkpoint_lag_seconds"
	// MetricRedoResolved is the redo resolved ts known persisted (gauge).
	MetricRedoResolved = "maintainer_redo_resolved_ts"
	// MetricRedoGlobal is the redoGlobalTs last broadcast (gauge).
	MetricRedoGlobal = "maintainer_redo_global_ts"
	// MetricRedoMetaResolved is the computed redo meta resolved ts (gauge).
	MetricRedoMetaResolved = "maintainer_redo_meta_resolved_ts"
	// MetricBarrierDuration is a histogram of the seconds from a block
	// event's first WAITING to its last DONE.
	MetricBarrierDuration = "maintainer_barrier_seconds"
	// MetricBarrierResends counts actions resent by the barrier.
	MetricBarrierResends = "maintainer_barrier_resends"
	// MetricBarriersDone counts finished barrier events.
	MetricBarriersDone = "maintainer_barriers_done"
	// MetricBarriersPassedForward counts replayed barriers answered with
	// Pass because a covered dispatcher had already passed them.
	MetricBarriersPassedForward = "maintainer_barriers_passed_forward"
)

// maintainerMetrics are the maintainer's metrics.
type maintainerMetrics struct {
	checkpoint, lag, redoResolved, redoGlobal, redoMetaResolved *metrics.Gauge
	reg                                                         *metrics.Registry
	node                                                        netsim.NodeID
}

func newMaintainerMetrics(reg *metrics.Registry, id netsim.NodeID) maintainerMetrics {
	l := metrics.L("node", string(id))
	return maintainerMetrics{
		checkpoint:       reg.Gauge(MetricCheckpoint, l),
		lag:              reg.Gauge(MetricCheckpointLag, l),
		redoResolved:     reg.Gauge(MetricRedoResolved, l),
		redoGlobal:       reg.Gauge(MetricRedoGlobal, l),
		redoMetaResolved: reg.Gauge(MetricRedoMetaResolved, l),
		reg:              reg,
		node:             id,
	}
}

// barrierMetrics are one barrier's metrics.
type barrierMetrics struct {
	duration      *metrics.Histogram
	resends       *metrics.Counter
	done          *metrics.Counter
	passedForward *metrics.Counter
}

func (mm maintainerMetrics) forBarrier(mode msg.Mode) barrierMetrics {
	ls := []metrics.Label{metrics.L("node", string(mm.node)), metrics.L("mode", mode.String())}
	return barrierMetrics{
		duration:      mm.reg.Histogram(MetricBarrierDuration, ls...),
		resends:       mm.reg.Counter(MetricBarrierResends, ls...),
		done:          mm.reg.Counter(MetricBarriersDone, ls...),
		passedForward: mm.reg.Counter(MetricBarriersPassedForward, ls...),
	}
}
