package collector

import (
	"testing"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/metrics"
	"github.com/redosim/redosim/sim/node"
)

// TestMetrics checks that the collector's gauges and counters follow its
// state, labelled by node and area.
func TestMetrics(t *testing.T) {
	w, net := newTestNet(1)
	n := node.New(w, captureNode, net)
	reg := metrics.NewRegistry()
	c, err := New(n, reg, Config{MainQuotaBytes: 10 * KiB, PathMinBytes: 1, PathMetricsMax: 1})
	if err != nil {
		t.Fatal(err)
	}
	c.AddDispatcher(t1, &scriptDispatcher{}, serviceNode, 100, 0)
	c.AddDispatcher(t2, &scriptDispatcher{}, serviceNode, 100, 0)
	c.Handle(serviceNode, msg.EventBatch{Events: []msg.Event{hs(t1, 1, 100), dml(t1, 1, 2, 110, 10)}})
	if err := w.Loop.RunUntil(sim.Instant(sim.Millisecond)); err != nil {
		t.Fatal(err)
	}
	c.Handle(serviceNode, msg.EventBatch{Events: []msg.Event{dml(t1, 1, 3, 120, 2*KiB)}})
	if err := w.Loop.RunUntil(sim.Instant(sim.Second + sim.Millisecond)); err != nil {
		t.Fatal(err)
	}
	nl, al := metrics.L("node", string(captureNode)), metrics.L("area", "main")
	checks := []struct {
		name string
		got  float64
		want float64
	}{
		{MetricUsedBytes, reg.Gauge(MetricUsedBytes, nl, al).Value(), 2048},
		{MetricUsageRatio, reg.Gauge(MetricUsageRatio, nl, al).Value(), 0.2},
		{MetricPathPendingMax, reg.Gauge(MetricPathPendingMax, nl, al).Value(), 2048},
		{MetricPathPending + " t1", reg.Gauge(MetricPathPending, nl, metrics.L("dispatcher", t1.String())).Value(), 2048},
		{MetricBatches, reg.Counter(MetricBatches, nl, al).Value(), 2},
		{MetricEvents, reg.Counter(MetricEvents, nl, al).Value(), 2},
		{MetricCongestionSent, reg.Counter(MetricCongestionSent, nl).Value(), 1},
		{MetricAvailable, reg.Gauge(MetricAvailable, nl).Value(), 8 * 1024},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	for _, s := range reg.Series() {
		if s.Name == MetricPathPending && s.Labels[0].Value == t2.String() {
			t.Errorf("t2 has a path gauge, but PathMetricsMax is 1")
		}
	}
}
