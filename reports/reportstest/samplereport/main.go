// Command samplereport renders the report of the synthetic fixture
// (reportstest.Fixture, or the sweep fixture with -sweep) into a directory,
// for the browser check and for looking at the report by hand.
//
// Usage:
//
//	go run ./reports/reportstest/samplereport -out /tmp/report [-sweep]
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/redosim/redosim/reports"
	"github.com/redosim/redosim/reports/reportstest"
)

func main() {
	out := flag.String("out", "", "output directory (required)")
	sweep := flag.Bool("sweep", false, "render the sweep fixture instead of the 3×5 fixture")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "samplereport: -out is required")
		os.Exit(2)
	}
	run, worlds := reportstest.Fixture(reportstest.Config{})
	if *sweep {
		run, worlds = reportstest.SweepFixture()
	}
	start := time.Now()
	if err := reports.Render(*out, run, worlds, reports.Options{}); err != nil {
		fmt.Fprintln(os.Stderr, "samplereport:", err)
		os.Exit(1)
	}
	fmt.Printf("samplereport: %d worlds rendered into %s in %v\n", len(worlds), *out, time.Since(start).Round(time.Millisecond))
}
