// Package node models a node's lifecycle in a world: it runs until it
// crashes, and may restart as a new incarnation.
//
// A node owns what dies with it: its timers (After, Every), its network
// presence and its message handler, plus whatever volatile state its crash
// hooks throw away (for example disk.Crash on its disks). Crash kills the
// current incarnation at once:
//
//  1. the node is marked down and its incarnation number is incremented;
//  2. every timer of the dying incarnation is stopped, so none ever fires;
//  3. the network marks it down: it sends nothing, messages in flight to it
//     are dropped on arrival, even if it has restarted by then;
//  4. its message handler is cleared (the actors that handled messages are
//     gone);
//  5. the crash hooks run, in registration order.
//
// The node owns its id's up/down state on the network: use Crash and
// Restart, never Network.SetDown on a node's id.
//
// Restart brings the node up again: the network marks it up, then the
// restart hooks run in registration order. They recover state and recreate
// the actors, which call Handle and start their timers again.
//
// What lives outside the node is not touched by a crash: the object store,
// other nodes, requests already in flight. A callback from such a request
// (an object store PUT completing after the crash) still runs unless it was
// wrapped with Guard, Guard1 or Guard2, which drop calls arriving for a dead
// incarnation.
//
// While a node is down, After and Every schedule nothing (they return the
// zero Timer), Handle does nothing, Send returns false and Guard returns a
// function that does nothing: code still running for a dead incarnation
// cannot act.
//
// Usage:
//
//	n := node.New(w, "capture-1", net)
//	start := func() {
//		a := newActor(n)
//		n.Handle(a.handle)
//		n.Every(50*sim.Millisecond, a.tick)
//	}
//	start()
//	n.OnCrash(func() { disk.Crash(r) })
//	n.OnRestart(start)
//
// A Node is not safe for concurrent use: one world, one goroutine.
package node

import (
	"fmt"

	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/netsim"
)

// timersPruneMin is the timer count below which a node does not bother to
// drop fired timers from its list.
const timersPruneMin = 64

// Node is a simulated machine with a crash-and-restart lifecycle. Create it
// with New.
type Node struct {
	w           *sim.World
	id          netsim.NodeID
	net         *netsim.Network
	up          bool
	changing    bool // inside Crash or Restart: hooks are running
	incarnation uint64
	handler     netsim.Handler
	unhandled   uint64

	// timers holds the timers of the current incarnation, some of which
	// may have fired or been stopped; pruned when it reaches timersPrune.
	timers      []sim.Timer
	timersPrune int

	crashHooks   []func()
	restartHooks []func()

	// phases draws the phase of each periodic timer (Every); nil keeps
	// every timer in phase with the moment it was set.
	phases *sim.Rand
}

// New returns node id, up in its first incarnation (1), registered on net.
// net may be nil for a node that only has storage; Send then returns false.
func New(w *sim.World, id netsim.NodeID, net *netsim.Network) *Node {
	if w == nil {
		panic("sim/node: New with a nil world")
	}
	if id == "" {
		panic("sim/node: New with an empty id")
	}
	n := &Node{w: w, id: id, net: net, up: true, incarnation: 1, timersPrune: timersPruneMin}
	if net != nil {
		net.AddNode(id, n.deliver)
		net.SetDown(id, false)
	}
	return n
}

// ID returns the node's id.
func (n *Node) ID() netsim.NodeID { return n.id }

// World returns the node's world.
func (n *Node) World() *sim.World { return n.w }

// Up reports whether the node is running.
func (n *Node) Up() bool { return n.up }

// Incarnation returns the number of the node's current life: 1 at first,
// incremented by each Crash. While the node is down it is the number the
// next Restart brings up.
func (n *Node) Incarnation() uint64 { return n.incarnation }

// Live reports whether the node is up in incarnation inc: the check an
// actor that remembered its incarnation makes before it acts.
func (n *Node) Live(inc uint64) bool { return n.up && n.incarnation == inc }

// Unhandled returns the number of messages that arrived while the node was
// up but had no handler (after a restart whose hooks did not call Handle).
func (n *Node) Unhandled() uint64 { return n.unhandled }

// After runs fn d from now, unless the node crashes first. While the node
// is down it schedules nothing and returns the zero Timer.
func (n *Node) After(d sim.Duration, fn func()) sim.Timer {
	if !n.up {
		return sim.Timer{}
	}
	return n.track(n.w.Loop.After(d, n.scoped(fn)))
}

// Every runs fn every d until the timer is stopped or the node crashes:
// a periodic component's ticker. The first run is d from now, or, with
// seeded phases on (SeedPhases), at a phase drawn uniformly from (0, d],
// as a real process's tickers start at unrelated moments. While the node
// is down it schedules nothing and returns the zero Timer.
func (n *Node) Every(d sim.Duration, fn func()) sim.Timer {
	if !n.up {
		return sim.Timer{}
	}
	if n.phases == nil || d <= 0 {
		return n.track(n.w.Loop.Every(d, n.scoped(fn)))
	}
	return n.track(n.w.Loop.EveryAfter(DrawPhase(n.phases, d), d, n.scoped(fn)))
}

// DrawPhase returns a phase in (0, period] drawn from r: when a periodic
// component that ticks every period first ticks after its process starts.
// period must be positive.
func DrawPhase(r *sim.Rand, period sim.Duration) sim.Duration {
	return 1 + sim.Duration(r.Uint64()%uint64(period))
}

// EveryFromNow runs fn every d, first exactly d from now, whatever the
// phase setting: a retry clock that starts at an event (a resend after
// waiting), not a component's ticker.
func (n *Node) EveryFromNow(d sim.Duration, fn func()) sim.Timer {
	if !n.up {
		return sim.Timer{}
	}
	return n.track(n.w.Loop.Every(d, n.scoped(fn)))
}

// SeedPhases turns on seeded phases for the node's periodic timers: from
// now on each Every starts at a phase drawn from the world's stream
// "sim/node/<id>/phase". Timers already set keep their phase.
func (n *Node) SeedPhases() {
	n.phases = n.w.Rand("sim/node/" + string(n.id) + "/phase")
}

// scoped wraps a timer function with the check that it runs in the
// incarnation that scheduled it. Crash stops every such timer, so a
// failing check is a bug in this package.
func (n *Node) scoped(fn func()) func() {
	if fn == nil {
		panic("sim/node: timer with a nil func on " + string(n.id))
	}
	inc := n.incarnation
	return func() {
		if !n.Live(inc) {
			panic(fmt.Sprintf("sim/node: %s: timer of incarnation %d fired in incarnation %d (up=%v)", n.id, inc, n.incarnation, n.up))
		}
		fn()
	}
}

// track remembers t so Crash can stop it. Fired and stopped timers are
// dropped when the list doubles, so it stays O(live timers) amortised.
func (n *Node) track(t sim.Timer) sim.Timer {
	if len(n.timers) >= n.timersPrune {
		live := n.timers[:0]
		for _, x := range n.timers {
			if x.Pending() {
				live = append(live, x)
			}
		}
		clear(n.timers[len(live):])
		n.timers = live
		n.timersPrune = max(timersPruneMin, 2*len(live))
	}
	n.timers = append(n.timers, t)
	return t
}

// Send sends msg from this node to node to through the network. It returns
// false when the message was dropped at send, and always while the node is
// down (the network counts that drop).
func (n *Node) Send(to netsim.NodeID, msg any, sizeBytes int) bool {
	if n.net == nil {
		return false
	}
	return n.net.Send(n.id, to, msg, sizeBytes)
}

// Handle sets the handler of the messages delivered to the node in its
// current incarnation. Crash clears it; a restart hook sets it again.
// While the node is down Handle does nothing: messages arriving for a dead
// incarnation are dropped, and a zombie cannot install a handler.
func (n *Node) Handle(h netsim.Handler) {
	if !n.up {
		return
	}
	n.handler = h
}

// deliver is the node's network handler: it hands a message to the
// current incarnation's handler.
func (n *Node) deliver(from netsim.NodeID, msg any) {
	if !n.up {
		panic("sim/node: " + string(n.id) + ": the network delivered a message while the node is down")
	}
	if n.handler == nil {
		n.unhandled++
		n.w.Record("node/unhandled", string(n.id), sim.StreamKey(string(from)))
		return
	}
	n.handler(from, msg)
}

// OnCrash registers fn to run at every crash, after the node is down, in
// registration order. Hooks drop volatile state, e.g. crash the node's disks.
func (n *Node) OnCrash(fn func()) {
	if fn == nil {
		panic("sim/node: OnCrash with a nil func")
	}
	n.crashHooks = append(n.crashHooks, fn)
}

// OnRestart registers fn to run at every restart, after the node is up, in
// registration order. Hooks recover state and recreate the actors.
func (n *Node) OnRestart(fn func()) {
	if fn == nil {
		panic("sim/node: OnRestart with a nil func")
	}
	n.restartHooks = append(n.restartHooks, fn)
}

// Crash kills the current incarnation (see the package doc for the steps).
// Crashing a node that is down does nothing, so a fault plan may crash
// nodes without tracking their state.
func (n *Node) Crash() {
	n.checkNotChanging("Crash")
	if !n.up {
		return
	}
	n.up = false
	n.incarnation++
	for _, t := range n.timers {
		t.Stop()
	}
	clear(n.timers)
	n.timers = n.timers[:0]
	n.timersPrune = timersPruneMin
	n.handler = nil
	if n.net != nil {
		n.net.SetDown(n.id, true)
	}
	n.w.Record("node/crash", string(n.id), n.incarnation)
	n.runHooks(n.crashHooks)
}

// Restart brings a crashed node up as its next incarnation and runs the
// restart hooks. Restarting a node that is up does nothing.
func (n *Node) Restart() {
	n.checkNotChanging("Restart")
	if n.up {
		return
	}
	n.up = true
	if n.net != nil {
		n.net.SetDown(n.id, false)
	}
	n.w.Record("node/restart", string(n.id), n.incarnation)
	n.runHooks(n.restartHooks)
}

func (n *Node) runHooks(hooks []func()) {
	n.changing = true
	defer func() { n.changing = false }()
	for _, h := range hooks {
		h()
	}
}

// checkNotChanging panics when a hook crashes or restarts its own node:
// a lifecycle change inside another has no defined order.
func (n *Node) checkNotChanging(op string) {
	if n.changing {
		panic("sim/node: " + op + " of " + string(n.id) + " from inside its own crash or restart hook")
	}
}

// Guard returns fn scoped to the current incarnation: calling the result
// runs fn only while the node is still up in that incarnation. Wrap with it
// the callbacks of requests that outlive a crash (object store, disks).
// Called while the node is down, it returns a function that does nothing.
func (n *Node) Guard(fn func()) func() {
	inc, up := n.incarnation, n.up
	return func() {
		if up && n.Live(inc) {
			fn()
		}
	}
}

// Guard1 is Guard for a callback of one argument, e.g. func(error).
func Guard1[A any](n *Node, fn func(A)) func(A) {
	inc, up := n.incarnation, n.up
	return func(a A) {
		if up && n.Live(inc) {
			fn(a)
		}
	}
}

// Guard2 is Guard for a callback of two arguments, e.g. func([]byte, error).
func Guard2[A, B any](n *Node, fn func(A, B)) func(A, B) {
	inc, up := n.incarnation, n.up
	return func(a A, b B) {
		if up && n.Live(inc) {
			fn(a, b)
		}
	}
}
