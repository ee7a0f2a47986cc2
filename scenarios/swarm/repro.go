package swarm

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/redosim/redosim/scenarios"
	"github.com/redosim/redosim/sim"
)

// Repro is a repro file in the format simrun -replay reads.
type Repro = scenarios.Repro

// NewRepro returns the repro of a judged world.
func NewRepro(v *Verdict) Repro {
	rp := Repro{Scenario: ScenarioName, Variant: v.Spec.Variant, Seed: v.Spec.Seed, Set: v.Spec.Set, Faults: v.Spec.Faults}
	if v.Spec.Duration > 0 {
		rp.Duration = v.Spec.Duration.String()
	}
	if v.Outcome != nil {
		rp.TraceHash = v.Outcome.World.TraceHash
	}
	rp.Liveness = v.World.Liveness
	for i, f := range v.Failures {
		if i == 0 {
			rp.Violation = f.String()
		}
		rp.Properties = append(rp.Properties, f.Property)
	}
	return rp
}

// ReproFileName is the file name a repro of world seed gets; shrunk
// repros say so.
func ReproFileName(seed uint64, shrunk bool) string {
	if shrunk {
		return fmt.Sprintf("repro-swarm-s%d-shrunk.json", seed)
	}
	return fmt.Sprintf("repro-swarm-s%d.json", seed)
}

// WriteRepro writes rp as dir/name and returns the path.
func WriteRepro(dir, name string, rp Repro) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("swarm: repro: %w", err)
	}
	path := filepath.Join(dir, name)
	data, err := json.MarshalIndent(rp, "", "  ")
	if err != nil {
		return "", fmt.Errorf("swarm: repro: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return "", fmt.Errorf("swarm: repro: %w", err)
	}
	return path, nil
}

// ReadRepro reads a repro file.
func ReadRepro(path string) (Repro, error) {
	var rp Repro
	data, err := os.ReadFile(path)
	if err != nil {
		return rp, fmt.Errorf("swarm: repro: %w", err)
	}
	if err := json.Unmarshal(data, &rp); err != nil {
		return rp, fmt.Errorf("swarm: repro %s: %w", path, err)
	}
	return rp, nil
}

// ReplayCommand is the command that replays a repro file.
func ReplayCommand(path string) string {
	if strings.ContainsAny(path, " '\"$") {
		path = "'" + strings.ReplaceAll(path, "'", `'\''`) + "'"
	}
	return "simrun -replay " + path
}

// Replay runs the world of a repro file again and judges it by every
// property: the invariants, and liveness when the repro says so. The
// verdict's World is empty: a repro holds a spec, not a generated World.
func Replay(path string) (*Verdict, Repro, error) {
	rp, err := ReadRepro(path)
	if err != nil {
		return nil, rp, err
	}
	sc, err := scenarios.Lookup(rp.Scenario)
	if err != nil {
		return nil, rp, err
	}
	rp.FillPreFidelity(func(k string) bool { _, ok := sc.Param(k); return ok })
	spec := scenarios.Spec{Scenario: sc, Variant: rp.Variant, Seed: rp.Seed, Set: rp.Set, Faults: rp.Faults}
	if rp.Duration != "" {
		if spec.Duration, err = sim.ParseDuration(rp.Duration); err != nil {
			return nil, rp, fmt.Errorf("swarm: repro %s: %w", path, err)
		}
	}
	v := &Verdict{Spec: spec, Probes: map[string]uint64{}}
	out, err := runSafely(spec)
	if err != nil {
		v.Failures = append(v.Failures, Failure{Property: PropRun, Detail: err.Error()})
		return v, rp, nil
	}
	v.Outcome = out
	v.Failures = InvariantFailures(out.World)
	if rp.Liveness {
		v.World.Liveness = true
		v.Liveness = JudgeLiveness(spec, out.World)
		if v.Liveness.Judged && !v.Liveness.Held {
			v.Failures = append(v.Failures, Failure{Property: PropLiveness, At: v.Liveness.From, Detail: v.Liveness.Detail})
		}
	}
	return v, rp, nil
}
