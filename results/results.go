// Package results is the on-disk form of what simulated worlds produced:
// the contract between the runner (scenarios, cmd/simrun) that writes it and
// the reports that read it. It depends on nothing but the standard library
// and sits on a floor of its own below both: scenarios write it without
// importing reports, and reports read it without importing the model, the
// engine or the simulation kernel.
//
// A results directory holds run.json (the campaign: scenario, parameters,
// variants, command) and one worlds/<variant>-s<seed>.json per world. Shards
// of one campaign write disjoint world files, so merging directories is a
// union. Times are seconds of virtual time since the world started.
//
// Usage:
//
//	run := &results.Run{Scenario: "syncpoint", Variants: []string{"none", "v2-4950"}}
//	results.WriteRun(dir, run)
//	results.WriteWorld(dir, &results.World{Scenario: "syncpoint", Variant: "none", Seed: 1})
//	run, worlds, err := results.Load(dir1, dir2)
package results

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Version is the schema version written into every file. Bump it when a
// field changes meaning. Version 2 stores a series' points as two arrays,
// "t" and "v", and writes world files without indentation. Version 3
// stores a world's spans as columns (see spansJSON), a third of the size
// of one object per span, and regular series times as runs (seriesJSON);
// it reads version 2 files too (MinVersion).
const Version = 3

// MinVersion is the oldest schema version Load still reads: version 2
// differs from 3 only in how spans and series times are written, and both
// forms decode to the same World.
const MinVersion = 2

// Run describes a campaign: one scenario, its parameters, the variants it
// compares and the seeds it ran.
type Run struct {
	Version     int      `json:"version"`
	Scenario    string   `json:"scenario"`
	Description string   `json:"description"`
	Params      []Param  `json:"params"`
	Variants    []string `json:"variants"`
	Seeds       []uint64 `json:"seeds"`
	// Sweep names the parameter a sweep varies (worlds carry its value in
	// their Params); empty when the run is not a sweep.
	Sweep string `json:"sweep,omitempty"`
	// DurationSeconds is the virtual time every world ran (0: the
	// scenario's own, or not recorded).
	DurationSeconds float64 `json:"duration_seconds,omitempty"`
	// Faults is the fault plan injected into every world ("" for none).
	Faults string `json:"faults,omitempty"`
	// Warnings are what the runner warned about (a setting overriding a
	// variant's own, a configuration key noted but not modelled) and, after
	// a merge with LoadMixed, the differences pooled; reports list them.
	Warnings []string `json:"warnings,omitempty"`
	// Command is the exact command that reproduces the run.
	Command string `json:"command"`
	// Metrics documents the metrics worlds record: name, unit, meaning.
	Metrics []MetricDoc `json:"metrics"`
}

// Param is one scenario parameter with its value and meaning.
type Param struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	Doc   string `json:"doc,omitempty"`
}

// MetricDoc documents one metric.
type MetricDoc struct {
	Name string `json:"name"`
	Unit string `json:"unit"`
	Doc  string `json:"doc"`
	// Headline marks the metrics a summary table shows first.
	Headline bool `json:"headline,omitempty"`
	// LowerIsBetter and HigherIsBetter say which direction a verdict
	// favours; with neither, comparisons say "higher"/"lower", never
	// "better"/"worse".
	LowerIsBetter  bool `json:"lower_is_better,omitempty"`
	HigherIsBetter bool `json:"higher_is_better,omitempty"`
	// Refs are reference values drawn as lines on the metric's plots (a
	// quota, a hard limit), in the metric's unit.
	Refs []Ref `json:"refs,omitempty"`
}

// Ref is one reference value of a metric.
type Ref struct {
	Value float64 `json:"value"`
	Label string  `json:"label"`
}

// World is what one world (scenario, variant, seed) produced.
type World struct {
	Version     int     `json:"version"`
	Scenario    string  `json:"scenario"`
	Variant     string  `json:"variant"`
	Seed        uint64  `json:"seed"`
	Params      []Param `json:"params"`
	TraceHash   string  `json:"trace_hash"`
	SimSeconds  float64 `json:"sim_seconds"`
	WallSeconds float64 `json:"wall_seconds"`
	Events      uint64  `json:"events"`
	// Invariants lists every checker the world ran and whether it held.
	Invariants []Invariant `json:"invariants"`
	// Faults lists the faults injected (windows, or instants when Until == At).
	Faults []Fault `json:"faults"`
	// Scalars are per-world numbers (throughput, p99 lag, RPO, ...).
	Scalars []Scalar `json:"scalars"`
	// Samples are distributions (barrier durations, fence waits, commit
	// latencies), one value per observation.
	Samples []Sample `json:"samples"`
	// Series are time series sampled on virtual time.
	Series []Series `json:"series"`
	// Spans and Instants form the timeline (Perfetto trace). On disk the
	// spans are columns (spansJSON).
	Spans    []Span    `json:"spans"`
	Instants []Instant `json:"instants"`
	// Command replays exactly this world.
	Command string `json:"command"`
	// Probes counts the rare situations the world reached (coverage
	// probes, sim.World.Probe), sorted by name; a probe not reached is
	// absent.
	Probes []Probe `json:"probes,omitempty"`
}

// Probe is one coverage probe's count in one world.
type Probe struct {
	Name  string `json:"name"`
	Count uint64 `json:"count"`
}

// Invariant is one checker's verdict.
type Invariant struct {
	Name       string     `json:"name"`
	Held       bool       `json:"held"`
	Violations int        `json:"violations"`
	First      *Violation `json:"first,omitempty"`
}

// Violation is the first violation of an invariant.
type Violation struct {
	At     float64 `json:"at"`
	Detail string  `json:"detail"`
}

// Fault is one injected fault.
type Fault struct {
	Kind   string  `json:"kind"`
	Target string  `json:"target"`
	At     float64 `json:"at"`
	Until  float64 `json:"until"`
	Detail string  `json:"detail,omitempty"`
}

// Scalar is one named number of a world.
type Scalar struct {
	Metric string  `json:"metric"`
	Unit   string  `json:"unit"`
	Value  float64 `json:"value"`
	// Censored says the world ended before the measured event happened
	// (a recovery that never came): Value is only a lower bound, and
	// reports show it as censored, never as a value.
	Censored bool `json:"censored,omitempty"`
}

// Sample is a distribution of observations of one metric.
type Sample struct {
	Metric string    `json:"metric"`
	Unit   string    `json:"unit"`
	Values []float64 `json:"values"`
}

// Label is one key=value label of a series.
type Label struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// Series is a metric sampled over virtual time.
type Series struct {
	Metric string  `json:"metric"`
	Unit   string  `json:"unit"`
	Labels []Label `json:"labels,omitempty"`
	Points []Point `json:"points"`
}

// Point is one sample of a series: T in seconds of virtual time.
type Point struct {
	T float64
	V float64
}

// seriesJSON is a Series on disk: the points as two arrays (a non-finite
// value as null), a third of the size of one object per point. Times that
// fall into arithmetic runs (a series sampled every second) are written as
// "t_runs" instead of "t": [first, step, count] per run, the times being
// first + j·step for j < count, exactly as float64 computes them (the
// writer checks every one), so a run reads back the very times.
type seriesJSON struct {
	Metric string       `json:"metric"`
	Unit   string       `json:"unit"`
	Labels []Label      `json:"labels,omitempty"`
	T      []jsonNum    `json:"t,omitempty"`
	TRuns  [][3]float64 `json:"t_runs,omitempty"`
	V      []jsonNum    `json:"v"`
}

// timeRuns splits times into arithmetic runs, or returns false when that is
// not shorter than the times themselves (or a time is not finite).
func timeRuns(ts []float64) ([][3]float64, bool) {
	var runs [][3]float64
	for i := 0; i < len(ts); {
		first, step, n := ts[i], 0.0, 1
		if math.IsNaN(first) || math.IsInf(first, 0) {
			return nil, false
		}
		if i+1 < len(ts) {
			step = ts[i+1] - first
		}
		if math.IsNaN(step) || math.IsInf(step, 0) {
			step = 0
		}
		for step != 0 && i+n < len(ts) && first+float64(n)*step == ts[i+n] {
			n++
		}
		if n == 1 {
			step = 0
		}
		runs = append(runs, [3]float64{first, step, float64(n)})
		if 3*len(runs) >= len(ts) {
			return nil, false
		}
		i += n
	}
	return runs, true
}

// runTimes expands arithmetic runs into want times.
func runTimes(runs [][3]float64, want int) ([]float64, error) {
	ts := make([]float64, 0, want)
	for _, r := range runs {
		first, step, n := r[0], r[1], r[2]
		if n < 1 || n != math.Trunc(n) || n > float64(want-len(ts)) {
			return nil, fmt.Errorf("results: time run %v does not fit %d values", r, want)
		}
		for j := 0; j < int(n); j++ {
			ts = append(ts, first+float64(j)*step)
		}
	}
	if len(ts) != want {
		return nil, fmt.Errorf("results: time runs give %d times for %d values", len(ts), want)
	}
	return ts, nil
}

// jsonNum is a float64 that encodes NaN and ±Inf as null (and reads null
// back as NaN).
type jsonNum float64

// MarshalJSON writes the shortest exact form, or null when not finite.
func (n jsonNum) MarshalJSON() ([]byte, error) {
	f := float64(n)
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, f, 'g', -1, 64), nil
}

// UnmarshalJSON reads a number, or null as NaN.
func (n *jsonNum) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = jsonNum(math.NaN())
		return nil
	}
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return fmt.Errorf("results: series value %s: %w", b, err)
	}
	*n = jsonNum(f)
	return nil
}

// MarshalJSON writes the series with its points as "t" (or "t_runs") and
// "v" arrays.
func (s Series) MarshalJSON() ([]byte, error) {
	js := seriesJSON{Metric: s.Metric, Unit: s.Unit, Labels: s.Labels, V: make([]jsonNum, len(s.Points))}
	ts := make([]float64, len(s.Points))
	for i, p := range s.Points {
		ts[i], js.V[i] = p.T, jsonNum(p.V)
	}
	if runs, ok := timeRuns(ts); ok {
		js.TRuns = runs
	} else {
		js.T = make([]jsonNum, len(ts))
		for i, t := range ts {
			js.T[i] = jsonNum(t)
		}
	}
	return json.Marshal(js)
}

// UnmarshalJSON reads what MarshalJSON writes; the times ("t" or "t_runs")
// must be as many as the values.
func (s *Series) UnmarshalJSON(b []byte) error {
	var js seriesJSON
	if err := json.Unmarshal(b, &js); err != nil {
		return err
	}
	ts := make([]float64, len(js.T))
	for i, t := range js.T {
		ts[i] = float64(t)
	}
	if js.TRuns != nil {
		if js.T != nil {
			return fmt.Errorf("results: series %s has both t and t_runs", js.Metric)
		}
		var err error
		if ts, err = runTimes(js.TRuns, len(js.V)); err != nil {
			return fmt.Errorf("results: series %s: %w", js.Metric, err)
		}
	}
	if len(ts) != len(js.V) {
		return fmt.Errorf("results: series %s has %d times and %d values", js.Metric, len(ts), len(js.V))
	}
	*s = Series{Metric: js.Metric, Unit: js.Unit, Labels: js.Labels, Points: make([]Point, len(ts))}
	for i, t := range ts {
		s.Points[i] = Point{T: t, V: float64(js.V[i])}
	}
	return nil
}

// DedupTimes keeps, for every run of points with the same time, only the
// last (a world samples its series once more when it ends, which can repeat
// the last periodic time): one point per (series, time).
func (s *Series) DedupTimes() {
	out := s.Points[:0]
	for i, p := range s.Points {
		if i+1 < len(s.Points) && s.Points[i+1].T == p.T {
			continue
		}
		out = append(out, p)
	}
	s.Points = out
}

// Thinned returns a copy of s with one point per step seconds: of each run
// of points at one time the last, then the first such point at or after
// each multiple of step, and the last point. The points are new; s is
// left as it is.
func (s Series) Thinned(step float64) Series {
	out := s
	out.Points = nil
	next := math.Inf(-1)
	for i, p := range s.Points {
		last := i+1 == len(s.Points)
		if !last && s.Points[i+1].T == p.T {
			continue
		}
		if !last {
			if p.T < next {
				continue
			}
			next = (math.Floor(p.T/step) + 1) * step
		}
		out.Points = append(out.Points, p)
	}
	return out
}

// Span is a timeline slice: Process is a node (or "cluster"), Track a
// component within it (a dispatcher, the redo writer, a sink).
type Span struct {
	Process string  `json:"process"`
	Track   string  `json:"track"`
	Name    string  `json:"name"`
	Start   float64 `json:"start"`
	End     float64 `json:"end"`
}

// spansJSON is a world's spans on disk (version 3): the distinct
// (process, track, name) triples in order of first appearance, and per
// span, in the world's order, the index of its triple and its start and
// end (a non-finite time as null). Version 2 wrote an array of Span
// objects; UnmarshalJSON reads both.
type spansJSON struct {
	Keys  [][3]string `json:"keys"`
	Key   []int       `json:"key"`
	Start []jsonNum   `json:"start"`
	End   []jsonNum   `json:"end"`
}

func encodeSpans(spans []Span) spansJSON {
	js := spansJSON{Keys: [][3]string{}, Key: make([]int, len(spans)),
		Start: make([]jsonNum, len(spans)), End: make([]jsonNum, len(spans))}
	index := map[[3]string]int{}
	for i, s := range spans {
		k := [3]string{s.Process, s.Track, s.Name}
		n, ok := index[k]
		if !ok {
			n = len(js.Keys)
			index[k] = n
			js.Keys = append(js.Keys, k)
		}
		js.Key[i], js.Start[i], js.End[i] = n, jsonNum(s.Start), jsonNum(s.End)
	}
	return js
}

func decodeSpans(b []byte) ([]Span, error) {
	b = bytes.TrimSpace(b)
	if len(b) == 0 || string(b) == "null" {
		return nil, nil
	}
	if b[0] == '[' { // version 2: one object per span
		var spans []Span
		err := json.Unmarshal(b, &spans)
		return spans, err
	}
	var js spansJSON
	if err := json.Unmarshal(b, &js); err != nil {
		return nil, err
	}
	if len(js.Start) != len(js.Key) || len(js.End) != len(js.Key) {
		return nil, fmt.Errorf("results: spans have %d keys, %d starts and %d ends", len(js.Key), len(js.Start), len(js.End))
	}
	spans := make([]Span, len(js.Key))
	for i, k := range js.Key {
		if k < 0 || k >= len(js.Keys) {
			return nil, fmt.Errorf("results: span %d names key %d of %d", i, k, len(js.Keys))
		}
		t := js.Keys[k]
		spans[i] = Span{Process: t[0], Track: t[1], Name: t[2], Start: float64(js.Start[i]), End: float64(js.End[i])}
	}
	return spans, nil
}

// worldJSON is a World on disk: every field as it is, but the spans as
// columns.
type worldJSON struct {
	worldFields
	Spans json.RawMessage `json:"spans"`
}

// worldFields is World without its methods, so worldJSON does not recurse.
type worldFields World

// MarshalJSON writes the world with its spans as columns (spansJSON).
func (w World) MarshalJSON() ([]byte, error) {
	spans, err := json.Marshal(encodeSpans(w.Spans))
	if err != nil {
		return nil, err
	}
	return json.Marshal(worldJSON{worldFields: worldFields(w), Spans: spans})
}

// UnmarshalJSON reads what MarshalJSON writes, and version 2's spans (one
// object per span).
func (w *World) UnmarshalJSON(b []byte) error {
	var js worldJSON
	if err := json.Unmarshal(b, &js); err != nil {
		return err
	}
	spans, err := decodeSpans(js.Spans)
	if err != nil {
		return fmt.Errorf("results: spans: %w", err)
	}
	*w = World(js.worldFields)
	w.Spans = spans
	return nil
}

// Instant is a timeline point event (a fault, a release, a reset).
type Instant struct {
	Process string  `json:"process"`
	Track   string  `json:"track"`
	Name    string  `json:"name"`
	At      float64 `json:"at"`
}

// Held reports whether every invariant of the world held.
func (w *World) Held() bool {
	for _, inv := range w.Invariants {
		if !inv.Held {
			return false
		}
	}
	return true
}

// FileName is the world's file name inside worlds/.
func (w *World) FileName() string {
	return fmt.Sprintf("%s-s%d.json", sanitize(w.Variant), w.Seed)
}

func sanitize(s string) string {
	if s == "" {
		return "default"
	}
	return strings.Map(func(r rune) rune {
		if r == '/' || r == ' ' || r == os.PathSeparator {
			return '_'
		}
		return r
	}, s)
}

// WriteRun writes dir/run.json, creating dir.
func WriteRun(dir string, run *Run) error {
	run.Version = Version
	return writeJSON(filepath.Join(dir, "run.json"), run, true)
}

// WriteWorld writes dir/worlds/<variant>-s<seed>.json, unindented, with
// repeated series times removed (see Series.DedupTimes).
func WriteWorld(dir string, w *World) error {
	w.Version = Version
	for i := range w.Series {
		w.Series[i].DedupTimes()
	}
	return writeJSON(filepath.Join(dir, "worlds", w.FileName()), w, false)
}

func writeJSON(path string, v any, indent bool) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	var data []byte
	var err error
	if indent {
		data, err = json.MarshalIndent(v, "", " ")
	} else {
		data, err = json.Marshal(v)
	}
	if err != nil {
		return fmt.Errorf("results: encode %s: %w", path, err)
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("results: %w", err)
	}
	return nil
}

// ErrNoResults is returned by Load when a directory holds no run.json.
var ErrNoResults = errors.New("results: not a results directory (no run.json)")

// ErrInvalid marks what Load refuses in the content of results
// directories: a file that does not decode, a foreign schema version,
// directories that are not one campaign. The input is at fault, not the
// program; test with errors.Is.
var ErrInvalid = errors.New("results: invalid results")

// ErrMixed is wrapped by Load's error when the directories are not one
// campaign: their scenario, duration, fault plan or parameters differ.
// It is also ErrInvalid: the input is at fault.
var ErrMixed = fmt.Errorf("%w: not one campaign", ErrInvalid)

// Load reads one or more results directories (the shards of one campaign)
// and merges them: the run of the first directory with the union of the
// variants and seeds, and the union of the worlds, sorted by variant order
// then seed. A world present in two directories must be identical (same
// trace hash). Directories whose runs differ in scenario, duration, fault
// plan or parameters are refused (ErrMixed); LoadMixed pools them.
func Load(dirs ...string) (*Run, []*World, error) { return load(false, dirs) }

// LoadMixed is Load that pools runs of one scenario whose duration, fault
// plan or parameters differ, and lists every difference in the merged
// run's Warnings. Different scenarios are still refused.
func LoadMixed(dirs ...string) (*Run, []*World, error) { return load(true, dirs) }

func load(mixed bool, dirs []string) (*Run, []*World, error) {
	var run *Run
	byKey := map[string]*World{}
	for _, dir := range dirs {
		r, err := loadRun(dir)
		if err != nil {
			return nil, nil, err
		}
		if run == nil {
			run = r
		} else {
			if r.Scenario != run.Scenario {
				return nil, nil, fmt.Errorf("%w: %s is scenario %q, %s is %q", ErrMixed, dirs[0], run.Scenario, dir, r.Scenario)
			}
			if diffs := runDiffs(run, r); len(diffs) > 0 {
				if !mixed {
					return nil, nil, fmt.Errorf("%w: %s differs from %s: %s", ErrMixed, dir, dirs[0], strings.Join(diffs, "; "))
				}
				run.Warnings = append(run.Warnings, fmt.Sprintf("Pooled %s with %s although they differ (-allow-mixed): %s.", dir, dirs[0], strings.Join(diffs, "; ")))
			}
			run.Seeds = mergeSeeds(run.Seeds, r.Seeds)
			for _, v := range r.Variants {
				if !slices.Contains(run.Variants, v) {
					run.Variants = append(run.Variants, v)
				}
			}
			for _, w := range r.Warnings {
				if !slices.Contains(run.Warnings, w) {
					run.Warnings = append(run.Warnings, w)
				}
			}
		}
		if err := loadWorlds(dir, byKey); err != nil {
			return nil, nil, err
		}
	}
	if run == nil {
		return nil, nil, fmt.Errorf("results: no directory given")
	}
	return run, sortWorlds(run, byKey), nil
}

// ReadRun reads dir/run.json (ErrNoResults when there is none).
func ReadRun(dir string) (*Run, error) { return loadRun(dir) }

// Diffs lists how b's campaign differs from a's: duration, fault plan,
// parameter values ("duration 120s vs 600s", "tables=128 vs 64"); none
// means they can be pooled.
func Diffs(a, b *Run) []string { return runDiffs(a, b) }

func runDiffs(a, b *Run) []string {
	var out []string
	if a.DurationSeconds != b.DurationSeconds {
		out = append(out, fmt.Sprintf("duration %gs vs %gs", b.DurationSeconds, a.DurationSeconds))
	}
	if a.Faults != b.Faults {
		out = append(out, fmt.Sprintf("faults %q vs %q", b.Faults, a.Faults))
	}
	av := map[string]string{}
	for _, p := range a.Params {
		av[p.Key] = p.Value
	}
	seen := map[string]bool{}
	for _, p := range b.Params {
		seen[p.Key] = true
		if v, ok := av[p.Key]; !ok || v != p.Value {
			out = append(out, fmt.Sprintf("%s=%s vs %s", p.Key, p.Value, orNone(v, ok)))
		}
	}
	for _, p := range a.Params {
		if !seen[p.Key] {
			out = append(out, fmt.Sprintf("%s=(none) vs %s", p.Key, p.Value))
		}
	}
	return out
}

func orNone(v string, ok bool) string {
	if !ok {
		return "(none)"
	}
	return v
}

func loadRun(dir string) (*Run, error) {
	data, err := os.ReadFile(filepath.Join(dir, "run.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s", ErrNoResults, dir)
	}
	if err != nil {
		return nil, fmt.Errorf("results: %w", err)
	}
	var r Run
	if err := json.Unmarshal(data, &r); err != nil {
		return nil, fmt.Errorf("%w: %s/run.json: %w", ErrInvalid, dir, err)
	}
	if r.Version < MinVersion || r.Version > Version {
		return nil, fmt.Errorf("%w: %s/run.json has schema version %d, this build reads %d to %d", ErrInvalid, dir, r.Version, MinVersion, Version)
	}
	return &r, nil
}

func loadWorlds(dir string, byKey map[string]*World) error {
	paths, err := filepath.Glob(filepath.Join(dir, "worlds", "*.json"))
	if err != nil {
		return fmt.Errorf("results: %w", err)
	}
	sort.Strings(paths)
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("results: %w", err)
		}
		var w World
		if err := json.Unmarshal(data, &w); err != nil {
			return fmt.Errorf("%w: %s: %w", ErrInvalid, p, err)
		}
		if w.Version < MinVersion || w.Version > Version {
			return fmt.Errorf("results: %s has schema version %d, this build reads %d to %d (re-run the campaign)", p, w.Version, MinVersion, Version)
		}
		key := w.FileName()
		if prev, ok := byKey[key]; ok && prev.TraceHash != w.TraceHash {
			return fmt.Errorf("%w: world %s appears twice with different trace hashes (%s, %s)", ErrInvalid, key, prev.TraceHash, w.TraceHash)
		}
		byKey[key] = &w
	}
	return nil
}

func mergeSeeds(a, b []uint64) []uint64 {
	seen := map[uint64]bool{}
	var out []uint64
	for _, s := range append(append([]uint64(nil), a...), b...) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func sortWorlds(run *Run, byKey map[string]*World) []*World {
	order := map[string]int{}
	for i, v := range run.Variants {
		order[v] = i
	}
	out := make([]*World, 0, len(byKey))
	for _, w := range byKey {
		out = append(out, w)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		oa, aok := order[a.Variant]
		ob, bok := order[b.Variant]
		if aok != bok {
			return aok
		}
		if oa != ob {
			return oa < ob
		}
		if a.Variant != b.Variant {
			return a.Variant < b.Variant
		}
		return a.Seed < b.Seed
	})
	return out
}
