package timeline

import (
	"fmt"
	"strings"

	"github.com/redosim/redosim/results"
)

// worldBuilder assigns pids and tids for one world in order of first
// appearance (spans, then instants, then faults), so the same world always
// gets the same numbers.
type worldBuilder struct {
	w       *results.World
	prefix  string
	base    int
	procs   map[string]int
	threads map[string]int // "pid/track" -> tid
	nextTid map[int]int
	events  []Event
}

func newWorldBuilder(i int, w *results.World) *worldBuilder {
	return &worldBuilder{
		w:       w,
		prefix:  fmt.Sprintf("%s s%d", w.Variant, w.Seed),
		base:    i * PidsPerWorld,
		procs:   map[string]int{},
		threads: map[string]int{},
		nextTid: map[int]int{},
	}
}

func (b *worldBuilder) build(cfg Config) error {
	for _, s := range b.w.Spans {
		if !finite(s.Start) || !finite(s.End) || s.End < s.Start {
			return fmt.Errorf("reports/timeline: %s: span %q on %s/%s has bad times [%v, %v]", b.prefix, s.Name, s.Process, s.Track, s.Start, s.End)
		}
		pid, tid, err := b.thread(s.Process, s.Track)
		if err != nil {
			return err
		}
		dur := micros(s.End - s.Start)
		b.events = append(b.events, Event{Name: s.Name, Ph: "X", Ts: micros(s.Start), Dur: &dur, Pid: pid, Tid: tid})
	}
	for _, in := range b.w.Instants {
		if !finite(in.At) {
			return fmt.Errorf("reports/timeline: %s: instant %q has bad time %v", b.prefix, in.Name, in.At)
		}
		pid, tid, err := b.thread(in.Process, in.Track)
		if err != nil {
			return err
		}
		b.events = append(b.events, Event{Name: in.Name, Cat: "instant", Ph: "i", Ts: micros(in.At), Pid: pid, Tid: tid, Scope: "t"})
	}
	if err := b.faults(); err != nil {
		return err
	}
	return b.counters(cfg)
}

// faults go on the "faults" track of their target node when the world has
// such a node, else of a "faults" process.
func (b *worldBuilder) faults() error {
	for _, f := range b.w.Faults {
		if !finite(f.At) || !finite(f.Until) {
			return fmt.Errorf("reports/timeline: %s: fault %s on %s has bad times", b.prefix, f.Kind, f.Target)
		}
		proc := "faults"
		if _, ok := b.procs[f.Target]; ok {
			proc = f.Target
		}
		pid, tid, err := b.thread(proc, "faults")
		if err != nil {
			return err
		}
		args := map[string]any{"kind": f.Kind, "target": f.Target, "until_us": micros(f.Until)}
		if f.Detail != "" {
			args["detail"] = f.Detail
		}
		name := "fault: " + f.Kind
		b.events = append(b.events, Event{Name: name, Cat: "fault", Ph: "i", Ts: micros(f.At), Pid: pid, Tid: tid, Scope: "p", Args: args})
		if f.Until > f.At {
			dur := micros(f.Until - f.At)
			b.events = append(b.events, Event{Name: name, Cat: "fault", Ph: "X", Ts: micros(f.At), Dur: &dur, Pid: pid, Tid: tid, Args: args})
		}
	}
	return nil
}

func (b *worldBuilder) counters(cfg Config) error {
	var pid int
	for _, s := range b.w.Series {
		if !cfg.Counters(s.Metric) || len(s.Points) == 0 {
			continue
		}
		if pid == 0 {
			var err error
			if pid, err = b.process("metrics"); err != nil {
				return err
			}
		}
		name := counterName(s)
		pts := held(thin(s.Points, cfg.MaxCounterPoints))
		for _, p := range pts {
			b.events = append(b.events, Event{Name: name, Ph: "C", Ts: micros(p.T), Pid: pid, Args: map[string]any{"value": p.V}})
		}
	}
	return nil
}

func counterName(s results.Series) string {
	name := s.Metric
	if s.Unit != "" {
		name += " (" + s.Unit + ")"
	}
	if len(s.Labels) > 0 {
		parts := make([]string, len(s.Labels))
		for i, l := range s.Labels {
			parts[i] = l.Key + "=" + l.Value
		}
		name += " {" + strings.Join(parts, ",") + "}"
	}
	return name
}

// held drops the points that are not finite and, of each run of equal
// values, every point but the first, keeping the last point of the
// series: a counter track holds its value until the next event, so it
// draws the same.
func held(points []results.Point) []results.Point {
	var fin []results.Point
	for _, p := range points {
		if finite(p.T) && finite(p.V) {
			fin = append(fin, p)
		}
	}
	out := fin[:0]
	for i, p := range fin {
		if n := len(out); n > 0 && out[n-1].V == p.V && i+1 < len(fin) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// thin keeps at most n points, evenly spaced, always the first and last.
func thin(points []results.Point, n int) []results.Point {
	if len(points) <= n || n < 2 {
		return points
	}
	out := make([]results.Point, n)
	for i := range out {
		out[i] = points[i*(len(points)-1)/(n-1)]
	}
	return out
}

func (b *worldBuilder) process(name string) (int, error) {
	if name == "" {
		name = "cluster"
	}
	if pid, ok := b.procs[name]; ok {
		return pid, nil
	}
	n := len(b.procs) + 1
	if n >= PidsPerWorld {
		return 0, fmt.Errorf("reports/timeline: %s has more than %d processes", b.prefix, PidsPerWorld-1)
	}
	pid := b.base + n
	b.procs[name] = pid
	label := b.prefix + " · " + name
	b.events = append(b.events,
		Event{Name: "process_name", Ph: "M", Pid: pid, Args: map[string]any{"name": label}},
		Event{Name: "process_sort_index", Ph: "M", Pid: pid, Args: map[string]any{"sort_index": pid}},
	)
	return pid, nil
}

func (b *worldBuilder) thread(process, track string) (pid, tid int, err error) {
	if pid, err = b.process(process); err != nil {
		return 0, 0, err
	}
	if track == "" {
		track = "main"
	}
	key := fmt.Sprintf("%d/%s", pid, track)
	if tid, ok := b.threads[key]; ok {
		return pid, tid, nil
	}
	b.nextTid[pid]++
	tid = b.nextTid[pid]
	b.threads[key] = tid
	b.events = append(b.events,
		Event{Name: "thread_name", Ph: "M", Pid: pid, Tid: tid, Args: map[string]any{"name": track}},
		Event{Name: "thread_sort_index", Ph: "M", Pid: pid, Tid: tid, Args: map[string]any{"sort_index": tid}},
	)
	return pid, tid, nil
}
