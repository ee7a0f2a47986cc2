package sim

import (
	"errors"
	"fmt"
	"testing"
)

// TestLoopOrdersByTimeThenSequence checks the kernel's one ordering rule:
// events run by (time, scheduling order), whatever order they were added in.
func TestLoopOrdersByTimeThenSequence(t *testing.T) {
	l := NewLoop(0)
	var got []int
	add := func(at Instant, id int) { l.At(at, func() { got = append(got, id) }) }
	add(30, 1)
	add(10, 2)
	add(20, 3)
	add(10, 4) // same time as 2, scheduled later: runs after it
	add(0, 5)
	if err := l.Run(); err != nil {
		t.Fatal(err)
	}
	want := []int{5, 2, 4, 3, 1}
	if len(got) != len(want) {
		t.Fatalf("ran %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ran %v, want %v", got, want)
		}
	}
	if l.Now() != 30 {
		t.Fatalf("now = %v, want 30", l.Now())
	}
}

// TestLoopPastEventRunsNow: an event scheduled in the past runs at the
// current time, after the events already due then.
func TestLoopPastEventRunsNow(t *testing.T) {
	l := NewLoop(0)
	var at Instant
	l.At(100, func() {
		l.At(5, func() { at = l.Now() })
	})
	l.Run()
	if at != 100 {
		t.Fatalf("past event ran at %v, want 100", at)
	}
}

func TestTimerStop(t *testing.T) {
	l := NewLoop(0)
	fired := 0
	tm := l.After(10, func() { fired++ })
	other := l.After(5, func() { fired += 10 })
	if !tm.Pending() || !tm.Stop() {
		t.Fatal("stop of a pending timer must report true")
	}
	if tm.Stop() {
		t.Fatal("second stop must report false")
	}
	l.Run()
	if fired != 10 {
		t.Fatalf("fired = %d, want only the other timer (10)", fired)
	}
	if other.Stop() {
		t.Fatal("stop after firing must report false")
	}
	var zero Timer
	if zero.Stop() || zero.Pending() {
		t.Fatal("zero timer refers to nothing")
	}
}

// TestStaleTimerDoesNotStopReusedEvent: event records are pooled; a handle
// to a fired event must not cancel the new event that reuses its record.
func TestStaleTimerDoesNotStopReusedEvent(t *testing.T) {
	l := NewLoop(0)
	old := l.After(1, func() {})
	l.Run()
	fired := false
	l.After(1, func() { fired = true })
	if old.Stop() {
		t.Fatal("stale handle stopped a reused event")
	}
	l.Run()
	if !fired {
		t.Fatal("new event did not fire")
	}
}

func TestEveryAndCancelFromInside(t *testing.T) {
	l := NewLoop(0)
	var times []Instant
	var tm Timer
	tm = l.Every(10, func() {
		times = append(times, l.Now())
		if len(times) == 3 {
			tm.Stop()
		}
	})
	l.RunUntil(1000)
	if len(times) != 3 || times[0] != 10 || times[2] != 30 {
		t.Fatalf("periodic fired at %v, want [10 20 30]", times)
	}
	if l.Now() != 1000 {
		t.Fatalf("RunUntil left clock at %v, want 1000", l.Now())
	}
}

func TestRunUntilLeavesLaterEvents(t *testing.T) {
	l := NewLoop(0)
	n := 0
	l.At(5, func() { n++ })
	l.At(15, func() { n++ })
	l.RunUntil(10)
	if n != 1 || l.Pending() != 1 {
		t.Fatalf("n=%d pending=%d, want 1 and 1", n, l.Pending())
	}
}

func TestStopAndStopWhen(t *testing.T) {
	l := NewLoop(0)
	n := 0
	l.Every(1, func() {
		n++
		if n == 5 {
			l.Stop("enough")
		}
	})
	l.Run()
	if n != 5 || l.StopReason() != "enough" {
		t.Fatalf("n=%d reason=%q", n, l.StopReason())
	}
	l.StopWhen(func() bool { return n >= 8 })
	l.Run()
	if n != 8 {
		t.Fatalf("StopWhen: n=%d, want 8", n)
	}
}

func TestStepsMaxBoundsALivelock(t *testing.T) {
	l := NewLoop(100)
	l.Every(1, func() {})
	if err := l.Run(); !errors.Is(err, ErrStepsMax) {
		t.Fatalf("err = %v, want ErrStepsMax", err)
	}
}

// TestLoopHeapAgainstModel drives random schedules and cancellations and
// checks the execution order against a sort of the surviving events.
func TestLoopHeapAgainstModel(t *testing.T) {
	for seed := uint64(0); seed < 50; seed++ {
		r := NewStreams(seed).Get("test")
		l := NewLoop(0)
		type key struct {
			at  Instant
			seq int
		}
		var want []key
		var timers []Timer
		var keys []key
		var got []key
		for i := 0; i < 300; i++ {
			k := key{Instant(r.IntN(50)), i}
			keys = append(keys, k)
			timers = append(timers, l.At(k.at, func() { got = append(got, k) }))
		}
		cancelled := map[int]bool{}
		for i := 0; i < 100; i++ {
			j := r.IntN(len(timers))
			timers[j].Stop()
			cancelled[j] = true
		}
		for i, k := range keys {
			if !cancelled[i] {
				want = append(want, k)
			}
		}
		// insertion sort of want by (at, seq): keys were added in seq order.
		for i := 1; i < len(want); i++ {
			for j := i; j > 0 && want[j].at < want[j-1].at; j-- {
				want[j], want[j-1] = want[j-1], want[j]
			}
		}
		l.Run()
		if len(got) != len(want) {
			t.Fatalf("seed %d: ran %d events, want %d", seed, len(got), len(want))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("seed %d: event %d = %v, want %v", seed, i, got[i], want[i])
			}
		}
	}
}

// TestOrderWhenEventsScheduleFromInside: events that schedule successors
// (and cancel others) from inside their functions, where a successor
// takes the fired event's slot, still run in (time, scheduling order) and
// exactly at their time; cancelled ones never run.
func TestOrderWhenEventsScheduleFromInside(t *testing.T) {
	for seed := uint64(0); seed < 30; seed++ {
		r := NewStreams(seed).Get("test")
		l := NewLoop(0)
		type key struct {
			at Instant
			id int
		}
		var last key
		ids := 0
		ran := 0
		cancelled := map[int]bool{}
		var timers []Timer
		var tids []int
		var spawn func(depth int)
		spawn = func(depth int) {
			ids++
			k := key{at: l.Now().Add(Duration(r.IntN(5))), id: ids}
			tm := l.At(k.at, func() {
				if cancelled[k.id] {
					t.Fatalf("seed %d: cancelled event %d ran", seed, k.id)
				}
				if l.Now() != k.at || (k.at < last.at || k.at == last.at && k.id < last.id) {
					t.Fatalf("seed %d: event %v ran at %v after %v", seed, k, l.Now(), last)
				}
				last = k
				ran++
				if depth < 6 {
					for i := r.IntN(3); i > 0; i-- {
						spawn(depth + 1)
					}
				}
				if len(timers) > 0 && r.IntN(4) == 0 {
					j := r.IntN(len(timers))
					if timers[j].Stop() {
						cancelled[tids[j]] = true
					}
				}
			})
			timers, tids = append(timers, tm), append(tids, k.id)
		}
		for i := 0; i < 20; i++ {
			spawn(0)
		}
		l.Run()
		if ran+len(cancelled) != ids {
			t.Fatalf("seed %d: %d ran + %d cancelled != %d scheduled", seed, ran, len(cancelled), ids)
		}
	}
}

// TestPendingInsideAnEvent checks that Pending counts what is still to run,
// seen from inside event functions. A one-shot event that is running has
// fired: inside a loop's only event Pending is 0, and the successor that
// takes the fired record's heap slot counts once. A periodic event that is
// running is still pending, since it was rescheduled before its function ran.
func TestPendingInsideAnEvent(t *testing.T) {
	l := NewLoop(0)
	var seen []int
	l.At(1, func() {
		seen = append(seen, l.Pending())
		l.After(1, func() {})
		seen = append(seen, l.Pending())
		l.After(2, func() {})
		seen = append(seen, l.Pending())
	})
	l.Run()
	if want := "[0 1 2]"; fmt.Sprint(seen) != want {
		t.Fatalf("Pending inside the only event, then after one and two successors = %v, want %s", seen, want)
	}

	p := NewLoop(0)
	var tm Timer
	inside := -1
	tm = p.Every(10, func() {
		inside = p.Pending()
		tm.Stop()
	})
	p.Run()
	if inside != 1 || p.Pending() != 0 {
		t.Fatalf("Pending inside a periodic event = %d and after it stopped = %d, want 1 and 0", inside, p.Pending())
	}
}
