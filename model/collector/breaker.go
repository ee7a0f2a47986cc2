package collector

import (
	"slices"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
)

// breakerOnAppend runs the circuit breaker's checks for an event about to
// be queued (areaMemStat.appendEvent with the EventCollector algorithm) and
// returns the event to queue: ev itself, or a Drop event in its place.
//
//  1. Deadlock: the area's size has not decreased for NoDequeueFor and its
//     usage is above UsageHigh: release. TiCDC also asks that an event was
//     appended less than NoDequeueFor ago, but it stamps lastAppend before
//     the check, so that clause always holds on an append; so here.
//  2. Hard limit: usage >= HardLimit: release, and a DML, DDL or syncpoint
//     is replaced by a Drop event of zero accounted size (resolved and
//     handshake events are queued as they are). The Drop event makes the
//     dispatcher reset when it is handed out (docs/FIDELITY.md section 4, d4).
//
// Both checks use the usage before ev is added.
func (s *stream) breakerOnAppend(ev msg.Event) msg.Event {
	b := &s.c.cfg.Breaker
	now := s.c.w.Now()
	if now.Sub(s.area.lastSizeDecrease) > b.NoDequeueFor && s.area.usage() > b.UsageHigh {
		s.release()
	}
	if s.area.usage() < b.HardLimit {
		return ev
	}
	s.release()
	switch ev.Kind {
	case msg.EventDML, msg.EventDDL, msg.EventSyncPoint:
		s.c.w.Probe(ProbeHardLimitDrop)
		s.c.st.DropEvents++
		s.c.met.drops.Inc()
		s.c.w.Record("collector/drop", s.c.actor, sim.Digest(uint64(ev.Dispatcher.Table), uint64(ev.Dispatcher.Mode), ev.Seq, ev.CommitTs))
		return msg.Event{
			Kind:       msg.EventDrop,
			Dispatcher: ev.Dispatcher,
			Epoch:      ev.Epoch,
			Seq:        ev.Seq,
			CommitTs:   ev.CommitTs,
			StartTs:    ev.StartTs,
		}
	}
	return ev
}

// release frees memory of the area (releaseMemory), at most once per
// MinInterval: the paths sorted by last handled ts, most advanced first
// (ties by dispatcher id), are picked while the picked bytes are below
// ReleaseShare of the area's used bytes, skipping paths that are not
// blocking or hold fewer than MinPathBytes. Each picked path's queue is
// discarded silently (the ReleasePath feedback and ds.Release), the release
// is counted for the next v2 report, and with ResetOnRelease its dispatcher
// resets at once. lastSizeDecrease is stamped whether or not a path was
// picked, as in TiCDC, which holds the deadlock rule off for NoDequeueFor.
func (s *stream) release() {
	b := &s.c.cfg.Breaker
	now := s.c.w.Now()
	if now.Sub(s.area.lastRelease) < b.MinInterval {
		return
	}
	s.area.lastRelease = now
	picked := s.releasePick()
	usedBefore := s.area.usedBytes
	var freed int64
	for _, p := range picked {
		bytes := s.discard(p)
		freed += bytes
		s.c.releasedPath(s, p, bytes)
	}
	s.area.lastSizeDecrease = now
	if len(picked) > 0 {
		s.c.st.ReleaseRounds++
		s.met.releaseRounds.Inc()
		s.c.w.Record("collector/release", s.c.actor, sim.Digest(uint64(s.mode), uint64(len(picked)), uint64(freed), uint64(usedBefore)))
	}
}

// releasePick returns the paths a release frees, in release order.
func (s *stream) releasePick() []*path {
	b := &s.c.cfg.Breaker
	order := slices.Clone(s.paths) // sorted by id: the tie-break
	slices.SortStableFunc(order, func(x, y *path) int {
		if s.c.cfg.TestingKnobs.ReleaseMostLagging {
			x, y = y, x // mutant: the least advanced first
		}
		switch {
		case x.lastHandleTs > y.lastHandleTs:
			return -1
		case x.lastHandleTs < y.lastHandleTs:
			return 1
		}
		return 0
	})
	target := int64(float64(s.area.usedBytes) * b.ReleaseShare)
	var picked []*path
	var bytes int64
	for _, p := range order {
		if bytes >= target {
			break
		}
		blockingOK := p.blocking || s.c.cfg.TestingKnobs.ReleaseNonBlocking
		if p.pendingBytes < b.MinPathBytes || !blockingOK {
			continue
		}
		picked = append(picked, p)
		bytes += p.pendingBytes
	}
	return picked
}
