package reports

import (
	"fmt"

	"github.com/redosim/redosim/reports/stats"
)

// methods describes how every number and figure was made; the report and
// summary.json print it.
type methods struct {
	Percentile string
	SD         string
	CI         string
	Resamples  int
	Confidence float64
	Comparison string
	Verdict    string
	Samples    string
	Series     string
	Trace      string
}

func newMethods(boot stats.Bootstrap, trace string) methods {
	b := boot.WithDefaults()
	return methods{
		Percentile: stats.PercentileMethod,
		SD:         stats.SDMethod,
		CI: fmt.Sprintf("%.0f %% %s, %d resamples of the seeds (the world is the unit of replication)",
			b.Confidence*100, stats.BootstrapMethod, b.Resamples),
		Resamples:  b.Resamples,
		Confidence: b.Confidence,
		Comparison: stats.CompareMethod + "; A and B are resampled independently; every later variant (B) is compared with every earlier one (A)",
		Verdict: "\"better\" or \"worse\" (by the metric's documented direction; \"higher\"/\"lower\" when undocumented) only when the interval excludes zero, " +
			"else \"no significant difference\"",
		Samples: "a sample metric is summarised pooled over all observations of all seeds (no interval) and per seed; " +
			"across seeds and in comparisons it is represented by each world's p50 and p99",
		Series: "one line per variant, the median across seeds at each time (each seed's series held at its last sample), " +
			"the band is the min–max across seeds; red bands are fault windows and red lines instant faults of any world; " +
			"blue bands are syncpoint barriers (spans on track \"barrier\" or named \"syncpoint…\") of the first seed of each variant",
		Trace: trace,
	}
}
