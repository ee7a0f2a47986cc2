//simrun:realworld a campaign runs many worlds on goroutines and measures wall time; each world stays single-threaded.

package swarm

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// CampaignConfig configures RunCampaign.
type CampaignConfig struct {
	// Seeds are the worlds to run: world i is Generate(Seeds[i]).
	Seeds []uint64
	// Parallel is the number of worlds run at once (default 1).
	Parallel int
	// DeterminismEvery runs the worlds whose seed is a multiple of k a
	// second and a third time with full traces and compares them (0:
	// never). By seed, not by position, so a sharded campaign checks the
	// same worlds as the whole one.
	DeterminismEvery int
	// ShrinkRuns bounds the shrink of each failing world (0: no shrink).
	ShrinkRuns int
	// ReproDir receives a repro file per failing world ("" writes none).
	ReproDir string
	// OnDone, when set, is called after each world, one call at a time.
	OnDone func(*WorldResult)
}

// WorldResult is one world of a campaign.
type WorldResult struct {
	Seed    uint64
	Verdict *Verdict
	Wall    time.Duration
	// Determinism is "" when the check passed or was not run, else the
	// first divergence.
	Determinism     string
	DeterminismRun  bool
	Shrunk          *Verdict
	ShrinkRuns      int
	ReproPath       string
	ReproError      error
	OriginalFailure string
}

// Failed reports whether the world broke any property.
func (r *WorldResult) Failed() bool { return !r.Verdict.Held() || r.Determinism != "" }

// Summary is a campaign's outcome.
type Summary struct {
	Worlds     int
	Wall       time.Duration
	SimSeconds float64
	// Failures counts, per property, the worlds that broke it.
	Failures map[string]int
	// FailedSeeds lists the seeds of failing worlds, sorted.
	FailedSeeds []uint64
	// Probes sums every world's probe counts.
	Probes map[string]uint64
	// LivenessJudged, LivenessHeld and Overloaded count liveness
	// judgements; RecoverySeconds collects how long checkpoints took to
	// advance again after the last fault.
	LivenessJudged, LivenessHeld, Overloaded int
	RecoverySeconds                          []float64
	// DeterminismChecked counts the worlds run twice more.
	DeterminismChecked int
}

// WorldsPerMinute is the campaign's rate on this machine.
func (s *Summary) WorldsPerMinute() float64 {
	return float64(s.Worlds) / max(s.Wall.Minutes(), 1e-9)
}

// ProbesMissing lists the catalogued probes no world reached, and of
// them those a campaign of this size must reach (Rare ones only from
// RareWorlds worlds on).
func (s *Summary) ProbesMissing() (all, required []string) {
	for _, p := range Probes() {
		if s.Probes[p.Name] == 0 {
			all = append(all, p.Name)
			if p.Rare == "" || s.Worlds >= RareWorlds {
				required = append(required, p.Name)
			}
		}
	}
	return all, required
}

// Failed reports whether any world failed.
func (s *Summary) Failed() bool { return len(s.FailedSeeds) > 0 }

// RunCampaign runs the worlds of cfg.Seeds on cfg.Parallel goroutines
// (each world single-threaded, sharing nothing), judges every property,
// shrinks and writes a repro for each failure, and sums the results.
func RunCampaign(cfg CampaignConfig) (*Summary, []*WorldResult) {
	parallel := max(1, cfg.Parallel)
	results := make([]*WorldResult, len(cfg.Seeds))
	jobs := make(chan int)
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := time.Now()
	for range min(parallel, max(1, len(cfg.Seeds))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				r := runOne(cfg, i)
				mu.Lock()
				results[i] = r
				if cfg.OnDone != nil {
					cfg.OnDone(r)
				}
				mu.Unlock()
			}
		}()
	}
	for i := range cfg.Seeds {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return summarize(results, time.Since(start)), results
}

// forEachParallel calls run(k) for k in [0, n) on parallel goroutines and
// then done(k, result) one call at a time, in completion order; each run
// is one world, single-threaded and sharing nothing (the mutation
// harness's pool; RunCampaign keeps its own).
func forEachParallel[R any](n, parallel int, run func(k int) R, done func(k int, r R)) {
	jobs := make(chan int)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range min(max(1, parallel), max(1, n)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range jobs {
				r := run(k)
				mu.Lock()
				done(k, r)
				mu.Unlock()
			}
		}()
	}
	for k := range n {
		jobs <- k
	}
	close(jobs)
	wg.Wait()
}

// runOne runs world i of a campaign with every check it asks for.
func runOne(cfg CampaignConfig, i int) *WorldResult {
	seed := cfg.Seeds[i]
	t0 := time.Now()
	r := &WorldResult{Seed: seed, Verdict: Check(Generate(seed))}
	if cfg.DeterminismEvery > 0 && seed%uint64(cfg.DeterminismEvery) == 0 && r.Verdict.Outcome != nil {
		r.DeterminismRun = true
		r.Determinism = CheckDeterminism(r.Verdict.Spec)
	}
	r.Wall = time.Since(t0)
	if !r.Failed() {
		return r
	}
	if r.Determinism != "" {
		r.Verdict.Failures = append(r.Verdict.Failures, Failure{Property: PropDeterminism, Detail: r.Determinism})
	}
	r.OriginalFailure = r.Verdict.Failures[0].String()
	final, shrunk := r.Verdict, false
	if cfg.ShrinkRuns > 0 && r.Determinism == "" {
		r.Shrunk, r.ShrinkRuns = Shrink(r.Verdict, ShrinkOptions{RunsMax: cfg.ShrinkRuns})
		final, shrunk = r.Shrunk, true
	}
	if cfg.ReproDir != "" {
		r.ReproPath, r.ReproError = WriteRepro(cfg.ReproDir, ReproFileName(seed, shrunk), NewRepro(final))
	}
	return r
}

func summarize(results []*WorldResult, wall time.Duration) *Summary {
	s := &Summary{Worlds: len(results), Wall: wall, Failures: map[string]int{}, Probes: map[string]uint64{}}
	for _, r := range results {
		v := r.Verdict
		if v.Outcome != nil {
			s.SimSeconds += v.Outcome.World.SimSeconds
		}
		for name, n := range v.Probes {
			s.Probes[name] += n
		}
		if v.Liveness.Judged {
			s.LivenessJudged++
			switch {
			case v.Liveness.Held:
				s.LivenessHeld++
				s.RecoverySeconds = append(s.RecoverySeconds, max(v.Liveness.CheckpointAfter, v.Liveness.RedoAfter))
			case v.Liveness.Overloaded:
				s.Overloaded++
			}
		}
		if r.DeterminismRun {
			s.DeterminismChecked++
		}
		if r.Failed() {
			s.FailedSeeds = append(s.FailedSeeds, r.Seed)
			seen := map[string]bool{}
			for _, f := range v.Failures {
				if !seen[f.Property] {
					seen[f.Property] = true
					s.Failures[f.Property]++
				}
			}
		}
	}
	slices.Sort(s.FailedSeeds)
	return s
}

// PrintFailure prints one failing world: the SEED= line with every drawn
// parameter, what broke, the shrink, and the command that replays it.
func PrintFailure(w io.Writer, r *WorldResult) {
	fmt.Fprintf(w, "SEED=%d %s\n", r.Seed, r.Verdict.World)
	for _, f := range r.Verdict.Failures {
		fmt.Fprintf(w, "  FAILED %s\n", f)
	}
	if r.Shrunk != nil {
		fmt.Fprintf(w, "  %s\n", ShrinkReport(r.Verdict.World, r.Shrunk.World, r.ShrinkRuns))
		fmt.Fprintf(w, "  shrunk: %s\n", r.Shrunk.World)
		for _, f := range r.Shrunk.Failures {
			fmt.Fprintf(w, "  shrunk FAILED %s\n", f)
		}
	}
	switch {
	case r.ReproError != nil:
		fmt.Fprintf(w, "  repro: %v\n", r.ReproError)
	case r.ReproPath != "":
		fmt.Fprintf(w, "  repro: %s\n  replay: %s\n", r.ReproPath, ReplayCommand(r.ReproPath))
	}
}

// PrintSummary prints a campaign's summary: worlds and their rate,
// failures by property, liveness, determinism and the probes.
func PrintSummary(w io.Writer, s *Summary) {
	fmt.Fprintf(w, "\nswarm: %d worlds, %.0f simulated seconds in %.1fs wall: %.0f worlds/min\n",
		s.Worlds, s.SimSeconds, s.Wall.Seconds(), s.WorldsPerMinute())
	if len(s.FailedSeeds) == 0 {
		fmt.Fprintln(w, "failures: none")
	} else {
		props := make([]string, 0, len(s.Failures))
		for p := range s.Failures {
			props = append(props, p)
		}
		sort.Strings(props)
		fmt.Fprintf(w, "failures: %d worlds (seeds %s)\n", len(s.FailedSeeds), seedList(s.FailedSeeds))
		for _, p := range props {
			fmt.Fprintf(w, "  %-34s %d worlds\n", p, s.Failures[p])
		}
	}
	rec := slices.Clone(s.RecoverySeconds)
	slices.Sort(rec)
	p99 := 0.0
	if len(rec) > 0 {
		p99 = rec[(len(rec)*99)/100]
	}
	fmt.Fprintf(w, "liveness: %d judged, %d held, %d overloaded (not held against them), %d failed; advance after faults p99 %.0fs (bound %v)\n",
		s.LivenessJudged, s.LivenessHeld, s.Overloaded, s.Failures[PropLiveness], p99, LivenessBound)
	fmt.Fprintf(w, "determinism: %d worlds run twice more, %d diverged\n", s.DeterminismChecked, s.Failures[PropDeterminism])
	all, _ := s.ProbesMissing()
	fmt.Fprintf(w, "probes: %d of %d reached\n", len(Probes())-len(all), len(Probes()))
	for _, p := range Probes() {
		mark := ""
		if s.Probes[p.Name] == 0 {
			mark = "  NEVER REACHED"
			if p.Rare != "" {
				mark += " (rare: " + p.Rare + ")"
			}
		}
		fmt.Fprintf(w, "  %-48s %8d%s\n", p.Name, s.Probes[p.Name], mark)
	}
}

func seedList(seeds []uint64) string {
	parts := make([]string, 0, min(len(seeds), 20))
	for i, s := range seeds {
		if i == 20 {
			parts = append(parts, fmt.Sprintf("... %d more", len(seeds)-20))
			break
		}
		parts = append(parts, fmt.Sprint(s))
	}
	return strings.Join(parts, ",")
}
