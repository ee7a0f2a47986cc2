package scanwindow

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/redosim/redosim/sim"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// goldenProfile is the usage reported once a second from t = 1 s: a linear
// rise from 5 % to 95 % over 30 s, 60 s at 95 %, a linear fall to 5 % over
// 30 s, then 300 s at 5 %.
func goldenProfile() []float64 {
	var u []float64
	for i := 1; i <= 30; i++ {
		u = append(u, 0.05+0.90*float64(i)/30)
	}
	for range 60 {
		u = append(u, 0.95)
	}
	for i := 1; i <= 30; i++ {
		u = append(u, 0.95-0.90*float64(i)/30)
	}
	for range 300 {
		u = append(u, 0.05)
	}
	return u
}

// renderGolden runs the profile through alg with defaults (syncpoint off)
// and prints one line per report.
func renderGolden(t *testing.T, alg Algorithm) []byte {
	t.Helper()
	c := mustNew(t, Config{Algorithm: alg})
	var b bytes.Buffer
	fmt.Fprintf(&b, "# algorithm %s, defaults, syncpoint off; one report per second.\n", alg)
	fmt.Fprintf(&b, "# profile: rise 5%%->95%% over 30 s, hold 95%% 60 s, fall to 5%% over 30 s, hold 5%% 300 s.\n")
	fmt.Fprintf(&b, "# regenerate: go test ./model/scanwindow -run TestGolden -update\n")
	for i, u := range goldenProfile() {
		now := sim.Instant(i+1) * sim.Instant(sim.Second)
		c.Observe(now, Report{UsageRatio: u})
		st := c.Stats()
		fmt.Fprintf(&b, "t=%3ds usage=%.3f interval=%-12s reason=%s\n", i+1, u, c.Interval(), st.LastReason)
	}
	st := c.Stats()
	fmt.Fprintf(&b, "# adjustments: up %d, down %d, critical %d\n", st.AdjustUp, st.AdjustDown, st.Critical)
	return b.Bytes()
}

// TestGolden compares each algorithm's interval series on the fixed profile
// with testdata/<alg>.golden. Read the diff before accepting -update.
//
// Reference: TiCDC PR #4030 and PR #4950 (pkg/eventservice/scan_window.go).
func TestGolden(t *testing.T) {
	for _, alg := range []Algorithm{AlgorithmNone, Algorithm4030, Algorithm4950} {
		t.Run(string(alg), func(t *testing.T) {
			got := renderGolden(t, alg)
			path := filepath.Join("testdata", string(alg)+".golden")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from the golden file; rerun with -update and read the diff", path)
			}
		})
	}
}
