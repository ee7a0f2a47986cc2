package maintainer

import (
	"cmp"
	"slices"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/netsim"
)

// eventKey names a block event: (commitTs, isSyncPoint), the DDL before
// the syncpoint at one ts (D6).
type eventKey struct {
	commitTs    uint64
	isSyncPoint bool
}

// compare orders keys by commitTs, then DDL before syncpoint.
func (k eventKey) compare(o eventKey) int {
	if c := cmp.Compare(k.commitTs, o.commitTs); c != 0 {
		return c
	}
	return cmp.Compare(boolWord(k.isSyncPoint), boolWord(o.isSyncPoint))
}

// barrierEvent is one block event's barrier (TiCDC BarrierEvent).
type barrierEvent struct {
	key eventKey
	// blocked is a DDL's scope from its first report; nil for a syncpoint.
	blocked []int64
	// snapshot is a syncpoint's coverage, taken from the registered tables
	// when the table trigger reports; nil before.
	snapshot []int64
	reported map[int64]bool
	done     map[int64]bool
	// from is the node each reporter reported from.
	from         map[int64]netsim.NodeID
	lastReporter int64
	selected     bool
	writer       int64
	writerDone   bool
	firstWaiting sim.Instant
	lastSend     sim.Instant

	// The coverage counted once and kept up as statuses arrive, so a
	// status costs O(1), not a sort of every table (a syncpoint over
	// 200 000 dispatchers). Valid while counted and the maintainer's table
	// registrations are at generation gen.
	counted bool
	gen     uint64
	// inBase holds the base tables (scope or snapshot) registered when
	// counted; coverage is inBase plus every reporter.
	inBase      map[int64]bool
	notReported int // covered tables that have not reported
	notDone     int // covered tables not done
}

// barrier runs the block events of one mode (TiCDC Barrier; the redo one
// is redoBarrier).
type barrier struct {
	m      *Maintainer
	mode   msg.Mode
	events map[eventKey]*barrierEvent
	// completed holds finished events until the mode's checkpoint passes
	// them, so a late WAITING (a dispatcher reset that replays the event)
	// is answered with Pass instead of opening a barrier nobody else joins.
	completed map[eventKey]bool
	met       barrierMetrics
}

func newBarrier(m *Maintainer, mode msg.Mode) *barrier {
	return &barrier{
		m: m, mode: mode,
		events:    make(map[eventKey]*barrierEvent),
		completed: make(map[eventKey]bool),
		met:       m.met.forBarrier(mode),
	}
}

// handleStatus acknowledges a status and applies it (D6).
func (b *barrier) handleStatus(from netsim.NodeID, st msg.BlockStatus) {
	ack := msg.BlockAck{Dispatcher: st.Dispatcher, BlockTs: st.BlockTs, IsSyncPoint: st.IsSyncPoint, Stage: st.Stage}
	b.m.n.Send(from, ack, msgBytes)
	key := eventKey{commitTs: st.BlockTs, isSyncPoint: st.IsSyncPoint}
	switch st.Stage {
	case msg.StageWaiting:
		b.onWaiting(from, st, key)
	case msg.StageDone:
		b.onDone(st, key)
	}
}

// onWaiting records a dispatcher waiting at key and selects the writer
// once every covered dispatcher waits.
func (b *barrier) onWaiting(from netsim.NodeID, st msg.BlockStatus, key eventKey) {
	t := st.Dispatcher.Table
	if b.completed[key] {
		b.send(msg.ActionPass, key, from, []int64{t})
		return
	}
	ev := b.events[key]
	if ev == nil {
		ev = &barrierEvent{
			key: key, reported: make(map[int64]bool), done: make(map[int64]bool),
			from: make(map[int64]netsim.NodeID), firstWaiting: b.m.w.Now(),
		}
		if !key.isSyncPoint {
			ev.blocked = slices.Clone(st.Blocked)
		}
		b.events[key] = ev
	}
	if key.isSyncPoint && t == msg.TableTrigger && ev.snapshot == nil {
		ev.snapshot = b.m.registered(b.mode)
	}
	ev.from[t] = from
	if !ev.reported[t] {
		ev.reported[t] = true
		ev.lastReporter = t
		if b.fresh(ev) {
			if ev.inBase[t] {
				ev.notReported--
			} else if !ev.done[t] { // a reporter outside the base joins the coverage
				ev.notDone++
			}
		}
	}
	if !ev.selected && !b.passAlreadyCompleted(ev) {
		b.trySelect(ev)
	}
}

// passAlreadyCompleted answers an unselected event that some covered
// dispatcher has already passed: a dispatcher blocked at S reports a
// checkpoint of at most S (S-1, or S once resolved(S) arrived), and no
// event above S reaches it before Sync(S); so a node whose watermark (for
// this mode) is above S has passed S, and no dispatcher passes a barrier
// that did not complete. That happens
// after a maintainer restart (the finished barrier was forgotten) when
// restarted dispatchers replay the event: the others will never report
// WAITING again. The event is marked completed and its reporters get Pass
// (TiCDC's checkBlockedDispatchers). For a syncpoint every node counts;
// for a DDL only the nodes of its covered tables.
func (b *barrier) passAlreadyCompleted(ev *barrierEvent) bool {
	if !b.passedSomewhere(ev) {
		return false
	}
	b.m.w.Probe(ProbeBarrierPassAfterRestart)
	b.completed[ev.key] = true
	for _, t := range sortedTables(ev.reported) {
		b.send(msg.ActionPass, ev.key, b.nodeOf(ev, t), []int64{t})
	}
	b.met.passedForward.Inc()
	b.m.w.Record("maintainer/barrier-forwarded", b.actor(), b.digest(ev))
	delete(b.events, ev.key)
	return true
}

func (b *barrier) passedSomewhere(ev *barrierEvent) bool {
	var nodes []netsim.NodeID
	if ev.key.isSyncPoint {
		nodes = b.m.cfg.Nodes
	} else {
		for _, t := range ev.blocked {
			if id, ok := b.m.tableNode[t]; ok {
				nodes = append(nodes, id)
			}
		}
	}
	for _, id := range nodes {
		p, seen := b.m.progress[id]
		if !seen {
			continue
		}
		wm := p.watermark
		if b.mode == msg.ModeRedo {
			wm = p.redoWatermark
		}
		if wm != noWatermark && (wm > ev.key.commitTs || b.m.cfg.TestingKnobs.PassedAtBarrierTs && wm == ev.key.commitTs) {
			return true
		}
	}
	return false
}

func sortedTables(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for t := range m {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// onDone records a dispatcher done at key. The writer's DONE releases the
// others with Pass; the event ends when every covered dispatcher is done.
func (b *barrier) onDone(st msg.BlockStatus, key eventKey) {
	ev := b.events[key]
	if ev == nil || !ev.selected {
		return
	}
	t := st.Dispatcher.Table
	switch {
	case t == ev.writer && !ev.writerDone:
		ev.writerDone = true
		b.markDone(ev, t)
		b.m.w.Record("maintainer/barrier-written", b.actor(), b.digest(ev))
		b.sendPass(ev)
	case ev.writerDone:
		b.markDone(ev, t)
	}
	b.tryFinish(ev)
}

// markDone records t done, keeping the count of covered tables not done.
func (b *barrier) markDone(ev *barrierEvent, t int64) {
	if ev.done[t] {
		return
	}
	ev.done[t] = true
	if b.fresh(ev) && (ev.inBase[t] || ev.reported[t]) {
		ev.notDone--
	}
}

// fresh reports whether ev's counts are valid: counted at the current
// table registrations.
func (b *barrier) fresh(ev *barrierEvent) bool { return ev.counted && ev.gen == b.m.tablesGen }

// count makes ev's counts valid, counting from scratch when the table
// registrations changed; false for a syncpoint the table trigger has not
// reported yet (no coverage).
func (b *barrier) count(ev *barrierEvent) bool {
	if b.fresh(ev) {
		return true
	}
	cov, ok := b.coverage(ev)
	if !ok {
		return false
	}
	ev.counted, ev.gen = true, b.m.tablesGen
	ev.inBase = make(map[int64]bool, len(cov))
	ev.notReported, ev.notDone = 0, 0
	base := ev.blocked
	if ev.key.isSyncPoint {
		base = ev.snapshot
	}
	for _, t := range base {
		if b.m.isRegistered(b.mode, t) {
			ev.inBase[t] = true
		}
	}
	for _, t := range cov {
		if !ev.reported[t] {
			ev.notReported++
		}
		if !ev.done[t] {
			ev.notDone++
		}
	}
	return true
}

// coverage returns the tables that must report: the event's scope among
// the registered tables, plus every reporter. ok is false for a syncpoint
// the table trigger has not reported yet.
func (b *barrier) coverage(ev *barrierEvent) (tables []int64, ok bool) {
	base := ev.blocked
	if ev.key.isSyncPoint {
		if ev.snapshot == nil {
			return nil, false
		}
		base = ev.snapshot
	}
	for _, t := range base {
		if b.m.isRegistered(b.mode, t) {
			tables = append(tables, t)
		}
	}
	for t := range ev.reported {
		tables = append(tables, t)
	}
	slices.Sort(tables)
	return slices.Compact(tables), true
}

// trySelect selects the writer and sends it Write once every covered
// dispatcher waits: the table trigger for a syncpoint or a DDL it is
// covered by, else the dispatcher whose report completed the coverage.
func (b *barrier) trySelect(ev *barrierEvent) {
	missing := 0
	if b.m.cfg.TestingKnobs.BarrierOneMissing {
		missing = 1 // mutant: > 1 instead of > 0
	}
	if !b.count(ev) || ev.notReported > missing {
		return
	}
	ev.selected = true
	ev.writer = ev.lastReporter
	if ev.key.isSyncPoint || ev.inBase[msg.TableTrigger] || ev.reported[msg.TableTrigger] {
		ev.writer = msg.TableTrigger
	}
	b.m.w.Record("maintainer/barrier-write", b.actor(), sim.Digest(b.digest(ev), uint64(ev.writer)))
	b.sendWrite(ev)
	if b.m.cfg.TestingKnobs.PassWithWrite {
		b.sendPass(ev) // mutant: the others go on before the writer is done
	}
}

// tryFinish ends the event once the writer and every covered dispatcher
// are done.
func (b *barrier) tryFinish(ev *barrierEvent) {
	if !ev.writerDone || !b.count(ev) || ev.notDone > 0 {
		return
	}
	delete(b.events, ev.key)
	b.completed[ev.key] = true
	b.met.duration.Observe(b.m.w.Now().Sub(ev.firstWaiting).Seconds())
	b.met.done.Inc()
	b.m.w.Record("maintainer/barrier-done", b.actor(), b.digest(ev))
}

// sendWrite sends Write to the writer.
func (b *barrier) sendWrite(ev *barrierEvent) {
	b.send(msg.ActionWrite, ev.key, b.nodeOf(ev, ev.writer), []int64{ev.writer})
	ev.lastSend = b.m.w.Now()
}

// sendPass sends Pass to every covered dispatcher, one message per node
// listing its dispatchers. Done ones are included, as TiCDC's
// sendPassAction broadcasts to the whole scope: a dispatcher re-created
// after its node crashed replays the event below its old DONE and waits
// for a Pass that would otherwise never come (a dispatcher already past
// the event answers DONE again, which onDone absorbs).
func (b *barrier) sendPass(ev *barrierEvent) {
	cov, _ := b.coverage(ev)
	byNode := make(map[netsim.NodeID][]int64)
	var nodes []netsim.NodeID
	for _, t := range cov {
		id := b.nodeOf(ev, t)
		if _, ok := byNode[id]; !ok {
			nodes = append(nodes, id)
		}
		byNode[id] = append(byNode[id], t)
	}
	slices.Sort(nodes)
	for _, id := range nodes {
		b.send(msg.ActionPass, ev.key, id, byNode[id])
	}
	ev.lastSend = b.m.w.Now()
}

// send sends one action for key to the dispatchers of tables on node to.
func (b *barrier) send(action msg.ActionKind, key eventKey, to netsim.NodeID, tables []int64) {
	if to == "" {
		return
	}
	ids := make([]msg.DispatcherID, len(tables))
	for i, t := range tables {
		ids[i] = msg.DispatcherID{Table: t, Mode: b.mode}
	}
	a := msg.BlockAction{Action: action, CommitTs: key.commitTs, IsSyncPoint: key.isSyncPoint, Mode: b.mode, Dispatchers: ids}
	b.m.n.Send(to, a, msgBytes+8*len(ids))
}

// nodeOf returns the node of a covered dispatcher: where it reported from,
// else where SetTables put it.
func (b *barrier) nodeOf(ev *barrierEvent, t int64) netsim.NodeID {
	if id, ok := ev.from[t]; ok {
		return id
	}
	return b.m.tableNode[t]
}

// resend is the barrier's share of the period task, over the events in key
// order: an event not selected is checked again (its coverage may have
// shrunk); a selected one resends its action at most every BarrierResend:
// Write until the writer is done, then Pass.
func (b *barrier) resend() {
	now := b.m.w.Now()
	for _, key := range sortedKeys(b.events) {
		ev := b.events[key]
		if !ev.selected {
			if !b.passAlreadyCompleted(ev) {
				b.trySelect(ev)
			}
			continue
		}
		b.tryFinish(ev)
		if b.events[key] == nil || now.Sub(ev.lastSend) < b.m.cfg.BarrierResend {
			continue
		}
		b.met.resends.Inc()
		if ev.writerDone {
			b.sendPass(ev)
		} else {
			b.sendWrite(ev)
		}
	}
}

// prune forgets finished events at or below the mode's checkpoint ts: no
// dispatcher can replay them any more.
func (b *barrier) prune(ts uint64) {
	for _, key := range sortedKeys(b.completed) {
		if key.commitTs > ts {
			return
		}
		delete(b.completed, key)
	}
}

// sortedKeys returns the keys of m in key order.
func sortedKeys[V any](m map[eventKey]V) []eventKey {
	keys := make([]eventKey, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, eventKey.compare)
	return keys
}

// actor is the barrier's trace actor.
func (b *barrier) actor() string { return b.m.actor + "/" + b.mode.String() }

// digest is an event's trace digest.
func (b *barrier) digest(ev *barrierEvent) uint64 {
	return sim.Digest(ev.key.commitTs, boolWord(ev.key.isSyncPoint))
}

// boolWord is 1 for true, 0 for false.
func boolWord(v bool) uint64 {
	if v {
		return 1
	}
	return 0
}
