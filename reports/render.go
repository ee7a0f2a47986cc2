package reports

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/redosim/redosim/reports/timeline"
	"github.com/redosim/redosim/results"
)

// Render writes the report of run and worlds into outDir (created if
// needed): index.html, report.md, summary.json, timeseries.csv, trace.json
// and plots/*.png|svg. The worlds may come in any order. It returns an
// error for a nil run, no worlds, a nil or duplicated world, or a world of
// another scenario; gaps (a variant without worlds, a metric some worlds
// lack, NaN values) are reported in the notes and marked empty sections.
func Render(outDir string, run *results.Run, worlds []*results.World, opts Options) error {
	d, err := newDataset(run, worlds)
	if err != nil {
		return err
	}
	// plots/ holds only what Render draws: clear it, so a plot an earlier
	// render drew and this one does not is not left behind.
	if err := os.RemoveAll(filepath.Join(outDir, "plots")); err != nil {
		return fmt.Errorf("reports: clear plots: %w", err)
	}
	if err := os.MkdirAll(filepath.Join(outDir, "plots"), 0o755); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	opts.progress(fmt.Sprintf("statistics of %d worlds", len(d.worlds)))
	a, err := analyse(d, opts.Bootstrap)
	if err != nil {
		return err
	}
	traceWorlds, traceDesc, err := selectTraceWorlds(d, opts)
	if err != nil {
		return err
	}
	opts.progress(fmt.Sprintf("trace.json of %d worlds", len(traceWorlds)))
	if err := writeTrace(outDir, d, traceWorlds, opts); err != nil {
		return err
	}
	opts.progress("figures")
	figs, err := buildFigures(outDir, d, a, opts)
	if err != nil {
		return err
	}
	m := newMethods(opts.Bootstrap, traceDesc)
	return writeDocuments(outDir, d, a, figs, m, opts)
}

// RenderDirs loads and merges results directories (the shards of one
// campaign, see results.Load) and renders their report into outDir.
func RenderDirs(outDir string, opts Options, dirs ...string) error {
	run, worlds, err := results.Load(dirs...)
	if err != nil {
		return err
	}
	return Render(outDir, run, worlds, opts)
}

func writeDocuments(outDir string, d *dataset, a *analysis, figs []figureRef, m methods, opts Options) error {
	doc := buildDocument(d, a, figs, m, opts)
	summary, err := encodeSummary(buildSummaryJSON(d, a, m, doc.Verdict))
	if err != nil {
		return err
	}
	opts.progress("writing timeseries.csv, summary.json, report.md and index.html")
	full := func(metric string) bool { _, ok := d.docs[metric]; return ok || opts.FullCSV || len(d.docs) == 0 }
	csv, err := timeseriesCSV(d.worlds, full, opts.FullCSV)
	if err != nil {
		return err
	}
	md, err := renderMarkdown(doc)
	if err != nil {
		return err
	}
	html, err := renderHTML(doc)
	if err != nil {
		return err
	}
	files := []struct {
		name string
		data []byte
	}{{"summary.json", summary}, {"timeseries.csv", csv}, {"report.md", md}, {"index.html", html}}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(outDir, f.name), f.data, 0o644); err != nil {
			return fmt.Errorf("reports: %w", err)
		}
	}
	return nil
}

// selectTraceWorlds returns the worlds trace.json holds and a sentence
// saying which and why.
func selectTraceWorlds(d *dataset, opts Options) ([]*results.World, string, error) {
	var out []*results.World
	how := "the first seed of each variant (the default)"
	switch {
	case opts.TraceAll || opts.FullTrace:
		out, how = d.worlds, "every world"
	case len(opts.TraceWorlds) > 0:
		how = "the worlds chosen in the options"
		for _, k := range opts.TraceWorlds {
			i := slices.IndexFunc(d.worlds, func(w *results.World) bool { return w.Variant == k.Variant && w.Seed == k.Seed })
			if i < 0 {
				return nil, "", fmt.Errorf("reports: trace world %s is not in the results", k)
			}
			out = append(out, d.worlds[i])
		}
	default:
		for _, v := range d.variants {
			if len(v.Worlds) > 0 {
				out = append(out, v.Worlds[0])
			}
		}
	}
	counters := "the series the report draws as"
	switch {
	case len(opts.TraceCounters) > 0:
		counters = "the series " + strings.Join(opts.TraceCounters, ", ") + " as"
	case opts.FullTrace || len(d.docs) == 0:
		counters = "every lag, memory, usage, quota and scan-interval series as"
	}
	names := make([]string, len(out))
	for i, w := range out {
		names[i] = worldName(w)
	}
	desc := fmt.Sprintf("trace.json (Chrome trace-event format; open it in Perfetto or chrome://tracing) holds %s: %s. "+
		"World i has its own pid namespace (pids i×%d+1 …), a process per node named \"<variant> s<seed> · <node>\", a thread per track; "+
		"spans are slices, instants and faults instant events, %s counter tracks; ts and dur are µs of virtual time",
		how, strings.Join(names, ", "), timeline.PidsPerWorld, counters)
	return out, desc, nil
}

func writeTrace(outDir string, d *dataset, worlds []*results.World, opts Options) error {
	cfg := timeline.Config{}
	switch {
	case len(opts.TraceCounters) > 0:
		cfg.Counters = func(metric string) bool { return slices.Contains(opts.TraceCounters, metric) }
	case !opts.FullTrace && len(d.docs) > 0:
		cfg.Counters = func(metric string) bool { _, ok := d.docs[metric]; return ok }
	}
	tr, err := timeline.Build(worlds, cfg)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := tr.Write(&buf); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(outDir, "trace.json"), buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("reports: %w", err)
	}
	return nil
}
