package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/redosim/redosim/reports"
	"github.com/redosim/redosim/reports/results"
)

// runReport renders a report from results on disk, merging several
// directories (the shards of one campaign).
func runReport(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simrun report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "where to write the report (default: the first directory)")
	var output outputFlags
	output.register(fs)
	quiet := fs.Bool("quiet", false, "no progress lines")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: simrun report [-out DIR] RESULTS_DIR...")
		fmt.Fprintln(stderr, "Renders index.html, report.md, summary.json, timeseries.csv, plots and trace.json")
		fmt.Fprintln(stderr, "from results written by simrun -out; several directories are merged.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return errHelp
		}
		return usagef("report: %v", err)
	}
	dirs := fs.Args()
	if len(dirs) == 0 {
		return usagef("report: give at least one results directory (written by simrun -out DIR)")
	}
	dst := *out
	if dst == "" {
		dst = dirs[0]
	}
	if err := renderReport(dst, dirs, output, progressTo(stderr, *quiet)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "report written to %s/index.html\n", dst)
	return nil
}

// progressTo returns a function that prints each step of a report render
// with the time since the render began, or nil when quiet.
func progressTo(w io.Writer, quiet bool) func(string) {
	if quiet {
		return nil
	}
	start := time.Now()
	return func(step string) {
		fmt.Fprintf(w, "report: %s (%.1fs)\n", step, time.Since(start).Seconds())
	}
}

func renderReport(outDir string, dirs []string, output outputFlags, progress func(string)) error {
	opts := reports.Options{FullCSV: output.fullCSV, FullTrace: output.fullTrace, Progress: progress}
	if progress != nil {
		progress(fmt.Sprintf("reading %d results directories", len(dirs)))
	}
	if err := reports.RenderDirs(outDir, opts, dirs...); err != nil {
		if errors.Is(err, results.ErrNoResults) {
			return usagef("report: %v", err)
		}
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
