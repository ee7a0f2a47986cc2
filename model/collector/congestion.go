package collector

import (
	"math"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/model/scanwindow"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/netsim"
)

// Modelled wire sizes of a CongestionControl message (pkg/common/event
// congestion_control.go, big-endian): a header, one changefeed entry
// {gid 16 B, available 8 B, dispatcher count 4 B}, 24 B per dispatcher
// {id 16 B, available 8 B}; v2 adds the usage ratio (8 B) and a release
// trailer {gid 16 B, count 4 B} when the count is not zero.
const (
	ccHeaderBytes     = 8 + 16 + 8 + 4
	ccDispatcherBytes = 24
	ccRatioBytes      = 8
	ccTrailerBytes    = 20
)

// sendCongestion sends one CongestionControl to each event service node
// that serves at least one of the collector's dispatchers, in node order
// (newCongestionControlMessages). The release count since the last report
// is read and zeroed once per round and goes to every node of the round,
// as TiCDC caches it per changefeed within a round.
func (c *Collector) sendCongestion() {
	c.sampleMetrics()
	nodes := c.serviceNodes()
	if len(nodes) == 0 {
		return
	}
	cc := c.changefeedMemory()
	releases := c.releaseCount
	c.releaseCount = 0
	if cc.Version == 2 {
		cc.ReleaseCount = releases
	}
	for _, to := range nodes {
		m := cc
		m.DispatcherAvailable = c.dispatcherAvailable(to)
		size := ccHeaderBytes + ccDispatcherBytes*len(m.DispatcherAvailable)
		if m.Version == 2 {
			size += ccRatioBytes
			if m.ReleaseCount > 0 {
				size += ccTrailerBytes
			}
		}
		c.n.Send(to, m, size)
		c.st.CongestionSent++
		c.met.congestionSent.Inc()
		c.w.Record("collector/congestion", c.actor, sim.Digest(sim.StreamKey(string(to)), uint64(m.Available),
			math.Float64bits(m.UsageRatio), uint64(len(m.DispatcherAvailable)), uint64(m.ReleaseCount)))
	}
	c.met.available.Set(float64(cc.Available))
}

// changefeedMemory returns the changefeed entry of a report, without the
// dispatcher list: Available = quota - used clamped at 0, the minimum over
// the areas that hold at least one path (TiCDC reads only areas with
// paths); UsageRatio (v2) = used/quota clamped to [0, 1] per area, folded
// with the Aggregation when both areas hold paths. MainUsage and RedoUsage
// are the clamped per-area ratios, filled in both versions for metrics
// (they are not on TiCDC's v1 wire).
func (c *Collector) changefeedMemory() msg.CongestionControl {
	cc := msg.CongestionControl{Version: c.cfg.CongestionVersion}
	mainRatio := clampRatio(c.main.area.usage())
	cc.MainUsage = mainRatio
	var redoRatio float64
	if c.redo != nil {
		redoRatio = clampRatio(c.redo.area.usage())
		cc.RedoUsage = redoRatio
	}
	mainOn := len(c.main.paths) > 0
	redoOn := c.redo != nil && len(c.redo.paths) > 0
	var ratio float64
	switch {
	case mainOn && redoOn:
		cc.Available = min(available(&c.main.area), available(&c.redo.area))
		ratio = scanwindow.Combine(c.cfg.aggregation, mainRatio, redoRatio)
	case redoOn:
		cc.Available = available(&c.redo.area)
		ratio = redoRatio
	default:
		cc.Available = available(&c.main.area)
		ratio = mainRatio
	}
	if cc.Version == 2 {
		cc.UsageRatio = ratio
	}
	return cc
}

// dispatcherAvailable lists, sorted by id, the path memory left to each
// dispatcher served by node to: pathMax - pending, clamped at 0. A zero is
// sent too (the fix of issue #4899): an event service that misses a
// dispatcher keeps its last, stale amount; Config.OmitZeroAvailable
// restores the behaviour before the fix.
func (c *Collector) dispatcherAvailable(to netsim.NodeID) []msg.DispatcherAvailable {
	var out []msg.DispatcherAvailable
	for _, d := range c.stats {
		if d.service != to {
			continue
		}
		left := max(0, d.stream.area.pathMaxBytes-d.path.pendingBytes)
		if left == 0 && c.cfg.OmitZeroAvailable {
			continue // before TiCDC #4899's fix
		}
		out = append(out, msg.DispatcherAvailable{Dispatcher: d.id, Bytes: left})
	}
	return out
}

// serviceNodes returns the event service nodes of the dispatchers, sorted
// and without repeats.
func (c *Collector) serviceNodes() []netsim.NodeID {
	var nodes []netsim.NodeID
	for _, d := range c.stats {
		i := 0
		for i < len(nodes) && nodes[i] < d.service {
			i++
		}
		if i < len(nodes) && nodes[i] == d.service {
			continue
		}
		nodes = append(nodes, "")
		copy(nodes[i+1:], nodes[i:])
		nodes[i] = d.service
	}
	return nodes
}

// available is an area's quota - used, clamped at 0
// (AreaMemoryMetric.AvailableMemory).
func available(a *area) int64 { return max(0, a.quotaBytes-a.usedBytes) }

// clampRatio clamps a usage ratio to [0, 1] (calcUsageRatio).
func clampRatio(r float64) float64 {
	if !(r > 0) {
		return 0
	}
	return min(r, 1)
}
