package core

import "github.com/redosim/redosim/internal/invariants"

// checkWatermarks asserts the order of a stream's LSN watermarks after
// every change to them (internal/invariants; compiled out without the
// invariants tag):
//
//	synced <= written <= next            (nothing is durable before it is written,
//	                                      nothing is written before it is appended)
//	acked <= synced                      under commit and interval (acknowledged means durable)
//	acked <= written                     under os (acknowledged means written)
//
// Under none, acknowledgement is at append and is not bounded by either.
func (l *streamLog) checkWatermarks() {
	if !invariants.Enabled {
		return
	}
	if l.syncedLSN > l.writtenLSN {
		invariants.Failf("engine/core: %s log: synced <= written <= next LSN: synced %d > written %d", l.typ, l.syncedLSN, l.writtenLSN)
	}
	if l.writtenLSN > l.nextLSN {
		invariants.Failf("engine/core: %s log: synced <= written <= next LSN: written %d > next %d", l.typ, l.writtenLSN, l.nextLSN)
	}
	switch l.policy {
	case PolicyCommit, PolicyInterval:
		if l.ackedLSN > l.syncedLSN {
			invariants.Failf("engine/core: %s log: acked <= synced under a durable policy (%s): acked %d > synced %d", l.typ, l.policy, l.ackedLSN, l.syncedLSN)
		}
	case PolicyOS:
		if l.ackedLSN > l.writtenLSN {
			invariants.Failf("engine/core: %s log: acked <= written under policy os: acked %d > written %d", l.typ, l.ackedLSN, l.writtenLSN)
		}
	}
}

// checkChainEnd asserts that a completed chain's end LSN does not lie
// before the written LSN it raises: chains of one stream complete their
// writes in issue order, and each ends where the last one's data ended or
// later, so the written LSN never goes back.
func (l *streamLog) checkChainEnd(pc *pendingChain) {
	if invariants.Enabled && pc.endLSN < l.writtenLSN {
		invariants.Failf("engine/core: %s log: a chain's end LSN never goes back: chain %d ends at %d < written %d", l.typ, pc.id, pc.endLSN, l.writtenLSN)
	}
}
