package collector

import (
	"slices"
	"testing"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/netsim"
	"github.com/redosim/redosim/sim/node"
)

// congestionRig builds a collector with a 10 KiB main area and a 20 KiB
// redo area, paths of half an area, and three dispatchers: t1 (main) and
// r1 (redo) on serviceNode, t2 (main) on es-2, which records its messages
// in other. After it, t1 holds 6 KiB (more than its path max), r1 2 KiB, t2
// nothing: main used 60 %, redo 10 %.
func congestionRig(t *testing.T, version int, aggregation string) (r *rig, other *[]any) {
	t.Helper()
	return congestionRigWith(t, Config{CongestionVersion: version, Aggregation: aggregation})
}

// congestionRigWith is congestionRig with cfg's congestion settings.
func congestionRigWith(t *testing.T, cfg Config) (r *rig, other *[]any) {
	t.Helper()
	cfg.MainQuotaBytes, cfg.RedoQuotaBytes, cfg.PathDivisor, cfg.PathMinBytes = 10*KiB, 20*KiB, 2, 1
	r = newRig(t, cfg)
	other = new([]any)
	es2 := node.New(r.w, "es-2", r.net)
	es2.Handle(func(_ netsim.NodeID, m any) { *other = append(*other, m) })
	r.c.AddDispatcher(t1, &scriptDispatcher{}, serviceNode, 100, 0)
	r.c.AddDispatcher(r1, &scriptDispatcher{}, serviceNode, 100, 0)
	r.c.AddDispatcher(t2, &scriptDispatcher{}, "es-2", 100, 0)
	r.push(hs(t1, 1, 100), dml(t1, 1, 2, 110, 1), hs(r1, 1, 100), dml(r1, 1, 2, 110, 1))
	r.run(sim.Millisecond) // both block on their first DML
	r.push(dml(t1, 1, 3, 120, 6*KiB), dml(r1, 1, 3, 120, 2*KiB))
	r.run(sim.Second + 10*sim.Millisecond - r.w.Now().Sub(0))
	return r, other
}

// TestCongestionV2 checks a v2 report: Available is the smaller of the two
// areas' quota - used, UsageRatio the max of the clamped ratios, and the
// dispatcher list holds only the node's dispatchers, sorted, with a zero
// for a full path (issue #4899).
func TestCongestionV2(t *testing.T) {
	r, other := congestionRig(t, 2, "")
	ccs := r.congestions()
	if len(ccs) != 1 {
		t.Fatalf("es-1 got %d reports by t=1s, want 1", len(ccs))
	}
	cc := ccs[0]
	wantDA := []msg.DispatcherAvailable{{Dispatcher: t1, Bytes: 0}, {Dispatcher: r1, Bytes: 8 * KiB}}
	if cc.Version != 2 || cc.Available != 4*KiB || !slices.Equal(cc.DispatcherAvailable, wantDA) {
		t.Fatalf("report = %+v, want v2, Available 4 KiB, %v", cc, wantDA)
	}
	if cc.UsageRatio != 0.6 || cc.MainUsage != 0.6 || cc.RedoUsage != 0.1 {
		t.Fatalf("usage %v (main %v redo %v), want 0.6 (max of 0.6 and 0.1)", cc.UsageRatio, cc.MainUsage, cc.RedoUsage)
	}
	var es2 []msg.CongestionControl
	for _, m := range *other {
		if cc, ok := m.(msg.CongestionControl); ok {
			es2 = append(es2, cc)
		}
	}
	if len(es2) != 1 || !slices.Equal(es2[0].DispatcherAvailable, []msg.DispatcherAvailable{{Dispatcher: t2, Bytes: 5 * KiB}}) {
		t.Fatalf("es-2 reports = %+v, want one listing t2 with 5 KiB", es2)
	}
	if es2[0].Available != cc.Available {
		t.Fatalf("es-2 Available %d, es-1 %d: every node gets the changefeed's", es2[0].Available, cc.Available)
	}
}

// TestCongestionOmitZeroAvailable: with the behaviour before TiCDC #4899's
// fix, the full path t1 is left out of the report, so the event service
// keeps its last amount.
func TestCongestionOmitZeroAvailable(t *testing.T) {
	r, _ := congestionRigWith(t, Config{CongestionVersion: 2, OmitZeroAvailable: true})
	want := []msg.DispatcherAvailable{{Dispatcher: r1, Bytes: 8 * KiB}}
	if cc := r.congestions()[0]; !slices.Equal(cc.DispatcherAvailable, want) {
		t.Fatalf("dispatchers reported %v, want %v (t1, full, left out)", cc.DispatcherAvailable, want)
	}
}

// TestCongestionAggregationMin checks the "min" aggregation of PR #4030's
// first revision: the smaller ratio is reported.
func TestCongestionAggregationMin(t *testing.T) {
	r, _ := congestionRig(t, 2, "min")
	if cc := r.congestions()[0]; cc.UsageRatio != 0.1 {
		t.Fatalf("UsageRatio = %v, want 0.1 (min of 0.6 and 0.1)", cc.UsageRatio)
	}
}

// TestCongestionV1 checks that a v1 report carries no usage ratio and no
// release count, but the same Available and dispatcher list.
func TestCongestionV1(t *testing.T) {
	r, _ := congestionRig(t, 1, "")
	cc := r.congestions()[0]
	if cc.Version != 1 || cc.UsageRatio != 0 || cc.ReleaseCount != 0 || cc.Available != 4*KiB || len(cc.DispatcherAvailable) != 2 {
		t.Fatalf("v1 report = %+v", cc)
	}
}

// TestCongestionReleaseCount checks that a v2 report carries the paths
// released since the previous report, then zero; and that the available
// reported follows the release.
func TestCongestionReleaseCount(t *testing.T) {
	r, _ := congestionRig(t, 2, "")
	// Fill t1 past the hard limit: the next append releases t1 (blocked)
	// and becomes a Drop event.
	r.push(dml(t1, 1, 4, 130, 10*KiB), dml(t1, 1, 5, 140, 100))
	if st := r.c.Stats(); st.PathsReleased != 1 || st.DropEvents != 1 {
		t.Fatalf("PathsReleased %d DropEvents %d, want 1 1", st.PathsReleased, st.DropEvents)
	}
	r.run(2 * sim.Second)
	ccs := r.congestions()
	if len(ccs) != 3 {
		t.Fatalf("reports = %d, want 3", len(ccs))
	}
	if ccs[1].ReleaseCount != 1 || ccs[2].ReleaseCount != 0 {
		t.Fatalf("release counts %d then %d, want 1 then 0", ccs[1].ReleaseCount, ccs[2].ReleaseCount)
	}
	if ccs[1].Available != 10*KiB {
		t.Fatalf("Available after the release = %d, want 10 KiB (main empty, redo 18 KiB)", ccs[1].Available)
	}
}

// TestCongestionRedoOff checks a collector without redo: Available and the
// ratio are the main area's, and a redo dispatcher is refused.
func TestCongestionRedoOff(t *testing.T) {
	r := newRig(t, Config{MainQuotaBytes: 10 * KiB, PathMinBytes: 1})
	r.c.AddDispatcher(t1, &scriptDispatcher{}, serviceNode, 100, 0)
	r.push(hs(t1, 1, 100), dml(t1, 1, 2, 110, 1))
	r.run(sim.Millisecond)
	r.push(dml(t1, 1, 3, 120, 1*KiB))
	r.run(sim.Second)
	cc := r.congestions()[0]
	if cc.Available != 9*KiB || cc.UsageRatio != 0.1 {
		t.Fatalf("report = %+v, want Available 9 KiB, ratio 0.1", cc)
	}
	defer func() {
		if recover() == nil {
			t.Fatalf("adding a redo dispatcher with redo off did not panic")
		}
	}()
	r.c.AddDispatcher(r1, &scriptDispatcher{}, serviceNode, 100, 0)
}
