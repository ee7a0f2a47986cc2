package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// reportWithoutWalls is report.md without its Worlds section (the only
// place wall-clock times appear).
func reportWithoutWalls(t *testing.T, dir string) string {
	t.Helper()
	md := readOut(t, dir, "report.md")
	i := strings.Index(md, "\n## Worlds")
	j := strings.Index(md, "\n## Method")
	if i < 0 || j < i {
		t.Fatalf("%s/report.md has no Worlds section", dir)
	}
	return md[:i] + md[j:]
}

func readOut(t *testing.T, dir, name string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestSwarmShardsMergeToWhole: four shards of a swarm campaign, merged by
// simrun report, give the report of the unsharded campaign (every file the
// same but for wall-clock times), and every shard writes its results even
// when no world fails.
func TestSwarmShardsMergeToWhole(t *testing.T) {
	tmp := t.TempDir()
	whole := filepath.Join(tmp, "whole")
	args := []string{"-swarm", "-seeds", "8", "-parallel", "2", "-quiet"}
	run1(t, exitOK, append(args, "-out", whole)...)
	var shards []string
	for i := range 4 {
		dir := filepath.Join(tmp, "shard"+string(rune('0'+i)))
		run1(t, exitOK, append(args, "-shard", string(rune('0'+i))+"/4", "-out", dir)...)
		if _, err := os.Stat(filepath.Join(dir, "run.json")); err != nil {
			t.Fatalf("shard %d wrote no results: %v", i, err)
		}
		shards = append(shards, dir)
	}
	merged := filepath.Join(tmp, "merged")
	run1(t, exitOK, append([]string{"report", "-quiet", "-out", merged}, shards...)...)
	for _, name := range []string{"summary.json", "timeseries.csv", "trace.json"} {
		if readOut(t, whole, name) != readOut(t, merged, name) {
			t.Errorf("%s of the merged shards differs from the unsharded campaign's", name)
		}
	}
	if a, b := reportWithoutWalls(t, whole), reportWithoutWalls(t, merged); a != b {
		t.Errorf("report.md of the merged shards differs from the unsharded campaign's:\n%s\n---\n%s", firstDiff(a, b), "")
	}
	if strings.Contains(readOut(t, merged, "report.md"), "not listed in the run") {
		t.Errorf("merged report has unlisted variants")
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return "line " + strconv.Itoa(i+1) + ":\n  whole:  " + al[i] + "\n  merged: " + bl[i]
		}
	}
	return "lengths differ"
}

// TestReportMergeSafety: simrun report never writes into an input, needs
// -out, and refuses to pool runs that differ unless -allow-mixed.
func TestReportMergeSafety(t *testing.T) {
	tmp := t.TempDir()
	a, b := filepath.Join(tmp, "a"), filepath.Join(tmp, "b")
	run1(t, exitOK, "-scenario", "smoke", "-duration", "2s", "-quiet", "-out", a)
	run1(t, exitOK, "-scenario", "smoke", "-duration", "3s", "-seed", "2", "-quiet", "-out", b)
	before := readOut(t, a, "run.json")
	run1(t, exitUsage, "report", a, b).stderrHas(t, "-out DIR is required")
	run1(t, exitUsage, "report", "-out", a, a, b).stderrHas(t, "inside the input")
	run1(t, exitUsage, "report", "-out", filepath.Join(a, "sub"), a).stderrHas(t, "inside the input")
	run1(t, exitUsage, "report", "-out", filepath.Join(tmp, "m"), a, b).stderrHas(t, "duration 3s vs 2s", "-allow-mixed")
	if readOut(t, a, "run.json") != before {
		t.Errorf("a refused report changed an input")
	}
	m := filepath.Join(tmp, "m2")
	run1(t, exitOK, "report", "-quiet", "-allow-mixed", "-out", m, a, b)
	if !strings.Contains(readOut(t, m, "report.md"), "Pooled") {
		t.Errorf("the mixed report does not say what it pooled")
	}
	run1(t, exitUsage, "report", "-out", m, a).stderrHas(t, "already holds results")
	// An input inside -out is fine, unless it is where the report writes.
	nested := filepath.Join(tmp, "o", "worlds")
	run1(t, exitOK, "-scenario", "smoke", "-duration", "2s", "-quiet", "-out", nested)
	run1(t, exitUsage, "report", "-out", filepath.Join(tmp, "o"), nested).stderrHas(t, "which the report writes")
	run1(t, exitOK, "report", "-quiet", "-out", tmp, a)
}
