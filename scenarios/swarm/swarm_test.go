package swarm

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/prop"

	"github.com/redosim/redosim/model/cluster"
	"github.com/redosim/redosim/scenarios"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/fault"
)

// The property-based CI of the changefeed world. By default every test
// runs a fixed-seed sample sized for make test (about a minute on two
// cores); -swarm.long (or REDOSIM_SWARM_LONG=1) runs the long campaign
// sizes. A failure prints the repro file and the simrun -replay command.

var long = flag.Bool("swarm.long", false, "run the long property campaign")

func isLong() bool { return *long || os.Getenv("REDOSIM_SWARM_LONG") != "" }

// sized returns short, or long under -swarm.long.
func sized(short, long int) int {
	if isLong() {
		return long
	}
	return short
}

// gopterSeed fixes the properties' randomness, so a failure replays.
const gopterSeed = 20261121

// params are one Properties' parameters: one property each, one worker
// (gopter's workers share a source and break reproducibility).
func params(tests int) *gopter.TestParameters {
	p := gopter.DefaultTestParametersWithSeed(gopterSeed)
	p.MinSuccessfulTests = tests
	p.Workers = 1
	p.MaxShrinkCount = 200
	return p
}

// reproDir is where the tests write repro files: $REDOSIM_REPRO_DIR, or
// redosim-swarm-repro in the system's temporary directory (kept after the
// test, so the printed replay command works).
func reproDir(t *testing.T) string {
	if d := os.Getenv("REDOSIM_REPRO_DIR"); d != "" {
		return d
	}
	return filepath.Join(os.TempDir(), "redosim-swarm-repro")
}

// failing records the last failing world a property saw, which after
// gopter's shrink is the shrunk one, and writes its repro.
type failing struct {
	t    *testing.T
	dir  string
	path string
	last *Verdict
}

func (f *failing) note(v *Verdict) {
	f.last = v
	path, err := WriteRepro(f.dir, ReproFileName(v.World.Seed, true), NewRepro(v))
	if err != nil {
		f.t.Logf("repro: %v", err)
		return
	}
	f.path = path
}

func (f *failing) report() {
	if f.last == nil {
		return
	}
	f.t.Errorf("failing world (shrunk): SEED=%d %s", f.last.World.Seed, f.last.World)
	for _, fl := range f.last.Failures {
		f.t.Errorf("  %s", fl)
	}
	f.t.Errorf("repro: %s\nreplay: %s", f.path, ReplayCommand(f.path))
}

// TestInvariantsHoldInGeneratedWorlds: every invariant of the catalogue
// holds in every generated world (gopter: random seeds, worlds shrunk on
// failure).
func TestInvariantsHoldInGeneratedWorlds(t *testing.T) {
	f := &failing{t: t, dir: reproDir(t)}
	props := gopter.NewProperties(params(sized(16, 300)))
	props.Property("every invariant holds", prop.ForAll(func(w World) bool {
		v := Check(w)
		if v.Failed(PropInvariantPrefix) || v.Failed(PropRun) {
			f.note(v)
			return false
		}
		return true
	}, GenWorld()))
	if !props.Run(gopter.NewFormatedReporter(true, 160, os.Stdout)) {
		f.report()
		t.Error("the invariant property did not pass")
	}
}

// TestLivenessInGeneratedWorlds: in liveness-mode worlds, once faults
// stop and every node is back, the checkpoint and the redo resolved ts
// advance again within LivenessBound.
func TestLivenessInGeneratedWorlds(t *testing.T) {
	f := &failing{t: t, dir: reproDir(t)}
	props := gopter.NewProperties(params(sized(10, 200)))
	props.Property("checkpoint and redo advance after faults", prop.ForAll(func(w World) bool {
		v := Check(w)
		if v.Failed(PropLiveness) {
			f.note(v)
			return false
		}
		return true
	}, genLivenessWorld()))
	if !props.Run(gopter.NewFormatedReporter(true, 160, os.Stdout)) {
		f.report()
		t.Error("the liveness property did not pass")
	}
}

// CampaignSeeds is CI's fixed sample: seeds 1..60, which reach every probe
// but the torn tail of a power loss (and, depending on the model, a crash
// during the meta replace), plus the first seeds above 60 that reach
// those: 98 (torn tail), 99 and 378 (meta replace), found by running seeds
// one at a time and reading their probes.
func CampaignSeeds() []uint64 {
	var out []uint64
	for s := uint64(1); s <= 60; s++ {
		out = append(out, s)
	}
	return append(out, 98, 99, 378)
}

// TestCampaign runs CI's fixed sample as make swarm does (two worlds at a
// time, every tenth checked for determinism): no property fails, and every
// catalogued probe is reached. Under -swarm.long it runs 1000 seeds.
func TestCampaign(t *testing.T) {
	seeds := CampaignSeeds()
	if isLong() {
		seeds = nil
		for s := uint64(1); s <= 1000; s++ {
			seeds = append(seeds, s)
		}
	}
	var out bytes.Buffer
	sum, results := RunCampaign(CampaignConfig{Seeds: seeds, Parallel: 2, DeterminismEvery: 10,
		ShrinkRuns: 100, ReproDir: reproDir(t)})
	for _, r := range results {
		if r.Failed() {
			PrintFailure(&out, r)
		}
	}
	PrintSummary(&out, sum)
	t.Log(out.String())
	if sum.Failed() {
		t.Errorf("%d worlds failed (seeds %v); see the log for repro files", len(sum.FailedSeeds), sum.FailedSeeds)
	}
	if missing, _ := sum.ProbesMissing(); len(missing) > 0 {
		t.Errorf("probes never reached by the sample (chosen to reach them all): %v", missing)
	}
	if sum.DeterminismChecked == 0 {
		t.Error("no world was checked for determinism")
	}
}

// TestDeterminism runs a sample of worlds twice with full traces: the
// hashes agree. (The campaign checks every tenth world as well.)
func TestDeterminism(t *testing.T) {
	for _, seed := range []uint64{3, 8, 21, 33} {
		spec, err := Generate(seed).Spec()
		if err != nil {
			t.Fatal(err)
		}
		if d := CheckDeterminism(spec); d != "" {
			t.Errorf("seed %d: %s", seed, d)
		}
	}
}

// TestDivergenceNamesFirstEvent: on a mismatch the report names the first
// event where the runs differ (here two different seeds of one world).
func TestDivergenceNamesFirstEvent(t *testing.T) {
	w := Generate(3)
	w.Duration = 5 * sim.Second
	w.Faults = nil
	traces := make([][]sim.TraceEvent, 2)
	for i, seed := range []uint64{3, 4} {
		w.Seed = seed
		spec, _ := w.Spec()
		spec.KeepTrace = true
		out, err := scenarios.Run(spec)
		if err != nil {
			t.Fatal(err)
		}
		traces[i] = out.Trace.Events()
	}
	d := Divergence(traces[0], traces[1])
	i := sim.FirstDivergence(traces[0], traces[1])
	if i < 0 || !strings.Contains(d, "event ") || !strings.Contains(d, traces[0][i].Kind) {
		t.Fatalf("divergence report %q does not name event %d", d, i)
	}
	if Divergence(traces[0], traces[0]) != "the traces are equal" {
		t.Fatal("equal traces reported as diverging")
	}
	t.Log(d)
}

// TestShrinkFindsSmallCounterexample plants a bug (the downstream drops a
// row in a hundred) in generated worlds: gopter's property fails, the
// shrinker takes the world down to a smaller configuration and schedule
// that still fails, and its repro file replays exactly: same trace hash,
// same violation.
func TestShrinkFindsSmallCounterexample(t *testing.T) {
	dir := t.TempDir()
	f := &failing{t: t, dir: dir}
	var first World
	props := gopter.NewProperties(params(5))
	props.Property("planted bug goes unnoticed", prop.ForAll(func(w World) bool {
		if first.Seed == 0 {
			first = w
		}
		w.Bugs = []string{cluster.BugDropDownstreamRow}
		v := Check(w)
		if v.Failed(PropInvariantPrefix + cluster.InvNoLoss) {
			v.World.Bugs = nil // the printed world is the generated one
			f.note(v)
			return false
		}
		return true
	}, genBigWorld()))
	var report bytes.Buffer
	if props.Run(gopter.NewFormatedReporter(true, 160, &report)) {
		t.Fatal("the planted bug went unnoticed")
	}
	t.Log(report.String())
	shrunk := f.last.World
	if shrunk.Size() >= first.Size() {
		t.Errorf("no shrink: size %d -> %d", first.Size(), shrunk.Size())
	}
	t.Logf("gopter %s", ShrinkReport(first, shrunk, 0))
	// The repro replays exactly: the same world, hash and violation.
	rp, err := ReadRepro(f.path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(rp.Faults, cluster.BugDropDownstreamRow) {
		t.Fatalf("repro plan %q lacks the planted bug", rp.Faults)
	}
	v, _, err := Replay(f.path)
	if err != nil {
		t.Fatal(err)
	}
	if v.Outcome.World.TraceHash != rp.TraceHash || !v.Failed(PropInvariantPrefix+cluster.InvNoLoss) {
		t.Fatalf("replay ended with hash %s and %v, the repro says %s and %q", v.Outcome.World.TraceHash, v.Failures, rp.TraceHash, rp.Violation)
	}
	t.Logf("replay: %s", ReplayCommand(f.path))
}

// genLivenessWorld generates liveness-mode worlds without a sieve (with
// one, gopter gives up when most draws are discarded). Shrink candidates
// keep the mode.
func genLivenessWorld() gopter.Gen {
	return func(p *gopter.GenParameters) *gopter.GenResult {
		for {
			if w := Generate(1 + p.Rng.Uint64()%SeedMax); w.Liveness {
				return gopter.NewGenResult(w, Shrinker)
			}
		}
	}
}

// genBigWorld generates worlds with at least three faults and two nodes,
// without a sieve (gopter would apply a sieve to the shrinks too, and keep
// them big).
func genBigWorld() gopter.Gen {
	return func(p *gopter.GenParameters) *gopter.GenResult {
		for {
			if w := Generate(1 + p.Rng.Uint64()%SeedMax); len(w.Faults) >= 3 && w.Nodes >= 2 {
				return gopter.NewGenResult(w, Shrinker)
			}
		}
	}
}

// TestPlantedBugsAreCaught arms every planted bug of the scenario
// catalogue in its world and requires the property documented for it to
// fail; a planted bug missing from PlantedBugs fails too.
func TestPlantedBugsAreCaught(t *testing.T) {
	table := map[string]PlantedBug{}
	for _, b := range PlantedBugs() {
		table[b.Name] = b
	}
	for _, p := range scenarios.Catalogue() {
		if p.Layer != "bug" {
			continue
		}
		b, ok := table[p.Name]
		if !ok {
			t.Errorf("planted bug %s has no world and property in PlantedBugs", p.Name)
			continue
		}
		t.Run(strings.TrimPrefix(b.Name, "bug/"), func(t *testing.T) {
			v := b.Check()
			if !v.Failed(b.Property) {
				t.Fatalf("planted %s went unnoticed by %s (failures: %v)", b.Name, b.Property, v.Failures)
			}
			t.Logf("caught by %s: %s", b.Property, v.Failures[0])
		})
	}
}

// TestKnownIssuesStillShow: every documented finding still breaks its
// property (and its twin, where given, holds). When one stops showing,
// it was fixed: turn its world into a regression test and lift its
// generator restriction.
func TestKnownIssuesStillShow(t *testing.T) {
	for _, k := range KnownIssues() {
		t.Run(k.ID, func(t *testing.T) {
			v := Check(k.World)
			if !v.Failed(k.Property) {
				t.Fatalf("known issue %s no longer breaks %s (failures: %v): fixed? see KnownIssue", k.ID, k.Property, v.Failures)
			}
			t.Logf("%s: %s", k.ID, v.Failures[0])
			if k.Twin != nil {
				if tv := Check(*k.Twin); tv.Failed(k.Property) {
					t.Fatalf("the twin fails %s too: %v", k.Property, tv.Failures)
				}
			}
		})
	}
}

// TestFixedFindingsHold: worlds of findings that were fixed hold every
// property now.
func TestFixedFindingsHold(t *testing.T) {
	for _, k := range Fixed() {
		t.Run(k.ID, func(t *testing.T) {
			if v := Check(k.World); len(v.Failures) > 0 {
				t.Fatalf("fixed finding %s is back: %v", k.ID, v.Failures)
			}
		})
	}
}

// TestGenerateIsSwarm: Generate is a pure function of its seed; kinds are
// switched on per world (each in about half of the worlds it applies to,
// one world in ten calm); every entry lies in the fault phase, names a
// catalogued point or action, and parses back; every world builds.
func TestGenerateIsSwarm(t *testing.T) {
	cat := scenarios.Catalogue()
	on := map[string]int{}
	applies := map[string]int{}
	calm := 0
	const n = 400
	for seed := uint64(1); seed <= n; seed++ {
		w := Generate(seed)
		if Generate(seed).String() != w.String() {
			t.Fatalf("seed %d: two draws differ", seed)
		}
		plan, err := w.Plan()
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if again, err := fault.Parse(plan.String()); err != nil || again.String() != plan.String() {
			t.Fatalf("seed %d: plan %q does not round trip: %v", seed, plan, err)
		}
		if err := plan.Validate(cat); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if len(w.Faults) == 0 {
			calm++
		}
		seen := map[string]bool{}
		for _, f := range w.Faults {
			if f.From < FaultPhaseStart || f.End() > w.FaultPhaseEnd()+2*sim.Second {
				t.Fatalf("seed %d: %s outside the fault phase [%v, %v)", seed, f, FaultPhaseStart, w.FaultPhaseEnd())
			}
			seen[f.Kind] = true
		}
		for _, k := range Kinds() {
			if k.applies(&w) && len(w.Faults) > 0 {
				applies[k.Name]++
				if seen[k.Name] {
					on[k.Name]++
				}
			}
		}
		if w.Liveness && !w.LivenessDomain() {
			t.Fatalf("seed %d: liveness mode outside the liveness domain", seed)
		}
		if got, want := w.Set()["expect-progress"], strconv.FormatBool(w.LivenessDomain()); got != want {
			t.Fatalf("seed %d: expect-progress=%s, want %s: only a world outside the liveness domain is safety-only", seed, got, want)
		}
	}
	for _, k := range Kinds() {
		if share := float64(on[k.Name]) / float64(max(1, applies[k.Name])); share < 0.3 || share > 0.7 {
			t.Errorf("kind %s on in %.0f%% of the %d worlds it applies to, want about half", k.Name, 100*share, applies[k.Name])
		}
	}
	if calm < n/20 || calm > n/5 {
		t.Errorf("%d calm worlds of %d, want about one in ten", calm, n)
	}
	// Every world builds (a 1 ns run checks the configuration).
	for seed := uint64(1); seed <= 50; seed++ {
		spec, err := Generate(seed).Spec()
		if err != nil {
			t.Fatal(err)
		}
		spec.Duration = sim.Nanosecond
		if _, err := scenarios.Run(spec); err != nil {
			t.Fatalf("seed %d does not build: %v", seed, err)
		}
	}
}

// TestCandidatesShrink: every shrink candidate is smaller or plainer
// than its world, keeps its seed, names only nodes it has, and builds.
func TestCandidatesShrink(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		w := Generate(seed)
		for _, c := range Candidates(w) {
			if c.Seed != w.Seed || c.Size() > w.Size() {
				t.Fatalf("seed %d: candidate %s is not smaller than %s", seed, c, w)
			}
			for _, f := range c.Faults {
				if !nodesWithin(f.Target, c.Nodes) {
					t.Fatalf("seed %d: candidate fault %s names a node beyond n%d", seed, f, c.Nodes)
				}
			}
			spec, err := c.Spec()
			if err != nil {
				t.Fatal(err)
			}
			spec.Duration = sim.Nanosecond
			if _, err := scenarios.Run(spec); err != nil {
				t.Fatalf("seed %d: candidate does not build: %v\n%s", seed, err, c)
			}
		}
	}
}

// TestReproFormatIsSimrun's: a repro file holds what cmd/simrun's -replay
// reads (scenario, variant, seed, duration, set, faults, trace hash,
// violation), and replays to the recorded hash.
func TestReproFormatIsSimruns(t *testing.T) {
	v := Check(Generate(5))
	path, err := WriteRepro(t.TempDir(), ReproFileName(5, false), NewRepro(v))
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	for _, key := range []string{`"scenario"`, `"variant"`, `"seed"`, `"duration"`, `"set"`, `"trace_hash"`, `"violation"`} {
		if !bytes.Contains(data, []byte(key)) {
			t.Errorf("repro lacks %s:\n%s", key, data)
		}
	}
	rv, rp, err := Replay(path)
	if err != nil {
		t.Fatal(err)
	}
	if rv.Outcome.World.TraceHash != rp.TraceHash {
		t.Fatalf("replay hash %s, recorded %s", rv.Outcome.World.TraceHash, rp.TraceHash)
	}
	if filepath.Base(path) != "repro-swarm-s5.json" || !strings.HasPrefix(ReplayCommand(path), "simrun -replay ") {
		t.Fatalf("unexpected repro name or command: %s, %s", path, ReplayCommand(path))
	}
}

// TestDeterminismCheckBySeed: the worlds a campaign re-runs for
// determinism are chosen by seed, so two shards check exactly the worlds
// the whole campaign checks. Method: seeds 5..24 whole and as the shards
// 5..14 and 15..24, every tenth seed checked.
func TestDeterminismCheckBySeed(t *testing.T) {
	checked := func(seeds []uint64) []uint64 {
		_, res := RunCampaign(CampaignConfig{Seeds: seeds, Parallel: 2, DeterminismEvery: 10})
		var out []uint64
		for _, r := range res {
			if r.DeterminismRun {
				out = append(out, r.Seed)
			}
		}
		slices.Sort(out)
		return out
	}
	var all []uint64
	for s := uint64(5); s <= 24; s++ {
		all = append(all, s)
	}
	whole := checked(all)
	shards := append(checked(all[:10]), checked(all[10:])...)
	if !slices.Equal(whole, []uint64{10, 20}) || !slices.Equal(shards, whole) {
		t.Fatalf("determinism checked: whole %v, shards %v; want [10 20] both", whole, shards)
	}
}

// TestBacklogLivelockNeedsSmallQuota pins what backlog-livelock-small-quota
// says of itself: its world live-locks in some seeds at its 256 KiB quota
// with v2-4030, and holds in every seed with v2-4950's window or at a
// 16 MiB quota, so the class is the small quota's, not TiCDC's constants'.
func TestBacklogLivelockNeedsSmallQuota(t *testing.T) {
	const seeds = 10
	variants := []struct {
		name     string
		change   func(*World)
		wantFail bool
	}{
		{"as found", func(*World) {}, true},
		{"v2-4950", func(w *World) { w.ScanWindow = "v2-4950" }, false},
		{"16 MiB", func(w *World) { w.MemoryQuotaBytes = 16 << 20 }, false},
	}
	for _, v := range variants {
		fails := 0
		for seed := uint64(1); seed <= seeds; seed++ {
			w := knownBacklogWorld()
			w.Seed = seed
			v.change(&w)
			if Check(w).Failed(PropLiveness) {
				fails++
			}
		}
		t.Logf("%s: %d of %d seeds fail liveness", v.name, fails, seeds)
		if got := fails > 0; got != v.wantFail {
			t.Errorf("%s: %d of %d seeds fail liveness, want failures: %v", v.name, fails, seeds, v.wantFail)
		}
	}
}
