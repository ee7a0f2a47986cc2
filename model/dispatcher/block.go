package dispatcher

import (
	"slices"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
)

// blockKey names a block event the way the barrier does: (commitTs,
// isSyncPoint), ordered by commitTs with the DDL before the syncpoint at
// the same ts (D3, D6).
type blockKey struct {
	commitTs    uint64
	isSyncPoint bool
}

// less orders keys by commitTs, then DDL before syncpoint.
func (k blockKey) less(o blockKey) bool {
	if k.commitTs != o.commitTs {
		return k.commitTs < o.commitTs
	}
	return !k.isSyncPoint && o.isSyncPoint
}

// pendingBlock is the block event a dispatcher waits on (TiCDC
// blockEventStatus): WAITING until the maintainer's action, WRITING while
// the action runs, cleared when it is done.
type pendingBlock struct {
	ev      msg.Event
	key     blockKey
	blocked []int64
	stage   msg.BlockStage
	wake    func()
}

// resend is a status resent every BlockResend until acknowledged.
type resend struct {
	status msg.BlockStatus
	timer  sim.Timer
}

// BlockScope returns the tables whose dispatchers a block event covers, as
// reported in BlockStatus.Blocked: nil for a syncpoint (every table); for a
// DDL its Blocked tables plus the table trigger, which receives every DDL
// (model/upstream), sorted. A DDL event without a payload covers its own
// table and the trigger.
func BlockScope(ev msg.Event) []int64 {
	if ev.Kind != msg.EventDDL {
		return nil
	}
	scope := []int64{msg.TableTrigger}
	if ev.DDL == nil {
		scope = append(scope, ev.Dispatcher.Table)
	} else {
		scope = append(scope, ev.DDL.Blocked...)
	}
	slices.Sort(scope)
	return slices.Compact(scope)
}

// handleBlock starts the block protocol for ev (D5): report WAITING and
// block the path until the maintainer's action is done. A redo dispatcher
// drops syncpoints (A3); a dispatcher outside a DDL's scope (a new table
// seeing its own create) passes it locally, since the table trigger writes
// it.
func (b *basic) handleBlock(ev msg.Event, wake func()) bool {
	if ev.CommitTs < b.prog.resolvedTs {
		return false // stale
	}
	isSync := ev.Kind == msg.EventSyncPoint
	if isSync && b.id.Mode == msg.ModeRedo {
		b.w.Record("dispatcher/drop-syncpoint", b.actor, ev.CommitTs)
		return false
	}
	scope := BlockScope(ev)
	if isSync && b.cfg.TestingKnobs.SkipSyncPointBarrier && b.id.Table != msg.TableTrigger {
		// Planted bug: report WAITING as the protocol asks, but do not
		// wait; events above the syncpoint flow to the sink while the
		// barrier still collects.
		key := blockKey{commitTs: ev.CommitTs, isSyncPoint: true}
		b.report(msg.StageWaiting, key, scope)
		b.prog.pass(ev.CommitTs)
		return false
	}
	if !isSync && !slices.Contains(scope, b.id.Table) {
		b.prog.pass(ev.CommitTs)
		b.w.Record("dispatcher/pass-local", b.actor, ev.CommitTs)
		return false
	}
	key := blockKey{commitTs: ev.CommitTs, isSyncPoint: isSync}
	b.block = &pendingBlock{ev: ev, key: key, blocked: scope, stage: msg.StageWaiting, wake: wake}
	b.w.Record("dispatcher/waiting", b.actor, sim.Digest(key.commitTs, boolWord(isSync)))
	b.report(msg.StageWaiting, key, scope)
	return true
}

// HandleBlockAction applies the maintainer's Write or Pass for a block
// event (D5 step 4). An action for the pending event moves it to WRITING
// and runs it; one for a later event is ignored (the dispatcher has not
// got there); one for an earlier event, or any past event while nothing
// is pending, is answered DONE at once (step 5).
func (b *basic) HandleBlockAction(a msg.BlockAction) {
	key := blockKey{commitTs: a.CommitTs, isSyncPoint: a.IsSyncPoint}
	pb := b.block
	if pb == nil || pb.key != key {
		if pb == nil && a.CommitTs > max(b.prog.resolvedTs, b.prog.lastMax) && !b.cfg.TestingKnobs.DoneForFutureBlock {
			return // future: the event has not arrived yet
		}
		if pb != nil && pb.key.less(key) {
			return // future: behind the pending event
		}
		b.report(msg.StageDone, key, nil)
		return
	}
	if pb.stage != msg.StageWaiting {
		return // a resent action while the first one runs
	}
	pb.stage = msg.StageWriting
	b.w.Record("dispatcher/action", b.actor, sim.Digest(key.commitTs, boolWord(key.isSyncPoint), uint64(a.Action)))
	switch a.Action {
	case msg.ActionWrite:
		id := b.prog.add(key.commitTs, key.commitTs)
		done := onceOnly(b.id, "WriteBlock", func() {
			b.prog.remove(id)
			b.finishBlock(pb)
		})
		b.sink.WriteBlock(b.id, pb.ev, b.n.Guard(done))
	default:
		b.prog.pass(key.commitTs)
		b.finishBlock(pb)
	}
}

// finishBlock ends the pending block event: report DONE, clear the status,
// then wake the path (clearing first, so the next event cannot be cleared
// by mistake, as TiCDC does).
func (b *basic) finishBlock(pb *pendingBlock) {
	b.report(msg.StageDone, pb.key, nil)
	b.block = nil
	b.lastBlock = pb.key
	b.w.Record("dispatcher/done", b.actor, sim.Digest(pb.key.commitTs, boolWord(pb.key.isSyncPoint)))
	pb.wake()
}

// HandleBlockAck stops resending the acknowledged status.
func (b *basic) HandleBlockAck(a msg.BlockAck) {
	key := blockKey{commitTs: a.BlockTs, isSyncPoint: a.IsSyncPoint}
	for i, r := range b.resends {
		if r.key() == key && r.status.Stage == a.Stage {
			r.timer.Stop()
			b.resends = slices.Delete(b.resends, i, i+1)
			return
		}
	}
}

// report sends a status and keeps resending it every BlockResend until
// acknowledged. It replaces a status of the same key (DONE replaces
// WAITING).
func (b *basic) report(stage msg.BlockStage, key blockKey, blocked []int64) {
	st := msg.BlockStatus{Dispatcher: b.id, BlockTs: key.commitTs, IsSyncPoint: key.isSyncPoint, Stage: stage, Blocked: blocked}
	for i, r := range b.resends {
		if r.key() == key {
			r.timer.Stop()
			b.resends = slices.Delete(b.resends, i, i+1)
			break
		}
	}
	if len(b.resends) >= resendsMax {
		b.resends[0].timer.Stop()
		b.resends = slices.Delete(b.resends, 0, 1)
	}
	r := &resend{status: st}
	r.timer = b.n.EveryFromNow(b.cfg.BlockResend, func() {
		b.met.resends.Inc()
		b.w.Record("dispatcher/resend", b.actor, sim.Digest(r.status.BlockTs, uint64(r.status.Stage)))
		b.rep.ReportBlockStatus(r.status)
	})
	b.resends = append(b.resends, r)
	b.met.statuses.Inc()
	b.rep.ReportBlockStatus(st)
}

// key returns the block key of the resent status.
func (r *resend) key() blockKey {
	return blockKey{commitTs: r.status.BlockTs, isSyncPoint: r.status.IsSyncPoint}
}

// Resending returns the statuses the dispatcher resends until acknowledged,
// oldest first.
func (b *basic) Resending() []msg.BlockStatus {
	out := make([]msg.BlockStatus, len(b.resends))
	for i, r := range b.resends {
		out[i] = r.status
	}
	return out
}

// PendingBlock returns the pending block event and its stage, ok false
// when none.
func (b *basic) PendingBlock() (ev msg.Event, stage msg.BlockStage, ok bool) {
	if b.block == nil {
		return msg.Event{}, 0, false
	}
	return b.block.ev, b.block.stage, true
}

// boolWord is 1 for true, 0 for false: a digest word.
func boolWord(v bool) uint64 {
	if v {
		return 1
	}
	return 0
}
