package scenarios

import "github.com/redosim/redosim/sim"

// syncpoint is the main job: syncpoints and redo under the three scan
// windows.
func syncpoint() *Scenario {
	return &Scenario{
		Name:    "syncpoint",
		Summary: "syncpoint barriers with redo on: scan window none (v1) vs v2-4030 vs v2-4950",
		Doc: "One changefeed replicates 64 tables from 3 capture nodes with a skewed load (Zipf plus two " +
			"hot tables); a quarter of the tables sit behind a slow downstream. Redo is on, on a local " +
			"NVMe-like disk, and a syncpoint every 60 s makes every dispatcher wait at a barrier, so " +
			"fast dispatchers run ahead and fill memory while slow ones hold the barrier. The variants " +
			"compare the event service's scan window: none (congestion control v1, no window), PR " +
			"#4030's tiered window, and PR #4950's EMA and pressure-score window. Measures barrier " +
			"duration, checkpoint lag, the fast/slow gap, throughput, memory usage, the scan interval " +
			"and circuit-breaker releases. Everything runs at TiCDC's own constants (1 GiB quota per node, " +
			"half of it for redo, the 1 KiB to 1 MiB scan ladder, the 256 MiB low-memory mark): the load, " +
			"10 000 rows/s of about 3 KB (30 MB/s), and a downstream of 34 workers that runs just below it " +
			"(a slow table's transaction takes 40 times longer) put the collectors under real pressure.",
		Params: withDefaults(changefeedParams(), map[string]string{
			"rows-per-second": "10000", "row-bytes": "lognormal(3000,0.2)", "downstream-workers": "34", "slow-factor": "40",
		}),
		Variants: []Variant{
			{Name: "none", Doc: "congestion control v1, no scan window, the release share before PR #4030 (0.4)", Set: map[string]string{"scan-window": "none", "congestion-control": "1", "release-share": "0.4"}},
			{Name: "v2-4030", Doc: "PR #4030's tiered window on the broker it shipped with (no local advance: #4460, #5547 came later)", Set: map[string]string{"scan-window": "v2-4030", "local-advance": "false"}},
			{Name: "v2-4950", Doc: "PR #4950's window (TiCDC today)", Set: map[string]string{"scan-window": "v2-4950"}},
		},
		Metrics:    changefeedMetrics(),
		Invariants: changefeedInvariants(),
		Duration:   10 * sim.Minute,
		Build: func(env *Env) error {
			_, err := buildChangefeed(env, nil)
			return err
		},
	}
}
