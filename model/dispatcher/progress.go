package dispatcher

import (
	"fmt"

	"github.com/redosim/redosim/internal/invariants"
)

// inflight is one write handed to the sink and not yet flushed: a DML batch
// or a block event (TiCDC TableProgress entries, one per write here since a
// write is flushed as a whole).
type inflight struct {
	id          uint64
	minCommitTs uint64
}

// progress is a dispatcher's TableProgress plus its resolved ts: what it has
// handed to the sink and what it knows is complete. It yields the
// checkpoint rule of A3.
type progress struct {
	resolvedTs uint64
	// lastMax is the largest commitTs ever written or passed (TiCDC
	// maxCommitTs); 0 until the first.
	lastMax  uint64
	inflight []inflight
	nextID   uint64
}

// add records a write of events with commitTs in [minTs, maxTs] and returns
// its id for remove.
func (p *progress) add(minTs, maxTs uint64) uint64 {
	if n := len(p.inflight); invariants.Enabled && n > 0 && minTs < p.inflight[n-1].minCommitTs {
		invariants.Failf("model/dispatcher: writes enter progress in commitTs order (checkpoint reads inflight[0] as the oldest): %d after %d", minTs, p.inflight[n-1].minCommitTs)
	}
	p.nextID++
	p.inflight = append(p.inflight, inflight{id: p.nextID, minCommitTs: minTs})
	p.lastMax = max(p.lastMax, maxTs)
	return p.nextID
}

// remove drops the flushed write id.
func (p *progress) remove(id uint64) {
	for i, f := range p.inflight {
		if f.id == id {
			p.inflight = append(p.inflight[:i], p.inflight[i+1:]...)
			return
		}
	}
	panic(fmt.Sprintf("model/dispatcher: bug: flush of write %d that is not in flight", id))
}

// pass advances progress over a block event at ts without writing it.
func (p *progress) pass(ts uint64) { p.lastMax = max(p.lastMax, ts) }

// busy reports whether a write is in flight.
func (p *progress) busy() bool { return len(p.inflight) > 0 }

// checkpoint is the checkpoint rule (A3, C: table_progress.go,
// basic_dispatcher.go GetCheckpointTs): the oldest in-flight commitTs - 1;
// when idle max(lastMax - 1, resolvedTs); resolvedTs before anything was
// written.
func (p *progress) checkpoint() uint64 {
	if len(p.inflight) > 0 {
		return p.inflight[0].minCommitTs - 1
	}
	return p.idle()
}

// idle is the checkpoint rule with nothing in flight.
func (p *progress) idle() uint64 {
	if p.lastMax == 0 {
		return p.resolvedTs
	}
	return max(p.lastMax-1, p.resolvedTs)
}
