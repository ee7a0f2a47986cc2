// Command kernel measures the simulation kernel's event rate on two models
// (timers and message ping-pong) and runs the same models in SimPy 3, so
// both rates and their ratio come from one run on one machine.
//
// Usage (from bench/): go run ./kernel [-events N]
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/redosim/redosim/sim"
)

func main() {
	events := flag.Int("events", 2_000_000, "events per model")
	python := flag.String("python", "/usr/bin/python3", "interpreter with simpy installed")
	flag.Parse()
	goRates := map[string]float64{
		"timers":   measure(func() int { return sim.RunTimerModel(1000, *events) }),
		"pingpong": measure(func() int { return sim.RunPingPongModel(100, *events) }),
	}
	pyRates, err := simpyRates(*python, *events/2)
	if err != nil {
		fmt.Fprintln(os.Stderr, "simpy:", err)
	}
	fmt.Printf("%-9s %16s %16s %8s\n", "model", "go events/s", "simpy events/s", "ratio")
	for _, m := range []string{"timers", "pingpong"} {
		py := pyRates[m]
		ratio := "n/a"
		if py > 0 {
			ratio = fmt.Sprintf("%.1fx", goRates[m]/py)
		}
		fmt.Printf("%-9s %16.0f %16.0f %8s\n", m, goRates[m], py, ratio)
	}
	if err != nil {
		os.Exit(1)
	}
}

// measure runs a model three times and returns the best rate.
func measure(run func() int) float64 {
	best := 0.0
	for i := 0; i < 3; i++ {
		start := time.Now()
		n := run()
		best = max(best, float64(n)/time.Since(start).Seconds())
	}
	return best
}

func simpyRates(python string, events int) (map[string]float64, error) {
	script := filepath.Join("kernel", "simpy_models.py")
	out, err := exec.Command(python, script, strconv.Itoa(events)).Output()
	if err != nil {
		return nil, fmt.Errorf("run %s %s: %w", python, script, err)
	}
	rates := map[string]float64{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		for _, f := range fields[1:] {
			if v, ok := strings.CutPrefix(f, "rate="); ok {
				r, _ := strconv.ParseFloat(v, 64)
				rates[fields[0]] = r
			}
		}
	}
	return rates, nil
}
