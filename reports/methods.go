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
	MedianCI   string
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
		CI: fmt.Sprintf("median: %s; mean: %.0f %% %s, %d resamples of the seeds (the world is the unit of replication); "+
			"both only with at least %d seeds, below that the tables show the min–max range and say n < %d",
			stats.MedianCIMethod, b.Confidence*100, stats.BootstrapMethod, b.Resamples, stats.MinIntervalN(), stats.MinIntervalN()),
		MedianCI:   stats.MedianCIMethod,
		Resamples:  b.Resamples,
		Confidence: b.Confidence,
		Comparison: stats.CompareMethod + "; every later variant (B) is compared with every earlier one (A); " +
			"a censored value (the world ended before the event) ranks above every observed one",
		Verdict: fmt.Sprintf("\"better\" or \"worse\" (by the metric's documented direction; \"higher\"/\"lower\" when it documents none) only when p < %.2f; "+
			"\"~\" when not significant; \"not enough seeds\" when even two samples that do not overlap could not reach p < %.2f "+
			"(2 / C(n_A+n_B, n_A) ≥ α: fewer than %d seeds per variant)", stats.Alpha, stats.Alpha, stats.MinSeeds()),
		Samples: "a sample metric is summarised pooled over all observations of all seeds (no interval) and per seed; " +
			"across seeds and in comparisons it is represented by each world's p50 and p99",
		Series: "one line per variant, the median across seeds at each time (each seed's series held at its last sample), " +
			"the band is the min–max across seeds; red bands are fault windows and red lines instant faults of any world; " +
			"the strips at the bottom are the syncpoint barriers (spans on track \"barrier\" or named \"syncpoint…\") of the first seed of each variant, " +
			"one strip per variant in its colour; a rate (unit …/s) is averaged per world over round bins of about 1/40 of the run (15 s for 600 s) before the median",
		Trace: trace,
	}
}
