package cluster

import (
	"fmt"
	"strings"

	"github.com/redosim/redosim/engine/apply"
	"github.com/redosim/redosim/engine/codec"
)

// replayWorkers is the parallel replay the disaster check compares with
// the serial one: four workers, and the hottest upstream tables split by
// key hash, so both barriers (DDLs) and sub-partitions are exercised.
const replayWorkers = 4

// checkParallelReplay applies the redo log recs to a copy of before in
// parallel (engine/apply's virtual executor, no goroutines) and returns ""
// when the result equals serial, the serial replay's result, or what
// differs (parallel replay == serial replay, ARCHITECTURE invariants).
func (cl *Cluster) checkParallelReplay(recs []codec.Record, before, serial *apply.State) string {
	cfg := apply.Config{Workers: replayWorkers}
	for _, t := range cl.cfg.Upstream.HotTables {
		cfg.Hot = append(cfg.Hot, apply.HotTable{TableID: t, Partitions: replayWorkers})
	}
	plan, err := apply.NewPlan(recs, cfg)
	if err != nil {
		return fmt.Sprintf("parallel replay plan: %v", err)
	}
	st := before.Clone()
	if _, err := apply.RunVirtual(st, plan, apply.VirtualConfig{}); err != nil {
		return fmt.Sprintf("parallel replay: %v", err)
	}
	if diff := st.Diff(serial, 3); len(diff) > 0 {
		return fmt.Sprintf("parallel replay (%d workers) differs from serial: %s", replayWorkers, strings.Join(diff, "; "))
	}
	return ""
}
