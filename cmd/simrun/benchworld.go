package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/redosim/redosim/sim"
)

// benchStats is what one world's process reports of its own costs with
// -bench-stats: the numbers a benchmark needs that the world's results
// must not carry (they are the machine's, not the world's).
type benchStats struct {
	SimSeconds   float64 `json:"sim_seconds"`
	WallSeconds  float64 `json:"wall_seconds"`
	Events       uint64  `json:"events"`
	RSSHalfBytes int64   `json:"rss_half_bytes"`
	// RSSEndBytes is sampled at the end of the simulated time, before the
	// end-of-world checks (which read the whole retained redo log).
	RSSEndBytes int64 `json:"rss_end_bytes"`
}

// watchBenchStats arms r to sample the process's resident set at the
// world's half-way point and returns the function that writes the stats
// file once the world has run.
func watchBenchStats(path string, r *worldRun) func() {
	var st benchStats
	r.spec.Halfway = func() { st.RSSHalfBytes = residentBytes() }
	r.spec.Ended = func() { st.RSSEndBytes = residentBytes() }
	return func() {
		if r.outcome == nil {
			return
		}
		st.SimSeconds, st.WallSeconds, st.Events = r.outcome.World.SimSeconds, r.wall.Seconds(), r.outcome.World.Events
		data, _ := json.Marshal(st)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "simrun: -bench-stats:", err)
		}
	}
}

// residentBytes is the process's resident set now (VmRSS), or the Go
// runtime's view of its memory where /proc is missing.
func residentBytes() int64 {
	if data, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
				if err == nil {
					return kb << 10
				}
			}
		}
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.Sys)
}

// rung is one world of the benchmark ladder: the syncpoint scenario's
// v2-4950 variant at a scale.
type rung struct {
	name     string
	tables   int
	rowsPerS int
	quota    string
	duration sim.Duration
	// set are further parameters: at TiCDC's scale the default
	// downstream (16 workers, slow tables 40x) cannot keep up, and a rung
	// whose lag grows without bound measures a backlog, not a steady state.
	set []string
}

// ladder is the fixed ladder of issue "production-scale worlds": today's
// default world, TiCDC's own constants ("prod"), many tables, and the
// 100 000-table scale of TiCDC's 200 k-dispatcher issues.
var ladder = []rung{
	{"default", 64, 1000, "1536KiB", 10 * sim.Minute, ladderRows("downstream-workers=16", "slow-factor=40")},
	{"prod", 1000, 100_000, "1GiB", 10 * sim.Minute, ladderRows(keepsUp...)},
	{"10k-tables", 10_000, 10_000, "1GiB", 10 * sim.Minute, ladderRows(keepsUp...)},
	{"100k-tables", 100_000, 10_000, "1GiB", 10 * sim.Minute, ladderRows(keepsUp...)},
}

// keepsUp is a downstream that keeps up with 100 k rows/s: 128 workers,
// slow tables 4x slower instead of 40x.
var keepsUp = []string{"downstream-workers=128", "slow-factor=4"}

// ladderRows pins the ladder's rows at 300 bytes (the syncpoint scenario's
// default was raised to 3 KB to put its 1 GiB quota under pressure at
// 10 000 rows/s): a rung measures the same world from one session to the
// next, whatever the scenario's defaults become.
func ladderRows(set ...string) []string {
	return append([]string{"row-bytes=lognormal(300,0.2)"}, set...)
}

// rungResult is what one rung measured.
type rungResult struct {
	rung
	stats    benchStats
	peakRSS  int64
	outBytes int64
	exit     int
	timedOut bool
}

// runBenchWorld runs the ladder, each rung in a process of its own on one
// core (GOMAXPROCS=1), and prints one table. The bare kernel's cost per
// event is measured in the same run, so the model's cost per event is a
// ratio taken on one machine at one time.
func runBenchWorld(args []string, stdout, stderr io.Writer) error {
	fset := flag.NewFlagSet("simrun bench-world", flag.ContinueOnError)
	fset.SetOutput(stderr)
	rungs := fset.String("rungs", "", "comma-separated rungs to run (default: all): "+rungNames())
	scale := fset.Float64("time-scale", 1, "multiply every rung's simulated time by this (0.1: a tenth, for a quick look)")
	timeout := fset.Duration("timeout", 20*time.Minute, "wall-time bound per rung; a rung past it is killed and reported")
	withOut := fset.Bool("out", true, "write each rung's results with -out to a temporary directory and report their size")
	if err := fset.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return errHelp
		}
		return usagef("bench-world: %v", err)
	}
	if fset.NArg() > 0 {
		return usagef("bench-world: unexpected argument %q", fset.Arg(0))
	}
	if *scale <= 0 {
		return usagef("bench-world: -time-scale %v: want a positive factor", *scale)
	}
	chosen, err := pickRungs(*rungs)
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return fmt.Errorf("bench-world: find this binary: %w", err)
	}
	kernelNs := kernelEventNs()
	fmt.Fprintf(stdout, "bare kernel event: %.3f µs (timer model, one core)\n", kernelNs/1000)
	var res []rungResult
	for _, r := range chosen {
		r.duration = sim.Duration(float64(r.duration) * *scale)
		fmt.Fprintf(stderr, "bench-world: %s: %d tables, %d rows/s, quota %s, %v simulated ...\n", r.name, r.tables, r.rowsPerS, r.quota, r.duration)
		out, err := runRung(self, r, *timeout, *withOut)
		if err != nil {
			return err
		}
		res = append(res, out)
	}
	printLadder(stdout, res, kernelNs)
	return nil
}

func rungNames() string {
	var names []string
	for _, r := range ladder {
		names = append(names, r.name)
	}
	return strings.Join(names, ",")
}

func pickRungs(list string) ([]rung, error) {
	if list == "" {
		return append([]rung(nil), ladder...), nil
	}
	var out []rung
	for _, name := range strings.Split(list, ",") {
		found := false
		for _, r := range ladder {
			if r.name == name {
				out, found = append(out, r), true
			}
		}
		if !found {
			return nil, usagef("bench-world: -rungs: no rung %q (rungs: %s)", name, rungNames())
		}
	}
	return out, nil
}

// runRung runs one rung in a child simrun and gathers its costs.
func runRung(self string, r rung, timeout time.Duration, withOut bool) (rungResult, error) {
	tmp, err := os.MkdirTemp("", "simrun-bench-")
	if err != nil {
		return rungResult{}, fmt.Errorf("bench-world: %w", err)
	}
	defer os.RemoveAll(tmp)
	statsFile := filepath.Join(tmp, "stats.json")
	args := []string{"-scenario", "syncpoint", "-variants", "v2-4950", "-seed", "1", "-parallel", "1",
		"-duration", r.duration.String(), "-set", fmt.Sprintf("tables=%d", r.tables),
		"-set", fmt.Sprintf("rows-per-second=%d", r.rowsPerS), "-set", "memory-quota=" + r.quota,
		"-quiet", "-bench-stats", statsFile}
	for _, kv := range r.set {
		args = append(args, "-set", kv)
	}
	if withOut {
		args = append(args, "-out", filepath.Join(tmp, "out"))
	}
	cmd := exec.Command(self, args...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		return rungResult{}, fmt.Errorf("bench-world: start %s: %w", r.name, err)
	}
	res := rungResult{rung: r}
	timer := time.AfterFunc(timeout, func() { res.timedOut = true; cmd.Process.Kill() })
	_ = cmd.Wait()
	timer.Stop()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		res.peakRSS = ru.Maxrss << 10
	}
	res.exit = cmd.ProcessState.ExitCode()
	if data, err := os.ReadFile(statsFile); err == nil {
		_ = json.Unmarshal(data, &res.stats)
	}
	if withOut {
		res.outBytes = treeBytes(filepath.Join(tmp, "out"))
	}
	return res, nil
}

// treeBytes adds up the sizes of the files below dir.
func treeBytes(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				n += info.Size()
			}
		}
		return nil
	})
	return n
}

// kernelEventNs is the bare kernel's cost of one event on one core: the
// timer model (a thousand periodic timers), best of three.
func kernelEventNs() float64 {
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	best := 0.0
	for i := 0; i < 3; i++ {
		start := time.Now()
		n := sim.RunTimerModel(1000, 2_000_000)
		ns := float64(time.Since(start).Nanoseconds()) / float64(n)
		if best == 0 || ns < best {
			best = ns
		}
	}
	return best
}

// printLadder prints the ladder's table.
func printLadder(w io.Writer, res []rungResult, kernelNs float64) {
	tw := tabwriter.NewWriter(w, 2, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "rung\ttables\trows/s\tquota\tsim s\twall s\treal-time x\tevents\tevents/s\tcost/event (x kernel)\tpeak RSS MiB\tRSS half MiB\tRSS end MiB\tout MB\tstatus\t")
	for _, r := range res {
		st := r.stats
		status := "ok"
		switch {
		case r.timedOut:
			status = "timed out"
		case r.exit == exitViolation:
			status = "violation"
		case r.exit != exitOK:
			status = fmt.Sprintf("exit %d", r.exit)
		}
		if st.WallSeconds == 0 {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%.0f\t-\t-\t-\t-\t-\t%.0f\t-\t-\t-\t%s\t\n", r.name, r.tables, r.rowsPerS, r.quota,
				r.duration.Seconds(), float64(r.peakRSS)/(1<<20), status)
			continue
		}
		perEvent := st.WallSeconds * 1e9 / float64(max(st.Events, 1))
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%.0f\t%.1f\t%.1f\t%d\t%.0f\t%.1f\t%.0f\t%.0f\t%.0f\t%.1f\t%s\t\n",
			r.name, r.tables, r.rowsPerS, r.quota, st.SimSeconds, st.WallSeconds, st.SimSeconds/st.WallSeconds,
			st.Events, float64(st.Events)/st.WallSeconds, perEvent/kernelNs,
			float64(r.peakRSS)/(1<<20), float64(st.RSSHalfBytes)/(1<<20), float64(st.RSSEndBytes)/(1<<20), float64(r.outBytes)/1e6, status)
	}
	tw.Flush()
}
