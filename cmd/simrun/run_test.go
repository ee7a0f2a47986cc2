package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// plantedBug is a fault plan that makes smoke's durability check fire: the
// redo engine skips a sync but reports it done, and the crash at 12s
// loses the rows it acknowledged. 15s of virtual time covers the crash and
// the restart at 14s.
const plantedBug = "bug/engine/skipSync@0s.."

var bugArgs = []string{"-scenario", "smoke", "-duration", "15s", "-seed", "3", "-faults", plantedBug}

// violatedLine is what stderr says of a broken invariant: its name, the
// world, and the virtual time.
var violatedLine = regexp.MustCompile(`VIOLATED durability in smoke/default seed=3 at t=(\d+\.\d{3})s: `)

// TestViolationExit1 runs smoke with a planted bug: exit 1; stderr names
// the invariant, the world and the virtual time and prints the replay
// command; a repro file lands in -out; and replaying it reproduces the
// same trace hash and exits 1 again.
func TestViolationExit1(t *testing.T) {
	out := t.TempDir()
	r := run1(t, exitViolation, append(bugArgs, "-out", out)...)
	m := violatedLine.FindStringSubmatch(r.stderr)
	if m == nil {
		t.Fatalf("stderr does not name the invariant, world and time:\n%s", r.stderr)
	}
	if at, _ := strconv.ParseFloat(m[1], 64); at < 12 {
		t.Errorf("violation at t=%ss, before the crash at 12s", m[1])
	}
	reproPath := filepath.Join(out, "repro-smoke-default-s3.json")
	r.stderrHas(t, "replay: simrun -replay "+reproPath, "parameters: nodes=3", "1 of the worlds violated an invariant")
	lines := traceHashLine.FindAllStringSubmatch(r.stdout, -1)
	if len(lines) != 1 || lines[0][4] != "VIOLATED" {
		t.Fatalf("want one VIOLATED world line, got %q:\n%s", lines, r.stdout)
	}
	hash := lines[0][5]

	var rp repro
	data, err := os.ReadFile(reproPath)
	if err != nil {
		t.Fatalf("no repro file: %v", err)
	}
	if err := json.Unmarshal(data, &rp); err != nil {
		t.Fatal(err)
	}
	if rp.Scenario != "smoke" || rp.Variant != "default" || rp.Seed != 3 || rp.Duration != "15s" ||
		rp.Faults != plantedBug || rp.TraceHash != hash || !strings.HasPrefix(rp.Violation, "durability at t=") {
		t.Errorf("repro file: %+v (run hash %s)", rp, hash)
	}
	// The results were written too: the violation does not cost the run.
	for _, f := range []string{"run.json", "worlds/default-s3.json", "index.html"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("violating run with -out did not write %s: %v", f, err)
		}
	}

	rr := run1(t, exitViolation, "-replay", reproPath)
	again := traceHashLine.FindStringSubmatch(rr.stdout)
	if again == nil || again[5] != hash || again[4] != "VIOLATED" {
		t.Errorf("replay printed %q, want hash %s VIOLATED", rr.stdout, hash)
	}
	rr.stderrHas(t, "VIOLATED durability at t="+m[1]+"s", "the replayed world violated an invariant")
	if strings.Contains(rr.stderr, "the code or the build changed") {
		t.Errorf("replay reports a different hash:\n%s", rr.stderr)
	}
}

// TestViolationReproInWorkingDir: without -out the repro file goes to the
// working directory, and the printed replay command works from there.
func TestViolationReproInWorkingDir(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	r := run1(t, exitViolation, bugArgs...)
	r.stderrHas(t, "replay: simrun -replay repro-smoke-default-s3.json")
	if _, err := os.Stat(filepath.Join(dir, "repro-smoke-default-s3.json")); err != nil {
		t.Fatalf("no repro file in the working directory: %v", err)
	}
	run1(t, exitViolation, "-replay", "repro-smoke-default-s3.json")
}

// TestViolationJSON: with -json a violated world says pass=false with the
// detail, and the exit is still 1.
func TestViolationJSON(t *testing.T) {
	r := run1(t, exitViolation, append(bugArgs, "-json", "-out", t.TempDir())...)
	var w jsonWorld
	if err := json.Unmarshal([]byte(strings.TrimSpace(r.stdout)), &w); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	found := false
	for _, inv := range w.Invariants {
		if inv.Name == "durability" {
			found = true
			if inv.Pass || !strings.HasPrefix(inv.Detail, "at 1") {
				t.Errorf("durability: %+v", inv)
			}
		} else if !inv.Pass {
			t.Errorf("%s failed too: %+v", inv.Name, inv)
		}
	}
	if !found {
		t.Errorf("no durability invariant in %s", r.stdout)
	}
}

// TestReplayHashMismatch: a repro whose recorded hash differs (another
// build) still replays, and says the hashes differ.
func TestReplayHashMismatch(t *testing.T) {
	path := writeFile(t, t.TempDir(), "held.json",
		`{"scenario":"smoke","variant":"default","seed":1,"duration":"1s","trace_hash":"0000000000000000"}`)
	r := run1(t, exitOK, "-replay", path)
	r.stderrHas(t, "the recorded run with 0000000000000000", "the code or the build changed")
	want := run1(t, exitOK, "-scenario", "smoke", "-duration", "1s", "-seed", "1")
	a, b := traceHashLine.FindStringSubmatch(r.stdout), traceHashLine.FindStringSubmatch(want.stdout)
	if a == nil || b == nil || a[5] != b[5] {
		t.Errorf("replay and run disagree:\n%s\n%s", r.stdout, want.stdout)
	}
}

// TestJSONFormat: -json prints one object per world with exactly the
// documented fields, and no summary table.
func TestJSONFormat(t *testing.T) {
	r := run1(t, exitOK, "-scenario", "smoke", "-duration", "2s", "-seed-range", "5..6", "-json")
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) != 2 {
		t.Fatalf("want 2 JSON lines, got:\n%s", r.stdout)
	}
	wantKeys := []string{"command", "events", "invariants", "metrics", "scenario", "seed", "sim_seconds", "trace_hash", "variant", "wall_seconds"}
	for i, line := range lines {
		var m map[string]json.RawMessage
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("line %d: %v: %s", i, err, line)
		}
		var keys []string
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		if strings.Join(keys, ",") != strings.Join(wantKeys, ",") {
			t.Errorf("fields %v, want %v", keys, wantKeys)
		}
		var w jsonWorld
		if err := json.Unmarshal([]byte(line), &w); err != nil {
			t.Fatal(err)
		}
		if w.Scenario != "smoke" || w.Variant != "default" || w.Seed != uint64(5+i) || w.SimSeconds != 2 ||
			!hex16.MatchString(w.TraceHash) || w.Events == 0 || w.WallSeconds <= 0 {
			t.Errorf("line %d: %+v", i, w)
		}
		if w.Command != fmt.Sprintf("simrun -scenario smoke -variants default -seed %d -duration 2s", 5+i) {
			t.Errorf("line %d: command %q", i, w.Command)
		}
		var names []string
		for _, inv := range w.Invariants {
			names = append(names, inv.Name)
			if !inv.Pass {
				t.Errorf("line %d: %s failed", i, inv.Name)
			}
		}
		sort.Strings(names)
		if strings.Join(names, ",") != "durability,fifo" {
			t.Errorf("line %d: invariants %v", i, names)
		}
		for _, raw := range []string{`"name":`, `"pass":`} {
			if !strings.Contains(string(m["invariants"]), raw) {
				t.Errorf("invariants lack %s: %s", raw, m["invariants"])
			}
		}
	}
	if strings.Contains(r.stdout, "invariants held") || strings.Contains(r.stdout, "trace-hash:") {
		t.Errorf("-json printed more than JSON:\n%s", r.stdout)
	}
}

// TestTextOutput: every world prints a trace-hash line, then the summary
// table: per variant, the worlds and the headline metrics, and the
// invariants held.
func TestTextOutput(t *testing.T) {
	r := run1(t, exitOK, "-scenario", "smoke", "-duration", "2s", "-seeds", "3")
	lines := traceHashLine.FindAllStringSubmatch(r.stdout, -1)
	if len(lines) != 3 {
		t.Fatalf("want 3 trace-hash lines, got:\n%s", r.stdout)
	}
	for i, l := range lines {
		if l[1] != "smoke" || l[2] != "default" || l[3] != strconv.Itoa(1+i) || l[4] != "held" {
			t.Errorf("line %d: %q", i, l[0])
		}
	}
	header := regexp.MustCompile(`(?m)^ *variant +worlds +rows_acked \(rows\) median +max +commit_latency p99 \(s\) median +max +stalled +invariants held *$`)
	if !header.MatchString(r.stdout) {
		t.Errorf("no summary header:\n%s", r.stdout)
	}
	row := regexp.MustCompile(`(?m)^ *default +3 +\d+ +\d+ +\S+ +\S+ +- +all \(3/3\) *$`)
	if !row.MatchString(r.stdout) {
		t.Errorf("no summary row for default:\n%s", r.stdout)
	}

	// -quiet keeps the summary, drops the lines of worlds that held.
	q := run1(t, exitOK, "-scenario", "smoke", "-duration", "2s", "-seeds", "3", "-quiet")
	if traceHashLine.MatchString(q.stdout) || !row.MatchString(q.stdout) {
		t.Errorf("-quiet output:\n%s", q.stdout)
	}
	// ... but not the line of a world that broke an invariant.
	qb := run1(t, exitViolation, append(bugArgs, "-quiet", "-out", t.TempDir())...)
	if l := traceHashLine.FindStringSubmatch(qb.stdout); l == nil || l[4] != "VIOLATED" {
		t.Errorf("-quiet hid a violation:\n%s", qb.stdout)
	}
	if !strings.Contains(qb.stdout, "0/1") {
		t.Errorf("summary does not count the violation:\n%s", qb.stdout)
	}
}

// TestProgressPlain: off a terminal (stderr is a buffer here) progress is
// plain lines, never a redrawn bar; -quiet drops them; one world has none.
func TestProgressPlain(t *testing.T) {
	r := run1(t, exitOK, "-scenario", "smoke", "-duration", "1s", "-seeds", "3", "-parallel", "2")
	if strings.Contains(r.stderr, "\r") || strings.Contains(r.stderr, "[=") {
		t.Errorf("progress bar drawn off a terminal: %q", r.stderr)
	}
	if !regexp.MustCompile(`(?m)^progress: 3/3 worlds, \S+ elapsed, ETA \S+$`).MatchString(r.stderr) {
		t.Errorf("no final progress line:\n%s", r.stderr)
	}
	if !regexp.MustCompile(`(?m)^3 worlds, 3 simulated seconds in \S+s wall \(\d+x real time overall\)$`).MatchString(r.stderr) {
		t.Errorf("no closing line:\n%s", r.stderr)
	}
	for _, line := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		if !strings.HasPrefix(line, "progress: ") && !strings.HasPrefix(line, "3 worlds, ") {
			t.Errorf("unexpected stderr line %q", line)
		}
	}
	q := run1(t, exitOK, "-scenario", "smoke", "-duration", "1s", "-seeds", "3", "-quiet")
	if strings.Contains(q.stderr, "progress:") {
		t.Errorf("-quiet printed progress:\n%s", q.stderr)
	}
	one := run1(t, exitOK, "-scenario", "smoke", "-duration", "1s")
	if one.stderr != "" {
		t.Errorf("one world printed progress:\n%s", one.stderr)
	}
}

// TestTrace: -trace writes the world's event trace; two runs of one seed
// write the same bytes, and a replay with -trace writes them too.
func TestTrace(t *testing.T) {
	dir := t.TempDir()
	a, b, c := filepath.Join(dir, "a.trace"), filepath.Join(dir, "b.trace"), filepath.Join(dir, "c.trace")
	args := []string{"-scenario", "smoke", "-duration", "500ms", "-seed", "9"}
	run1(t, exitOK, append(args, "-trace", a)...)
	run1(t, exitOK, append(args, "-trace", b)...)
	repro := writeFile(t, dir, "r.json", `{"scenario":"smoke","variant":"default","seed":9,"duration":"500ms"}`)
	run1(t, exitOK, "-replay", repro, "-trace", c)
	da, _ := os.ReadFile(a)
	db, _ := os.ReadFile(b)
	dc, _ := os.ReadFile(c)
	if len(da) == 0 || string(da) != string(db) || string(da) != string(dc) {
		t.Errorf("traces differ or are empty: %d, %d, %d bytes", len(da), len(db), len(dc))
	}
	run1(t, exitUsage, append(args, "-trace", filepath.Join(dir, "no", "such", "dir"))...).stderrHas(t, "-trace")
}
