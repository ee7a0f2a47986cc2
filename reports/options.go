package reports

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/redosim/redosim/reports/stats"
)

// Options tunes Render. The zero value is the documented default for every
// field.
type Options struct {
	// Title heads the report; default "<scenario>: simulation report".
	Title string
	// Bootstrap sets the resamples and confidence of every interval;
	// zero means 2000 resamples at 95 %.
	Bootstrap stats.Bootstrap
	// TraceWorlds lists the worlds trace.json holds; empty means the
	// first seed of each variant. Each world gets its own pid namespace.
	TraceWorlds []WorldKey
	// TraceAll puts every world into trace.json (overrides TraceWorlds).
	TraceAll bool
	// TraceCounters names the series metrics drawn as counter tracks in
	// trace.json; empty means those whose names mention lag, memory,
	// usage, quota or scan interval (timeline.DefaultCounters).
	TraceCounters []string
	// MaxSeriesPlots caps the time-series figures (one per metric and
	// label set); default 24. Series beyond it are listed as not drawn
	// and stay in timeseries.csv.
	MaxSeriesPlots int
}

func (o Options) maxSeriesPlots() int {
	if o.MaxSeriesPlots <= 0 {
		return 24
	}
	return o.MaxSeriesPlots
}

// WorldKey names one world of a run.
type WorldKey struct {
	Variant string
	Seed    uint64
}

// String formats the key as "variant:seed", the form ParseWorldKey reads.
func (k WorldKey) String() string { return fmt.Sprintf("%s:%d", k.Variant, k.Seed) }

// ParseWorldKey parses "variant:seed" (the variant may itself contain
// colons; the seed is after the last one).
func ParseWorldKey(s string) (WorldKey, error) {
	i := strings.LastIndexByte(s, ':')
	if i <= 0 {
		return WorldKey{}, fmt.Errorf("reports: world %q is not variant:seed", s)
	}
	seed, err := strconv.ParseUint(s[i+1:], 10, 64)
	if err != nil {
		return WorldKey{}, fmt.Errorf("reports: world %q: bad seed: %w", s, err)
	}
	return WorldKey{Variant: s[:i], Seed: seed}, nil
}
