package scanwindow

import "fmt"

// Aggregation is how the event collector folds the main and the redo dynamic
// stream of one changefeed into the single usage ratio of a report.
type Aggregation string

const (
	// AggregationMax takes the larger ratio: today's code
	// (EventCollector.newCongestionControlMessages, "take maximum usage
	// ratio between main and redo streams"). Redo pressure throttles both.
	AggregationMax Aggregation = "max"
	// AggregationMin takes the smaller: an early revision of TiCDC PR #4030
	// took min(used) over min(max); review (CodeRabbit) flagged that it
	// under-reports pressure, and the merged PR uses max.
	AggregationMin Aggregation = "min"
)

// ParseAggregation returns the Aggregation named s, "max" or "min".
func ParseAggregation(s string) (Aggregation, error) {
	switch a := Aggregation(s); a {
	case AggregationMax, AggregationMin:
		return a, nil
	}
	return "", fmt.Errorf("%w: unknown aggregation %q (want max or min)", ErrConfig, s)
}

// Combine folds the main and the redo stream's usage ratios (used/quota) of
// one changefeed. With redo off the caller passes the main ratio alone and
// does not call Combine. Any value other than AggregationMin acts as
// AggregationMax. With equal quotas (the default 50 % redo share) min of the
// ratios equals the byte form of PR #4030's proposal; CombineBytes gives the
// exact form for unequal quotas.
func Combine(a Aggregation, mainUsage, redoUsage float64) float64 {
	if a == AggregationMin {
		return min(mainUsage, redoUsage)
	}
	return max(mainUsage, redoUsage)
}

// CombineBytes folds the two streams from their byte counts (used bytes and
// area quota, the dynamic stream's MemoryUsage and MaxMemory) as the code
// does. AggregationMax: max of used/quota per stream, each clamped to [0, 1]
// (calcUsageRatio). AggregationMin: min(used) / min(quota), as PR #4030 first
// proposed. A non-positive denominator gives 0.
func CombineBytes(a Aggregation, mainUsedBytes, mainQuotaBytes, redoUsedBytes, redoQuotaBytes int64) float64 {
	if a == AggregationMin {
		return usageRatio(min(mainUsedBytes, redoUsedBytes), min(mainQuotaBytes, redoQuotaBytes))
	}
	return max(usageRatio(mainUsedBytes, mainQuotaBytes), usageRatio(redoUsedBytes, redoQuotaBytes))
}

// usageRatio is calcUsageRatio: used/quota clamped to [0, 1], 0 when the
// quota is not positive.
func usageRatio(usedBytes, quotaBytes int64) float64 {
	if quotaBytes <= 0 {
		return 0
	}
	return normalizeUsage(float64(usedBytes) / float64(quotaBytes))
}
