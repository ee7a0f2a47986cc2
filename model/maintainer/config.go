package maintainer

import (
	"errors"
	"fmt"
	"slices"

	"github.com/redosim/redosim/model/tso"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/netsim"
)

// ErrConfig marks every error returned for a bad Config or registration.
var ErrConfig = errors.New("model/maintainer: bad config")

// Defaults (TiCDC's numbers: docs/FIDELITY.md, Constants).
const (
	// DefaultCheckpointInterval is the checkpoint computation period (100 ms).
	DefaultCheckpointInterval = 100 * sim.Millisecond
	// DefaultRedoTick is periodRedoInterval, the redo meta computation (1 s).
	DefaultRedoTick = sim.Second
	// DefaultBarrierResend is the per-event action resend period (D6: 1 s).
	DefaultBarrierResend = sim.Second
)

// Config configures a Maintainer. Zero fields take the documented
// defaults; StartTs and Nodes are required.
type Config struct {
	// CheckpointInterval is the period of the checkpoint computation and of
	// the barrier's resend check (TiCDC's 100 ms period task). Default
	// 100 ms; > 0.
	CheckpointInterval sim.Duration
	// RedoTick is the period of the redo meta computation. Default 1 s; > 0.
	RedoTick sim.Duration
	// BarrierResend is the least time between two sends of a barrier
	// event's action. Default 1 s; > 0.
	BarrierResend sim.Duration
	// Epoch is the maintainer's epoch, carried by its redoGlobalTs
	// broadcasts so dispatcher managers drop a stale maintainer's. Default
	// 1; a restarted maintainer takes a higher one.
	Epoch uint64
	// RedoEnabled turns on the redo tick and the redo barrier's table set.
	// Default false.
	RedoEnabled bool
	// StartTs is the changefeed checkpoint when the maintainer starts: the
	// initial checkpoint, redo meta (StartTs, StartTs) and redo resolved
	// ts. Required; > 0.
	StartTs uint64
	// Nodes are the nodes running a dispatcher manager, the maintainer's
	// own included: every one must have heartbeated before the checkpoint
	// (or redo checkpoint) moves, and redoGlobalTs is broadcast to all.
	// Required, no duplicates.
	Nodes []netsim.NodeID
	// StartPhysicalMs is the TSO physical clock at virtual time zero, in ms
	// since the Unix epoch, for the checkpoint lag. Default
	// tso.DefaultStartPhysicalMs.
	StartPhysicalMs int64
	// ForwardResend, when positive, re-broadcasts the current redo resolved
	// ts that often, not only when it rises. TiCDC broadcasts on a rise only
	// (0, the default): a restarted node's redoGlobalTs then stays 0 until
	// the next rise, and under memory pressure its fenced event dispatchers
	// can fill the area that its redo dispatchers need to make that rise
	// happen (see scenario crash-loop). A resend breaks the cycle.
	ForwardResend sim.Duration
	// ForwardUnflushedMeta broadcasts the redo resolved ts the maintainer
	// computed as redoGlobalTs at once, before the meta holding it is
	// flushed: TiCDC before PR #3426 (ref issue #1061), whose dispatchers
	// replicated downstream on the maintainer's redo message while the
	// meta flushed in the background, so the downstream could run ahead of
	// the durable redo. Default false: only a flushed meta is forwarded.
	ForwardUnflushedMeta bool
	// TestingKnobs plant bugs for checker tests. Never set in a real world.
	TestingKnobs TestingKnobs
}

// TestingKnobs are planted bugs. The zero value plants nothing.
type TestingKnobs struct {
	// CheckpointFromLastHeartbeat plants a bug: the checkpoint is one
	// node's latest watermark (round robin per tick) rather than the
	// minimum, so it overshoots and goes back when nodes differ.
	CheckpointFromLastHeartbeat bool

	// Mutants: one realistic slip each, measured by the mutation harness
	// (model/cluster Mutants, simrun mutants).

	// BarrierOneMissing selects a barrier's writer while one covered
	// dispatcher has not reported yet (> 1 instead of > 0).
	BarrierOneMissing bool
	// PassedAtBarrierTs counts a node whose watermark equals a barrier's
	// ts as having passed it (>= instead of >).
	PassedAtBarrierTs bool
	// PassWithWrite releases the other dispatchers with Pass as soon as
	// the writer is sent Write, before it is done.
	PassWithWrite bool
	// IgnoreUnreportedNode leaves a node that has not heartbeated out of
	// the minimum watermark instead of freezing it.
	IgnoreUnreportedNode bool
	// CheckpointFromRedo takes the changefeed checkpoint from the redo
	// watermarks instead of the event dispatchers'.
	CheckpointFromRedo bool
	// RedoResolvedFromMain takes the redo meta's resolved ts from the
	// event dispatchers' watermarks instead of the redo dispatchers'.
	RedoResolvedFromMain bool
	// RedoCheckpointFromResolved writes the redo meta's checkpoint from
	// its resolved ts instead of the changefeed checkpoint.
	RedoCheckpointFromResolved bool
}

// validate fills in defaults and rejects bad values.
func (c *Config) validate() error {
	durations := []struct {
		name string
		v    *sim.Duration
		def  sim.Duration
	}{
		{"CheckpointInterval", &c.CheckpointInterval, DefaultCheckpointInterval},
		{"RedoTick", &c.RedoTick, DefaultRedoTick},
		{"BarrierResend", &c.BarrierResend, DefaultBarrierResend},
	}
	for _, d := range durations {
		if *d.v == 0 {
			*d.v = d.def
		}
		if *d.v < 0 {
			return fmt.Errorf("%w: %s = %v, want > 0", ErrConfig, d.name, *d.v)
		}
	}
	if c.Epoch == 0 {
		c.Epoch = 1
	}
	if c.StartTs == 0 {
		return fmt.Errorf("%w: StartTs = 0, want > 0", ErrConfig)
	}
	if len(c.Nodes) == 0 {
		return fmt.Errorf("%w: no Nodes", ErrConfig)
	}
	nodes := slices.Clone(c.Nodes)
	slices.Sort(nodes)
	if len(slices.Compact(nodes)) != len(c.Nodes) {
		return fmt.Errorf("%w: duplicate node in Nodes %v", ErrConfig, c.Nodes)
	}
	c.Nodes = nodes
	if c.StartPhysicalMs == 0 {
		c.StartPhysicalMs = tso.DefaultStartPhysicalMs
	}
	return nil
}
