package timeline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/redosim/redosim/reports/reportstest"
	"github.com/redosim/redosim/results"
)

type parsed struct {
	DisplayTimeUnit string           `json:"displayTimeUnit"`
	TraceEvents     []map[string]any `json:"traceEvents"`
}

func buildFixtureTrace(t *testing.T) (parsed, []*results.World) {
	t.Helper()
	_, worlds := reportstest.Fixture(reportstest.Config{Seeds: []uint64{1}})
	tr, err := Build(worlds, Config{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := tr.Write(&buf); err != nil {
		t.Fatal(err)
	}
	var p parsed
	if err := json.Unmarshal(buf.Bytes(), &p); err != nil {
		t.Fatalf("trace.json does not parse: %v", err)
	}
	return p, worlds
}

// TestTraceValid parses the trace back and checks every event's fields,
// the pid namespaces and the metadata naming every process and thread.
func TestTraceValid(t *testing.T) {
	p, worlds := buildFixtureTrace(t)
	if p.DisplayTimeUnit != "ms" || len(p.TraceEvents) == 0 {
		t.Fatalf("displayTimeUnit %q, %d events", p.DisplayTimeUnit, len(p.TraceEvents))
	}
	procNames := map[int]string{}
	threadNames := map[[2]int]string{}
	phs := map[string]int{}
	for _, e := range p.TraceEvents {
		ph, _ := e["ph"].(string)
		phs[ph]++
		pid, tid := num(t, e, "pid"), num(t, e, "tid")
		if pid < 1 || int(pid)%PidsPerWorld == 0 || int(pid)/PidsPerWorld >= len(worlds) {
			t.Fatalf("pid %v outside every world's namespace: %v", pid, e)
		}
		name, _ := e["name"].(string)
		args, _ := e["args"].(map[string]any)
		switch ph {
		case "M":
			if name == "process_name" {
				procNames[int(pid)] = args["name"].(string)
			}
			if name == "thread_name" {
				threadNames[[2]int{int(pid), int(tid)}] = args["name"].(string)
			}
		case "X":
			if num(t, e, "ts") < 0 || num(t, e, "dur") < 0 {
				t.Fatalf("negative ts or dur: %v", e)
			}
		case "i":
			if s, _ := e["s"].(string); s != "t" && s != "p" {
				t.Fatalf("instant scope %q: %v", s, e)
			}
		case "C":
			if _, ok := args["value"].(float64); !ok {
				t.Fatalf("counter without numeric value: %v", e)
			}
		default:
			t.Fatalf("unexpected ph %q: %v", ph, e)
		}
	}
	for _, e := range p.TraceEvents {
		pid, tid := int(num(t, e, "pid")), int(num(t, e, "tid"))
		if procNames[pid] == "" {
			t.Fatalf("pid %d has no process_name", pid)
		}
		if ph := e["ph"]; (ph == "X" || ph == "i") && threadNames[[2]int{pid, tid}] == "" {
			t.Fatalf("pid %d tid %d has no thread_name", pid, tid)
		}
	}
	for _, ph := range []string{"M", "X", "i", "C"} {
		if phs[ph] == 0 {
			t.Errorf("no %q events", ph)
		}
	}
	if got := procNames[1]; got != "none s1 · cdc-1" {
		t.Errorf("first process is %q", got)
	}
	if got := procNames[PidsPerWorld+1]; !strings.HasPrefix(got, "v1 s1 · ") {
		t.Errorf("second world's first process is %q", got)
	}
}

// TestTraceMicroseconds checks that ts and dur are microseconds of virtual
// time: the fixture's flush spans start every 5 s and last 50–70 ms.
func TestTraceMicroseconds(t *testing.T) {
	p, worlds := buildFixtureTrace(t)
	var flushes []map[string]any
	for _, e := range p.TraceEvents {
		if e["name"] == "flush" && e["pid"].(float64) < PidsPerWorld {
			flushes = append(flushes, e)
		}
	}
	if len(flushes) != 120 {
		t.Fatalf("%d flush spans in world 0, want 120", len(flushes))
	}
	if ts := num(t, flushes[1], "ts"); ts != 5e6 {
		t.Errorf("second flush at ts %v, want 5e6 µs", ts)
	}
	span := worlds[0].Spans[0]
	if d := num(t, flushes[0], "dur"); math.Abs(d-(span.End-span.Start)*1e6) > 1e-3 || d < 5e4 || d > 7e4 {
		t.Errorf("first flush dur %v µs, span lasted %v s", d, span.End-span.Start)
	}
	found := false
	for _, e := range p.TraceEvents {
		if e["name"] == "fault: disk-stall" && e["ph"] == "X" && e["pid"].(float64) < PidsPerWorld {
			found = true
			if num(t, e, "ts") != reportstest.StallFrom*1e6 || num(t, e, "dur") != (reportstest.StallTo-reportstest.StallFrom)*1e6 {
				t.Errorf("stall slice %v", e)
			}
		}
	}
	if !found {
		t.Errorf("no disk-stall fault slice in world 0")
	}
}

func TestTraceCountersAndErrors(t *testing.T) {
	w := &results.World{Variant: "a", Seed: 1, Series: []results.Series{
		{Metric: "redo_lag", Unit: "s", Points: []results.Point{{T: 0, V: 1}, {T: 1, V: math.NaN()}, {T: 2, V: 3}}},
		{Metric: "throughput", Points: []results.Point{{T: 0, V: 1}}},
	}}
	tr, err := Build([]*results.World{w}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	counters := 0
	for _, e := range tr.TraceEvents {
		if e.Ph == "C" {
			counters++
			if e.Name != "redo_lag (s)" {
				t.Errorf("counter %q selected", e.Name)
			}
		}
	}
	if counters != 2 {
		t.Errorf("%d counter events, want 2 (NaN skipped, throughput not selected)", counters)
	}
	bad := &results.World{Variant: "a", Seed: 1, Spans: []results.Span{{Process: "n", Track: "t", Name: "s", Start: 2, End: 1}}}
	if _, err := Build([]*results.World{bad}, Config{}); err == nil || !strings.HasPrefix(err.Error(), "reports/timeline: ") {
		t.Errorf("span ending before it starts: err = %v", err)
	}
	// Held values: of a run of equal values the first point, and the last
	// finite point of the series.
	var ts []string
	var pts []results.Point
	for i, v := range []float64{1, 1, 1, 2, math.NaN(), 2, 3, 3, 3, math.Inf(1)} {
		pts = append(pts, results.Point{T: float64(i), V: v})
	}
	for _, p := range held(pts) {
		ts = append(ts, fmt.Sprint(p.T))
	}
	if strings.Join(ts, " ") != "0 3 6 8" {
		t.Errorf("held kept times %v, want 0 3 6 8", ts)
	}
	if got := thin(make([]results.Point, 10), 4); len(got) != 4 {
		t.Errorf("thin kept %d points", len(got))
	}
}

func num(t *testing.T, e map[string]any, key string) float64 {
	t.Helper()
	v, ok := e[key].(float64)
	if !ok {
		t.Fatalf("event %v: %s is not a number", e, key)
	}
	return v
}
