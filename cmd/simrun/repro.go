package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/redosim/redosim/scenarios"
	"github.com/redosim/redosim/sim"
)

// repro is a repro file (scenarios.Repro).
type repro = scenarios.Repro

func writeRepro(dir string, r *worldRun) (string, error) {
	w := r.outcome.World
	rp := repro{Scenario: w.Scenario, Variant: w.Variant, Seed: w.Seed, Set: effectiveSet(r),
		Faults: r.spec.Faults, TraceHash: w.TraceHash}
	if r.spec.Duration > 0 {
		rp.Duration = r.spec.Duration.String()
	}
	for _, inv := range w.Invariants {
		if !inv.Held {
			rp.Violation = fmt.Sprintf("%s at t=%.3fs: %s", inv.Name, inv.First.At, inv.First.Detail)
			break
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, fmt.Sprintf("repro-%s-%s-s%d.json", w.Scenario, w.Variant, w.Seed))
	data, _ := json.MarshalIndent(rp, "", "  ")
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return "", fmt.Errorf("write repro: %w", err)
	}
	return path, nil
}

// effectiveSet is what a repro records of a world's parameters: every
// effective value but those its variant sets, so a later change of a
// default cannot change the world a file replays.
func effectiveSet(r *worldRun) map[string]string {
	own := map[string]bool{}
	for _, v := range r.spec.Scenario.Variants {
		if v.Name == r.spec.Variant {
			for k := range v.Set {
				own[k] = true
			}
		}
	}
	set := map[string]string{}
	for _, p := range r.outcome.World.Params {
		if !own[p.Key] {
			set[p.Key] = p.Value
		}
	}
	for k, v := range r.spec.Set {
		set[k] = v
	}
	return set
}

// describeFilled lists filled keys as k=v, in order.
func describeFilled(set map[string]string, keys []string) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + set[k]
	}
	return strings.Join(parts, " ")
}

// loadRepro reads a repro file into a world spec; a note on stderr says
// when an old file is filled in to replay as recorded.
func loadRepro(path string, stderr io.Writer) (scenarios.Spec, repro, error) {
	var rp repro
	data, err := os.ReadFile(path)
	if err != nil {
		return scenarios.Spec{}, rp, usagef("-replay: %v", err)
	}
	if err := json.Unmarshal(data, &rp); err != nil {
		return scenarios.Spec{}, rp, usagef("-replay %s: not a repro file: %v", path, err)
	}
	sc, err := scenarios.Lookup(rp.Scenario)
	if err != nil {
		return scenarios.Spec{}, rp, usagef("-replay %s: %s", path, stripConfig(err))
	}
	if filled := rp.FillPreFidelity(func(k string) bool { _, ok := sc.Param(k); return ok }); len(filled) > 0 {
		fmt.Fprintf(stderr, "simrun: note: %s predates TiCDC's constants and tick phases; replaying it as recorded with %s\n",
			path, describeFilled(rp.Set, filled))
	}
	spec := scenarios.Spec{Scenario: sc, Variant: rp.Variant, Seed: rp.Seed, Set: rp.Set, Faults: rp.Faults}
	if rp.Duration != "" {
		if spec.Duration, err = sim.ParseDuration(rp.Duration); err != nil {
			return spec, rp, usagef("-replay %s: duration: %v", path, err)
		}
	}
	return spec, rp, nil
}

// runReplay runs the world of a repro file and checks it ends with the
// recorded trace hash.
func runReplay(o *options, stdout, stderr io.Writer) error {
	spec, rp, err := loadRepro(o.replay, stderr)
	if err != nil {
		return err
	}
	if rp.Liveness || len(rp.Properties) > 0 {
		// A swarm world: judge it by what its campaign judged (liveness
		// included), not by the invariants alone.
		return runSwarmReplay(o.replay, stdout, stderr)
	}
	spec.KeepTrace = o.trace != ""
	start := time.Now()
	out, err := scenarios.Run(spec)
	if err != nil {
		return err
	}
	out.World.WallSeconds = time.Since(start).Seconds()
	printWorldLine(stdout, out.World)
	if rp.TraceHash != "" && rp.TraceHash != out.World.TraceHash {
		fmt.Fprintf(stderr, "simrun: replay ended with trace hash %s, the recorded run with %s: the code or the build changed\n",
			out.World.TraceHash, rp.TraceHash)
	}
	if o.trace != "" {
		if err := writeTrace(o.trace, out.Trace); err != nil {
			return err
		}
	}
	if !out.World.Held() {
		for _, inv := range out.World.Invariants {
			if !inv.Held {
				fmt.Fprintf(stderr, "VIOLATED %s at t=%.3fs: %s\n", inv.Name, inv.First.At, inv.First.Detail)
			}
		}
		return &violationError{msg: "the replayed world violated an invariant"}
	}
	return nil
}

func writeTrace(path string, tr *sim.Trace) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("-trace: %w", err)
	}
	if _, err := tr.WriteTo(f); err != nil {
		f.Close()
		return fmt.Errorf("-trace: %w", err)
	}
	return f.Close()
}
