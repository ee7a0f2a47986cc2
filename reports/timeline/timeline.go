// Package timeline turns worlds into a Chrome trace-event file (trace.json)
// that Perfetto (ui.perfetto.dev) and chrome://tracing open.
//
// Layout: every selected world gets its own pid namespace: world i (0-based,
// in the order given) owns pids i*1000+1 ... i*1000+999. Within it, each
// Span/Instant process (a node, "cluster") is a process named
// "<variant> s<seed> · <node>", each track a thread named after the track.
// Spans are complete events (ph "X"), instants and faults instant events
// (ph "i"; a fault with a window also gets an "X" slice on the node's
// "faults" track), and the selected series are counter events (ph "C") in a
// "<variant> s<seed> · metrics" process; a counter holds its value until
// its next event, so of a run of equal values only the first is written
// (and a series' last point). ts and dur are microseconds of
// virtual time. Metadata events (ph "M") name and order processes and
// threads.
//
// Usage:
//
//	tr, err := timeline.Build(worlds, timeline.Config{Counters: timeline.DefaultCounters})
//	err = tr.Write(f)
package timeline

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/redosim/redosim/results"
)

// PidsPerWorld is the size of each world's pid namespace.
const PidsPerWorld = 1000

// Event is one Chrome trace event. Ts and Dur are microseconds. Cat is
// "fault" or "instant" on those events and empty on spans and counters,
// which are most of a trace (their phase, "X" or "C", already says it).
type Event struct {
	Name  string         `json:"name"`
	Cat   string         `json:"cat,omitempty"`
	Ph    string         `json:"ph"`
	Ts    float64        `json:"ts"`
	Dur   *float64       `json:"dur,omitempty"`
	Pid   int            `json:"pid"`
	Tid   int            `json:"tid"`
	Scope string         `json:"s,omitempty"`
	Args  map[string]any `json:"args,omitempty"`
}

// Trace is the JSON object form of a trace-event file.
type Trace struct {
	TraceEvents     []Event        `json:"traceEvents"`
	DisplayTimeUnit string         `json:"displayTimeUnit"`
	OtherData       map[string]any `json:"otherData,omitempty"`
}

// Config selects what goes into the trace.
type Config struct {
	// Counters reports whether a series becomes a counter track. Nil
	// means DefaultCounters.
	Counters func(metric string) bool
	// MaxCounterPoints caps the points of one counter track (evenly
	// thinned, keeping the first and last); 0 means 5000.
	MaxCounterPoints int
}

// DefaultCounters selects series whose metric names lags, memory, usage or
// scan interval.
func DefaultCounters(metric string) bool {
	m := strings.ToLower(metric)
	for _, key := range []string{"lag", "mem", "usage", "scan_interval", "quota"} {
		if strings.Contains(m, key) {
			return true
		}
	}
	return false
}

// Build returns the trace of worlds, in the order given.
func Build(worlds []*results.World, cfg Config) (*Trace, error) {
	if cfg.Counters == nil {
		cfg.Counters = DefaultCounters
	}
	if cfg.MaxCounterPoints <= 0 {
		cfg.MaxCounterPoints = 5000
	}
	tr := &Trace{DisplayTimeUnit: "ms", TraceEvents: []Event{}, OtherData: map[string]any{
		"time_unit": "ts and dur are microseconds of virtual time",
		"layout":    fmt.Sprintf("world i owns pids i*%d+1 .. i*%d+%d", PidsPerWorld, PidsPerWorld, PidsPerWorld-1),
	}}
	var worldNames []string
	for i, w := range worlds {
		if w == nil {
			return nil, fmt.Errorf("reports/timeline: world %d is nil", i)
		}
		b := newWorldBuilder(i, w)
		if err := b.build(cfg); err != nil {
			return nil, err
		}
		tr.TraceEvents = append(tr.TraceEvents, b.events...)
		worldNames = append(worldNames, b.prefix)
	}
	tr.OtherData["worlds"] = worldNames
	return tr, nil
}

// Write encodes the trace as indented-free JSON, one event per line.
func (t *Trace) Write(w io.Writer) error {
	if _, err := fmt.Fprintf(w, "{\"displayTimeUnit\":%q,\"otherData\":", t.DisplayTimeUnit); err != nil {
		return fmt.Errorf("reports/timeline: %w", err)
	}
	other, err := json.Marshal(t.OtherData)
	if err != nil {
		return fmt.Errorf("reports/timeline: %w", err)
	}
	if _, err := fmt.Fprintf(w, "%s,\n\"traceEvents\":[\n", other); err != nil {
		return fmt.Errorf("reports/timeline: %w", err)
	}
	for i, e := range t.TraceEvents {
		data, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("reports/timeline: event %d (%s): %w", i, e.Name, err)
		}
		sep := ",\n"
		if i == len(t.TraceEvents)-1 {
			sep = "\n"
		}
		if _, err := fmt.Fprintf(w, "%s%s", data, sep); err != nil {
			return fmt.Errorf("reports/timeline: %w", err)
		}
	}
	if _, err := io.WriteString(w, "]}\n"); err != nil {
		return fmt.Errorf("reports/timeline: %w", err)
	}
	return nil
}

// micros converts seconds of virtual time to microseconds, rounded to the
// nanosecond so the JSON stays short.
func micros(seconds float64) float64 {
	return math.Round(seconds*1e9) / 1e3
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
