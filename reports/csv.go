package reports

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"

	"github.com/redosim/redosim/results"
)

// csvHeader is the header of timeseries.csv.
var csvHeader = []string{"world", "variant", "seed", "time", "metric", "labels", "value"}

// timeseriesCSV writes the series points of every world in long format,
// one row per (world, series, time): time in seconds of virtual time,
// labels as k=v;k=v, values in shortest exact form (NaN and ±Inf as NaN,
// +Inf, -Inf). A series of a metric full says true for keeps every point;
// any other is thinned to CSVCoarseStep. Of several points at one time only
// the last is written. Unless every is set, a point whose value is the same
// as both its neighbours' in the series is left out (the held-value rule,
// see Options.FullCSV): of a run of equal values only the first and last
// rows remain, and a forward fill restores the rest.
func timeseriesCSV(worlds []*results.World, full func(metric string) bool, every bool) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(csvHeader); err != nil {
		return nil, fmt.Errorf("reports: timeseries.csv: %w", err)
	}
	row := make([]string, len(csvHeader))
	var times, values []string
	for _, wd := range worlds {
		row[0], row[1], row[2] = worldName(wd), wd.Variant, strconv.FormatUint(wd.Seed, 10)
		for _, s := range wd.Series {
			row[4], row[5] = s.Metric, labelString(s.Labels)
			if !full(s.Metric) {
				s = s.Thinned(CSVCoarseStep)
			}
			times, values = times[:0], values[:0]
			for i, p := range s.Points {
				if i+1 < len(s.Points) && s.Points[i+1].T == p.T {
					continue
				}
				times, values = append(times, formatCSVFloat(p.T)), append(values, formatCSVFloat(p.V))
			}
			for i := range times {
				if !every && i > 0 && i+1 < len(times) && values[i] == values[i-1] && values[i] == values[i+1] {
					continue
				}
				row[3], row[6] = times[i], values[i]
				if err := w.Write(row); err != nil {
					return nil, fmt.Errorf("reports: timeseries.csv: %w", err)
				}
			}
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return nil, fmt.Errorf("reports: timeseries.csv: %w", err)
	}
	return buf.Bytes(), nil
}

func formatCSVFloat(v float64) string {
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// labelString formats labels as k=v;k=v in their recorded order.
func labelString(labels []results.Label) string {
	parts := make([]string, len(labels))
	for i, l := range labels {
		parts[i] = l.Key + "=" + l.Value
	}
	return strings.Join(parts, ";")
}
