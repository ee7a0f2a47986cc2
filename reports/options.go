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
	// trace.json; empty means the series metrics the run documents (the
	// ones the report draws), or, with FullTrace, every series whose name
	// mentions lag, memory, usage, quota or scan interval
	// (timeline.DefaultCounters).
	TraceCounters []string
	// FullTrace puts every world into trace.json with every counter
	// DefaultCounters selects (per-dispatcher ones too): tens of MB per
	// world.
	FullTrace bool
	// FullCSV writes every point of every series into timeseries.csv.
	// By default the series the report draws keep every sample and the
	// others one per CSVCoarseStep seconds, and of those a row whose value
	// equals the rows before and after it in its series is left out (the
	// held-value rule): a run of equal values keeps its first and last
	// row, so a forward fill (or linear interpolation) on the sample times
	// restores every value, and a line drawn through the rows is the same.
	FullCSV bool
	// Progress, when set, is told each step of the render as it starts.
	Progress func(step string)
	// MaxSeriesPlots caps the time-series figures (one per metric and
	// label set); default 24. Series beyond it are listed as not drawn
	// and stay in timeseries.csv.
	MaxSeriesPlots int
}

// CSVCoarseStep is the resolution, in seconds of virtual time, of the
// series timeseries.csv holds for metrics the run does not document (and
// the report does not draw): the first sample at or after each multiple of
// it, and the last sample.
const CSVCoarseStep = 10.0

func (o Options) progress(step string) {
	if o.Progress != nil {
		o.Progress(step)
	}
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
