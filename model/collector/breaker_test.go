package collector

import (
	"testing"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
)

// releaseRecord is one released path seen by the OnRelease hook.
type releaseRecord struct {
	at    sim.Instant
	id    msg.DispatcherID
	bytes int64
	// usedBefore is the area's used bytes before the release round.
	usedBefore int64
}

// stuckRig is five main dispatchers t1..t5 whose first DML batch blocks
// them for good (nobody calls wake). t_i's first DML has commit ts 100·i,
// so t5 is the most advanced. Every pushEvery each path gets one more DML
// of pushBytes: events come in, none go out.
type stuckRig struct {
	*rig
	ids      []msg.DispatcherID
	seq      []uint64
	releases []releaseRecord
}

func newStuckRig(t *testing.T, cfg Config, pushEvery sim.Duration, pushBytes int64) *stuckRig {
	s := &stuckRig{rig: newRig(t, cfg)}
	for i := 1; i <= 5; i++ {
		id := msg.DispatcherID{Table: int64(i), Mode: msg.ModeMain}
		s.ids = append(s.ids, id)
		s.seq = append(s.seq, 2)
		s.c.AddDispatcher(id, &scriptDispatcher{}, serviceNode, 1, 0)
		s.push(hs(id, 1, 1), dml(id, 1, 2, uint64(100*i), 10))
	}
	var roundUsed int64
	var roundAt sim.Instant = -1
	s.c.SetHooks(Hooks{OnRelease: func(id msg.DispatcherID, bytes int64) {
		if now := s.w.Now(); now != roundAt {
			roundAt = now
			main, _ := s.c.Usage()
			roundUsed = main.UsedBytes + bytes // the first path of a round is already discarded
		}
		s.releases = append(s.releases, releaseRecord{at: s.w.Now(), id: id, bytes: bytes, usedBefore: roundUsed})
	}})
	s.w.Loop.Every(pushEvery, func() {
		for i, id := range s.ids {
			s.seq[i]++
			s.c.Handle(serviceNode, msg.EventBatch{Events: []msg.Event{dml(id, 1, s.seq[i], uint64(1000+s.seq[i]), pushBytes)}})
		}
	})
	return s
}

// TestBreakerReleasesMostAdvancedBlockingPaths checks the deadlock rule
// (E4): every path blocked, usage above 60 % and no size decrease for 5 s
// => release, freeing at least 60 % of the pending bytes from the most
// advanced blocking paths and no more paths than needed; releases at
// least MinInterval apart (here 5 s apart: each release restarts the 5 s).
// Reference: utils/dynstream/memory_control.go checkDeadlock, releaseMemory.
func TestBreakerReleasesMostAdvancedBlockingPaths(t *testing.T) {
	s := newStuckRig(t, Config{MainQuotaBytes: 20 * KiB, PathDivisor: 1, PathMinBytes: 1}, 500*sim.Millisecond, 200)
	s.run(30 * sim.Second)
	if len(s.releases) == 0 {
		t.Fatalf("no release in 30 s of a full stall")
	}
	first := s.releases[0].at
	if first < sim.Instant(6*sim.Second) || first > sim.Instant(7*sim.Second) {
		t.Fatalf("first release at %v, want when usage passes 60 %% (12 KiB at 2 KiB/s: 6-7 s), 5 s after the last dequeue", first)
	}
	// Group the records by round.
	var rounds [][]releaseRecord
	for i, rec := range s.releases {
		if i == 0 || rec.at != s.releases[i-1].at {
			rounds = append(rounds, nil)
		}
		rounds[len(rounds)-1] = append(rounds[len(rounds)-1], rec)
	}
	order := []msg.DispatcherID{s.ids[4], s.ids[3], s.ids[2], s.ids[1], s.ids[0]} // most advanced first
	for i, round := range rounds {
		if i > 0 && round[0].at.Sub(rounds[i-1][0].at) < sim.Second {
			t.Fatalf("releases at %v and %v: less than MinInterval apart", rounds[i-1][0].at, round[0].at)
		}
		var freed int64
		for j, rec := range round {
			if rec.id != order[j] {
				t.Fatalf("round %d released %v as #%d, want %v (most advanced first)", i, rec.id, j, order[j])
			}
			freed += rec.bytes
		}
		target := int64(0.6 * float64(round[0].usedBefore))
		if freed < target {
			t.Fatalf("round %d freed %d of %d bytes, want >= 60 %% (%d)", i, freed, round[0].usedBefore, target)
		}
		if freed-round[len(round)-1].bytes >= target {
			t.Fatalf("round %d released one path more than needed", i)
		}
	}
	if len(rounds) < 3 {
		t.Fatalf("%d release rounds in 30 s, want a release every ~5 s of stall", len(rounds))
	}
	if st := s.c.Stats(); st.PathsReleased != uint64(len(s.releases)) || st.ReleaseRounds != uint64(len(rounds)) {
		t.Fatalf("Stats %+v disagree with %d releases in %d rounds", st, len(s.releases), len(rounds))
	}
	s.checkAccounting()
}

// TestBreakerDisabledStaysStuck runs the same stall with the breaker off:
// nothing is released or dropped, the used bytes grow past the quota and
// the hard limit, and the dispatchers never get past their first batch.
func TestBreakerDisabledStaysStuck(t *testing.T) {
	cfg := Config{MainQuotaBytes: 20 * KiB, PathDivisor: 1, PathMinBytes: 1, Breaker: BreakerConfig{Disabled: true}}
	s := newStuckRig(t, cfg, 500*sim.Millisecond, 200)
	s.run(30 * sim.Second)
	main, _ := s.c.Usage()
	st := s.c.Stats()
	if len(s.releases) != 0 || st.DropEvents != 0 {
		t.Fatalf("breaker off: releases %d drops %d, want none", len(s.releases), st.DropEvents)
	}
	if main.Ratio < 2.9 {
		t.Fatalf("usage %v after 30 s at 2 KiB/s into 20 KiB, want about 3 (stuck, unbounded)", main.Ratio)
	}
	if st.Batches != 10 {
		t.Fatalf("batches %d, want 10: each dispatcher its handshake and first DML, then nothing", st.Batches)
	}
}

// TestBreakerHardLimitDrops checks the hard limit: at usage >= 150 % every
// incoming DML, DDL or syncpoint becomes a zero-size Drop event (a
// resolved event is queued as it is), a release runs at most once per
// MinInterval, and the Drop event resets its dispatcher when handed out.
func TestBreakerHardLimitDrops(t *testing.T) {
	r := newRig(t, Config{MainQuotaBytes: 10 * KiB, PathDivisor: 1, PathMinBytes: 1})
	d := &scriptDispatcher{checkpoint: 110}
	r.c.AddDispatcher(t1, d, serviceNode, 100, 0)
	r.push(hs(t1, 1, 100), dml(t1, 1, 2, 110, 10))
	r.run(500 * sim.Millisecond) // t1 blocked
	seq := uint64(2)
	next := func(kind msg.EventKind, bytes int64) msg.Event {
		if kind != msg.EventResolved {
			seq++
		}
		return msg.Event{Kind: kind, Dispatcher: t1, Epoch: 1, Seq: seq, CommitTs: 1000 + seq, Bytes: bytes}
	}
	for i := 0; i < 20; i++ {
		r.push(next(msg.EventDML, KiB))
	}
	r.push(next(msg.EventResolved, 24), next(msg.EventDDL, 200), next(msg.EventSyncPoint, 40))
	main, _ := r.c.Usage()
	st := r.c.Stats()
	// 15 DMLs reach 150 %; 5 DMLs, the DDL and the syncpoint are dropped;
	// the resolved is queued. No release yet: the area is 0.5 s old.
	if main.UsedBytes != 15*KiB+24 || st.DropEvents != 7 || st.PathsReleased != 0 {
		t.Fatalf("used %d drops %d released %d, want %d 7 0", main.UsedBytes, st.DropEvents, st.PathsReleased, 15*KiB+24)
	}
	r.run(sim.Second) // t = 1.5 s
	r.push(next(msg.EventDML, KiB))
	main, _ = r.c.Usage()
	if st = r.c.Stats(); st.PathsReleased != 1 || st.DropEvents != 8 || main.UsedBytes != 0 {
		t.Fatalf("at 1.5 s: released %d drops %d used %d, want 1 8 0 (release, then the event dropped)",
			st.PathsReleased, st.DropEvents, main.UsedBytes)
	}
	for i := 0; i < 16; i++ { // back over 150 % within a second of the release
		r.push(next(msg.EventDML, KiB))
	}
	if st = r.c.Stats(); st.PathsReleased != 1 || st.DropEvents != 9 {
		t.Fatalf("0 s after the release: released %d drops %d, want 1 9 (MinInterval holds the release)", st.PathsReleased, st.DropEvents)
	}
	d.wakeLast()
	r.run(10 * sim.Millisecond)
	if got := r.c.Stats().ResetsBy[ResetDrop]; got != 1 || r.c.Epoch(t1) != 2 {
		t.Fatalf("after the Drop event: drop resets %d epoch %d, want 1 2", got, r.c.Epoch(t1))
	}
	r.checkAccounting()
}

// TestBreakerResetOnRelease checks the ResetOnRelease variant: a released
// dispatcher resets at once, from its checkpoint.
func TestBreakerResetOnRelease(t *testing.T) {
	cfg := Config{MainQuotaBytes: 20 * KiB, PathDivisor: 1, PathMinBytes: 1, Breaker: BreakerConfig{ResetOnRelease: true}}
	s := newStuckRig(t, cfg, 500*sim.Millisecond, 200)
	s.run(7 * sim.Second)
	st := s.c.Stats()
	if st.PathsReleased == 0 || st.ResetsBy[ResetRelease] != st.PathsReleased {
		t.Fatalf("released %d, release resets %d: want every released dispatcher reset", st.PathsReleased, st.ResetsBy[ResetRelease])
	}
	for _, rec := range s.releases {
		if s.c.Epoch(rec.id) != 2 {
			t.Fatalf("%v released but in epoch %d", rec.id, s.c.Epoch(rec.id))
		}
	}
}
