package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// TestResultsIndependentOfParallelAndShard proves that what a world
// produces depends on its scenario, variant, seed and parameters only:
// the same four smoke worlds run one at a time, two at a time, and split
// over two shards give the same -json lines and the same world files
// (less wall_seconds, the machine's share), and `simrun report` merges
// the shards into one campaign.
func TestResultsIndependentOfParallelAndShard(t *testing.T) {
	root := t.TempDir()
	dir := func(name string) string { return filepath.Join(root, name) }
	base := []string{"-scenario", "smoke", "-duration", "3s", "-seeds", "4", "-json"}
	runTo := func(out string, more ...string) cliResult {
		return run1(t, exitOK, append(append(append([]string(nil), base...), "-out", out), more...)...)
	}
	serial := runTo(dir("serial"), "-parallel", "1")
	parallel := runTo(dir("parallel"), "-parallel", "2")
	shard0 := runTo(dir("shard0"), "-shard", "0/2", "-parallel", "2")
	shard1 := runTo(dir("shard1"), "-shard", "1/2", "-parallel", "2")

	// The -json lines: same worlds, same order, same content.
	if a, b := dropWall(t, serial.stdout), dropWall(t, parallel.stdout); a != b {
		t.Errorf("-parallel 1 and -parallel 2 printed different worlds:\n%s\n%s", a, b)
	}
	hashes := jsonHashes(t, serial.stdout)
	if len(hashes) != 4 {
		t.Fatalf("want 4 worlds, got %v", hashes)
	}
	distinct := map[string]bool{}
	for _, h := range hashes {
		distinct[h] = true
	}
	if len(distinct) != 4 {
		t.Errorf("four seeds, %d distinct trace hashes: %v", len(distinct), hashes)
	}
	// Shard I/N takes every N-th world from I: seeds 1,3 and 2,4.
	for shard, want := range map[string]map[uint64]string{
		shard0.stdout: {1: hashes[1], 3: hashes[3]},
		shard1.stdout: {2: hashes[2], 4: hashes[4]},
	} {
		got := jsonHashes(t, shard)
		if len(got) != len(want) {
			t.Errorf("shard ran seeds %v, want %v", got, want)
		}
		for seed, h := range want {
			if got[seed] != h {
				t.Errorf("seed %d: shard hash %s, unsharded %s", seed, got[seed], h)
			}
		}
	}

	// The world files: byte for byte the same, but for wall_seconds.
	want := worldFiles(t, dir("serial"))
	if len(want) != 4 {
		t.Fatalf("serial run wrote %d world files", len(want))
	}
	merged := worldFiles(t, dir("shard0"))
	for name, data := range worldFiles(t, dir("shard1")) {
		if _, dup := merged[name]; dup {
			t.Errorf("both shards wrote %s", name)
		}
		merged[name] = data
	}
	for label, got := range map[string]map[string]string{"-parallel 2": worldFiles(t, dir("parallel")), "the shards": merged} {
		if len(got) != len(want) {
			t.Errorf("%s wrote %d world files, want %d", label, len(got), len(want))
		}
		for name, data := range want {
			if got[name] != data {
				t.Errorf("%s: worlds/%s differs from the serial run's", label, name)
			}
		}
	}

	// report merges the shards into one campaign of four worlds.
	rep := run1(t, exitOK, "report", "-out", dir("merged"), dir("shard0"), dir("shard1"))
	rep.stdoutHas(t, "4 worlds from 2 directories merged into "+dir("merged"))
	md, err := os.ReadFile(filepath.Join(dir("merged"), "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "**worlds** 4") {
		t.Errorf("merged report does not count four worlds:\n%.600s", md)
	}
	for _, f := range []string{"index.html", "summary.json", "timeseries.csv"} {
		if _, err := os.Stat(filepath.Join(dir("merged"), f)); err != nil {
			t.Errorf("merged report lacks %s", f)
		}
	}
	// Overlapping directories whose worlds agree merge too.
	run1(t, exitOK, "report", "-out", dir("overlap"), dir("shard0"), dir("serial")).stdoutHas(t, "4 worlds from 2 directories")
}

// jsonHashes maps seed -> trace hash from -json lines.
func jsonHashes(t *testing.T, stdout string) map[uint64]string {
	t.Helper()
	out := map[uint64]string{}
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var w jsonWorld
		if err := json.Unmarshal([]byte(line), &w); err != nil {
			t.Fatalf("%v: %q", err, line)
		}
		if !hex16.MatchString(w.TraceHash) {
			t.Errorf("trace hash %q", w.TraceHash)
		}
		out[w.Seed] = w.TraceHash
	}
	return out
}

// worldFiles reads dir/worlds/*.json without wall_seconds: name -> JSON.
func worldFiles(t *testing.T, dir string) map[string]string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "worlds", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	out := map[string]string{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(p)] = string(dropWallJSON(t, data))
	}
	return out
}

// TestReportRefusesDisagreeingWorlds: two directories holding one world
// with different trace hashes are not one campaign; report says so
// rather than pick one.
func TestReportRefusesDisagreeingWorlds(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	run1(t, exitOK, "-scenario", "smoke", "-duration", "1s", "-quiet", "-out", a)
	run1(t, exitOK, "-scenario", "smoke", "-duration", "1s", "-quiet", "-out", b, "-set", "rows-per-second=500")
	r := run1(t, exitUsage, "report", "-out", filepath.Join(root, "m"), a, b)
	r.stderrHas(t, "not one campaign", "rows-per-second=500 vs 2000")
	r = run1(t, exitUsage, "report", "-allow-mixed", "-out", filepath.Join(root, "m"), a, b)
	r.stderrHas(t, "default-s1.json", "different trace hashes")
}

// TestOutKeepsEarlierResults: nothing already written is lost. A rejected
// command leaves an existing results directory byte for byte as it was;
// a later run into it (here one that breaks an invariant and exits 1)
// adds its worlds and repro file beside the earlier worlds, and the
// report then covers all of them.
func TestOutKeepsEarlierResults(t *testing.T) {
	out := filepath.Join(t.TempDir(), "results")
	run1(t, exitOK, "-scenario", "smoke", "-duration", "15s", "-seeds", "2", "-quiet", "-out", out)
	before := snapshot(t, out)
	if before["worlds/default-s1.json"] == "" || before["worlds/default-s2.json"] == "" || before["run.json"] == "" {
		t.Fatalf("first run wrote %v", keys(before))
	}
	for _, bad := range [][]string{
		{"-scenario", "smoke", "-out", out, "-set", "nope=1"},
		{"-scenario", "smoke", "-out", out, "-seeds", "0"},
		{"-scenario", "smoke", "-out", out, "-faults", "garbage"},
		{"-scenario", "smoke", "-out", out, "-seeds", "2", "-trace", filepath.Join(out, "t")},
	} {
		run1(t, exitUsage, bad...)
		after := snapshot(t, out)
		if len(after) != len(before) {
			t.Fatalf("simrun %s changed %s: %v -> %v", strings.Join(bad, " "), out, keys(before), keys(after))
		}
		for name, data := range before {
			if after[name] != data {
				t.Fatalf("simrun %s changed %s", strings.Join(bad, " "), name)
			}
		}
	}

	r := run1(t, exitViolation, append(bugArgs, "-quiet", "-out", out)...)
	r.stderrHas(t, "replay: simrun -replay "+filepath.Join(out, "repro-smoke-default-s3.json"))
	after := snapshot(t, out)
	for _, name := range []string{"worlds/default-s1.json", "worlds/default-s2.json"} {
		if after[name] != before[name] {
			t.Errorf("a later run into %s changed or removed %s", out, name)
		}
	}
	for _, name := range []string{"worlds/default-s3.json", "repro-smoke-default-s3.json", "run.json", "index.html"} {
		if after[name] == "" {
			t.Errorf("the violating run did not write %s", name)
		}
	}
	if !strings.Contains(after["report.md"], "**worlds** 3") {
		t.Errorf("report does not cover the earlier worlds and the new one:\n%.600s", after["report.md"])
	}
	// run.json records the command as given to run, not the test binary's,
	// without -out and -shard (where a part lands, not what runs).
	var rj struct{ Command string }
	if err := json.Unmarshal([]byte(after["run.json"]), &rj); err != nil {
		t.Fatal(err)
	}
	if want := "simrun " + strings.Join(append(bugArgs, "-quiet"), " "); rj.Command != want {
		t.Errorf("run.json command %q, want %q", rj.Command, want)
	}
}

func keys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
