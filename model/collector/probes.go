package collector

import "github.com/redosim/redosim/model/msg"

// Coverage probes of the event collector (sim.World.Probe): rare
// situations a campaign must show it reached (catalogue in
// scenarios/swarm).
const (
	// ProbeReleaseWhileSyncPointPending: the circuit breaker released the
	// path of a dispatcher that waits at a syncpoint barrier.
	ProbeReleaseWhileSyncPointPending = "model/collector/releaseWhileSyncPointPending"
	// ProbeResetAfterRelease: a dispatcher reset (and its event service
	// rescans from its checkpoint) because the breaker released its path or
	// dropped one of its events at the hard limit.
	ProbeResetAfterRelease = "model/collector/resetAfterRelease"
	// ProbeHardLimitDrop: an event was replaced by a Drop event at the
	// breaker's hard limit.
	ProbeHardLimitDrop = "model/collector/hardLimitDrop"
)

// blockPender is what a dispatcher with block events tells about the one
// it waits on (model/dispatcher's PendingBlock).
type blockPender interface {
	PendingBlock() (ev msg.Event, stage msg.BlockStage, ok bool)
}

// probeRelease counts a release of p while its dispatcher waits at a
// syncpoint.
func (c *Collector) probeRelease(p *path) {
	if bp, ok := p.stat.target.(blockPender); ok {
		if ev, _, pending := bp.PendingBlock(); pending && ev.Kind == msg.EventSyncPoint {
			c.w.Probe(ProbeReleaseWhileSyncPointPending)
		}
	}
}

// probeReset counts a reset caused by the breaker.
func (c *Collector) probeReset(reason ResetReason) {
	if reason == ResetRelease || reason == ResetDrop {
		c.w.Probe(ProbeResetAfterRelease)
	}
}
