package eventservice

import (
	"fmt"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/model/tso"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/metrics"
	"github.com/redosim/redosim/sim/netsim"
)

// Metric names. Every metric carries the label node=<capture node>;
// per-dispatcher ones add dispatcher=<t12|trigger> and mode=<main|redo>
// (with Config.PerDispatcherMetrics; otherwise only mode, and the scan
// limit and sent-resolved lag gauges are not kept).
const (
	// MetricScanInterval is the changefeed's scan-window interval, seconds
	// (0: no window).
	MetricScanInterval = "eventservice_scan_interval_seconds"
	// MetricScanLimit is a dispatcher's current scan budget, bytes.
	MetricScanLimit = "eventservice_scan_limit_bytes"
	// MetricScans counts a dispatcher's scans.
	MetricScans = "eventservice_scans"
	// MetricScannedBytes counts a dispatcher's scanned bytes.
	MetricScannedBytes = "eventservice_scanned_bytes"
	// MetricSkips counts refused scan attempts, labels reason and mode.
	MetricSkips = "eventservice_skips"
	// MetricEventsSent counts sent events, labels kind and mode.
	MetricEventsSent = "eventservice_events_sent"
	// MetricSyncPoints counts a dispatcher's emitted syncpoints.
	MetricSyncPoints = "eventservice_syncpoints"
	// MetricSentResolvedLag is a dispatcher's upstream resolved ts minus its
	// sent resolved ts, physical seconds.
	MetricSentResolvedLag = "eventservice_sent_resolved_lag_seconds"
	// MetricBatchBytes counts the bytes of sent EventBatch messages.
	MetricBatchBytes = "eventservice_batch_bytes"
)

// serviceMetrics holds a service's metrics, looked up once.
type serviceMetrics struct {
	reg          *metrics.Registry
	node         metrics.Label
	scanInterval *metrics.Gauge
	batchBytes   *metrics.Counter
	// skips and sents by (reason or kind, mode), built on first use.
	skips map[string]*metrics.Counter
	sents map[string]*metrics.Counter
	disps map[msg.DispatcherID]*dispatcherMetrics
	// perDispatcher is Config.PerDispatcherMetrics; without it dispatchers
	// share one dispatcherMetrics per mode.
	perDispatcher bool
	byMode        map[msg.Mode]*dispatcherMetrics
}

// dispatcherMetrics are one dispatcher's metrics (shared by its epochs).
type dispatcherMetrics struct {
	scanLimit    *metrics.Gauge
	scans        *metrics.Counter
	scannedBytes *metrics.Counter
	syncPoints   *metrics.Counter
	lag          *metrics.Gauge
}

func newServiceMetrics(reg *metrics.Registry, id netsim.NodeID, perDispatcher bool) *serviceMetrics {
	node := metrics.L("node", string(id))
	return &serviceMetrics{
		perDispatcher: perDispatcher,
		byMode:        make(map[msg.Mode]*dispatcherMetrics),
		reg:           reg,
		node:          node,
		scanInterval:  reg.Gauge(MetricScanInterval, node),
		batchBytes:    reg.Counter(MetricBatchBytes, node),
		skips:         make(map[string]*metrics.Counter),
		sents:         make(map[string]*metrics.Counter),
		disps:         make(map[msg.DispatcherID]*dispatcherMetrics),
	}
}

// dispatcher returns id's metrics, creating them on first use.
func (m *serviceMetrics) dispatcher(id msg.DispatcherID) *dispatcherMetrics {
	if !m.perDispatcher {
		return m.mode(id.Mode)
	}
	if dm, ok := m.disps[id]; ok {
		return dm
	}
	table := fmt.Sprintf("t%d", id.Table)
	if id.Table == msg.TableTrigger {
		table = "trigger"
	}
	ls := []metrics.Label{m.node, metrics.L("dispatcher", table), metrics.L("mode", id.Mode.String())}
	dm := &dispatcherMetrics{
		scanLimit:    m.reg.Gauge(MetricScanLimit, ls...),
		scans:        m.reg.Counter(MetricScans, ls...),
		scannedBytes: m.reg.Counter(MetricScannedBytes, ls...),
		syncPoints:   m.reg.Counter(MetricSyncPoints, ls...),
		lag:          m.reg.Gauge(MetricSentResolvedLag, ls...),
	}
	m.disps[id] = dm
	return dm
}

// mode returns the metrics every dispatcher of mode shares when
// per-dispatcher metrics are off: the counters add up over the node's
// dispatchers of that mode, and the gauges (one dispatcher's scan limit
// and lag, meaningless summed) are kept out of the registry.
func (m *serviceMetrics) mode(mode msg.Mode) *dispatcherMetrics {
	if dm, ok := m.byMode[mode]; ok {
		return dm
	}
	ls := []metrics.Label{m.node, metrics.L("mode", mode.String())}
	dm := &dispatcherMetrics{
		scanLimit:    &metrics.Gauge{},
		scans:        m.reg.Counter(MetricScans, ls...),
		scannedBytes: m.reg.Counter(MetricScannedBytes, ls...),
		syncPoints:   m.reg.Counter(MetricSyncPoints, ls...),
		lag:          &metrics.Gauge{},
	}
	m.byMode[mode] = dm
	return dm
}

// skip returns the skip counter of reason and mode.
func (m *serviceMetrics) skip(reason skipReason, mode msg.Mode) *metrics.Counter {
	key := string(reason) + "/" + mode.String()
	if c, ok := m.skips[key]; ok {
		return c
	}
	c := m.reg.Counter(MetricSkips, m.node, metrics.L("reason", string(reason)), metrics.L("mode", mode.String()))
	m.skips[key] = c
	return c
}

// sent returns the sent-events counter of kind and mode.
func (m *serviceMetrics) sent(kind msg.EventKind, mode msg.Mode) *metrics.Counter {
	key := kind.String() + "/" + mode.String()
	if c, ok := m.sents[key]; ok {
		return c
	}
	c := m.reg.Counter(MetricEventsSent, m.node, metrics.L("kind", kind.String()), metrics.L("mode", mode.String()))
	m.sents[key] = c
	return c
}

// updateLag refreshes every dispatcher's sent-resolved lag gauge.
func (s *Service) updateLag() {
	for _, d := range s.disps {
		s.updateDispatcherLag(d)
	}
}

// updateDispatcherLag sets d's lag gauge: upstream resolved minus sent
// resolved, in physical seconds (0 when sent is ahead).
func (s *Service) updateDispatcherLag(d *dispatcherStat) {
	up := s.src.ResolvedTs()
	lag := 0.0
	if up > d.sentResolvedTs {
		lag = float64(tso.Physical(up)-tso.Physical(d.sentResolvedTs)) * float64(sim.Millisecond) / float64(sim.Second)
	}
	d.m.lag.Set(lag)
}
