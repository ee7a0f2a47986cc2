package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/redosim/redosim/reports"
	"github.com/redosim/redosim/results"
)

// runReport renders a report from results on disk, merging several
// directories (the shards of one campaign).
func runReport(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simrun report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "a new directory for the merged results and their report (required; never one of the inputs)")
	var output outputFlags
	output.register(fs)
	quiet := fs.Bool("quiet", false, "no progress lines")
	allowMixed := fs.Bool("allow-mixed", false, "pool runs whose duration, faults or parameters differ (the report lists every difference)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: simrun report -out DIR RESULTS_DIR...")
		fmt.Fprintln(stderr, "Merges results written by simrun -out (the shards of one campaign) into DIR: run.json,")
		fmt.Fprintln(stderr, "worlds/, and their report (index.html, report.md, summary.json, timeseries.csv, plots, trace.json).")
		fmt.Fprintln(stderr, "The inputs are only read. Runs whose scenario, duration, faults or parameters differ are refused.")
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
	if *out == "" {
		return usagef("report: -out DIR is required: the merged results and report go to a new directory, never into an input")
	}
	if err := checkReportOut(*out, dirs); err != nil {
		return err
	}
	load := results.Load
	if *allowMixed {
		load = results.LoadMixed
	}
	run, worlds, err := load(dirs...)
	if err != nil {
		if errors.Is(err, results.ErrMixed) {
			return usagef("report: %v (simrun report -allow-mixed pools them anyway)", err)
		}
		if errors.Is(err, results.ErrNoResults) {
			return usagef("report: %v", err)
		}
		return fmt.Errorf("report: %w", err)
	}
	if err := results.WriteRun(*out, run); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	for _, w := range worlds {
		if err := results.WriteWorld(*out, w); err != nil {
			return fmt.Errorf("report: %w", err)
		}
	}
	opts := reports.Options{FullCSV: output.fullCSV, FullTrace: output.fullTrace, Progress: progressTo(stderr, *quiet)}
	if err := reports.Render(*out, run, worlds, opts); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	fmt.Fprintf(stdout, "%d worlds from %d directories merged into %s (open %s)\n", len(worlds), len(dirs), *out, filepath.Join(*out, "index.html"))
	return nil
}

// checkReportOut refuses an output directory that is an input, lies inside
// one, or already holds results: simrun report only ever writes somewhere
// new.
func checkReportOut(out string, dirs []string) error {
	absOut, err := resolvedPath(out)
	if err != nil {
		return usagef("report: -out %s: %v", out, err)
	}
	for _, d := range dirs {
		absIn, err := resolvedPath(d)
		if err != nil {
			return usagef("report: %s: %v", d, err)
		}
		if rel, err := filepath.Rel(absIn, absOut); err == nil && (rel == "." || !strings.HasPrefix(rel, "..")) {
			return usagef("report: -out %s is inside the input %s: the report never writes into its inputs; choose a new directory", out, d)
		}
		// An input may sit inside -out, but not where the report writes.
		for _, sub := range []string{"plots", "worlds"} {
			if rel, err := filepath.Rel(filepath.Join(absOut, sub), absIn); err == nil && (rel == "." || !strings.HasPrefix(rel, "..")) {
				return usagef("report: the input %s lies in %s, which the report writes; choose another -out", d, filepath.Join(out, sub))
			}
		}
	}
	if _, err := os.Stat(filepath.Join(out, "run.json")); err == nil {
		return usagef("report: -out %s already holds results (run.json): choose a new directory, or remove it first", out)
	}
	return nil
}

// resolvedPath is the absolute path with symbolic links resolved as far as
// the path exists.
func resolvedPath(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	dir, rest := abs, ""
	for {
		if r, err := filepath.EvalSymlinks(dir); err == nil {
			return filepath.Join(r, rest), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return abs, nil
		}
		rest = filepath.Join(filepath.Base(dir), rest)
		dir = parent
	}
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

// renderReport renders the report of the results in dir into dir (a
// run's own -out directory).
func renderReport(dir string, output outputFlags, progress func(string)) error {
	opts := reports.Options{FullCSV: output.fullCSV, FullTrace: output.fullTrace, Progress: progress}
	if err := reports.RenderDirs(dir, opts, dir); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
