package dispatchertest

import (
	"fmt"
	"sort"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
)

// violationsKept bounds the violations a Checker keeps (it counts all).
const violationsKept = 32

// SampleEvery is the period of the Checker's monotonic-progress sampling.
const SampleEvery = 10 * sim.Millisecond

// Checker checks a World's invariants as it runs:
//
//   - redo-before-sink: nothing reaches the main sink with a commitTs above
//     the node's redoGlobalTs, or above the durable redo meta resolved ts,
//     when it is sent;
//   - syncpoint barrier (invariant 9): a syncpoint S is written once, by
//     the table trigger, when every table has flushed all its rows <= S and
//     sent none > S; nothing > S is sent before the row of S is flushed;
//   - a DDL is written once per sink;
//   - one write in flight per dispatcher (invariant 3);
//   - monotonic progress: every dispatcher's checkpoint, each node's
//     redoGlobalTs, the maintainer's checkpoint, redo resolved ts and
//     redoGlobalTs never go back (sampled every SampleEvery);
//   - checkpoint <= redo resolved ts, and a main dispatcher's checkpoint
//     <= its node's redoGlobalTs (with redo).
type Checker struct {
	tw         *World
	violations []string
	count      int

	syncFlushed map[uint64]bool
	syncWrites  map[uint64]int
	ddlWrites   map[msg.Mode]map[uint64]int
	maxSent     map[int64]uint64
	flushedDML  map[int64][]uint64
	last        map[string]uint64
	inFlight    map[msg.DispatcherID]int
}

func newChecker(tw *World) *Checker {
	c := &Checker{
		tw: tw, syncFlushed: make(map[uint64]bool), syncWrites: make(map[uint64]int),
		ddlWrites: map[msg.Mode]map[uint64]int{msg.ModeMain: {}, msg.ModeRedo: {}},
		maxSent:   make(map[int64]uint64), flushedDML: make(map[int64][]uint64),
		last: make(map[string]uint64), inFlight: make(map[msg.DispatcherID]int),
	}
	tw.MainSink.OnWrite = c.onMainWrite
	tw.MainSink.OnFlush = c.onMainFlush
	tw.RedoSink.OnWrite = c.onRedoWrite
	tw.RedoSink.OnFlush = c.flushed
	tw.W.Loop.Every(SampleEvery, c.sample)
	return c
}

// Violations returns the first violations found (at most 32).
func (c *Checker) Violations() []string { return c.violations }

// Count returns the number of violations found.
func (c *Checker) Count() int { return c.count }

func (c *Checker) failf(format string, args ...any) {
	c.count++
	if len(c.violations) < violationsKept {
		c.violations = append(c.violations, c.tw.W.Now().String()+" "+fmt.Sprintf(format, args...))
	}
}

func maxCommitTs(evs []msg.Event) uint64 {
	var m uint64
	for i := range evs {
		m = max(m, evs[i].CommitTs)
	}
	return m
}

// writing checks that wr is its dispatcher's only write in flight.
func (c *Checker) writing(wr *Write) {
	c.inFlight[wr.Dispatcher]++
	if n := c.inFlight[wr.Dispatcher]; n > 1 {
		c.failf("one batch in flight: %s has %d writes in flight", wr.Dispatcher, n)
	}
}

// flushed ends wr's flight.
func (c *Checker) flushed(wr *Write) { c.inFlight[wr.Dispatcher]-- }

func (c *Checker) onMainWrite(wr *Write) {
	c.writing(wr)
	t := wr.Dispatcher.Table
	top := maxCommitTs(wr.Events)
	c.checkRedoBeforeSink(wr, top)
	c.checkSyncPointsBefore(wr.Dispatcher, top)
	if !wr.Block {
		c.maxSent[t] = max(c.maxSent[t], top)
		return
	}
	ev := wr.Events[0]
	if ev.Kind == msg.EventDDL {
		c.countDDL(msg.ModeMain, ev.CommitTs)
		return
	}
	c.checkSyncPointWrite(wr.Dispatcher, ev.CommitTs)
}

func (c *Checker) checkRedoBeforeSink(wr *Write, top uint64) {
	if !c.tw.Cfg.RedoEnabled {
		return
	}
	if g := c.tw.ManagerOf(wr.Dispatcher.Table).RedoGlobalTs(); top > g {
		c.failf("redo-before-sink: %s sent commitTs %d above redoGlobalTs %d", wr.Dispatcher, top, g)
	}
	if _, rts := c.tw.Meta.FlushedMeta(); top > rts {
		c.failf("redo-before-sink: %s sent commitTs %d above the durable redo resolved ts %d", wr.Dispatcher, top, rts)
	}
}

// checkSyncPointsBefore: every syncpoint below what d sends must be written.
func (c *Checker) checkSyncPointsBefore(d msg.DispatcherID, top uint64) {
	for _, s := range c.tw.Gen.SyncPoints {
		if s >= top {
			return
		}
		if !c.syncFlushed[s] {
			c.failf("syncpoint barrier: %s sent commitTs %d while syncpoint %d is not written", d, top, s)
			return
		}
	}
}

func (c *Checker) checkSyncPointWrite(d msg.DispatcherID, s uint64) {
	c.syncWrites[s]++
	if c.syncWrites[s] > 1 {
		c.failf("syncpoint barrier: syncpoint %d written %d times", s, c.syncWrites[s])
	}
	if d.Table != msg.TableTrigger {
		c.failf("syncpoint barrier: syncpoint %d written by %s, not the table trigger", s, d)
	}
	for _, t := range c.tw.Tables() {
		if c.maxSent[t] > s {
			c.failf("syncpoint barrier: syncpoint %d written after table %d sent commitTs %d", s, t, c.maxSent[t])
		}
		if want, got := countUpTo(c.tw.Gen.Stream(t), s), countTsUpTo(c.flushedDML[t], s); got < want {
			c.failf("syncpoint barrier: syncpoint %d written with table %d's rows <= it flushed %d of %d", s, t, got, want)
		}
	}
}

func (c *Checker) countDDL(mode msg.Mode, ts uint64) {
	c.ddlWrites[mode][ts]++
	if n := c.ddlWrites[mode][ts]; n > 1 {
		c.failf("ddl: %s DDL at %d written %d times", mode, ts, n)
	}
}

// countUpTo counts the DML events <= ts of a stream.
func countUpTo(evs []msg.Event, ts uint64) int {
	n := 0
	for i := range evs {
		if evs[i].Kind == msg.EventDML && evs[i].CommitTs <= ts {
			n++
		}
	}
	return n
}

// countTsUpTo counts the values <= ts.
func countTsUpTo(v []uint64, ts uint64) int {
	n := 0
	for _, x := range v {
		if x <= ts {
			n++
		}
	}
	return n
}

func (c *Checker) onMainFlush(wr *Write) {
	c.flushed(wr)
	if !wr.Block {
		for i := range wr.Events {
			c.flushedDML[wr.Dispatcher.Table] = append(c.flushedDML[wr.Dispatcher.Table], wr.Events[i].CommitTs)
		}
		return
	}
	if ev := wr.Events[0]; ev.Kind == msg.EventSyncPoint {
		c.syncFlushed[ev.CommitTs] = true
	}
}

func (c *Checker) onRedoWrite(wr *Write) {
	c.writing(wr)
	if !wr.Block {
		return
	}
	ev := wr.Events[0]
	if ev.Kind == msg.EventSyncPoint {
		c.failf("redo: %s wrote syncpoint %d to the redo sink", wr.Dispatcher, ev.CommitTs)
		return
	}
	c.countDDL(msg.ModeRedo, ev.CommitTs)
}

// mono checks that the value named key did not go back.
func (c *Checker) mono(key string, v uint64) {
	if prev, ok := c.last[key]; ok && v < prev {
		c.failf("monotonic: %s went back from %d to %d", key, prev, v)
	}
	c.last[key] = v
}

// sample checks the monotonic values and their relations.
func (c *Checker) sample() {
	tw := c.tw
	m := tw.Maintainer
	c.mono("maintainer/checkpoint", m.CheckpointTs())
	c.mono("maintainer/redo-resolved", m.RedoResolvedTs())
	c.mono("maintainer/redo-global", m.RedoGlobalTs())
	if tw.Cfg.RedoEnabled && m.CheckpointTs() > m.RedoResolvedTs() {
		c.failf("order: checkpoint %d above redo resolved ts %d", m.CheckpointTs(), m.RedoResolvedTs())
	}
	for i, mgr := range tw.Managers {
		g := mgr.RedoGlobalTs()
		c.mono(fmt.Sprintf("n%d/redo-global", i+1), g)
		tables := mgr.Tables()
		sort.Slice(tables, func(a, b int) bool { return tables[a] < tables[b] })
		for _, t := range tables {
			ck := mgr.EventDispatcher(t).CheckpointTs()
			c.mono(fmt.Sprintf("checkpoint/t%d/main", t), ck)
			if tw.Cfg.RedoEnabled && ck > max(g, tw.StartTs) {
				c.failf("order: t%d/main checkpoint %d above redoGlobalTs %d", t, ck, g)
			}
			if rd := mgr.RedoDispatcher(t); rd != nil {
				c.mono(fmt.Sprintf("checkpoint/t%d/redo", t), rd.CheckpointTs())
			}
		}
	}
}
