package dispatcher

import (
	"fmt"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/metrics"
	"github.com/redosim/redosim/sim/node"
)

// basic is what both dispatcher kinds share (TiCDC BasicDispatcher): event
// handling with one batch in flight, the checkpoint rule and the block
// event protocol.
type basic struct {
	n     *node.Node
	w     *sim.World
	id    msg.DispatcherID
	actor string
	cfg   Config
	sink  Sink
	rep   Reporter
	met   *Metrics
	prog  progress

	// block is the pending block event, nil when none.
	block *pendingBlock
	// checkpointCalls counts CheckpointTs calls, for the planted
	// CheckpointGoesBack.
	checkpointCalls uint64
	// lastBlock is the key of the last block event finished, zero if none.
	lastBlock blockKey
	// resends are the statuses resent until acknowledged, oldest first.
	resends []*resend
	// onFlushed runs after a DML write is flushed and the path woken: the
	// event dispatcher retries its fence cache there.
	onFlushed func()
}

// newBasic builds the shared core from validated inputs.
func newBasic(n *node.Node, cfg Config, d Deps) basic {
	met := d.Metrics
	if met == nil {
		met = NewMetrics(metrics.NewRegistry(), n.ID())
	}
	return basic{
		n:     n,
		w:     n.World(),
		id:    d.ID,
		actor: string(n.ID()) + "/" + d.ID.String(),
		cfg:   cfg,
		sink:  d.Sink,
		rep:   d.Reporter,
		met:   met,
		prog:  progress{resolvedTs: d.StartTs},
	}
}

// ID returns the dispatcher's id.
func (b *basic) ID() msg.DispatcherID { return b.id }

// CheckpointTs returns the dispatcher's checkpoint: where a reset restarts
// its stream (A3). While a block event at S is pending (waiting or being
// written) nothing else is in flight and everything before it in the
// stream is flushed, so it is max(S - 1, the idle rule): S - 1 as the
// maintainer forwards it (D6), or S when a resolved ts S came just before
// Sync(S). Ignoring the block's own write keeps it from going back from S
// to S - 1 while the syncpoint row is written.
func (b *basic) CheckpointTs() uint64 {
	ck := b.prog.checkpoint()
	if b.cfg.TestingKnobs.CheckpointAtInflight && len(b.prog.inflight) > 0 {
		ck = b.prog.inflight[0].minCommitTs // mutant: no "- 1"
	}
	if b.block != nil {
		if b.cfg.TestingKnobs.CheckpointAtBlock {
			ck = max(b.block.key.commitTs, b.prog.idle()) // mutant: S, not S - 1
		} else {
			ck = max(b.block.key.commitTs-1, b.prog.idle())
		}
	}
	if b.cfg.TestingKnobs.CheckpointGoesBack {
		// Two seconds of TSO time (physical ms above 18 logical bits).
		const back = 2000 << 18
		// A hash of the call count, not a period: callers poll on periods
		// of their own, and a fixed period can phase-lock with them.
		if b.checkpointCalls++; (b.checkpointCalls*0x9e3779b97f4a7c15)>>60 == 0 && ck > back {
			return ck - back
		}
	}
	return ck
}

// ResolvedTs returns the last resolved ts the dispatcher handled.
func (b *basic) ResolvedTs() uint64 { return b.prog.resolvedTs }

// Busy reports whether the dispatcher has a write in flight or a block
// event pending: its path is blocked.
func (b *basic) Busy() bool { return b.prog.busy() || b.block != nil }

// handle processes one batch (TiCDC handleEvents). A block event comes
// alone. DML events go to the sink as one write; resolved events raise the
// resolved ts after that write is handed over, so the checkpoint never
// passes an unflushed DML. It returns true when the path must wait for
// wake.
func (b *basic) handle(events []msg.Event, wake func()) bool {
	if b.Busy() {
		panic(fmt.Sprintf("model/dispatcher: bug: %s handles a batch while its path should be blocked (in flight %d, block pending %v)",
			b.id, len(b.prog.inflight), b.block != nil))
	}
	if len(events) == 1 && events[0].Kind.Blocking() {
		return b.handleBlock(events[0], wake)
	}
	dmls := events[:0] // the DMLs, filtered in place: the batch is the caller's to give (popBatch's fresh slice)
	var resolved uint64
	for i := range events {
		ev := &events[i]
		if ev.CommitTs < b.prog.resolvedTs {
			continue // stale, as TiCDC drops it
		}
		switch ev.Kind {
		case msg.EventResolved:
			resolved = max(resolved, ev.CommitTs)
		case msg.EventDML:
			dmls = append(dmls, *ev)
		case msg.EventDDL, msg.EventSyncPoint:
			panic(fmt.Sprintf("model/dispatcher: bug: %s got a %s event in a batch of %d; block events come alone",
				b.id, ev.Kind, len(events)))
		}
	}
	block := false
	if len(dmls) > 0 {
		block = true
		b.writeDML(dmls, wake)
	}
	b.prog.resolvedTs = max(b.prog.resolvedTs, resolved)
	return block
}

// writeDML hands dmls to the sink as one write; when it is flushed the
// write leaves the progress and the path is woken.
func (b *basic) writeDML(dmls []msg.Event, wake func()) {
	lo, hi := dmls[0].CommitTs, dmls[0].CommitTs
	for i := range dmls {
		lo, hi = min(lo, dmls[i].CommitTs), max(hi, dmls[i].CommitTs)
	}
	id := b.prog.add(lo, hi)
	b.w.Record("dispatcher/write", b.actor, sim.Digest(lo, hi, uint64(len(dmls))))
	done := onceOnly(b.id, "WriteDML", func() {
		b.prog.remove(id)
		wake()
		if b.onFlushed != nil {
			b.onFlushed()
		}
	})
	b.sink.WriteDML(b.id, dmls, b.n.Guard(done))
}

// onceOnly wraps fn so that a second call, a sink bug, panics.
func onceOnly(id msg.DispatcherID, what string, fn func()) func() {
	called := false
	return func() {
		if called {
			panic(fmt.Sprintf("model/dispatcher: bug: %s: %s done called twice", id, what))
		}
		called = true
		fn()
	}
}
