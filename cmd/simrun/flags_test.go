package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestBadFlags: every flag's bad input exits 2 before any world runs, and
// stderr names the flag (or parameter) and the value.
func TestBadFlags(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.json")
	corrupt := writeFile(t, dir, "corrupt.json", "{ this is not json")
	unknownScenario := writeFile(t, dir, "unknown.json", `{"scenario":"no-such-world","variant":"default","seed":1}`)
	badDuration := writeFile(t, dir, "baddur.json", `{"scenario":"smoke","variant":"default","seed":1,"duration":"soon"}`)
	aFile := writeFile(t, dir, "a-file", "x")
	smoke := []string{"-scenario", "smoke", "-duration", "1s"}
	sp := []string{"-scenario", "syncpoint", "-duration", "1s"}
	with := func(base []string, more ...string) []string { return append(append([]string(nil), base...), more...) }

	cases := []struct {
		name string
		args []string
		want []string
	}{
		{"unknown flag", []string{"-bogus"}, []string{"flag provided but not defined: -bogus"}},
		{"unknown flag after good ones", with(smoke, "-sed", "3"), []string{"-sed"}},
		{"flag without value", []string{"-scenario"}, []string{"flag needs an argument: -scenario"}},
		{"stray positional argument", with(smoke, "extra"), []string{`unexpected argument "extra"`}},
		{"positional instead of flag", []string{"smoke"}, []string{`unexpected argument "smoke"`}},
		{"no scenario", nil, []string{"no -scenario given"}},
		{"unknown scenario", []string{"-scenario", "nope"}, []string{"-scenario", `"nope"`, "smoke"}},
		{"unknown variant", with(smoke, "-variants", "nope"), []string{"-variants", `"nope"`, "default"}},
		{"one unknown variant of two", with(sp, "-variants", "none,v3"), []string{"-variants", `"v3"`, "v2-4950"}},
		{"seed not a number", with(smoke, "-seed", "x"), []string{"-seed", `"x"`}},
		{"seed negative", with(smoke, "-seed", "-3"), []string{"-seed", `"-3"`}},
		{"seeds zero", with(smoke, "-seeds", "0"), []string{"-seeds 0", "positive"}},
		{"seeds negative", with(smoke, "-seeds", "-1"), []string{"-seeds -1", "positive"}},
		{"seeds not a number", with(smoke, "-seeds", "many"), []string{"-seeds", `"many"`}},
		{"seed-range reversed", with(smoke, "-seed-range", "5..1"), []string{"-seed-range", `"5..1"`}},
		{"seed-range not numbers", with(smoke, "-seed-range", "x..y"), []string{"-seed-range", `"x..y"`}},
		{"seed-range with a dash", with(smoke, "-seed-range", "1-5"), []string{"-seed-range", `"1-5"`}},
		{"seed-range open end", with(smoke, "-seed-range", "1.."), []string{"-seed-range", `"1.."`}},
		{"seed-range open start", with(smoke, "-seed-range", "..5"), []string{"-seed-range", `"..5"`}},
		{"seed and seeds", with(smoke, "-seed", "3", "-seeds", "2"), []string{"-seed, -seeds and -seed-range are exclusive"}},
		{"seed and seed-range", with(smoke, "-seed", "3", "-seed-range", "1..2"), []string{"exclusive"}},
		{"seeds and seed-range", with(smoke, "-seeds", "2", "-seed-range", "1..2"), []string{"exclusive"}},
		{"duration not a duration", []string{"-scenario", "smoke", "-duration", "abc"}, []string{"-duration", `"abc"`}},
		{"duration without unit", []string{"-scenario", "smoke", "-duration", "10"}, []string{"-duration", `"10"`}},
		{"duration negative", []string{"-scenario", "smoke", "-duration", "-5s"}, []string{"-duration", `"-5s"`}},
		{"duration zero", []string{"-scenario", "smoke", "-duration", "0s"}, []string{"-duration", `"0s"`}},
		{"set without =", with(smoke, "-set", "nodes"), []string{"-set", `"nodes"`, "key=value"}},
		{"set without key", with(smoke, "-set", "=5"), []string{"-set", `"=5"`, "key=value"}},
		{"set unknown key", with(smoke, "-set", "nope=1"), []string{"-set", `"nope"`, "smoke", "-describe smoke"}},
		{"set another scenario's key", with(smoke, "-set", "syncpoint-interval=30s"), []string{"-set", `"syncpoint-interval"`}},
		{"set int", with(smoke, "-set", "nodes=three"), []string{"nodes", `"three"`, "int"}},
		{"set int given a float", with(smoke, "-set", "rows-per-second=1.5"), []string{"rows-per-second", `"1.5"`, "int"}},
		{"set float", with(sp, "-set", "skew=steep"), []string{"skew", `"steep"`, "float"}},
		{"set bool", with(sp, "-set", "redo=maybe"), []string{"redo", `"maybe"`, "bool"}},
		{"set duration", with(smoke, "-set", "ping-interval=fast"), []string{"ping-interval", `"fast"`, "duration"}},
		{"set bytes", with(sp, "-set", "max-log-size=lots"), []string{"max-log-size", `"lots"`, "bytes"}},
		{"set bytes negative", with(sp, "-set", "memory-quota=-1GiB"), []string{"memory-quota", `"-1GiB"`, "bytes"}},
		{"set dist", with(smoke, "-set", "net-latency=normal("), []string{"net-latency", `"normal("`, "distribution"}},
		{"set dist unknown", with(sp, "-set", "txn-rows=zipfish(3)"), []string{"txn-rows", `"zipfish(3)"`, "distribution"}},
		{"set choices", with(smoke, "-set", "policy=never"), []string{"policy", `"never"`, "commit, interval"}},
		{"set choices of ints", with(sp, "-set", "congestion-control=3"), []string{"congestion-control", `"3"`, "1, 2"}},
		{"set choices of a profile", with(smoke, "-set", "disk=floppy"), []string{"disk", `"floppy"`, "nvme"}},
		{"set a value the world rejects", with(smoke, "-set", "nodes=1"), []string{"nodes=1", "at least 2"}},
		{"set a flush interval TiCDC rejects", with(sp, "-set", "flush-interval=10ms"), []string{"flush-interval", "10ms", "50ms"}},
		{"parallel zero", with(smoke, "-parallel", "0"), []string{"-parallel 0"}},
		{"parallel negative", with(smoke, "-parallel", "-2"), []string{"-parallel -2"}},
		{"parallel not a number", with(smoke, "-parallel", "x"), []string{"-parallel", `"x"`}},
		{"shard index = count", with(smoke, "-shard", "3/3"), []string{"-shard", `"3/3"`, "I/N"}},
		{"shard index > count", with(smoke, "-shard", "2/1"), []string{"-shard", `"2/1"`}},
		{"shard negative", with(smoke, "-shard", "-1/2"), []string{"-shard", `"-1/2"`}},
		{"shard letters", with(smoke, "-shard", "a/b"), []string{"-shard", `"a/b"`}},
		{"shard without count", with(smoke, "-shard", "1"), []string{"-shard", `"1"`}},
		{"shard of zero", with(smoke, "-shard", "0/0"), []string{"-shard", `"0/0"`}},
		{"trace with two seeds", with(smoke, "-seeds", "2", "-trace", filepath.Join(dir, "t")), []string{"-trace", "has 2"}},
		{"trace with three variants", with(sp, "-trace", filepath.Join(dir, "t")), []string{"-trace", "has 3"}},
		{"replay missing file", []string{"-replay", missing}, []string{"-replay", missing}},
		{"replay corrupt file", []string{"-replay", corrupt}, []string{"-replay", corrupt, "not a repro file"}},
		{"replay unknown scenario", []string{"-replay", unknownScenario}, []string{"-replay", `"no-such-world"`}},
		{"replay bad duration", []string{"-replay", badDuration}, []string{"-replay", "duration", `"soon"`}},
		{"faults not a plan", with(smoke, "-faults", "garbage"), []string{"-faults", `"garbage"`}},
		{"faults unknown point", with(smoke, "-faults", "sim/disk/nope@1s"), []string{"-faults", `"sim/disk/nope"`}},
		{"faults bad time", with(smoke, "-faults", "sim/disk/fsyncEIO@soon"), []string{"-faults", `"soon"`}},
		{"faults bad second entry", with(smoke, "-faults", "sim/disk/fsyncEIO@1s;bad"), []string{"-faults", "entry 2"}},
		{"faults action a world does not support", with(sp, "-faults", "node.crash:n9@1s"), []string{"-faults", "n9"}},
		{"cpuprofile in a missing directory", with(smoke, "-cpuprofile", filepath.Join(dir, "no", "cpu.out")), []string{"-cpuprofile"}},
		{"memprofile in a missing directory", with(smoke, "-memprofile", filepath.Join(dir, "no", "heap.out")), []string{"-memprofile"}},
		{"memprofile with two seeds", with(smoke, "-seeds", "2", "-memprofile", filepath.Join(dir, "heap.out")), []string{"-memprofile", "has 2"}},
		{"out is a file", with(smoke, "-out", aFile), []string{aFile}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := run1(t, exitUsage, c.args...)
			r.stderrHas(t, c.want...)
			if c.name != "out is a file" && traceHashLine.MatchString(r.stdout) {
				t.Errorf("a rejected command ran worlds:\n%s", r.stdout)
			}
		})
	}
}

// TestHelp: -h prints usage on stderr and exits 0, for the runner and
// the subcommands.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"-help"}, {"report", "-h"}, {"redo", "-h"}, {"redo", "gen", "-h"}, {"redo", "verify", "-h"}} {
		r := run1(t, exitOK, args...)
		if !strings.Contains(r.stderr, "Usage") || r.stdout != "" {
			t.Errorf("simrun %s: want usage on stderr only:\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.stdout, r.stderr)
		}
	}
	run1(t, exitOK, "-h").stderrHas(t, "-scenario", "-seeds", "-shard", "Examples:", "simrun report")
	run1(t, exitOK, "redo", "-h").stderrHas(t, "redo gen -dir", "redo verify", "redo apply")
}

// TestSeedList covers how -seed, -seeds and -seed-range expand.
func TestSeedList(t *testing.T) {
	cases := []struct {
		args []string
		want []uint64
	}{
		{nil, []uint64{1}},
		{[]string{"-seed", "0"}, []uint64{0}},
		{[]string{"-seed", "18446744073709551615"}, []uint64{18446744073709551615}},
		{[]string{"-seeds", "3"}, []uint64{1, 2, 3}},
		{[]string{"-seed-range", "7..9"}, []uint64{7, 8, 9}},
		{[]string{"-seed-range", "4..4"}, []uint64{4}},
	}
	for _, c := range cases {
		o, err := parseRunFlags(c.args, &strings.Builder{})
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		got, err := o.seedList()
		if err != nil {
			t.Fatalf("%v: %v", c.args, err)
		}
		if len(got) != len(c.want) {
			t.Fatalf("%v: seeds %v, want %v", c.args, got, c.want)
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Fatalf("%v: seeds %v, want %v", c.args, got, c.want)
			}
		}
	}
}
