package reports_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/redosim/redosim/reports"
	"github.com/redosim/redosim/reports/reportstest"
)

// ExampleRender renders the synthetic fixture (3 variants × 5 seeds).
func ExampleRender() {
	run, worlds := reportstest.Fixture(reportstest.Config{})
	dir, err := os.MkdirTemp("", "report")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	if err := reports.Render(dir, run, worlds, reports.Options{}); err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range []string{"index.html", "report.md", "summary.json", "timeseries.csv", "trace.json"} {
		_, err := os.Stat(filepath.Join(dir, f))
		fmt.Println(f, err == nil)
	}
	// Output:
	// index.html true
	// report.md true
	// summary.json true
	// timeseries.csv true
	// trace.json true
}
