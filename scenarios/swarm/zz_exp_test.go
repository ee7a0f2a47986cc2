package swarm

import (
	"fmt"
	"sort"
	"os"
	"strconv"
	"testing"
	"time"
)

func TestExp(t *testing.T) {
	probes := map[string]uint64{}
	fails := map[string]int{}
	start := time.Now()
	n, _ := strconv.Atoi(os.Getenv("N"))
	for s := uint64(1); s <= uint64(n); s++ {
		w := Generate(s)
		t0 := time.Now()
		v := Check(w)
		for k, c := range v.Probes {
			probes[k] += c
		}
		for _, f := range v.Failures {
			fails[f.Property]++
		}
		if v.Liveness.Overloaded { fails["overloaded"]++ }; if len(v.Failures) > 0 || os.Getenv("V") != "" { fmt.Printf("seed %d %.2fs faults=%d live=%v(%.0f,%.0f) fails=%v\n", s, time.Since(t0).Seconds(), len(w.Faults), v.Liveness.Judged, v.Liveness.CheckpointAfter, v.Liveness.RedoAfter, v.Failures) }
		if len(v.Failures) > 0 {
			fmt.Println("   ", w)
		}
	}
	fmt.Println("total", time.Since(start))
	var names []string
	for k := range probes { names = append(names, k) }
	sort.Strings(names)
	for _, k := range names { fmt.Println(k, probes[k]) }
	fmt.Println(fails)
}
