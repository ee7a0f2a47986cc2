package collector

import (
	"strings"
	"testing"

	"github.com/leanovate/gopter/prop"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/check"
	"github.com/redosim/redosim/sim/netsim"
	"github.com/redosim/redosim/sim/node"
)

// propertyFails runs the collector property with knobs planted and
// returns the label of the first (shrunk) failure, or "" if it held.
func propertyFails(t *testing.T, knobs TestingKnobs, tests int) string {
	t.Helper()
	p := prop.ForAll(func(pc propCase) string {
		if _, err := runCase(pc, knobs); err != nil {
			return err.Error()
		}
		return ""
	}, genPropCase())
	res := p.Check(propertyParams(tests))
	if res.Passed() {
		return ""
	}
	return strings.Join(res.Labels, "; ")
}

// TestPlantedForgetPopDecrement plants a collector that leaves popped
// events accounted: the accounting checker of the property must fire.
func TestPlantedForgetPopDecrement(t *testing.T) {
	label := propertyFails(t, TestingKnobs{ForgetPopDecrement: true}, 50)
	if !strings.HasPrefix(label, "memory-accounting") {
		t.Fatalf("planted ForgetPopDecrement: property failure %q, want memory-accounting", label)
	}
	t.Logf("caught: %s", label)
}

// TestPlantedReleaseNonBlocking plants a breaker that may release paths
// that are not blocked: the release checker must fire, in a scripted world
// and in the property.
func TestPlantedReleaseNonBlocking(t *testing.T) {
	if set := runReleaseScenario(t, TestingKnobs{}); !set.Held() {
		c, v := set.FirstViolation()
		t.Fatalf("without the bug: %s: %s", c.Name(), v.Detail)
	}
	set := runReleaseScenario(t, TestingKnobs{ReleaseNonBlocking: true})
	if c, v := set.FirstViolation(); c == nil || c.Name() != "release-blocking" {
		t.Fatalf("planted ReleaseNonBlocking: first violation %v, want release-blocking", c)
	} else {
		t.Logf("scripted world caught: %s", v.Detail)
	}
	label := propertyFails(t, TestingKnobs{ReleaseNonBlocking: true}, 150)
	if !strings.HasPrefix(label, "release-blocking") {
		t.Fatalf("planted ReleaseNonBlocking: property failure %q, want release-blocking", label)
	}
	t.Logf("property caught: %s", label)
}

// runReleaseScenario builds a world where a release has a choice between a
// blocked path t1 and a more advanced path t2 that is not blocked but
// still holds events, because the handler is slow (one batch of one event
// per second). The hard limit forces a release at 4.5 s.
func runReleaseScenario(t *testing.T, knobs TestingKnobs) *check.Set {
	t.Helper()
	w, net := newTestNet(1)
	n := node.New(w, captureNode, net)
	c, err := New(n, nil, Config{MainQuotaBytes: 10 * KiB, PathDivisor: 1, PathMinBytes: 1,
		HandleCost: sim.Second, MainBatchCount: 1, TestingKnobs: knobs})
	if err != nil {
		t.Fatal(err)
	}
	n.Handle(func(from netsim.NodeID, m any) { c.Handle(from, m) })
	set := check.NewSet(w)
	checks := newDeliveryChecks(set)
	d1 := newFakeDispatcher(t1, w, c, checks, 1)
	d1.never = true
	d2 := newFakeDispatcher(t2, w, c, checks, 1)
	c.AddDispatcher(t1, d1, serviceNode, 1, 0)
	c.AddDispatcher(t2, d2, serviceNode, 1, 0)
	c.SetHooks(Hooks{OnRelease: func(id msg.DispatcherID, _ int64) {
		blocked := d1.blocked
		if id == t2 {
			blocked = d2.blocked
		}
		checks.release.Check(blocked, "%s released while its dispatcher is not blocked", id)
	}})
	push := func(events ...msg.Event) { c.Handle(serviceNode, msg.EventBatch{Events: events}) }
	push(hs(t1, 1, 1), dml(t1, 1, 2, 100, 10), hs(t2, 1, 1), dml(t2, 1, 2, 200, 10))
	w.Loop.At(sim.Instant(4500*sim.Millisecond), func() {
		for i := uint64(0); i < 4; i++ {
			push(dml(t2, 1, 3+i, 300+i, KiB))
		}
		for i := uint64(0); i < 12; i++ {
			push(dml(t1, 1, 3+i, 300+i, KiB))
		}
	})
	if err := w.Loop.RunUntil(sim.Instant(5 * sim.Second)); err != nil {
		t.Fatal(err)
	}
	if c.Stats().PathsReleased == 0 {
		t.Fatalf("the scenario released nothing")
	}
	return set
}

// TestDeterminism runs one generated world twice: same seed, same trace
// hash, same stats.
func TestDeterminism(t *testing.T) {
	pc := propCase{Seed: 7, Tables: 3, Redo: true, Kinds: []int{0, 1, 9, 7, 2, 8, 0, 0, 3, 9, 4, 8, 5, 6},
		Sizes: []int{300, 900, 40, 700}, WakeMs: []int{10, 7000, 300, 12000, 6000}, SlowFlushes: true, QuotaKiB: 4, PathDivisor: 1,
		ScanLimit: 1500, Chunks: 3, BatchCount: 4, BatchBytes: 2000, HandleCostMs: 20, GapPct: 3, StalePct: 3}
	var hashes []uint64
	var stats []Stats
	for range 2 {
		pw, err := runCase(pc, TestingKnobs{})
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, pw.w.Trace.Hash())
		stats = append(stats, pw.c.Stats())
	}
	if hashes[0] != hashes[1] || stats[0] != stats[1] {
		t.Fatalf("two runs of one seed differ: hashes %x %x, stats %+v vs %+v", hashes[0], hashes[1], stats[0], stats[1])
	}
	if stats[0].Batches == 0 || stats[0].Resets == 0 || stats[0].PathsReleased == 0 {
		t.Fatalf("the determinism world is too quiet: %+v", stats[0])
	}
	t.Logf("trace %016x, %+v", hashes[0], stats[0])
}
