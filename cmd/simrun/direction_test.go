package main

import (
	"strings"
	"testing"

	"github.com/redosim/redosim/scenarios"
)

// TestMetricDirections checks every scenario's metric documentation: no
// metric claims both directions, and every latency, delay, lag or wait is
// lower-is-better (a report once called +38 % fsync p99 "better" because
// redo_sync_latency documented no direction and was read as higher-is-better).
func TestMetricDirections(t *testing.T) {
	lowerWords := []string{"latency", "delay", "lag", "wait", "stall", "makespan", "rto", "rpo"}
	for _, sc := range scenarios.All() {
		for _, m := range sc.Metrics {
			if m.LowerIsBetter && m.HigherIsBetter {
				t.Errorf("%s: metric %s is documented both lower- and higher-is-better", sc.Name, m.Name)
			}
			// Series, indices, ratios and descriptive references are exempt:
			// a scan interval is neither good nor bad, a serial makespan is
			// the reference the speedup divides.
			if strings.Contains(m.Doc, "(series)") || strings.Contains(m.Name, "fairness") ||
				strings.Contains(m.Name, "speedup") || strings.HasPrefix(m.Name, "interval_") || m.Name == "serial_makespan" {
				continue
			}
			for _, w := range lowerWords {
				if strings.Contains(m.Name, w) && !m.LowerIsBetter {
					t.Errorf("%s: metric %s (%s) should be lower-is-better", sc.Name, m.Name, m.Doc)
				}
			}
			if (m.Name == "throughput" || m.Name == "speedup") && !m.HigherIsBetter {
				t.Errorf("%s: metric %s should be higher-is-better", sc.Name, m.Name)
			}
		}
	}
}
