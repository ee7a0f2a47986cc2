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
// the last is written.
func timeseriesCSV(worlds []*results.World, full func(metric string) bool) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(csvHeader); err != nil {
		return nil, fmt.Errorf("reports: timeseries.csv: %w", err)
	}
	row := make([]string, len(csvHeader))
	for _, wd := range worlds {
		row[0], row[1], row[2] = worldName(wd), wd.Variant, strconv.FormatUint(wd.Seed, 10)
		for _, s := range wd.Series {
			row[4], row[5] = s.Metric, labelString(s.Labels)
			if !full(s.Metric) {
				s = s.Thinned(CSVCoarseStep)
			}
			for i, p := range s.Points {
				if i+1 < len(s.Points) && s.Points[i+1].T == p.T {
					continue
				}
				row[3], row[6] = formatCSVFloat(p.T), formatCSVFloat(p.V)
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
