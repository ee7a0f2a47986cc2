package node_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/dist"
	"github.com/redosim/redosim/sim/netsim"
	"github.com/redosim/redosim/sim/node"
	"github.com/redosim/redosim/sim/objstore"
)

func ms(n int) sim.Duration { return sim.Duration(n) * sim.Millisecond }

func newWorld() (*sim.World, *netsim.Network) {
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	net := netsim.New(w, netsim.Config{Default: netsim.LinkConfig{Latency: dist.Const{V: float64(ms(10))}}})
	return w, net
}

func run(t *testing.T, w *sim.World, until sim.Duration) {
	t.Helper()
	if err := w.Loop.RunUntil(sim.Instant(until)); err != nil {
		t.Fatal(err)
	}
}

// TestTimersDieWithIncarnation checks that no timer of an old incarnation
// fires after a crash, also once the node has restarted, while timers of
// the new incarnation do. Method: one-shot and periodic timers straddling
// a crash at 25ms and a restart at 30ms, many one-shots to exercise pruning.
func TestTimersDieWithIncarnation(t *testing.T) {
	w, net := newWorld()
	n := node.New(w, "n1", net)
	var log []string
	note := func(s string) func() { return func() { log = append(log, fmt.Sprintf("%v %s", w.Now(), s)) } }
	n.Every(ms(10), note("tick1"))
	n.After(ms(40), note("after1"))
	for i := range 200 {
		n.After(sim.Duration(i)*sim.Microsecond, func() {}) // fire early; pruned
	}
	stopped := n.After(ms(50), note("stopped-by-user"))
	stopped.Stop()
	w.Loop.At(sim.Instant(ms(25)), func() {
		n.Crash()
		if tm := n.After(ms(1), note("while-down")); tm.Pending() {
			t.Errorf("After while down scheduled a timer")
		}
		n.Every(ms(1), note("while-down"))
	})
	w.Loop.At(sim.Instant(ms(30)), func() {
		n.Restart()
		n.Every(ms(20), note("tick2"))
	})
	run(t, w, ms(100))
	want := "[t+10ms tick1 t+20ms tick1 t+50ms tick2 t+70ms tick2 t+90ms tick2]"
	if got := fmt.Sprint(log); got != want {
		t.Errorf("fired %s\nwant  %s", got, want)
	}
	if p := w.Loop.Pending(); p != 1 {
		t.Errorf("pending events %d want 1 (tick2): old timers must be stopped, not left to skip", p)
	}
}

// TestHookOrder checks that hooks run in registration order, crash hooks
// with the node already down and in its next incarnation, restart hooks
// with it up; and that Crash and Restart are idempotent.
func TestHookOrder(t *testing.T) {
	w, net := newWorld()
	n := node.New(w, "n1", net)
	var log []string
	hook := func(name string) func() {
		return func() { log = append(log, fmt.Sprintf("%s(up=%v inc=%d)", name, n.Up(), n.Incarnation())) }
	}
	n.OnCrash(hook("c1"))
	n.OnRestart(hook("r1"))
	n.OnCrash(hook("c2"))
	n.OnRestart(hook("r2"))
	if !n.Up() || n.Incarnation() != 1 {
		t.Fatalf("new node up=%v inc=%d want up in incarnation 1", n.Up(), n.Incarnation())
	}
	n.Restart() // up: nothing
	n.Crash()
	n.Crash() // down: nothing
	n.Restart()
	n.Crash()
	want := "c1(up=false inc=2) c2(up=false inc=2) r1(up=true inc=2) r2(up=true inc=2) c1(up=false inc=3) c2(up=false inc=3)"
	if got := strings.Join(log, " "); got != want {
		t.Errorf("hooks ran %s\nwant      %s", got, want)
	}
}

// TestHookCannotChangeLifecycle checks that a hook crashing its own node
// is refused as a bug.
func TestHookCannotChangeLifecycle(t *testing.T) {
	w, net := newWorld()
	n := node.New(w, "n1", net)
	n.OnCrash(n.Restart)
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), "from inside its own") {
			t.Errorf("recovered %v want a lifecycle panic", r)
		}
	}()
	n.Crash()
}

// TestMessagesToCrashedNode checks that a message in flight to a node that
// crashes is dropped, even when the node restarts before it arrives; that
// the restarted node's new handler gets later messages; and that the old
// handler never runs again.
func TestMessagesToCrashedNode(t *testing.T) {
	w, net := newWorld()
	a := node.New(w, "a", net)
	b := node.New(w, "b", net)
	var got []string
	b.Handle(func(from netsim.NodeID, msg any) { got = append(got, fmt.Sprintf("old:%v", msg)) })
	b.OnRestart(func() {
		b.Handle(func(from netsim.NodeID, msg any) { got = append(got, fmt.Sprintf("new:%v", msg)) })
	})
	a.Send("b", "m1", 1) // arrives at 10ms, after the crash and restart
	w.Loop.At(sim.Instant(ms(2)), b.Crash)
	w.Loop.At(sim.Instant(ms(3)), func() {
		if a.Send("b", "m2", 1) || b.Send("a", "m3", 1) {
			t.Errorf("send to or from a crashed node accepted")
		}
	})
	w.Loop.At(sim.Instant(ms(5)), b.Restart)
	w.Loop.At(sim.Instant(ms(6)), func() { a.Send("b", "m4", 1) })
	run(t, w, ms(100))
	if fmt.Sprint(got) != "[new:m4]" {
		t.Errorf("b received %v want [new:m4]", got)
	}
	if d := net.Stats().Dropped[netsim.DropDown]; d != 3 {
		t.Errorf("down drops %d want 3 (m1 on arrival, m2 and m3 at send)", d)
	}
}

// TestUnhandledAfterRestart checks that Crash clears the handler: a node
// restarted without a hook that calls Handle counts its messages as
// unhandled instead of feeding them to the dead incarnation's actor.
func TestUnhandledAfterRestart(t *testing.T) {
	w, net := newWorld()
	a, b := node.New(w, "a", net), node.New(w, "b", net)
	old := 0
	b.Handle(func(netsim.NodeID, any) { old++ })
	b.Crash()
	b.Handle(func(netsim.NodeID, any) { old++ }) // down: ignored
	b.Restart()
	a.Send("b", "x", 1)
	run(t, w, ms(100))
	if old != 0 || b.Unhandled() != 1 {
		t.Errorf("old handler ran %d times, unhandled %d; want 0 and 1", old, b.Unhandled())
	}
}

// TestStoreOutlivesCrash checks the object store's side of a crash: a PUT
// issued before the crash still lands, its guarded callback is dropped and
// an unguarded one still runs.
func TestStoreOutlivesCrash(t *testing.T) {
	w, net := newWorld()
	n := node.New(w, "capture", net)
	cfg := objstore.DefaultConfig()
	cfg.PutLatency = dist.Const{V: float64(ms(30))}
	cfg.GetLatency = dist.Const{V: float64(ms(30))}
	s := objstore.New(w, cfg)
	guarded, unguarded := 0, 0
	s.Put("redo/a.log", []byte("abc"), node.Guard1(n, func(error) { guarded++ }))
	s.Put("redo/b.log", []byte("abc"), func(error) { unguarded++ })
	getDone := node.Guard2(n, func([]byte, error) { guarded++ })
	s.Get("redo/a.log", getDone)
	tick := n.Guard(func() { guarded++ })
	w.Loop.At(sim.Instant(ms(10)), n.Crash)
	w.Loop.At(sim.Instant(ms(20)), func() {
		n.Restart()
		tick() // created in incarnation 1
	})
	run(t, w, ms(100))
	if _, ok := s.Object("redo/a.log"); !ok {
		t.Errorf("upload in flight at the crash did not land")
	}
	if guarded != 0 || unguarded != 1 {
		t.Errorf("guarded callbacks ran %d times (want 0), unguarded %d (want 1)", guarded, unguarded)
	}
	live := 0
	n.Guard(func() { live++ })()
	node.Guard1(n, func(int) { live++ })(1)
	if live != 2 {
		t.Errorf("guards of the live incarnation ran %d times want 2", live)
	}
}

// TestDeterminism checks that a crash-heavy run gives the same trace hash
// twice.
func TestDeterminism(t *testing.T) {
	hash := func() string {
		w, net := newWorld()
		a, b := node.New(w, "a", net), node.New(w, "b", net)
		start := func() {
			b.Handle(func(from netsim.NodeID, msg any) { b.Send(from, msg, 8) })
			b.Every(ms(7), func() { b.Send("a", "tick", 8) })
		}
		start()
		b.OnRestart(start)
		a.Handle(func(netsim.NodeID, any) {})
		a.Every(ms(3), func() { a.Send("b", "ping", 8) })
		r := w.Rand("test/crashes")
		for i := range 20 {
			at := sim.Instant(ms(i*50 + r.IntN(50)))
			w.Loop.At(at, b.Crash)
			w.Loop.At(at.Add(ms(1+r.IntN(20))), b.Restart)
		}
		run(t, w, ms(1000))
		return w.Trace.HashString()
	}
	if h1, h2 := hash(), hash(); h1 != h2 {
		t.Errorf("same seed, hashes %s and %s", h1, h2)
	}
}
