package swarm

import (
	"fmt"
	"strings"

	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/simdriver"
	"github.com/redosim/redosim/scenarios"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/disk"
	"github.com/redosim/redosim/sim/fault"
	"github.com/redosim/redosim/sim/netsim"
	"github.com/redosim/redosim/sim/objstore"
)

// Fault is one entry of a world's fault schedule: a fault point armed in
// a window (or once), or a scheduled action (a crash with its restart, a
// partition with its heal, a power loss). Every time lies inside the fault
// phase, so the world ends fault-free.
type Fault struct {
	// Kind is the swarm kind that drew the entry (Kinds).
	Kind string
	// Name is the fault point ("sim/disk/fsyncEIO") or action ("node.crash").
	Name string
	// Target is an action's target ("n2", "n1|n2,n3"); empty for points.
	Target string
	// From is the start (or the instant) of the entry.
	From sim.Duration
	// Until ends a window or span; 0 makes the entry one instant.
	Until sim.Duration
	// Prob is a window's chance of firing at each evaluation; 0 means 1.
	Prob float64
	// Value is handed to the point when it fires.
	Value string
}

// Entry returns f as a fault-plan entry.
func (f Fault) Entry() fault.Entry {
	e := fault.Entry{Name: f.Name, Target: f.Target, Mode: fault.AtTime, From: sim.Instant(f.From), Value: f.Value}
	if f.Until > f.From {
		e.Mode, e.Until, e.Prob = fault.InWindow, sim.Instant(f.Until), f.Prob
	}
	return e
}

// End returns when f's effect is over (scenarios.FaultEffectEnd): its
// window's end, or its instant, plus what outlasts it.
func (f Fault) End() sim.Duration { return scenarios.FaultEffectEnd(f.Entry()) }

// String returns f in plan syntax.
func (f Fault) String() string { return f.Entry().String() }

// Kind is one kind of fault the swarm switches on or off per world.
type Kind struct {
	// Name names the kind ("disk.fsyncEIO").
	Name string
	// Doc says what it does to the world.
	Doc string
	// Storage restricts the kind to worlds whose redo lands on "disk" or
	// "object"; "" for any. Redo-free worlds draw no storage kind.
	Storage string
	// MinNodes is the fewest nodes the kind needs (a partition needs 2).
	MinNodes int
	// Sticky marks a kind that can fail a redo engine for good: the world
	// then ends its fault phase with a restart of every node.
	Sticky bool
	// EntriesMax bounds the entries drawn when the kind is on.
	EntriesMax int
	// draw draws one entry inside [from, until).
	draw func(r *sim.Rand, w *World, from, until sim.Duration) Fault
}

// Kinds lists the fault kinds, in draw order (never reorder: a seed's
// world depends on it; append new kinds at the end).
//
// Left out on purpose: sim/net/drop (TiCDC's streams are reliable; the
// model has no retransmission, so a drop is a bug injection, not a
// fault), sim/disk/readError (recovery reads the file system directly,
// so the point never fires in a changefeed world), the model points
// model/collector/forceRelease and model/dispatcher/dropHeartbeat (in
// the catalogue but not wired: an armed point that never fires proves
// nothing), and bit flips in synced redo (no scenario action; a flip in
// synced data is loss the engine can only detect: the crash enumeration
// in engine/core checks that recovery never hands out a flipped record).
func Kinds() []Kind {
	return []Kind{
		{Name: "disk.fsyncEIO", Doc: "an fsync fails with EIO and drops the dirty pages (fsyncgate); the engine fails",
			Storage: "disk", Sticky: true, EntriesMax: 2, draw: pointDraw(disk.FaultFsyncEIO, nil, 0.5)},
		{Name: "disk.enospc", Doc: "a write or create fails with ENOSPC; the engine fails",
			Storage: "disk", Sticky: true, EntriesMax: 2, draw: pointDraw(disk.FaultENOSPC, nil, 0.5)},
		{Name: "disk.stall", Doc: "disk ops stall (added delay or latency factor) in a window",
			Storage: "disk", EntriesMax: 2, draw: pointDraw(disk.FaultStall, []string{"200ms", "2s", "20"}, 0.3)},
		{Name: "disk.crash", Doc: "power loss: every node and the redo disk crash (unsynced data lost or torn), nodes restart 1s later",
			Storage: "disk", EntriesMax: 2, draw: instantDraw("disk.crash")},
		{Name: "object.putFail", Doc: "an upload fails with HTTP 500; the engine fails",
			Storage: "object", Sticky: true, EntriesMax: 2, draw: pointDraw(objstore.FaultPutFail, nil, 0.5)},
		{Name: "object.throttle", Doc: "requests fail with SlowDown (HTTP 503); the engine fails",
			Storage: "object", Sticky: true, EntriesMax: 1, draw: pointDraw(objstore.FaultThrottle, []string{"1s"}, 0.5)},
		{Name: "object.slow", Doc: "object-store requests slow down by a factor in a window",
			Storage: "object", EntriesMax: 2, draw: pointDraw(objstore.FaultSlow, []string{"5", "20"}, 0.2)},
		{Name: "net.delay", Doc: "messages get extra latency in a window",
			EntriesMax: 2, draw: pointDraw(netsim.FaultDelay, []string{"50ms", "500ms"}, 0.2)},
		{Name: "net.partition", Doc: "the nodes split in two groups until the partition heals",
			MinNodes: 2, EntriesMax: 2, draw: partitionDraw},
		{Name: "node.crash", Doc: "a node crashes (its actors and volatile state lost) and restarts after 1-10 s",
			EntriesMax: 3, draw: crashDraw},
		{Name: "engine.opError", Doc: "one redo engine op (write, sync, rename, upload, meta) fails; the engine fails",
			Storage: "any-redo", Sticky: true, EntriesMax: 1, draw: engineOpDraw},
	}
}

func kindByName(name string) (Kind, bool) {
	for _, k := range Kinds() {
		if k.Name == name {
			return k, true
		}
	}
	return Kind{}, false
}

// applies reports whether k can be drawn in w.
func (k Kind) applies(w *World) bool {
	if w.Nodes < k.MinNodes {
		return false
	}
	switch k.Storage {
	case "":
		return true
	case "any-redo":
		return w.Redo
	}
	return w.Redo && w.Storage == k.Storage
}

// drawWindow draws a window of 1 to 15 s inside [from, until).
func drawWindow(r *sim.Rand, from, until sim.Duration) (sim.Duration, sim.Duration) {
	length := sim.Duration(1+r.IntN(15)) * sim.Second
	length = min(length, until-from-sim.Millisecond)
	start := from + drawMs(r, until-from-length)
	return start, start + length
}

// drawMs draws whole milliseconds in [0, d).
func drawMs(r *sim.Rand, d sim.Duration) sim.Duration {
	ms := int64(d / sim.Millisecond)
	if ms <= 0 {
		return 0
	}
	return sim.Duration(r.Int64N(ms)) * sim.Millisecond
}

// pointProbs are the chances a drawn window fires with, per evaluation.
var pointProbs = [...]float64{0.01, 0.1, 0.5, 1}

// pointDraw draws a fault point armed for a burst (every evaluation in
// 100 ms, with chance oneShot) or in a window of 1 to 15 s with a
// per-evaluation probability from pointProbs (1 is a storm: every
// evaluation in the window fires). Every entry has an end, so no fault
// outlives the fault phase.
func pointDraw(point string, values []string, oneShot float64) func(*sim.Rand, *World, sim.Duration, sim.Duration) Fault {
	return func(r *sim.Rand, _ *World, from, until sim.Duration) Fault {
		f := Fault{Name: point}
		if len(values) > 0 {
			f.Value = values[r.IntN(len(values))]
		}
		if r.Float64() < oneShot {
			// A burst, not "@t": a one-shot entry fires at the point's
			// first evaluation at or after t, which after a failed engine
			// may come only once the recovery restart brought it back,
			// and fail it again after the fault phase.
			f.From = from + drawMs(r, until-from-burst)
			f.Until = f.From + burst
			return f
		}
		f.From, f.Until = drawWindow(r, from, until)
		f.Prob = pointProbs[r.IntN(len(pointProbs))]
		if f.Prob == 1 {
			f.Prob = 0
		}
		return f
	}
}

func instantDraw(action string) func(*sim.Rand, *World, sim.Duration, sim.Duration) Fault {
	return func(r *sim.Rand, _ *World, from, until sim.Duration) Fault {
		return Fault{Name: action, From: from + drawMs(r, until-from-sim.Second)}
	}
}

// crashDraw crashes a node and restarts it 1 to 10 s later.
func crashDraw(r *sim.Rand, w *World, from, until sim.Duration) Fault {
	down := sim.Duration(1+r.IntN(10)) * sim.Second
	down = min(down, until-from-sim.Millisecond)
	at := from + drawMs(r, until-from-down)
	return Fault{Name: "node.crash", Target: fmt.Sprintf("n%d", 1+r.IntN(w.Nodes)), From: at, Until: at + down}
}

// partitionDraw splits the nodes in two non-empty groups: each node draws
// its side, and a one-sided draw moves a random node across.
func partitionDraw(r *sim.Rand, w *World, from, until sim.Duration) Fault {
	side := make([]bool, w.Nodes)
	count := 0
	for i := range side {
		side[i] = r.IntN(2) == 1
		if side[i] {
			count++
		}
	}
	if count == 0 || count == w.Nodes {
		i := r.IntN(w.Nodes)
		side[i] = !side[i]
	}
	var a, b []string
	for i, s := range side {
		id := fmt.Sprintf("n%d", i+1)
		if s {
			b = append(b, id)
		} else {
			a = append(a, id)
		}
	}
	start, end := drawWindow(r, from, until)
	return Fault{Name: "net.partition", Target: strings.Join(a, ",") + "|" + strings.Join(b, ","), From: start, Until: end}
}

// engineOps are the engine persistence steps an opError may fail, per
// storage: log writes, syncs and seals, and the meta replace.
var engineOps = map[string][]string{
	"disk": {
		simdriver.PointName(core.TypeRow, core.OpWrite), simdriver.PointName(core.TypeRow, core.OpSync),
		simdriver.PointName(core.TypeRow, core.OpRename), simdriver.PointName(core.TypeMeta, core.OpSync),
		simdriver.PointName(core.TypeMeta, core.OpRemove),
	},
	"object": {
		simdriver.PointName(core.TypeRow, core.OpPut), simdriver.PointName(core.TypeMeta, core.OpPut),
		simdriver.PointName(core.TypeMeta, core.OpDelete),
	},
}

func engineOpDraw(r *sim.Rand, w *World, from, until sim.Duration) Fault {
	ops := engineOps[w.Storage]
	at := from + drawMs(r, until-from-burst)
	return Fault{Name: ops[r.IntN(len(ops))], From: at, Until: at + burst}
}

// burst is the window of a one-shot fault point entry.
const burst = 100 * sim.Millisecond
