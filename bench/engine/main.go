// Command engine benchmarks the redo engine's OS driver on this machine's
// disk against pebble's record.LogWriter, the same way for both: W
// goroutines append records of B bytes and wait for each to be durable
// (our commit policy; pebble's SyncRecord), for a fixed time per point,
// repetitions interleaved so machine drift hits both alike. It also
// measures the raw sequential bandwidth and our os policy with large
// records against it.
//
// Usage (from bench/): go run ./engine [-dir D] [-seconds 1.2] [-reps 3] [-v]
// [-variants s1p,s0] [-prealloc=false] [-only REGEXP] [-cpuprofile FILE]
//
// -variants lists the driver settings to run side by side (default: the
// recommended one); -only keeps the groups whose name ("redosim/4096/64",
// "pebble/128/8", "bandwidth") matches; -cpuprofile profiles the run.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

// point is one measured configuration.
type point struct {
	system   string
	variant  variant // the redo engine's settings; unused for pebble
	bytes    int
	writers  int
	opsPerS  []float64
	mbPerS   []float64
	p50, p99 []time.Duration
	perSync  []float64
	cpu      []float64 // CPU seconds (user+sys) per wall second
}

func (p *point) name() string { return fmt.Sprintf("%s/%d/%d", p.system, p.bytes, p.writers) }

// variant is one configuration of the redo engine's OS driver.
type variant struct {
	syncChains int  // core.Config.SyncChainsMax
	prealloc   bool // osdriver.Options.PreallocateBytes = 64 MiB
}

// parseVariants reads "s2p,s0": s<SyncChainsMax>, p for preallocation.
func parseVariants(spec string) ([]variant, error) {
	var out []variant
	for _, f := range strings.Split(spec, ",") {
		var v variant
		rest, ok := strings.CutPrefix(strings.TrimSpace(f), "s")
		if rest, v.prealloc = strings.CutSuffix(rest, "p"); !ok || rest == "" {
			return nil, fmt.Errorf("variant %q: want s<N>[p], e.g. s2p", f)
		}
		n, err := strconv.Atoi(rest)
		if err != nil {
			return nil, fmt.Errorf("variant %q: %w", f, err)
		}
		v.syncChains = n
		out = append(out, v)
	}
	return out, nil
}

func (v variant) String() string {
	s := fmt.Sprintf("s%d", v.syncChains)
	if v.prealloc {
		s += "p"
	}
	return s
}

// sample is what one timed run produced.
type sample struct {
	ops       int
	elapsed   time.Duration
	latencies []time.Duration
	syncs     int
	cpu       time.Duration // process CPU time (user+sys) during the run
}

// cpuTime returns the process's CPU time so far, user plus system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func (s sample) quantile(q float64) time.Duration {
	if len(s.latencies) == 0 {
		return 0
	}
	l := append([]time.Duration(nil), s.latencies...)
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	return l[min(len(l)-1, int(q*float64(len(l))))]
}

// verbose prints the engine's own I/O counters after each run.
var verbose = flag.Bool("v", false, "print the engine's I/O counters after each run")

func main() {
	dir := flag.String("dir", "", "directory on the disk to measure (default: a temp dir under the current directory)")
	seconds := flag.Float64("seconds", 1.2, "seconds per point and repetition")
	reps := flag.Int("reps", 3, "interleaved repetitions (medians are printed)")
	prealloc := flag.Bool("prealloc", true, "let the redo engine preallocate its files (false drops the p of every variant)")
	variantSpec := flag.String("variants", defaultVariant.String(),
		"redo engine variants, comma-separated: s<N> runs with core.Config.SyncChainsMax N, a p suffix preallocates 64 MiB files")
	only := flag.String("only", "", "run only the points whose name (redosim/4096/64, pebble/128/8, bandwidth) matches this regexp")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	keep, err := regexp.Compile(*only)
	if err != nil {
		fatal(err)
	}
	variants, err := parseVariants(*variantSpec)
	if err != nil {
		fatal(err)
	}
	for i := range variants {
		variants[i].prealloc = variants[i].prealloc && *prealloc
	}
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fatal(err)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	base := *dir
	if base == "" {
		var err error
		if base, err = os.MkdirTemp(".", "enginebench-"); err != nil {
			fatal(err)
		}
		defer os.RemoveAll(base)
	}
	d := time.Duration(*seconds * float64(time.Second))
	// A group is one record size and writer count: every redo variant and
	// pebble, run back to back so their ratios share the machine's state.
	var groups [][]*point
	for _, b := range []int{128, 4096} {
		for _, w := range []int{1, 8, 64} {
			var g []*point
			for _, v := range variants {
				sys := "redosim"
				if len(variants) > 1 {
					sys += "-" + v.String()
				}
				g = append(g, &point{system: sys, variant: v, bytes: b, writers: w})
			}
			g = append(g, &point{system: "pebble", bytes: b, writers: w})
			if keep.MatchString(g[0].name()) || keep.MatchString(g[len(g)-1].name()) {
				groups = append(groups, g)
			}
		}
	}
	for rep := 0; rep < *reps; rep++ {
		for gi, g := range groups {
			for k := range g {
				// Odd repetitions run a group backwards, so whatever one
				// run leaves the next (dirty pages, discards of removed
				// files) falls on every system alike.
				p := g[k]
				if rep%2 == 1 {
					p = g[len(g)-1-k]
				}
				path := filepath.Join(base, fmt.Sprintf("r%d-g%d-%d", rep, gi, k))
				syscall.Sync() // start every run with a clean page cache
				var s sample
				var err error
				if p.system == "pebble" {
					s, err = runPebble(path, p.bytes, p.writers, d)
				} else {
					s, err = runRedo(path, p.variant, p.bytes, p.writers, d)
				}
				if err != nil {
					fatal(fmt.Errorf("%s %dB x%d: %w", p.system, p.bytes, p.writers, err))
				}
				p.add(s)
				os.RemoveAll(path)
			}
		}
	}
	var points []*point
	for _, g := range groups {
		points = append(points, g...)
	}
	printPoints(points)
	printRatios(groups)
	if keep.MatchString("bandwidth") {
		printBandwidth(base, *reps)
	}
}

func (p *point) add(s sample) {
	secs := s.elapsed.Seconds()
	p.opsPerS = append(p.opsPerS, float64(s.ops)/secs)
	p.mbPerS = append(p.mbPerS, float64(s.ops*p.bytes)/secs/1e6)
	p.p50 = append(p.p50, s.quantile(0.50))
	p.p99 = append(p.p99, s.quantile(0.99))
	p.perSync = append(p.perSync, float64(s.ops)/max(float64(s.syncs), 1))
	p.cpu = append(p.cpu, s.cpu.Seconds()/secs)
}

func median[T int | float64 | time.Duration](xs []T) T {
	c := append([]T(nil), xs...)
	sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
	return c[len(c)/2]
}

func printPoints(points []*point) {
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "system\trecord\twriters\tcommits/s\tMB/s\tp50\tp99\trecs/sync\tCPUs\t")
	for _, p := range points {
		fmt.Fprintf(tw, "%s\t%d B\t%d\t%.0f\t%.1f\t%s\t%s\t%.1f\t%.2f\t\n", p.system, p.bytes, p.writers,
			median(p.opsPerS), median(p.mbPerS), median(p.p50).Round(time.Microsecond),
			median(p.p99).Round(time.Microsecond), median(p.perSync), median(p.cpu))
	}
	tw.Flush()
}

// printRatios prints each redo variant's commit rate over pebble's, rep
// by rep (runs of one group are adjacent in time), then their median.
func printRatios(groups [][]*point) {
	fmt.Println()
	for _, g := range groups {
		pb := g[len(g)-1]
		for _, r := range g[:len(g)-1] {
			var ratios []string
			var vals []float64
			for k := range r.opsPerS {
				v := r.opsPerS[k] / pb.opsPerS[k]
				vals = append(vals, v)
				ratios = append(ratios, fmt.Sprintf("%.2f", v))
			}
			fmt.Printf("%s/pebble %4d B x%-2d: median %.2fx  (per rep: %s)\n", r.system, r.bytes, r.writers, median(vals), strings.Join(ratios, " "))
		}
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "engine bench:", err)
	os.Exit(1)
}
