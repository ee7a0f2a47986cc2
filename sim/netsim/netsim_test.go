package netsim_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/dist"
	"github.com/redosim/redosim/sim/netsim"
)

// received is one delivery seen by a test handler.
type received struct {
	at   sim.Instant
	from netsim.NodeID
	to   netsim.NodeID
	msg  any
}

// harness is a network of named nodes whose handlers log every delivery.
type harness struct {
	w   *sim.World
	net *netsim.Network
	got []received
}

func newHarness(seed uint64, lc netsim.LinkConfig, ids ...netsim.NodeID) *harness {
	h := &harness{w: sim.NewWorld(sim.WorldConfig{Seed: seed, KeepTrace: true})}
	h.net = netsim.New(h.w, netsim.Config{Default: lc})
	for _, id := range ids {
		h.net.AddNode(id, func(from netsim.NodeID, msg any) {
			h.got = append(h.got, received{h.w.Now(), from, id, msg})
		})
	}
	return h
}

func (h *harness) run(t *testing.T) {
	t.Helper()
	if err := h.w.Loop.Run(); err != nil {
		t.Fatal(err)
	}
}

func constLink(d sim.Duration) netsim.LinkConfig {
	return netsim.LinkConfig{Latency: dist.Const{V: float64(d)}}
}

// TestLossRate checks that random loss drops about Loss of the messages.
// Method: 20000 sends at Loss 0.1 with a fixed seed, within ±1 point.
func TestLossRate(t *testing.T) {
	const n = 20000
	lc := constLink(sim.Millisecond)
	lc.Loss = 0.1
	h := newHarness(3, lc, "a", "b")
	accepted := 0
	for i := range n {
		if h.net.Send("a", "b", i, 100) {
			accepted++
		}
	}
	h.run(t)
	st := h.net.Stats()
	rate := float64(st.Dropped[netsim.DropLoss]) / n
	if math.Abs(rate-0.1) > 0.01 {
		t.Errorf("loss rate %.4f want 0.1 ± 0.01", rate)
	}
	if int(st.Delivered) != accepted || len(h.got) != accepted || st.Sends != n || st.DroppedTotal()+st.Delivered != n {
		t.Errorf("stats %+v disagree with %d accepted, %d received", st, accepted, len(h.got))
	}
	if st.BytesSent != uint64(100*accepted) || st.BytesDelivered != st.BytesSent || st.InFlight != 0 {
		t.Errorf("byte counts %+v", st)
	}
}

// TestPartitionSymmetric checks that Partition cuts both directions, leaves
// other links alone, and that Heal restores them.
func TestPartitionSymmetric(t *testing.T) {
	h := newHarness(1, constLink(sim.Millisecond), "a", "b", "c")
	h.net.Partition([]netsim.NodeID{"a"}, []netsim.NodeID{"b", "c"})
	sends := []struct {
		from, to netsim.NodeID
		want     bool
	}{{"a", "b", false}, {"b", "a", false}, {"a", "c", false}, {"c", "a", false}, {"b", "c", true}, {"c", "b", true}}
	for _, s := range sends {
		if got := h.net.Send(s.from, s.to, "x", 1); got != s.want {
			t.Errorf("partitioned send %s->%s = %v want %v", s.from, s.to, got, s.want)
		}
	}
	h.net.Heal()
	for _, s := range sends {
		if !h.net.Send(s.from, s.to, "y", 1) {
			t.Errorf("healed send %s->%s dropped", s.from, s.to)
		}
	}
	h.run(t)
	if st := h.net.Stats(); st.Dropped[netsim.DropPartition] != 4 || st.Delivered != 8 {
		t.Errorf("stats %+v want 4 partition drops, 8 deliveries", st)
	}
}

// TestPartitionOneWay checks an asymmetric partition: a->b cut, b->a open.
func TestPartitionOneWay(t *testing.T) {
	h := newHarness(1, constLink(sim.Millisecond), "a", "b")
	h.net.PartitionOneWay([]netsim.NodeID{"a"}, []netsim.NodeID{"b"})
	if h.net.Send("a", "b", "x", 1) || !h.net.Send("b", "a", "y", 1) {
		t.Fatalf("one-way partition: a->b must drop, b->a must pass")
	}
	if !h.net.Partitioned("a", "b") || h.net.Partitioned("b", "a") {
		t.Errorf("Partitioned disagrees with the one-way cut")
	}
	h.run(t)
	if len(h.got) != 1 || h.got[0].msg != "y" {
		t.Errorf("received %v want only y", h.got)
	}
}

// TestPartitionInFlight checks that a partition in force when a message
// arrives drops it, and that one healed before the arrival does not.
func TestPartitionInFlight(t *testing.T) {
	h := newHarness(1, constLink(10*sim.Millisecond), "a", "b")
	h.net.Send("a", "b", "cut", 1)
	h.w.Loop.After(5*sim.Millisecond, func() {
		h.net.Partition([]netsim.NodeID{"a"}, []netsim.NodeID{"b"})
		h.net.Send("b", "a", "healed", 1) // dropped at send: partition
	})
	h.w.Loop.After(11*sim.Millisecond, func() {
		h.net.Heal()
		h.net.Send("a", "b", "late", 1)
		h.net.Partition([]netsim.NodeID{"b"}, []netsim.NodeID{"a"})
		h.w.Loop.After(ms(1), h.net.Heal)
	})
	h.run(t)
	if len(h.got) != 1 || h.got[0].msg != "late" {
		t.Errorf("received %v want only late", h.got)
	}
	if st := h.net.Stats(); st.Dropped[netsim.DropPartition] != 2 {
		t.Errorf("partition drops %d want 2 (one at arrival, one at send)", st.Dropped[netsim.DropPartition])
	}
}

func ms(n int) sim.Duration { return sim.Duration(n) * sim.Millisecond }

// TestDownNodes checks that a down node neither sends nor receives, that
// messages in flight to it are dropped on arrival, also when it is back up
// by then (new incarnation), and that messages from a node that went down
// after sending are still delivered.
func TestDownNodes(t *testing.T) {
	h := newHarness(1, constLink(10*sim.Millisecond), "a", "b")
	h.net.Send("a", "b", "to-crashed", 1)
	h.net.Send("b", "a", "from-crashed", 1)
	h.w.Loop.After(ms(2), func() {
		h.net.SetDown("b", true)
		if h.net.Send("a", "b", "x", 1) || h.net.Send("b", "a", "y", 1) {
			t.Errorf("send to or from a down node accepted")
		}
	})
	h.w.Loop.After(ms(5), func() { h.net.SetDown("b", false) })
	h.w.Loop.After(ms(20), func() { h.net.Send("a", "b", "after-restart", 1) })
	h.run(t)
	if fmt.Sprint(msgs(h.got)) != "[from-crashed after-restart]" {
		t.Errorf("received %v want [from-crashed after-restart]", msgs(h.got))
	}
	if st := h.net.Stats(); st.Dropped[netsim.DropDown] != 3 {
		t.Errorf("down drops %d want 3", st.Dropped[netsim.DropDown])
	}
	if h.net.Send("a", "nobody", "z", 1) || h.net.Stats().Dropped[netsim.DropUnknown] != 1 {
		t.Errorf("send to an unknown node must drop as unknown")
	}
}

func msgs(rs []received) []any {
	out := make([]any, len(rs))
	for i, r := range rs {
		out[i] = r.msg
	}
	return out
}

// TestBandwidth checks that a pair's link serialises transfers: ten 100 kB
// messages sent at once over 1 MB/s with 1ms latency arrive 100ms apart,
// and another pair is not slowed by them.
func TestBandwidth(t *testing.T) {
	lc := constLink(sim.Millisecond)
	lc.BytesPerSec = 1e6
	h := newHarness(1, lc, "a", "b", "c")
	for i := range 10 {
		h.net.Send("a", "b", i, 100_000)
	}
	h.net.Send("c", "b", "other", 1000)
	h.run(t)
	if h.got[0].msg != "other" || h.got[0].at != sim.Instant(2*sim.Millisecond) {
		t.Errorf("first delivery %+v want other at 2ms", h.got[0])
	}
	for i, r := range h.got[1:] {
		want := sim.Instant(sim.Duration(i+1)*100*sim.Millisecond + sim.Millisecond)
		if r.msg != i || r.at != want {
			t.Errorf("delivery %d = %v at %v want %d at %v", i, r.msg, r.at, i, want)
		}
	}
}

// testFaults fires each armed point a number of times.
type testFaults struct {
	remaining map[string]int
	values    map[string]string
}

func (f *testFaults) Fire(point string) (string, bool) {
	if f.remaining[point] > 0 {
		f.remaining[point]--
		return f.values[point], true
	}
	return "", false
}

// TestFaultPoints checks sim/net/drop and sim/net/delay, and that a delayed
// message holds back the pair's later messages (FIFO).
func TestFaultPoints(t *testing.T) {
	h := newHarness(1, constLink(sim.Millisecond), "a", "b")
	h.w.Faults = &testFaults{
		remaining: map[string]int{netsim.FaultDrop: 1, netsim.FaultDelay: 1},
		values:    map[string]string{netsim.FaultDelay: "50ms"},
	}
	if h.net.Send("a", "b", 0, 1) {
		t.Errorf("message 0 should be dropped by %s", netsim.FaultDrop)
	}
	h.net.Send("a", "b", 1, 1) // delayed by 50ms
	h.net.Send("a", "b", 2, 1) // queued behind it
	h.run(t)
	for _, r := range h.got {
		if r.at != sim.Instant(51*sim.Millisecond) {
			t.Errorf("message %v at %v want 51ms", r.msg, r.at)
		}
	}
	if fmt.Sprint(msgs(h.got)) != "[1 2]" || h.net.Stats().Dropped[netsim.DropFault] != 1 {
		t.Errorf("received %v, stats %+v", msgs(h.got), h.net.Stats())
	}
}

// TestDeterminism checks same seed => same deliveries and trace hash, and
// that a pair's draws do not depend on traffic on other pairs.
func TestDeterminism(t *testing.T) {
	a1, ha := randomTraffic(t, 9, false)
	a2, hb := randomTraffic(t, 9, false)
	if fmt.Sprint(a1) != fmt.Sprint(a2) || ha != hb {
		t.Fatalf("same seed diverged: %s vs %s", ha, hb)
	}
	if _, hc := randomTraffic(t, 10, false); hc == ha {
		t.Errorf("seeds 9 and 10 gave the same hash %s", ha)
	}
	withNoise, _ := randomTraffic(t, 9, true)
	if fmt.Sprint(onPair(a1, "n1", "n2")) != fmt.Sprint(onPair(withNoise, "n1", "n2")) {
		t.Errorf("traffic on n3->n4 changed the deliveries on n1->n2")
	}
}

func randomTraffic(t *testing.T, seed uint64, noise bool) ([]received, string) {
	lc := netsim.LinkConfig{Latency: dist.MustParse("exp(2ms)"), Loss: 0.05, BytesPerSec: 1e7}
	h := newHarness(seed, lc, "n1", "n2", "n3", "n4")
	r := h.w.Rand("test/traffic")
	for i := range 300 {
		h.w.Loop.After(sim.Duration(i)*100*sim.Microsecond, func() {
			h.net.Send("n1", "n2", i, 1000)
		})
	}
	if noise {
		for i := range 300 {
			h.w.Loop.After(sim.Duration(r.IntN(30))*sim.Millisecond, func() { h.net.Send("n3", "n4", i, 1000) })
		}
	}
	h.run(t)
	return h.got, h.w.Trace.HashString()
}

func onPair(rs []received, from, to netsim.NodeID) []received {
	var out []received
	for _, r := range rs {
		if r.from == from && r.to == to {
			out = append(out, r)
		}
	}
	return out
}

// TestValidate checks that bad link configurations are refused.
func TestValidate(t *testing.T) {
	for _, lc := range []netsim.LinkConfig{{Loss: -0.1}, {Loss: 2}, {Loss: math.NaN()}, {BytesPerSec: -1}, {BytesPerSec: math.Inf(1)}} {
		if lc.Validate() == nil {
			t.Errorf("%+v validated", lc)
		}
	}
	if err := netsim.DefaultConfig().Default.Validate(); err != nil {
		t.Errorf("default: %v", err)
	}
}
