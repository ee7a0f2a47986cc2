// Command engine benchmarks the redo engine's OS driver on this machine's
// disk against pebble's record.LogWriter, the same way for both: W
// goroutines append records of B bytes and wait for each to be durable
// (our commit policy; pebble's SyncRecord), for a fixed time per point,
// repetitions interleaved so machine drift hits both alike. It also
// measures the raw sequential bandwidth and our os policy with large
// records against it.
//
// Usage (from bench/): go run ./engine [-dir D] [-seconds 1.2] [-reps 3]
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// point is one measured configuration.
type point struct {
	system   string
	bytes    int
	writers  int
	opsPerS  []float64
	mbPerS   []float64
	p50, p99 []time.Duration
	perSync  []float64
}

// sample is what one timed run produced.
type sample struct {
	ops       int
	elapsed   time.Duration
	latencies []time.Duration
	syncs     int
}

func (s sample) quantile(q float64) time.Duration {
	if len(s.latencies) == 0 {
		return 0
	}
	l := append([]time.Duration(nil), s.latencies...)
	sort.Slice(l, func(i, j int) bool { return l[i] < l[j] })
	return l[min(len(l)-1, int(q*float64(len(l))))]
}

func main() {
	dir := flag.String("dir", "", "directory on the disk to measure (default: a temp dir under the current directory)")
	seconds := flag.Float64("seconds", 1.2, "seconds per point and repetition")
	reps := flag.Int("reps", 3, "interleaved repetitions (medians are printed)")
	prealloc := flag.Bool("prealloc", true, "let the redo engine preallocate its files")
	flag.Parse()
	base := *dir
	if base == "" {
		var err error
		if base, err = os.MkdirTemp(".", "enginebench-"); err != nil {
			fatal(err)
		}
		defer os.RemoveAll(base)
	}
	d := time.Duration(*seconds * float64(time.Second))
	var points []*point
	for _, b := range []int{128, 4096} {
		for _, w := range []int{1, 8, 64} {
			points = append(points, &point{system: "redosim", bytes: b, writers: w}, &point{system: "pebble", bytes: b, writers: w})
		}
	}
	for rep := 0; rep < *reps; rep++ {
		for i, p := range points {
			path := filepath.Join(base, fmt.Sprintf("r%d-p%d", rep, i))
			var s sample
			var err error
			if p.system == "pebble" {
				s, err = runPebble(path, p.bytes, p.writers, d)
			} else {
				s, err = runRedo(path, p.bytes, p.writers, d, *prealloc)
			}
			if err != nil {
				fatal(fmt.Errorf("%s %dB x%d: %w", p.system, p.bytes, p.writers, err))
			}
			p.add(s)
			os.RemoveAll(path)
		}
	}
	printPoints(points)
	printRatios(points)
	printBandwidth(base, d, *reps)
}

func (p *point) add(s sample) {
	secs := s.elapsed.Seconds()
	p.opsPerS = append(p.opsPerS, float64(s.ops)/secs)
	p.mbPerS = append(p.mbPerS, float64(s.ops*p.bytes)/secs/1e6)
	p.p50 = append(p.p50, s.quantile(0.50))
	p.p99 = append(p.p99, s.quantile(0.99))
	p.perSync = append(p.perSync, float64(s.ops)/max(float64(s.syncs), 1))
}

func median[T int | float64 | time.Duration](xs []T) T {
	c := append([]T(nil), xs...)
	sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
	return c[len(c)/2]
}

func printPoints(points []*point) {
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "system\trecord\twriters\tcommits/s\tMB/s\tp50\tp99\trecs/sync\t")
	for _, p := range points {
		fmt.Fprintf(tw, "%s\t%d B\t%d\t%.0f\t%.1f\t%s\t%s\t%.1f\t\n", p.system, p.bytes, p.writers,
			median(p.opsPerS), median(p.mbPerS), median(p.p50).Round(time.Microsecond),
			median(p.p99).Round(time.Microsecond), median(p.perSync))
	}
	tw.Flush()
}

// printRatios prints redosim/pebble commit rates, pair by pair within
// each repetition, then the median of those ratios.
func printRatios(points []*point) {
	fmt.Println()
	for i := 0; i+1 < len(points); i += 2 {
		r, pb := points[i], points[i+1]
		var ratios []string
		var vals []float64
		for k := range r.opsPerS {
			v := r.opsPerS[k] / pb.opsPerS[k]
			vals = append(vals, v)
			ratios = append(ratios, fmt.Sprintf("%.2f", v))
		}
		fmt.Printf("redosim/pebble %4d B x%-2d: median %.2fx  (per rep: %s)\n", r.bytes, r.writers, median(vals), strings.Join(ratios, " "))
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "engine bench:", err)
	os.Exit(1)
}
