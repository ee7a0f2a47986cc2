package scenarios

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
