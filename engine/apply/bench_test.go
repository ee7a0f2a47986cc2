package apply

import (
	"fmt"
	"strings"
	"testing"

	"github.com/redosim/redosim/engine/codec"
)

// benchRowSpin is the CPU cost knob of the benchmarks: rounds of the mixer
// per row, a few µs of CPU, so that apply, not dispatch, is the work.
const benchRowSpin = 2000

// benchWorkload returns the benchmark log for a skew: "uniform" spreads rows
// over 16 tables, "hot" puts 80% of them in table 1. Four add-column DDLs
// make four barriers.
func benchWorkload(skew string) []codec.Record {
	c := workloadConfig{rows: 20_000, tables: 16, keys: 4096, txnRows: 4, ddlEvery: 5_000,
		seed: 42, colsBytes: 64}
	if skew == "hot" {
		c.hotShare = 0.8
	}
	return workload(c)
}

// benchCase is one cell of the matrix; workers 0 is the serial applier.
type benchCase struct {
	workers int
	skew    string
	split   bool
}

func (c benchCase) name() string {
	w := "serial"
	if c.workers > 0 {
		w = fmt.Sprint(c.workers)
	}
	split := "off"
	if c.split {
		split = "on"
	}
	return fmt.Sprintf("workers=%s/skew=%s/split=%s", w, c.skew, split)
}

func (c benchCase) config() Config {
	cfg := Config{Workers: c.workers}
	if c.split {
		cfg.Hot = []HotTable{{TableID: 1, Partitions: 2 * c.workers}}
	}
	return cfg
}

// benchMatrix is serial, then 1, 2, 4 and 8 workers, for both skews, with
// and without splitting the hot table.
func benchMatrix() []benchCase {
	var out []benchCase
	for _, skew := range []string{"uniform", "hot"} {
		out = append(out, benchCase{skew: skew})
		for _, split := range []bool{false, true} {
			for _, w := range []int{1, 2, 4, 8} {
				out = append(out, benchCase{workers: w, skew: skew, split: split})
			}
		}
	}
	return out
}

// BenchmarkApply measures real replay: serial against RunParallel with
// goroutines, CPU-bound apply (benchRowSpin per row). Reports rows/s.
func BenchmarkApply(b *testing.B) {
	logs := map[string][]codec.Record{"uniform": benchWorkload("uniform"), "hot": benchWorkload("hot")}
	for _, c := range benchMatrix() {
		recs := logs[c.skew]
		b.Run(c.name(), func(b *testing.B) {
			var plan *Plan
			if c.workers > 0 {
				var err error
				if plan, err = NewPlan(recs, c.config()); err != nil {
					b.Fatal(err)
				}
			}
			b.SetBytes(int64(len(recs)) * 64)
			b.ReportAllocs()
			for b.Loop() {
				st, _ := NewState(StateConfig{RowSpin: benchRowSpin})
				var err error
				if plan == nil {
					_, err = ApplySerial(st, recs)
				} else {
					_, err = RunParallel(st, plan)
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(recs))*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// virtualMakespans runs the benchmark matrix in virtual time with rowCostNs
// per row and DDLCostNs per DDL, and returns the makespan of each case.
func virtualMakespans(rowCostNs, ddlCostNs int64) (map[string]int64, error) {
	cfg := VirtualConfig{
		RowCostNs: func(*codec.Row) int64 { return rowCostNs },
		DDLCostNs: func(*codec.DDL) int64 { return ddlCostNs },
	}
	out := map[string]int64{}
	logs := map[string][]codec.Record{"uniform": benchWorkload("uniform"), "hot": benchWorkload("hot")}
	for _, c := range benchMatrix() {
		st, _ := NewState(StateConfig{})
		var res VirtualResult
		var err error
		if c.workers == 0 {
			res, err = RunVirtualSerial(st, logs[c.skew], cfg)
		} else {
			var plan *Plan
			if plan, err = NewPlan(logs[c.skew], c.config()); err == nil {
				res, err = RunVirtual(st, plan, cfg)
			}
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.name(), err)
		}
		out[c.name()] = res.MakespanNs
	}
	return out, nil
}

// TestVirtualMakespanMatrix reports the virtual-time makespan of the
// benchmark matrix at 50 µs per row and 10 ms per DDL (run with -v to see
// the table), and checks the shape: parallel never loses to serial, a
// uniform log scales, and splitting the hot table is what lets a skewed
// log scale.
func TestVirtualMakespanMatrix(t *testing.T) {
	ms, err := virtualMakespans(50_000, 10_000_000)
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	for _, c := range benchMatrix() {
		serial := ms[benchCase{skew: c.skew}.name()]
		fmt.Fprintf(&sb, "\n%-46s %10.1f ms  speedup %5.2f", c.name(), float64(ms[c.name()])/1e6,
			float64(serial)/float64(ms[c.name()]))
	}
	for _, skew := range []string{"uniform", "hot"} {
		c := benchCase{workers: 8, skew: skew, split: true}
		cfg := c.config()
		cfg.Placement = PlaceHash
		plan, err := NewPlan(benchWorkload(skew), cfg)
		if err != nil {
			t.Fatal(err)
		}
		st, _ := NewState(StateConfig{})
		res, err := RunVirtual(st, plan, VirtualConfig{RowCostNs: func(*codec.Row) int64 { return 50_000 }})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&sb, "\n%-46s %10.1f ms  speedup %5.2f", c.name()+"/place=hash", float64(res.MakespanNs)/1e6,
			float64(ms[benchCase{skew: skew}.name()])/float64(res.MakespanNs))
	}
	t.Logf("virtual makespan, 20000 rows, 50 µs/row, 10 ms/DDL:%s", sb.String())
	get := func(w int, skew string, split bool) int64 { return ms[benchCase{w, skew, split}.name()] }
	if s, p := get(0, "uniform", false), get(8, "uniform", false); float64(s)/float64(p) < 4 {
		t.Errorf("uniform: 8 workers only %.2fx serial", float64(s)/float64(p))
	}
	if off, on := get(8, "hot", false), get(8, "hot", true); float64(off)/float64(on) < 2 {
		t.Errorf("hot: splitting gains only %.2fx at 8 workers", float64(off)/float64(on))
	}
	for _, c := range benchMatrix() {
		if ms[c.name()] > ms[benchCase{skew: c.skew}.name()] {
			t.Errorf("%s slower than serial", c.name())
		}
	}
}
