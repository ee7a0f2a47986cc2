package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/redosim/redosim/reports"
	"github.com/redosim/redosim/results"
)

// runReport renders a report from results on disk, merging several
// directories (the shards of one campaign).
func runReport(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("simrun report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "", "where to write the report (default: the first directory)")
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
	if err := renderReport(dst, dirs); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "report written to %s/index.html\n", dst)
	return nil
}

func renderReport(outDir string, dirs []string) error {
	if err := reports.RenderDirs(outDir, dirs...); err != nil {
		if errors.Is(err, results.ErrNoResults) {
			return usagef("report: %v", err)
		}
		return fmt.Errorf("report: %w", err)
	}
	return nil
}
