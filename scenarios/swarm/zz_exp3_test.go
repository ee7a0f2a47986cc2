package swarm

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"github.com/redosim/redosim/sim"
)

func TestExp3(t *testing.T) {
	s, _ := strconv.Atoi(os.Getenv("SEED"))
	w := Generate(uint64(s))
	if os.Getenv("NOFAULT") != "" { w.Faults = nil }
	if k := os.Getenv("KEEP"); k != "" {
		var keep []Fault
		for _, c := range k { keep = append(keep, w.Faults[c-'0']) }
		w.Faults = keep
	}
	if d := os.Getenv("DUR"); d != "" { n, _ := strconv.Atoi(d); w.Duration = sim.Duration(n) * sim.Second }
	if q := os.Getenv("QUOTA"); q != "" { n, _ := strconv.Atoi(q); w.MemoryQuotaBytes = int64(n) }
	if q := os.Getenv("RATE"); q != "" { n, _ := strconv.Atoi(q); w.RowsPerSecond = n }
	if q := os.Getenv("STORAGE"); q != "" { w.Storage = q }
	v := Check(w)
	fmt.Println(w)
	fmt.Println(v.Failures, v.Liveness)
	for _, se := range v.Outcome.World.Series {
		if (se.Metric == "checkpoint_lag_seconds" || se.Metric == "redo_lag_seconds") && len(se.Labels) == 0 {
			fmt.Print(se.Metric, ": ")
			for _, p := range se.Points { if int(p.T)%2 == 0 { fmt.Printf("%.0f:%.1f ", p.T, p.V) } }
			fmt.Println()
		}
	}
	fmt.Println(v.Outcome.World.Scalars)
	fmt.Println(v.Probes)
}
