package reports

import (
	"testing"

	"github.com/redosim/redosim/reports/stats"
	"github.com/redosim/redosim/results"
)

// TestMetricDirection: a documented metric with no direction compares as
// higher/lower, never better/worse.
func TestMetricDirection(t *testing.T) {
	cases := []struct {
		doc        results.MetricDoc
		documented bool
		want       stats.Direction
	}{
		{results.MetricDoc{LowerIsBetter: true}, true, stats.LowerIsBetter},
		{results.MetricDoc{HigherIsBetter: true}, true, stats.HigherIsBetter},
		{results.MetricDoc{}, true, stats.Unknown},
		{results.MetricDoc{LowerIsBetter: true, HigherIsBetter: true}, true, stats.Unknown},
		{results.MetricDoc{HigherIsBetter: true}, false, stats.Unknown},
	}
	for _, c := range cases {
		m := &metric{Doc: c.doc, Documented: c.documented}
		if got := m.direction(); got != c.want {
			t.Errorf("%+v documented=%v: direction %v, want %v", c.doc, c.documented, got, c.want)
		}
	}
	a, b := []float64{1, 2, 3, 4, 5}, []float64{11, 12, 13, 14, 15}
	if v := stats.Compare(a, b, (&metric{Documented: true}).direction()).Verdict; v != stats.VerdictHigher {
		t.Errorf("undocumented direction gave verdict %q, want higher", v)
	}
}
