package dispatcher

import (
	"errors"
	"fmt"

	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/netsim"
)

// ErrConfig marks every error returned for a bad Config, ManagerConfig or
// dependency.
var ErrConfig = errors.New("model/dispatcher: bad config")

// Defaults (TiCDC's numbers: docs/FIDELITY.md, Constants).
const (
	// DefaultBlockResend is the WAITING/DONE resend period (D5: 5 s).
	DefaultBlockResend = 5 * sim.Second
	// DefaultHeartbeatInterval is the manager's heartbeat period (A3: 200 ms).
	DefaultHeartbeatInterval = 200 * sim.Millisecond
	// DefaultFlushInterval is the redo flush-interval, which also drives the
	// manager's collect-flushed-meta ticker (A1, A7: 2 s).
	DefaultFlushInterval = 2 * sim.Second
	// FlushIntervalMin is TiCDC's MinFlushIntervalInMs (A1: 50 ms).
	FlushIntervalMin = 50 * sim.Millisecond
)

// resendsMax bounds the block statuses one dispatcher resends at once. A
// dispatcher has at most one pending block event, plus DONE statuses not
// yet acknowledged; past the bound the oldest DONE is forgotten, which is
// safe: the maintainer resends its action and the dispatcher answers DONE
// again.
const resendsMax = 16

// Config holds the tunables shared by a node's dispatchers. The zero value
// is TiCDC's default with redo off.
type Config struct {
	// RedoEnabled makes event dispatchers gate on the redo fence
	// (redoGlobalTs, A7). Default false. Redo dispatchers exist only when it
	// is set, but this package does not enforce that.
	RedoEnabled bool
	// FencePrefix selects the fence variant that hands the part of a batch
	// already <= redoGlobalTs to the sink at once and caches only the rest.
	// Default false: TiCDC's whole-batch cache, which compares only the
	// batch's last commitTs (issue #6026).
	FencePrefix bool
	// BlockResend is the period at which a dispatcher resends a WAITING or
	// DONE block status until the maintainer acknowledges it. Default 5 s;
	// > 0.
	BlockResend sim.Duration
	// TestingKnobs plant bugs for checker tests. Never set in a real world.
	TestingKnobs TestingKnobs
}

// TestingKnobs are planted bugs: each breaks one promise of this package so
// a test can show that the checker of that promise fires. The zero value
// plants nothing.
type TestingKnobs struct {
	// BypassFence makes event dispatchers ignore redoGlobalTs (breaks
	// redo-before-sink).
	BypassFence bool
	// SkipSyncPointBarrier makes every event dispatcher but the table
	// trigger report WAITING at a syncpoint and carry on without waiting
	// for the barrier (a planted bug for the syncpoint-barrier checker).
	SkipSyncPointBarrier bool
	// CheckpointGoesBack makes one CheckpointTs in 16 (by a hash of the
	// call count) two seconds lower than the truth, as a stale resolved ts
	// read on a rare path would: a checkpoint that goes back (a planted bug
	// for the monotonic checker's per-dispatcher sweep).
	CheckpointGoesBack bool

	// Mutants: one realistic slip each, measured by the mutation harness
	// (model/cluster Mutants, simrun mutants); not all are expected to be
	// caught.

	// FenceFirstCommitTs makes the redo fence compare a batch's first
	// commitTs with redoGlobalTs instead of its last.
	FenceFirstCommitTs bool
	// CheckpointAtInflight makes the checkpoint rule return the oldest
	// in-flight commitTs instead of that minus one.
	CheckpointAtInflight bool
	// CheckpointAtBlock makes a dispatcher blocked at S report S instead
	// of max(S-1, idle) while the block event is pending.
	CheckpointAtBlock bool
	// WatermarkMax makes a node's heartbeat watermark the maximum over its
	// dispatchers instead of the minimum.
	WatermarkMax bool
	// DoneForFutureBlock makes an idle dispatcher answer DONE to an action
	// for a block event it has not reached yet.
	DoneForFutureBlock bool
	// ForwardIgnoresEpoch makes the manager apply a redoGlobalTs broadcast
	// from a maintainer of an older epoch.
	ForwardIgnoresEpoch bool
}

// validate fills in defaults and rejects bad values.
func (c *Config) validate() error {
	if c.BlockResend == 0 {
		c.BlockResend = DefaultBlockResend
	}
	if c.BlockResend < 0 {
		return fmt.Errorf("%w: BlockResend = %v, want > 0", ErrConfig, c.BlockResend)
	}
	return nil
}

// ManagerConfig configures a node's dispatcher Manager. Zero fields take the
// documented defaults; Maintainer is required.
type ManagerConfig struct {
	// Maintainer is the node the maintainer runs on: heartbeats, block
	// statuses and redo progress go there. Required.
	Maintainer netsim.NodeID
	// MaintainerEpoch is the epoch of that maintainer. A RedoResolvedForward
	// with a lower epoch comes from a stale maintainer and is dropped; one
	// with a higher epoch is accepted and its sender becomes the maintainer.
	// Default 0.
	MaintainerEpoch uint64
	// HeartbeatInterval is the heartbeat period. Default 200 ms; > 0.
	HeartbeatInterval sim.Duration
	// FlushInterval is the period at which the manager collects the flushed
	// redo meta and reports progress (redo flush-interval). Default 2 s; at
	// least 50 ms.
	FlushInterval sim.Duration
	// Meta is the redo meta of the table-trigger redo dispatcher. Set it on
	// the maintainer's node when redo is enabled, nil elsewhere.
	Meta RedoMeta
	// Dispatcher holds the tunables of the node's dispatchers.
	Dispatcher Config
}

// validate fills in defaults and rejects bad values.
func (c *ManagerConfig) validate() error {
	if c.Maintainer == "" {
		return fmt.Errorf("%w: Maintainer is empty", ErrConfig)
	}
	if c.HeartbeatInterval == 0 {
		c.HeartbeatInterval = DefaultHeartbeatInterval
	}
	if c.HeartbeatInterval < 0 {
		return fmt.Errorf("%w: HeartbeatInterval = %v, want > 0", ErrConfig, c.HeartbeatInterval)
	}
	if c.FlushInterval == 0 {
		c.FlushInterval = DefaultFlushInterval
	}
	if c.FlushInterval < FlushIntervalMin {
		return fmt.Errorf("%w: FlushInterval = %v, want >= %v", ErrConfig, c.FlushInterval, FlushIntervalMin)
	}
	if c.Meta != nil && !c.Dispatcher.RedoEnabled {
		return fmt.Errorf("%w: Meta set with redo disabled", ErrConfig)
	}
	return c.Dispatcher.validate()
}
