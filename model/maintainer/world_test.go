package maintainer_test

import (
	"strings"
	"testing"

	"github.com/redosim/redosim/model/dispatcher"
	"github.com/redosim/redosim/model/dispatcher/dispatchertest"
	"github.com/redosim/redosim/model/maintainer"
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/model/tso"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/dist"
	"github.com/redosim/redosim/sim/metrics"
)

// runWorld builds cfg's world, runs it to until and fails on a build or
// run error.
func runWorld(t *testing.T, cfg dispatchertest.WorldConfig, until sim.Duration) *dispatchertest.World {
	t.Helper()
	tw, err := dispatchertest.NewWorld(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := tw.Run(sim.Instant(until)); err != nil {
		t.Fatal(err)
	}
	return tw
}

// clean fails on any violation and on a world that did not finish.
func clean(t *testing.T, tw *dispatchertest.World) {
	t.Helper()
	if v := tw.Check.Violations(); len(v) > 0 {
		t.Fatalf("%d violations, first: %s", tw.Check.Count(), strings.Join(v, "\n"))
	}
	if err := tw.Drained(); err != nil {
		t.Fatalf("not drained: %v", err)
	}
	if tw.Unhandled > 0 {
		t.Fatalf("%d messages unhandled", tw.Unhandled)
	}
}

// syncPointWrites returns the syncpoint writes of the main sink by writer.
func syncPointWrites(tw *dispatchertest.World) map[msg.DispatcherID]int {
	out := make(map[msg.DispatcherID]int)
	for _, wr := range tw.MainSink.Writes() {
		if wr.Block && wr.Events[0].Kind == msg.EventSyncPoint {
			out[wr.Dispatcher]++
		}
	}
	return out
}

// The block-event protocol end to end: three event dispatchers (table
// trigger and t2 on n1, t1 on n2) and the maintainer on n1, syncpoints
// every second and DDLs. Each syncpoint is written once, by the table
// trigger, while the others pass; nothing above a syncpoint reaches the
// sink before it is written (invariant 9, checked on every write); every
// barrier finishes and the checkpoint reaches the last resolved ts.
func TestBlockProtocolEndToEnd(t *testing.T) {
	tw := runWorld(t, dispatchertest.WorldConfig{
		Seed: 3, Nodes: 2, Tables: 2,
		Gen: dispatchertest.GenConfig{SyncPointEvery: sim.Second, DDLEvery: 2 * sim.Second, Until: sim.Instant(10 * sim.Second)},
	}, 20*sim.Second)
	clean(t, tw)
	n := len(tw.Gen.SyncPoints)
	writes := syncPointWrites(tw)
	trigger := msg.DispatcherID{Table: msg.TableTrigger, Mode: msg.ModeMain}
	if n < 9 || writes[trigger] != n || len(writes) != 1 {
		t.Fatalf("%d syncpoints, writes by dispatcher %v", n, writes)
	}
	h := tw.Reg.Histogram(maintainer.MetricBarrierDuration, metrics.L("node", "n1"), metrics.L("mode", "main"))
	if want := uint64(n + len(tw.Gen.DDLs)); h.Count() != want {
		t.Fatalf("%d barriers finished, want %d", h.Count(), want)
	}
}

// WAITING (and DONE) statuses are resent every 5 s until ACKed: with half
// the messages from n2 to the maintainer lost, barriers still finish and
// the checkers stay quiet.
func TestBlockStatusResendUnderLoss(t *testing.T) {
	tw := runWorld(t, dispatchertest.WorldConfig{
		Seed: 5, Nodes: 2, Tables: 3, Loss: 0.5,
		Gen: dispatchertest.GenConfig{SyncPointEvery: sim.Second, Until: sim.Instant(10 * sim.Second)},
	}, 120*sim.Second)
	clean(t, tw)
	resends := tw.Reg.Counter(dispatcher.MetricBlockResends, metrics.L("node", "n2")).Value()
	if resends == 0 {
		t.Fatal("no status resent under 50% loss")
	}
	if tw.Net.Stats().DroppedTotal() == 0 {
		t.Fatal("no message lost")
	}
	t.Logf("resends on n2: %v, barrier resends: %v", resends,
		tw.Reg.Counter(maintainer.MetricBarrierResends, metrics.L("node", "n1"), metrics.L("mode", "main")).Value())
}

// sinkLagSeconds is the mean time from a DML's commit (its TSO physical
// time) to its hand-over to the main sink.
func sinkLagSeconds(tw *dispatchertest.World) float64 {
	var sum float64
	var n int
	for _, wr := range tw.MainSink.Writes() {
		if wr.Block {
			continue
		}
		for _, ev := range wr.Events {
			commitMs := tso.Physical(ev.CommitTs) - tso.DefaultStartPhysicalMs
			sum += wr.At.Seconds() - float64(commitMs)/1000
			n++
		}
	}
	return sum / float64(n)
}

// The redo fence (A7): with redo on, nothing reaches the main sink above
// the node's redoGlobalTs or the durable redo resolved ts when it is sent,
// for the whole-batch cache and the prefix variant; the prefix variant
// releases earlier (less fence wait, lower sink lag).
// Reference: TiCDC issue #6026 (whole-batch caching withholds a safe prefix).
func TestRedoFenceVariants(t *testing.T) {
	var waits, lags [2]float64
	for i, prefix := range []bool{false, true} {
		tw := runWorld(t, dispatchertest.WorldConfig{
			Seed: 7, Nodes: 2, Tables: 3, RedoEnabled: true, FencePrefix: prefix, BatchMax: 64,
			Gen: dispatchertest.GenConfig{TxnEvery: 5 * sim.Millisecond, SyncPointEvery: 3 * sim.Second, Until: sim.Instant(20 * sim.Second)},
		}, 40*sim.Second)
		clean(t, tw)
		for _, n := range []string{"n1", "n2"} {
			waits[i] += tw.Reg.Counter(dispatcher.MetricFenceWaitEvents, metrics.L("node", n)).Value()
		}
		lags[i] = sinkLagSeconds(tw)
	}
	t.Logf("fence wait (event-seconds) whole %.1f prefix %.1f; mean sink lag whole %.2fs prefix %.2fs", waits[0], waits[1], lags[0], lags[1])
	if waits[1] >= waits[0] || lags[1] >= lags[0] {
		t.Fatalf("the prefix variant did not release earlier: waits %v lags %v", waits, lags)
	}
}

// The redo meta/progress/forward loop moves redoGlobalTs as the redo
// dispatchers' checkpoints move, and the timestamps keep their order
// (invariant 10): checkpoint <= redoGlobalTs <= flushed meta resolved ts
// <= min redo dispatcher checkpoint.
func TestRedoLoopAdvances(t *testing.T) {
	tw, err := dispatchertest.NewWorld(dispatchertest.WorldConfig{
		Seed: 11, Nodes: 3, Tables: 4, RedoEnabled: true,
		RedoLatency: dist.Uniform{Lo: float64(5 * sim.Millisecond), Hi: float64(50 * sim.Millisecond)},
		Gen:         dispatchertest.GenConfig{Until: sim.Instant(30 * sim.Second)},
	})
	if err != nil {
		t.Fatal(err)
	}
	var prev uint64
	for s := 5; s <= 30; s += 5 {
		if err := tw.Run(sim.Instant(sim.Duration(s) * sim.Second)); err != nil {
			t.Fatal(err)
		}
		g := tw.Managers[2].RedoGlobalTs()
		if g <= prev {
			t.Fatalf("at %ds redoGlobalTs %d did not rise from %d", s, g, prev)
		}
		prev = g
		_, rts := tw.Meta.FlushedMeta()
		minRedo := ^uint64(0)
		for _, table := range tw.Tables() {
			minRedo = min(minRedo, tw.ManagerOf(table).RedoDispatcher(table).CheckpointTs())
		}
		ck := tw.Maintainer.CheckpointTs()
		if !(ck <= tw.Maintainer.RedoGlobalTs() && tw.Maintainer.RedoGlobalTs() <= rts && rts <= minRedo) {
			t.Fatalf("at %ds order broken: checkpoint %d, redoGlobalTs %d, meta %d, min redo checkpoint %d", s, ck, tw.Maintainer.RedoGlobalTs(), rts, minRedo)
		}
	}
	if err := tw.Run(sim.Instant(45 * sim.Second)); err != nil {
		t.Fatal(err)
	}
	clean(t, tw)
}

// Planted bugs: each checker fires on the bug it guards against.
func TestPlantedBugsFire(t *testing.T) {
	gen := dispatchertest.GenConfig{SyncPointEvery: sim.Second, Until: sim.Instant(8 * sim.Second)}
	cases := []struct {
		name string
		cfg  dispatchertest.WorldConfig
		want string
	}{
		{"bypass fence", dispatchertest.WorldConfig{RedoEnabled: true,
			DispatcherKnobs: dispatcher.TestingKnobs{BypassFence: true}}, "redo-before-sink"},
		{"skip syncpoint barrier", dispatchertest.WorldConfig{
			DispatcherKnobs: dispatcher.TestingKnobs{SkipSyncPointBarrier: true}}, "syncpoint barrier"},
		{"checkpoint regresses", dispatchertest.WorldConfig{
			MainLatency:     dist.Uniform{Lo: float64(sim.Millisecond), Hi: float64(400 * sim.Millisecond)},
			MaintainerKnobs: maintainer.TestingKnobs{CheckpointFromLastHeartbeat: true}}, "monotonic: maintainer/checkpoint"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := c.cfg
			cfg.Seed, cfg.Nodes, cfg.Tables, cfg.Gen = 13, 2, 3, gen
			tw := runWorld(t, cfg, 15*sim.Second)
			found := false
			for _, v := range tw.Check.Violations() {
				found = found || strings.Contains(v, c.want)
			}
			if !found {
				t.Fatalf("no %q violation; got %d: %v", c.want, tw.Check.Count(), tw.Check.Violations())
			}
		})
	}
}

// Determinism: the same seed gives the same trace hash, another seed
// another one.
func TestDeterminism(t *testing.T) {
	cfg := func(seed uint64) dispatchertest.WorldConfig {
		return dispatchertest.WorldConfig{
			Seed: seed, Nodes: 3, Tables: 4, RedoEnabled: true, FencePrefix: seed%2 == 0, Loss: 0.1,
			Gen: dispatchertest.GenConfig{SyncPointEvery: sim.Second, DDLEvery: sim.Second, Until: sim.Instant(5 * sim.Second)},
		}
	}
	hash := func(seed uint64) uint64 { return runWorld(t, cfg(seed), 15*sim.Second).W.Trace.Hash() }
	a, b, c := hash(21), hash(21), hash(22)
	if a != b {
		t.Fatalf("seed 21 gave hashes %x and %x", a, b)
	}
	if a == c {
		t.Fatalf("seeds 21 and 22 gave the same hash %x", a)
	}
}
