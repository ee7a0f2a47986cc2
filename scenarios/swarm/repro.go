package swarm

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Repro is a repro file, in the format cmd/simrun's -replay reads
// (cmd/simrun/repro.go): everything needed to run one world again
// exactly, the trace hash it ended with, and what broke.
type Repro struct {
	Scenario  string            `json:"scenario"`
	Variant   string            `json:"variant"`
	Seed      uint64            `json:"seed"`
	Duration  string            `json:"duration,omitempty"`
	Set       map[string]string `json:"set,omitempty"`
	Faults    string            `json:"faults,omitempty"`
	TraceHash string            `json:"trace_hash"`
	Violation string            `json:"violation"`
	// Properties lists every property the world broke (simrun -replay
	// re-judges the invariants; simrun -swarm -replay every property).
	Properties []string `json:"properties,omitempty"`
}

// NewRepro returns the repro of a judged world.
func NewRepro(v *Verdict) Repro {
	rp := Repro{Scenario: ScenarioName, Variant: v.Spec.Variant, Seed: v.Spec.Seed, Set: v.Spec.Set, Faults: v.Spec.Faults}
	if v.Spec.Duration > 0 {
		rp.Duration = v.Spec.Duration.String()
	}
	if v.Outcome != nil {
		rp.TraceHash = v.Outcome.World.TraceHash
	}
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
