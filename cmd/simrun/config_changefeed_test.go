package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/redosim/redosim/scenarios"
)

// regenChangefeed rewrites the changefeed mapping goldens.
const regenChangefeed = "go test ./cmd/simrun -run Changefeed -update"

// changefeedMappingScenarios are the scenarios each changefeed file is
// mapped onto: a changefeed world, whose parameters take TiCDC's keys,
// and smoke, which models none of them (so every key becomes a note).
var changefeedMappingScenarios = []string{"syncpoint", "smoke"}

// TestChangefeedMappingGolden maps every testdata/changefeed/*.toml (TiCDC
// changefeed files: a full realistic one, a minimal one, S3 storage, redo
// off) onto the scenarios above and compares the -set values and the
// notes with testdata/changefeed/NAME.golden.
//
// Reference: pingcap/ticdc:pkg/config/replica_config.go and
// pingcap/ticdc:pkg/config/consistent.go (docs/FIDELITY.md, redo config).
func TestChangefeedMappingGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "changefeed", "*.toml"))
	if err != nil || len(files) < 3 {
		t.Fatalf("want at least 3 changefeed files in testdata/changefeed, got %v (%v)", files, err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".toml")
		t.Run(name, func(t *testing.T) {
			var b strings.Builder
			for _, scName := range changefeedMappingScenarios {
				sc, err := scenarios.Lookup(scName)
				if err != nil {
					t.Fatal(err)
				}
				set, notes, err := mapChangefeedConfig(file, sc)
				if err != nil {
					t.Fatalf("%s onto %s: %v", file, scName, err)
				}
				fmt.Fprintf(&b, "# scenario %s\n", scName)
				keys := make([]string, 0, len(set))
				for k := range set {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					p, ok := sc.Param(k)
					if !ok {
						t.Errorf("mapped onto %s, which scenario %s does not declare", k, scName)
						continue
					}
					if err := p.Validate(set[k]); err != nil {
						t.Errorf("mapped value does not validate: %v", err)
					}
					fmt.Fprintf(&b, "-set %s=%s\n", k, set[k])
				}
				for _, n := range notes {
					fmt.Fprintf(&b, "note: %s\n", n)
				}
			}
			checkGolden(t, filepath.Join("testdata", "changefeed", name+".golden"), b.String(), regenChangefeed)
		})
	}
}

// TestChangefeedMappingRuns runs a syncpoint world from the full
// changefeed file: the warnings reach stderr (stdout is JSON), the mapped values reach the
// world (its replay command), and -set wins over the file.
func TestChangefeedMappingRuns(t *testing.T) {
	file := filepath.Join("testdata", "changefeed", "full.toml")
	r := run1(t, exitOK, "-scenario", "syncpoint", "-variants", "v2-4950", "-duration", "20s", "-json",
		"-changefeed-config", file, "-set", "flush-interval=1500ms")
	r.stderrHas(t, "simrun: warning: -changefeed-config filter: a TiCDC setting the model does not use",
		"simrun: warning: -changefeed-config consistent.compression:")
	var w jsonWorld
	if err := json.Unmarshal([]byte(strings.TrimSpace(r.stdout)), &w); err != nil {
		t.Fatalf("stdout is not one JSON world: %v\n%s", err, r.stdout)
	}
	for _, want := range []string{"-set flush-interval=1500ms", "-set max-log-size=128MiB", "-set memory-quota=2147483648",
		"-set meta-flush-interval=300ms", "-set redo-quota-percent=40", "-set syncpoint-interval=5m0s", "-set redo-storage=disk"} {
		if !strings.Contains(w.Command, want) {
			t.Errorf("replay command lacks %q: %s", want, w.Command)
		}
	}
	if strings.Contains(w.Command, "flush-interval=1000ms") {
		t.Errorf("-set did not win over the changefeed file: %s", w.Command)
	}
}

// TestChangefeedBad: a key TiCDC does not have, or a value TiCDC itself
// would reject, exits 2 with a message naming the key (and the file).
func TestChangefeedBad(t *testing.T) {
	cases := []struct {
		name, toml string
		want       []string
	}{
		{"unknown top-level key", "memory-quotas = 1024\n", []string{`"memory-quotas"`, "no such key"}},
		{"unknown consistent key", "[consistent]\nlevel = \"eventual\"\nflush-intervall = 100\n", []string{`"consistent.flush-intervall"`}},
		{"unknown memory-usage key", "[consistent.memory-usage]\nmemory-quota = 5\n", []string{`"consistent.memory-usage.memory-quota"`}},
		{"level strong", "[consistent]\nlevel = \"strong\"\n", []string{"consistent.level", "strong"}},
		{"flush-interval below 50ms", "[consistent]\nlevel = \"eventual\"\nflush-interval = 10\n", []string{"consistent.flush-interval", "10", "at least 50"}},
		{"meta-flush-interval below 50ms", "[consistent]\nlevel = \"eventual\"\nmeta-flush-interval = 20\n", []string{"consistent.meta-flush-interval", "20", "at least 50"}},
		{"sync-point-interval below 30s", "enable-sync-point = true\nsync-point-interval = \"10s\"\n", []string{"sync-point-interval", "10s", "30s"}},
		{"sync-point-retention below 1h", "sync-point-retention = \"10m\"\n", []string{"sync-point-retention", "10m", "1h"}},
		{"compression zstd", "[consistent]\ncompression = \"zstd\"\n", []string{"consistent.compression", "zstd"}},
		{"memory-quota-percentage 120", "[consistent.memory-usage]\nmemory-quota-percentage = 120\n", []string{"consistent.memory-usage.memory-quota-percentage", "120"}},
		{"memory-quota-percentage negative", "[consistent.memory-usage]\nmemory-quota-percentage = -1\n", []string{"memory-quota-percentage", "-1"}},
		{"storage ftp", "[consistent]\nstorage = \"ftp://x\"\n", []string{"consistent.storage", "ftp://x", `"ftp"`}},
		{"storage not a URI", "[consistent]\nstorage = \"/data/redo\"\n", []string{"consistent.storage", "/data/redo"}},
		{"event-collector-batch-count too big", "[consistent]\nevent-collector-batch-count = 10000\n", []string{"consistent.event-collector-batch-count", "10000"}},
		{"negative max-log-size", "[consistent]\nmax-log-size = -64\n", []string{"consistent.max-log-size", "-64"}},
		{"negative memory-quota", "memory-quota = -1\n", []string{"memory-quota", "-1"}},
		// Wrong types.
		{"memory-quota a string", "memory-quota = \"1GiB\"\n", []string{"memory-quota", "1GiB", "whole number"}},
		{"memory-quota a fraction", "memory-quota = 1.5\n", []string{"memory-quota", "1.5"}},
		{"enable-sync-point a string", "enable-sync-point = \"yes\"\n", []string{"enable-sync-point", "yes", "true or false"}},
		{"sync-point-interval a bool", "sync-point-interval = true\n", []string{"sync-point-interval", "true"}},
		{"sync-point-retention a bool", "sync-point-retention = false\n", []string{"sync-point-retention", "false"}},
		{"consistent not a table", "consistent = \"eventual\"\n", []string{"consistent must be a table"}},
		{"level a number", "[consistent]\nlevel = 1\n", []string{"consistent.level", "1"}},
		{"max-log-size a string", "[consistent]\nmax-log-size = \"64MiB\"\n", []string{"consistent.max-log-size", "64MiB"}},
		{"flush-interval a string", "[consistent]\nflush-interval = \"2s\"\n", []string{"consistent.flush-interval", "2s", "milliseconds"}},
		{"meta-flush-interval a bool", "[consistent]\nmeta-flush-interval = true\n", []string{"consistent.meta-flush-interval", "true"}},
		{"storage a number", "[consistent]\nstorage = 42\n", []string{"consistent.storage", "42"}},
		{"memory-usage not a table", "[consistent]\nmemory-usage = 50\n", []string{"consistent.memory-usage must be a table"}},
		{"memory-quota-percentage a string", "[consistent.memory-usage]\nmemory-quota-percentage = \"50\"\n", []string{"memory-quota-percentage", "50"}},
		{"compression a bool", "[consistent]\ncompression = true\n", []string{"consistent.compression", "true"}},
		{"not TOML", "[consistent\nlevel = \"eventual\"\n", []string{"-changefeed-config"}},
	}
	dir := t.TempDir()
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := writeFile(t, dir, fmt.Sprintf("bad%d.toml", i), c.toml)
			for _, scName := range changefeedMappingScenarios {
				r := run1(t, exitUsage, "-scenario", scName, "-changefeed-config", path, "-duration", "1s")
				r.stderrHas(t, append([]string{"-changefeed-config", path}, c.want...)...)
				if r.stdout != "" {
					t.Errorf("a rejected configuration ran worlds:\n%s", r.stdout)
				}
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		path := filepath.Join(dir, "nope.toml")
		run1(t, exitUsage, "-scenario", "smoke", "-changefeed-config", path).stderrHas(t, "-changefeed-config", path)
	})
}

// TestChangefeedOntoSmoke: a scenario that models none of the keys runs
// as if the file were absent, and says so for each key on stderr.
func TestChangefeedOntoSmoke(t *testing.T) {
	file := filepath.Join("testdata", "changefeed", "minimal.toml")
	with := run1(t, exitOK, "-scenario", "smoke", "-duration", "1s", "-json", "-changefeed-config", file)
	with.stderrHas(t, "simrun: warning: -changefeed-config consistent.level: scenario smoke does not model it; ignored",
		"simrun: warning: -changefeed-config consistent.storage: scenario smoke does not model it; ignored")
	without := run1(t, exitOK, "-scenario", "smoke", "-duration", "1s", "-json")
	if dropWall(t, with.stdout) != dropWall(t, without.stdout) {
		t.Errorf("an ignored changefeed file changed the world:\n%s\n%s", with.stdout, without.stdout)
	}
}
