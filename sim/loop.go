package sim

import (
	"errors"
	"fmt"

	"github.com/redosim/redosim/internal/invariants"
)

// ErrStepsMax is returned by Run and RunUntil when a loop executes more
// events than its StepsMax bound; it usually means a livelock in the model.
var ErrStepsMax = errors.New("sim: loop exceeded its step bound")

// Loop is a discrete-event scheduler over virtual time. Events run in order
// of (time, sequence number): two events at the same instant run in the order
// they were scheduled, so a world replays exactly. A Loop is not safe for
// concurrent use: one world, one goroutine.
//
// The queue is a 4-ary min-heap of pooled event records, so scheduling and
// running an event allocates nothing once the pool is warm. Scheduling is
// O(log n), Stop is O(log n), where n is the number of pending events.
type Loop struct {
	now      Instant
	seq      uint64
	steps    uint64
	stepsMax uint64
	heap     []*event
	free     []*event
	stopped  bool
	stopWhy  string
	until    func() bool
	// firing is the one-shot event Step is running, still at the top of
	// the heap: the first event its function schedules takes its slot
	// (one sift-down instead of a pop and a push).
	firing *event
}

type event struct {
	at     Instant
	seq    uint64
	fn     func()
	period Duration
	index  int // position in heap, -1 when not queued
	gen    uint64
}

// Timer is a handle to a scheduled event. The zero Timer is valid and refers
// to nothing; Stop on it reports false.
type Timer struct {
	loop *Loop
	ev   *event
	gen  uint64
}

// NewLoop returns a loop at time zero. stepsMax bounds the number of events
// one loop may run (0 means no bound).
func NewLoop(stepsMax uint64) *Loop {
	return &Loop{stepsMax: stepsMax}
}

// Now returns the current virtual time.
func (l *Loop) Now() Instant { return l.now }

// Steps returns the number of events run so far.
func (l *Loop) Steps() uint64 { return l.steps }

// Pending returns the number of scheduled events. A one-shot event whose
// function is running has fired and is not counted, although its record
// still holds the top of the heap until that function returns.
func (l *Loop) Pending() int {
	if l.firing != nil {
		return len(l.heap) - 1
	}
	return len(l.heap)
}

// At schedules fn at instant t. A t in the past runs at the current time,
// after every event already scheduled for it.
func (l *Loop) At(t Instant, fn func()) Timer {
	if t < l.now {
		t = l.now
	}
	return l.schedule(t, 0, fn)
}

// After schedules fn d after the current time.
func (l *Loop) After(d Duration, fn func()) Timer {
	if d < 0 {
		d = 0
	}
	return l.schedule(l.now.Add(d), 0, fn)
}

// Every schedules fn every period, first one period from now, until the
// returned timer is stopped. period must be positive.
func (l *Loop) Every(period Duration, fn func()) Timer {
	if period <= 0 {
		panic(fmt.Sprintf("sim: Every needs a positive period, got %v", period))
	}
	return l.schedule(l.now.Add(period), period, fn)
}

// EveryAfter schedules fn first after first, then every period, until
// the returned timer is stopped: a periodic component that started at
// another moment than now. first is at least 0; period must be positive.
func (l *Loop) EveryAfter(first, period Duration, fn func()) Timer {
	if period <= 0 {
		panic(fmt.Sprintf("sim: EveryAfter needs a positive period, got %v", period))
	}
	return l.schedule(l.now.Add(max(first, 0)), period, fn)
}

func (l *Loop) schedule(t Instant, period Duration, fn func()) Timer {
	if fn == nil {
		panic("sim: scheduling a nil func")
	}
	if invariants.Enabled && t < l.now {
		invariants.Failf("sim: virtual time never goes back: an event scheduled at %v, before now %v", t, l.now)
	}
	var ev *event
	if f := l.firing; f != nil {
		// Reuse the fired event's record and its slot at the top.
		l.firing = nil
		l.seq++
		f.at, f.seq, f.fn, f.period = t, l.seq, fn, period
		f.gen++
		l.down(0)
		return Timer{loop: l, ev: f, gen: f.gen}
	}
	if n := len(l.free); n > 0 {
		ev = l.free[n-1]
		l.free = l.free[:n-1]
	} else {
		ev = &event{}
	}
	l.seq++
	ev.at, ev.seq, ev.fn, ev.period = t, l.seq, fn, period
	ev.gen++
	l.push(ev)
	return Timer{loop: l, ev: ev, gen: ev.gen}
}

// Stop cancels the timer. It reports whether the event was still pending
// (for a periodic timer: whether it was still running).
func (t Timer) Stop() bool {
	if !t.Pending() {
		return false
	}
	t.loop.remove(t.ev)
	return true
}

// Pending reports whether the timer's event is still scheduled.
func (t Timer) Pending() bool {
	return t.ev != nil && t.ev.gen == t.gen && t.ev.index >= 0
}

// Stop ends Run or RunUntil after the current event; why is kept for
// StopReason.
func (l *Loop) Stop(why string) {
	l.stopped = true
	l.stopWhy = why
}

// StopReason returns the reason given to the last Stop, or "".
func (l *Loop) StopReason() string { return l.stopWhy }

// StopWhen installs a condition checked after every event; Run and RunUntil
// return as soon as it holds.
func (l *Loop) StopWhen(cond func() bool) { l.until = cond }

// Step runs the next event, advancing time to it. It reports false when no
// event is pending.
func (l *Loop) Step() bool {
	if len(l.heap) == 0 {
		return false
	}
	ev := l.heap[0]
	if invariants.Enabled && ev.at < l.now {
		invariants.Failf("sim: virtual time never goes back: next event at %v, before now %v", ev.at, l.now)
	}
	l.now = ev.at
	l.steps++
	fn := ev.fn
	if ev.period > 0 {
		l.seq++
		ev.at, ev.seq = ev.at.Add(ev.period), l.seq
		l.down(0)
		fn()
		return true
	}
	// The fired record stays at the top while fn runs, its handles dead.
	ev.fn = nil
	ev.gen++
	l.firing = ev
	fn()
	if l.firing == ev { // fn scheduled nothing: take it out now
		l.firing = nil
		l.popTop()
		l.free = append(l.free, ev)
	}
	return true
}

// Run runs events until none is pending, Stop is called, the StopWhen
// condition holds, or the step bound is hit (ErrStepsMax).
func (l *Loop) Run() error { return l.run(-1) }

// RunUntil runs every event scheduled at or before t, then sets the clock to
// t (unless stopped early). It returns ErrStepsMax if the bound is hit.
func (l *Loop) RunUntil(t Instant) error { return l.run(t) }

func (l *Loop) run(limit Instant) error {
	l.stopped = false
	for !l.stopped {
		if len(l.heap) == 0 || (limit >= 0 && l.heap[0].at > limit) {
			if limit >= 0 && l.now < limit {
				l.now = limit
			}
			return nil
		}
		if l.stepsMax > 0 && l.steps >= l.stepsMax {
			return fmt.Errorf("%w (%d steps at %v)", ErrStepsMax, l.stepsMax, l.now)
		}
		l.Step()
		if l.until != nil && l.until() {
			l.stopped = true
			l.stopWhy = "stop condition"
		}
	}
	return nil
}
