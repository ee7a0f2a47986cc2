package reports

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/redosim/redosim/results"
)

// ErrNoWorlds is returned by Render when there is nothing to report.
var ErrNoWorlds = errors.New("reports: no worlds to report")

// variantData is one variant and its worlds, sorted by seed.
type variantData struct {
	Name   string
	Index  int // colour and order
	Worlds []*results.World
}

// dataset is the validated input: the run, its variants in report order and
// the notes (warnings) the report shows at the top.
type dataset struct {
	run      *results.Run
	variants []*variantData
	docs     map[string]results.MetricDoc
	notes    []string
	worlds   []*results.World // all, in report order
}

func (d *dataset) notef(format string, args ...any) {
	d.notes = append(d.notes, fmt.Sprintf(format, args...))
}

// newDataset validates the input and orders it: variants as listed in the
// run, then unlisted variants by name; worlds by seed.
func newDataset(run *results.Run, worlds []*results.World) (*dataset, error) {
	if run == nil {
		return nil, errors.New("reports: nil run")
	}
	if len(worlds) == 0 {
		return nil, fmt.Errorf("%w (scenario %q)", ErrNoWorlds, run.Scenario)
	}
	d := &dataset{run: run, docs: map[string]results.MetricDoc{}}
	for _, w := range run.Warnings {
		d.notef("Warning from the run: %s", w)
	}
	for _, m := range run.Metrics {
		d.docs[m.Name] = m
	}
	byVariant := map[string]*variantData{}
	seen := map[WorldKey]bool{}
	for i, w := range worlds {
		if w == nil {
			return nil, fmt.Errorf("reports: world %d is nil", i)
		}
		key := WorldKey{Variant: w.Variant, Seed: w.Seed}
		if seen[key] {
			return nil, fmt.Errorf("reports: world %s given twice", key)
		}
		seen[key] = true
		if w.Scenario != "" && run.Scenario != "" && w.Scenario != run.Scenario {
			return nil, fmt.Errorf("reports: world %s is scenario %q, the run is %q", key, w.Scenario, run.Scenario)
		}
		v := byVariant[w.Variant]
		if v == nil {
			v = &variantData{Name: w.Variant}
			byVariant[w.Variant] = v
		}
		v.Worlds = append(v.Worlds, w)
	}
	d.orderVariants(byVariant)
	return d, nil
}

func (d *dataset) orderVariants(byVariant map[string]*variantData) {
	listed := map[string]bool{}
	for _, name := range d.run.Variants {
		if listed[name] {
			continue
		}
		listed[name] = true
		v := byVariant[name]
		if v == nil {
			d.notef("Variant %q is listed in the run but has no worlds: its rows are empty.", name)
			v = &variantData{Name: name}
		}
		d.variants = append(d.variants, v)
	}
	var extra []string
	for name := range byVariant {
		if !listed[name] {
			extra = append(extra, name)
		}
	}
	sort.Strings(extra)
	for _, name := range extra {
		d.notef("Variant %q has worlds but is not listed in the run; it is reported after the listed ones.", name)
		d.variants = append(d.variants, byVariant[name])
	}
	for i, v := range d.variants {
		v.Index = i
		slices.SortFunc(v.Worlds, func(a, b *results.World) int {
			switch {
			case a.Seed < b.Seed:
				return -1
			case a.Seed > b.Seed:
				return 1
			}
			return 0
		})
		d.worlds = append(d.worlds, v.Worlds...)
	}
}

// variantNames returns the variants in report order.
func (d *dataset) variantNames() []string {
	out := make([]string, len(d.variants))
	for i, v := range d.variants {
		out[i] = v.Name
	}
	return out
}

// worldName is the world's file name without ".json", e.g. "v1-s3".
func worldName(w *results.World) string {
	return strings.TrimSuffix(w.FileName(), ".json")
}

// unitOf returns the documented unit of metric, else fallback.
func (d *dataset) unitOf(metric, fallback string) string {
	if doc, ok := d.docs[metric]; ok && doc.Unit != "" {
		return doc.Unit
	}
	return fallback
}
