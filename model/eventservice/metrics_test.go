package eventservice

import (
	"strings"
	"testing"
)

// TestPerDispatcherMetricsBehindTheFlag: by default the scan counters add
// up per node and mode and no series names a dispatcher; with
// PerDispatcherMetrics every dispatcher gets its own, and the totals
// agree.
func TestPerDispatcherMetricsBehindTheFlag(t *testing.T) {
	scans := func(perDispatcher bool) (total float64, series int, named bool) {
		h := busyWorld(t, Config{PerDispatcherMetrics: perDispatcher})
		h.reg.Sample(h.w.Now())
		for _, s := range h.reg.Series() {
			if strings.Contains(s.Key(), "dispatcher=") {
				named = true
			}
			if s.Name == MetricScans {
				series++
				total += s.Points[len(s.Points)-1].V
			}
		}
		return total, series, named
	}
	lean, leanSeries, leanNamed := scans(false)
	full, fullSeries, fullNamed := scans(true)
	if leanNamed || !fullNamed {
		t.Errorf("dispatcher-labelled series: %v without the flag, %v with it", leanNamed, fullNamed)
	}
	if leanSeries >= fullSeries {
		t.Errorf("%d scan series without the flag, %d with it: want fewer", leanSeries, fullSeries)
	}
	if lean != full || lean == 0 {
		t.Errorf("scans counted %v without the flag, %v with it", lean, full)
	}
}
