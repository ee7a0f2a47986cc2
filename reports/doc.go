// Package reports turns the results of simulated worlds into the report a
// user shows in a design review: index.html and report.md (the same
// content), summary.json (every statistic and comparison), timeseries.csv
// (long format, for notebooks), plots/ (PNG and SVG) and trace.json (a
// Chrome trace-event timeline for Perfetto).
//
// It reads only package results, never the model, the engine or the
// scenarios. Statistics come from reports/stats (type-7 percentiles, sample
// standard deviation, order-statistic and seeded bootstrap intervals,
// Mann-Whitney comparisons with verdicts), figures from reports/plots, the timeline from
// reports/timeline. The same input always gives byte-identical output.
//
// Layout of the output directory:
//
//	index.html      self-contained page (inline CSS, figures as data: URIs)
//	report.md       the same report in Markdown
//	summary.json    statistics per metric and variant, pairwise comparisons
//	timeseries.csv  world,variant,seed,time,metric,labels,value: one row per
//	                (world, series, time); drawn series at every sample, the
//	                others every CSVCoarseStep seconds (Options.FullCSV: all)
//	trace.json      Chrome trace events: a pid namespace per world
//	plots/          headline.png, ts-*.png, cdf-*.png, box-*.png, sweep-*.png (+ .svg)
//
// The report opens with a Verdict: invariant violations and stalled worlds
// first (a stall is read from the checkpoint_lag_seconds series, see
// stallRule), then one sentence per headline metric naming the best variant,
// by how much and with what confidence. Choices the report documents in its
// Method section: percentiles are type-7; SD is the sample SD; the median's
// interval is the distribution-free order-statistic interval (at least 6
// seeds), the mean's a 95 % percentile bootstrap (2000 resamples, PCG seeded
// from the metric and variant names; also at least 6 seeds); comparisons
// are two-sided Mann-Whitney U tests on the per-seed values at α = 0.05, as
// benchstat, with the relative difference of medians as the effect, "~" when
// not significant and "not enough seeds" below 4 seeds per variant (where
// no outcome can reach p < 0.05); a censored scalar (the world ended before
// the event) is never a value: it is counted, left out of medians and ranked
// above every observed value; a sample metric is compared by each world's
// p50 and p99; a time series is drawn as the median across seeds with a
// min–max band. trace.json holds the first seed of each variant unless
// Options.TraceWorlds or Options.TraceAll say otherwise, each world in its own pid namespace.
// Render clears plots/ (it holds only what this render draws), overwrites
// the files it writes and leaves other files in outDir alone.
//
// Usage:
//
//	run, worlds, err := results.Load("results/shard-0", "results/shard-1")
//	err = reports.Render("report/", run, worlds, reports.Options{})
//	// or, in one call, as `simrun report DIR...` does:
//	err = reports.RenderDirs("report/", reports.Options{}, "results/shard-0", "results/shard-1")
package reports
