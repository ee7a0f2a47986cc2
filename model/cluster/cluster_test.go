package cluster

import (
	"slices"
	"strings"
	"testing"

	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/simdriver"
	"github.com/redosim/redosim/model/downstream"
	"github.com/redosim/redosim/model/tso"
	"github.com/redosim/redosim/model/upstream"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/check"
	"github.com/redosim/redosim/sim/dist"
	"github.com/redosim/redosim/sim/metrics"
)

// nopRecorder drops samples and timeline events.
type nopRecorder struct{}

func (nopRecorder) Observe(string, string, float64)                       {}
func (nopRecorder) Span(string, string, string, sim.Instant, sim.Instant) {}
func (nopRecorder) Instant(string, string, string, sim.Instant)           {}

// smallConfig is a short world with every mechanism on: redo on disk,
// syncpoints, slow tables, a quota small enough to matter.
func smallConfig(bugs ...string) Config {
	return Config{
		Nodes:      3,
		Upstream:   upstream.Config{Tables: 8, RowsPerSecond: 300},
		Downstream: downstream.Config{TxnLatency: dist.MustParse("lognormal(2ms,0.4)"), RowLatency: dist.MustParse("const(50us)")},
		SlowShare:  0.25, SlowFactor: 20, MemoryQuotaBytes: 512 << 10,
		Redo:              RedoConfig{Enabled: true, Storage: "disk"},
		SyncPointInterval: 10 * sim.Second,
		Bugs:              bugs,
	}
}

// runWorld runs a world for d and returns its checks and trace hash.
func runWorld(t *testing.T, seed uint64, d sim.Duration, cfg Config) (*check.Set, string) {
	t.Helper()
	return runWorldWith(t, seed, d, cfg, nil)
}

// restartNode1 crashes node 1 at 20 s and restarts it at 23 s.
func restartNode1(cl *Cluster, w *sim.World) {
	w.Loop.At(sim.Instant(20*sim.Second), func() { cl.Node(1).Crash() })
	w.Loop.At(sim.Instant(23*sim.Second), func() { cl.Node(1).Restart() })
}

// runWorldWith is runWorld with setup (when set) run after the start.
func runWorldWith(t *testing.T, seed uint64, d sim.Duration, cfg Config, setup func(*Cluster, *sim.World)) (*check.Set, string) {
	t.Helper()
	w := sim.NewWorld(sim.WorldConfig{Seed: seed})
	checks := check.NewSet(w)
	cl, err := Build(w, metrics.NewRegistry(), checks, nopRecorder{}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.Start(); err != nil {
		t.Fatal(err)
	}
	if setup != nil {
		setup(cl, w)
	}
	if err := w.Loop.RunUntil(sim.Instant(d)); err != nil {
		t.Fatal(err)
	}
	cl.Finish()
	return checks, w.Trace.HashString()
}

// TestCheckpointBound: a world whose node 1 crashes and restarts holds
// checkpoint-bound, evaluated at every sweep and at the restart; the same
// world restarting from the redo resolved ts is caught at the restart.
func TestCheckpointBound(t *testing.T) {
	run := func(cfg Config) *check.Set {
		checks, _ := runWorldWith(t, 1, 40*sim.Second, cfg, restartNode1)
		return checks
	}
	clean := run(smallConfig()).Get(InvCheckpointBound)
	if clean.Violations() > 0 || clean.Evaluated() < 30 {
		t.Fatalf("clean world: checkpoint-bound %d violations (%v), %d evaluations", clean.Violations(), clean.First(), clean.Evaluated())
	}
	bug := run(smallConfig(BugRestartFromRedoTs)).Get(InvCheckpointBound)
	if bug.Violations() == 0 || !strings.Contains(bug.First().Detail, "restarts its dispatchers") {
		t.Fatalf("restart from the redo resolved ts went unnoticed (%d violations, first %v)", bug.Violations(), bug.First())
	}
	t.Logf("caught: %s", bug.First().Detail)
}

// TestCleanWorldHoldsEveryInvariant: without planted bugs every checker of
// the catalogue is evaluated and holds, and the world replays exactly.
func TestCleanWorldHoldsEveryInvariant(t *testing.T) {
	cfg := smallConfig()
	cfg.Liveness.Judged = true
	checks, hash := runWorld(t, 1, 60*sim.Second, cfg)
	for _, c := range checks.Checkers() {
		if c.Violations() > 0 {
			t.Errorf("%s violated: %s", c.Name(), c.First().Detail)
		}
		if c.Evaluated() == 0 {
			t.Errorf("%s was never evaluated: a checker that cannot fail", c.Name())
		}
	}
	if _, again := runWorld(t, 1, 60*sim.Second, smallConfig()); again != hash {
		t.Fatalf("same seed, different trace hashes: %s %s", hash, again)
	}
	if _, other := runWorld(t, 2, 60*sim.Second, smallConfig()); other == hash {
		t.Fatal("different seeds, same trace hash")
	}
}

// TestPlantedBugsAreCaught arms each planted bug and expects the checker
// documented for it (Bugs) to fire.
func TestPlantedBugsAreCaught(t *testing.T) {
	for _, b := range Bugs() {
		bug, want := b[0], b[1]
		t.Run(bug, func(t *testing.T) {
			cfg := smallConfig(bug)
			if bug == BugSkipSyncPointBarrier {
				// With redo on, the fence holds rows above the syncpoint
				// until redo passes it, which masks a dispatcher that does
				// not wait: the bug shows without redo.
				cfg.Redo.Enabled = false
			}
			var setup func(*Cluster, *sim.World)
			if bug == BugRestartFromRedoTs {
				setup = restartNode1 // the bug is in the restart
			}
			checks, _ := runWorldWith(t, 1, 60*sim.Second, cfg, setup)
			c := checks.Get(want)
			if c == nil || c.Violations() == 0 {
				var fired []string
				for _, c := range checks.Checkers() {
					if c.Violations() > 0 {
						fired = append(fired, c.Name())
					}
				}
				t.Fatalf("planted %s: %s did not fire (fired: %v)", bug, want, fired)
			}
			t.Logf("%s caught by %s: %s", bug, want, c.First().Detail)
		})
	}
}

// TestMonotonicCatchesCheckpointRegress: without redo the fence does not
// keep node watermarks in lockstep, so taking the last heartbeat as the
// checkpoint makes it go back, and the monotonic checker must see it.
func TestMonotonicCatchesCheckpointRegress(t *testing.T) {
	cfg := smallConfig(BugCheckpointRegress)
	cfg.Redo.Enabled = false
	cfg.Upstream.RowsPerSecond, cfg.SlowFactor, cfg.MemoryQuotaBytes = 3000, 200, 64<<20 // nodes fall apart
	checks, _ := runWorld(t, 1, 60*sim.Second, cfg)
	if c := checks.Get(InvMonotonic); c.Violations() == 0 {
		t.Fatal("monotonic did not fire on a regressing checkpoint")
	} else {
		t.Logf("caught: %s", c.First().Detail)
	}
}

// TestDisasterCheckBothPaths: the disaster check applies a log of rows
// over the downstream without copying it, and a log with DDLs to a copy;
// a world with DDLs holds, and the planted unwritten ack is caught on the
// copy path too.
func TestDisasterCheckBothPaths(t *testing.T) {
	cfg := smallConfig()
	cfg.Upstream.DDLPerMinute = 30
	checks, _ := runWorld(t, 1, 60*sim.Second, cfg)
	if c := checks.Get(InvDisaster); c.Violations() > 0 || c.Evaluated() == 0 {
		t.Fatalf("a clean world with DDLs: disaster evaluated %d, violations %d (%v)", c.Evaluated(), c.Violations(), c.First())
	}
	cfg.Bugs = []string{BugRedoAckUnwritten}
	checks, _ = runWorld(t, 1, 60*sim.Second, cfg)
	if c := checks.Get(InvDisaster); c.Violations() == 0 {
		t.Fatal("with DDLs the disaster check missed the planted unwritten ack")
	}
}

// TestOwnerCollectsEveryCapturesExpiredFiles: as TiCDC's meta manager, the
// owner deletes every capture's sealed log files below the flushed
// checkpoint, so the shared redo storage holds the data above the
// checkpoint, not everything the non-owners ever wrote; the disaster
// check still holds.
func TestOwnerCollectsEveryCapturesExpiredFiles(t *testing.T) {
	cfg := smallConfig()
	cfg.Upstream.RowsPerSecond = 2000
	cfg.Redo.Engine.MaxLogBytes = 64 << 10
	w := sim.NewWorld(sim.WorldConfig{Seed: 3})
	checks := check.NewSet(w)
	cl, err := Build(w, metrics.NewRegistry(), checks, nopRecorder{}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.Start(); err != nil {
		t.Fatal(err)
	}
	if err := w.Loop.RunUntil(sim.Instant(60 * sim.Second)); err != nil {
		t.Fatal(err)
	}
	if n := cl.captures[0].redo.Stats().FilesCollected; n == 0 {
		t.Fatal("the owner collected no other capture's file")
	}
	ck := cl.captures[0].redo.FlushedMeta().CheckpointTs
	names, err := simdriver.Storage(cl.RedoTarget()).List()
	if err != nil {
		t.Fatal(err)
	}
	stale := 0
	for _, name := range names {
		if fn, ok := core.ParseFileName(name); ok && !fn.Tmp && fn.Ts < ck {
			stale++
		}
	}
	// What the last round (5 s) has not reached may remain, far less
	// than what was collected.
	if n := cl.captures[0].redo.Stats().FilesCollected; uint64(stale) >= n {
		t.Errorf("%d sealed files below the flushed checkpoint remain, %d collected", stale, n)
	}
	cl.Finish()
	if c := checks.Get(InvDisaster); c.Violations() > 0 {
		t.Fatalf("disaster after collection: %s", c.First().Detail)
	}
}

// TestSyncPointCompleteness: a clean world writes the row of every
// syncpoint the checkpoint passed, and syncpoint-completeness judges each
// once; a world whose sink acknowledges syncpoints without writing them
// fails it at every due syncpoint.
func TestSyncPointCompleteness(t *testing.T) {
	cfg := smallConfig()
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	checks := check.NewSet(w)
	cl, err := Build(w, metrics.NewRegistry(), checks, nopRecorder{}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.Start(); err != nil {
		t.Fatal(err)
	}
	if err := w.Loop.RunUntil(sim.Instant(35 * sim.Second)); err != nil {
		t.Fatal(err)
	}
	cl.Finish()
	var rows []uint64
	for _, r := range cl.Downstream().SyncPointRows() {
		rows = append(rows, r.PrimaryTs)
	}
	c := checks.Get(InvSyncPointCompleteness)
	t.Logf("start %d checkpoint %d rows %v: evaluated %d", cl.StartTs(), cl.CheckpointTs(), rows, c.Evaluated())
	if c.Violations() > 0 || c.Evaluated() < 3 {
		t.Fatalf("clean world: %d violations (%v), %d evaluated; want at least 3 syncpoints judged", c.Violations(), c.First(), c.Evaluated())
	}

	cfg.Bugs = []string{BugSkipSyncPointRow}
	checks, _ = runWorld(t, 1, 35*sim.Second, cfg)
	c = checks.Get(InvSyncPointCompleteness)
	if c.Violations() < 3 || uint64(c.Violations()) != c.Evaluated() {
		t.Fatalf("a world that wrote no syncpoint row: %d violations of %d evaluated, want every one of at least 3", c.Violations(), c.Evaluated())
	}
	t.Logf("caught %d of %d: %s", c.Violations(), c.Evaluated(), c.First().Detail)
}

// TestSyncPointCheckpointAtBoundaryBeforeRow: in a quiet world (the
// swarm's liveness-after-crashes-s346 before its faults) the upstream
// resolved ts lands exactly on the 10 s boundary S. As in TiCDC the event
// service sends resolved S without Sync(S) (that waits for a ts above S),
// every dispatcher's checkpoint is S, and so is the changefeed's, for most
// of a second before S's row is written. That is no violation:
// syncpoint-completeness judges S once the checkpoint is above it, and
// then the row is there. The same quiet world with a sink that never
// writes syncpoint rows is still caught.
func TestSyncPointCheckpointAtBoundaryBeforeRow(t *testing.T) {
	cfg := Config{
		Nodes:             3,
		Upstream:          upstream.Config{Tables: 3, RowsPerSecond: 10},
		Downstream:        downstream.Config{TxnLatency: dist.MustParse("lognormal(2ms,0.4)"), RowLatency: dist.MustParse("const(50us)")},
		SyncPointInterval: 10 * sim.Second,
	}
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	checks := check.NewSet(w)
	cl, err := Build(w, metrics.NewRegistry(), checks, nopRecorder{}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.Start(); err != nil {
		t.Fatal(err)
	}
	iv := cfg.SyncPointInterval
	s := tso.NextSyncPoint(tso.FirstSyncPoint(cl.StartTs(), iv, false), iv)
	hasRow := func() bool {
		return slices.ContainsFunc(cl.Downstream().SyncPointRows(), func(r downstream.SyncPointRow) bool { return r.PrimaryTs == s })
	}
	var atS, rowAt sim.Instant
	for now := sim.Instant(0); now <= sim.Instant(15*sim.Second); now += sim.Instant(10 * sim.Millisecond) {
		if err := w.Loop.RunUntil(now); err != nil {
			t.Fatal(err)
		}
		if atS == 0 && cl.CheckpointTs() == s && !hasRow() {
			atS = now
		}
		if rowAt == 0 && hasRow() {
			rowAt = now
		}
	}
	cl.Finish()
	if atS == 0 {
		t.Fatalf("the checkpoint never sat at syncpoint %d before its row: the world no longer shows the case", s)
	}
	if rowAt == 0 || rowAt <= atS || cl.CheckpointTs() <= s {
		t.Fatalf("syncpoint %d: checkpoint at it without its row at %v, row written at %v, final checkpoint %d", s, atS, rowAt, cl.CheckpointTs())
	}
	c := checks.Get(InvSyncPointCompleteness)
	if c.Violations() > 0 || c.Evaluated() < 2 {
		t.Fatalf("syncpoint-completeness: %d violations (%v), %d evaluated; want the start and %d judged, none missing", c.Violations(), c.First(), c.Evaluated(), s)
	}
	t.Logf("checkpoint at syncpoint %d without its row from %v, row written at %v; %d syncpoints judged", s, atS, rowAt, c.Evaluated())

	cfg.Bugs = []string{BugSkipSyncPointRow}
	checks, _ = runWorld(t, 1, 15*sim.Second, cfg)
	if c := checks.Get(InvSyncPointCompleteness); c.Violations() < 2 {
		t.Fatalf("a quiet world that wrote no syncpoint row: %d violations of %d evaluated, want the start and %d", c.Violations(), c.Evaluated(), s)
	}
}

// TestNeverEvaluated: a world whose syncpoint-barrier is never told of a
// syncpoint row holds every invariant vacuously but never-evaluated,
// which names the blind checker; the clean world passes it (and
// TestCleanWorldHoldsEveryInvariant sees it evaluated).
func TestNeverEvaluated(t *testing.T) {
	checks, _ := runWorld(t, 1, 60*sim.Second, smallConfig(BugBlindSyncPointBarrier))
	c := checks.Get(InvNeverEvaluated)
	if c.Violations() != 1 || !strings.HasPrefix(c.First().Detail, InvSyncPointBarrier+" was never evaluated") {
		t.Fatalf("blind syncpoint-barrier: never-evaluated saw %d violations (%v)", c.Violations(), c.First())
	}
	for _, o := range checks.Checkers() {
		if o != c && o.Violations() > 0 {
			t.Errorf("%s fired too: %s", o.Name(), o.First().Detail)
		}
	}
	t.Logf("caught: %s", c.First().Detail)
	checks, _ = runWorld(t, 1, 60*sim.Second, smallConfig())
	if c := checks.Get(InvNeverEvaluated); c.Violations() > 0 || c.Evaluated() != 1 {
		t.Fatalf("clean world: never-evaluated %d violations (%v), %d evaluated", c.Violations(), c.First(), c.Evaluated())
	}
}

// TestExpectedInvariants: which invariants a configuration exercises.
func TestExpectedInvariants(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     func(*Config)
		elapsed sim.Duration
		want    []string
	}{
		{"everything", func(*Config) {}, 60 * sim.Second,
			[]string{InvMonotonic, InvOrdering, InvNoLoss, InvMemory, InvRedoBeforeSink, InvDurableAck, InvDisaster, InvSyncPointBarrier, InvSyncPointCompleteness}},
		{"os policy", func(c *Config) { c.Redo.Engine.Policy = core.PolicyOS }, 60 * sim.Second,
			[]string{InvMonotonic, InvOrdering, InvNoLoss, InvMemory, InvRedoBeforeSink, InvDisaster, InvSyncPointBarrier, InvSyncPointCompleteness}},
		{"short", func(*Config) {}, 5 * sim.Second, []string{InvMonotonic, InvOrdering, InvNoLoss, InvMemory, InvDisaster}},
		{"no redo, no breaker", func(c *Config) { c.Redo.Enabled, c.Collector.Breaker.Disabled = false, true }, 60 * sim.Second,
			[]string{InvMonotonic, InvOrdering, InvNoLoss, InvSyncPointBarrier, InvSyncPointCompleteness}},
		{"two intervals", func(c *Config) { c.Redo.Enabled = false }, 20 * sim.Second, []string{InvMonotonic, InvOrdering, InvNoLoss, InvMemory}},
		{"no syncpoints", func(c *Config) { c.SyncPointInterval = 0 }, 60 * sim.Second,
			[]string{InvMonotonic, InvOrdering, InvNoLoss, InvMemory, InvRedoBeforeSink, InvDurableAck, InvDisaster}},
		{"no progress promised", func(c *Config) { c.NoProgressPromised = true }, 60 * sim.Second,
			[]string{InvMonotonic, InvOrdering, InvNoLoss, InvMemory, InvRedoBeforeSink, InvDurableAck, InvDisaster}},
		{"sub-second syncpoints are off", func(c *Config) { c.SyncPointInterval = 500 * sim.Millisecond }, 60 * sim.Second,
			[]string{InvMonotonic, InvOrdering, InvNoLoss, InvMemory, InvRedoBeforeSink, InvDurableAck, InvDisaster}},
	} {
		cfg := smallConfig()
		tc.cfg(&cfg)
		cl := &Cluster{cfg: cfg}
		if got := cl.expectedInvariants(tc.elapsed); !slices.Equal(got, tc.want) {
			t.Errorf("%s: expected %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestDurableAck: in a clean world every batch the redo sink acknowledges
// is synced, under the interval and the commit policy, on disk and on
// object storage; a sink that acknowledges what it merely handed to the
// engine is caught, though every other invariant holds.
func TestDurableAck(t *testing.T) {
	for _, tc := range []struct {
		policy  core.Policy
		storage string
	}{{core.PolicyInterval, "disk"}, {core.PolicyCommit, "disk"}, {core.PolicyInterval, "object"}} {
		cfg := smallConfig()
		cfg.Redo.Engine.Policy, cfg.Redo.Storage = tc.policy, tc.storage
		checks, _ := runWorld(t, 1, 30*sim.Second, cfg)
		if c := checks.Get(InvDurableAck); c.Violations() > 0 || c.Evaluated() == 0 {
			t.Fatalf("%v on %s: durable-ack %d violations (%v), %d evaluated", tc.policy, tc.storage, c.Violations(), c.First(), c.Evaluated())
		}
	}
	checks, _ := runWorld(t, 1, 30*sim.Second, smallConfig(BugRedoAckBeforeDurable))
	c := checks.Get(InvDurableAck)
	if c.Violations() == 0 {
		t.Fatal("an ack before the sync went unnoticed")
	}
	for _, o := range checks.Checkers() {
		if o != c && o.Violations() > 0 {
			t.Logf("%s fired too: %s", o.Name(), o.First().Detail)
		}
	}
	t.Logf("caught %d of %d acks: %s", c.Violations(), c.Evaluated(), c.First().Detail)
}

// TestLivenessInvariant: a quiet world keeps advancing and holds liveness,
// judged every second; with the downstream stalled (planted bug) the
// checkpoint stands still and liveness fails once, naming when the stall
// began; a stall while a fault's effect lasts is not judged.
func TestLivenessInvariant(t *testing.T) {
	judged := func(cfg Config, overAt sim.Duration) Config {
		cfg.Liveness = LivenessConfig{Judged: true, FaultsOverAt: overAt}
		return cfg
	}
	d := 90 * sim.Second
	clean, _ := runWorld(t, 1, d, judged(smallConfig(), 0))
	if c := clean.Get(InvLiveness); c.Violations() > 0 || c.Evaluated() < 80 {
		t.Fatalf("clean world: liveness %d violations (%v), %d evaluations", c.Violations(), c.First(), c.Evaluated())
	}
	stalled, _ := runWorld(t, 1, d, judged(smallConfig(BugStallDownstream), 0))
	c := stalled.Get(InvLiveness)
	if c.Violations() == 0 || !strings.Contains(c.First().Detail, "stood still from t=") {
		t.Fatalf("a stalled downstream went unnoticed by liveness (%d violations, first %v)", c.Violations(), c.First())
	}
	t.Logf("caught: %s", c.First().Detail)
	// A node down moves the judgement's start by itself.
	crashed, _ := runWorldWith(t, 1, d, judged(smallConfig(BugStallDownstream), 0), restartNode1)
	if c := crashed.Get(InvLiveness); c.Violations() == 0 || !strings.Contains(c.First().Detail, "no fault active since t=22.000s") {
		t.Fatalf("a crash of node 1 (20 s to 23 s) did not move the quiet point: %d violations, first %v", c.Violations(), c.First())
	}
	// The same stall under a fault that lasts the whole run is not judged.
	excused, _ := runWorld(t, 1, d, judged(smallConfig(BugStallDownstream), d))
	if c := excused.Get(InvLiveness); c.Violations() > 0 || c.Evaluated() > 0 {
		t.Fatalf("liveness judged while a fault lasted: %d violations, %d evaluations", c.Violations(), c.Evaluated())
	}
}

// TestLivenessBound: the bound is four times the periodic delays on the
// checkpoint's way, never below LivenessBoundMin, nor, with syncpoints,
// below two intervals.
func TestLivenessBound(t *testing.T) {
	cfg := smallConfig()
	if got := cfg.LivenessBound(); got != LivenessBoundMin {
		t.Errorf("TiCDC's intervals, syncpoints every 10 s: bound %v, want %v", got, LivenessBoundMin)
	}
	cfg.SyncPointInterval = 60 * sim.Second
	if got, want := cfg.LivenessBound(), 120*sim.Second; got != want {
		t.Errorf("syncpoints every 60 s: bound %v, want two intervals, %v", got, want)
	}
	cfg.SyncPointInterval = 10 * sim.Second
	cfg.Redo.Engine.FlushInterval = 10 * sim.Second
	// 4 x (1 s resolved + 10 s flush + 200 ms meta + 1 s redo tick + 5 s block resend).
	if got, want := cfg.LivenessBound(), 4*(17*sim.Second+200*sim.Millisecond); got != want {
		t.Errorf("10 s redo flush: bound %v, want %v", got, want)
	}
}
