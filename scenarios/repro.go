package scenarios

import "slices"

// Repro is a repro file: everything needed to run one world again exactly
// (simrun -replay FILE), the trace hash the failing run ended with, and
// what broke. simrun writes one for every world that violated an
// invariant; swarm campaigns write one for every shrunk failure.
type Repro struct {
	Scenario string            `json:"scenario"`
	Variant  string            `json:"variant"`
	Seed     uint64            `json:"seed"`
	Duration string            `json:"duration,omitempty"`
	Set      map[string]string `json:"set,omitempty"`
	Faults   string            `json:"faults,omitempty"`
	// TraceHash is the hash the failing run ended with; a replay that
	// ends elsewhere says so.
	TraceHash string `json:"trace_hash"`
	// Violation says what broke, for humans.
	Violation string `json:"violation"`
	// Properties lists every property a swarm world broke (simrun -replay
	// re-judges the invariants; simrun -swarm -replay every property).
	Properties []string `json:"properties,omitempty"`
	// Liveness says a swarm world was judged for liveness.
	Liveness bool `json:"liveness,omitempty"`
}

// preFidelity holds, per scenario, the defaults its parameters had before
// the changefeed scenarios ran at TiCDC's constants with seeded tick
// phases (a repro file written then records only the values it set).
var preFidelity = map[string]map[string]string{
	"syncpoint": {"rows-per-second": "1000", "memory-quota": "1536KiB", "slow-factor": "40",
		"row-bytes": "lognormal(300,0.2)", "downstream-workers": "16"},
	"fast-slow": {"rows-per-second": "1000", "memory-quota": "1536KiB", "slow-factor": "200",
		"row-bytes": "lognormal(300,0.2)", "downstream-workers": "16", "scan-limit-max": "1536B"},
	"scan-window": {"rows-per-second": "1000", "memory-quota": "4MiB", "slow-factor": "40",
		"row-bytes": "lognormal(300,0.2)", "downstream-workers": "16", "scan-limit-max": "4KiB"},
	"memory-pressure": {"nodes": "3", "tables": "32", "rows-per-second": "500", "memory-quota": "768KiB",
		"row-bytes": "lognormal(300,0.2)", "downstream-workers": "16", "slow-factor": "40"},
}

// FillPreFidelity makes a repro file written before tick-phases existed
// replay the world it recorded: a changefeed scenario's file without a
// tick-phases value gets the semantics of its day (tick-phases=false,
// scaled-thresholds=true) and its scenario's old defaults for every
// parameter it did not set. It returns the keys it filled, sorted; none
// for a newer file, which records tick-phases.
func (r *Repro) FillPreFidelity(hasParam func(key string) bool) []string {
	if !hasParam("tick-phases") {
		return nil
	}
	if _, ok := r.Set["tick-phases"]; ok {
		return nil
	}
	fill := map[string]string{"tick-phases": "false", "scaled-thresholds": "true"}
	for k, v := range preFidelity[r.Scenario] {
		fill[k] = v
	}
	if r.Set == nil {
		r.Set = map[string]string{}
	}
	var filled []string
	for k, v := range fill {
		if _, ok := r.Set[k]; !ok && hasParam(k) {
			r.Set[k] = v
			filled = append(filled, k)
		}
	}
	slices.Sort(filled)
	return filled
}
