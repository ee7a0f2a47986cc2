package core

import (
	"errors"
	"fmt"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/internal/invariants"
	"github.com/redosim/redosim/sim/vtime"
)

// ErrUnknownChain is returned by Advance for a chain the engine did not
// issue or already saw completed: a driver bug.
var ErrUnknownChain = errors.New("engine/core: advance of an unknown chain")

// Engine is the redo engine's deterministic core: a row log, a DDL log and
// the meta. It performs no I/O and reads no clock. Callers append records
// and tick it with the time; it hands out chains of I/O ops (Ready) and is
// told how they ended (Advance). A driver carries the ops out: on the
// simulated disk as loop events, or on the OS with goroutines. Not safe for
// concurrent use; the OS driver holds a mutex around it.
type Engine struct {
	cfg       Config
	uuids     uuidSource
	row, ddl  *streamLog
	meta      metaStream
	nextChain uint64
	inflight  map[uint64]string
	pending   []Chain // the repair chain from recovery, issued first
	repairing bool    // the repair chain is in flight: issue nothing else
	repairErr error
}

// New returns an engine over empty storage.
func New(cfg Config) (*Engine, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	e := &Engine{cfg: cfg, uuids: uuidSource{state: cfg.NameSeed}, inflight: make(map[uint64]string)}
	e.row = newStreamLog(TypeRow, &e.cfg, cfg.Policy, &e.uuids)
	e.ddl = newStreamLog(TypeDDL, &e.cfg, PolicyCommit, &e.uuids)
	e.meta = metaStream{cfg: &e.cfg, uuids: &e.uuids}
	return e, nil
}

// Config returns the engine's configuration with defaults filled in.
func (e *Engine) Config() Config { return e.cfg }

// AppendRow appends a row change and returns the row log's LSN at its end;
// the row is acknowledged once RowAckedLSN reaches it.
func (e *Engine) AppendRow(now vtime.Instant, row *codec.Row) (LSN, error) {
	rec := codec.Record{Type: codec.TypeRow, Row: *row}
	return e.row.append(now, &rec)
}

// AppendDDL appends a DDL; the DDL log writes and syncs each one on its own.
func (e *Engine) AppendDDL(now vtime.Instant, ddl *codec.DDL) (LSN, error) {
	rec := codec.Record{Type: codec.TypeDDL, DDL: *ddl}
	return e.ddl.append(now, &rec)
}

// RowAckedLSN returns the row log's acknowledged LSN under its policy.
func (e *Engine) RowAckedLSN() LSN { return e.row.ackedLSN }

// DDLAckedLSN returns the DDL log's acknowledged (durable) LSN.
func (e *Engine) DDLAckedLSN() LSN { return e.ddl.ackedLSN }

// RowAppendedLSN returns the row log's LSN at the end of the last append.
func (e *Engine) RowAppendedLSN() LSN { return e.row.nextLSN }

// RowWrittenLSN returns the row log's LSN handed to the OS by completed writes.
func (e *Engine) RowWrittenLSN() LSN { return e.row.writtenLSN }

// RowDurableLSN returns the row log's LSN known to survive a machine crash.
func (e *Engine) RowDurableLSN() LSN { return e.row.syncedLSN }

// UpdateMeta raises the meta to be persisted at the next meta flush.
func (e *Engine) UpdateMeta(checkpointTs, resolvedTs uint64) {
	e.meta.update(checkpointTs, resolvedTs)
}

// FlushedMeta returns the meta last made durable. After recovery it
// stays at the zero Meta until the repair chain has made the recovered
// meta durable (see Recovering).
func (e *Engine) FlushedMeta() Meta { return e.meta.flushed }

// Recovering reports whether recovery's repair chain is pending, in
// flight or failed: the durable meta is not known yet.
func (e *Engine) Recovering() bool {
	return len(e.pending) > 0 || e.repairing || e.repairErr != nil
}

// Flush asks for a row-log flush at the next Ready, whatever the policy.
func (e *Engine) Flush() { e.row.flushWanted = true }

// Seal asks for a clean stop's seal at the next Ready: each log's open
// file is flushed, synced, renamed to its sealed name and the directory
// synced, as at rotation, so a cleanly closed log has no .tmp file and
// the next open repairs nothing. Appends after Seal start new files.
func (e *Engine) Seal() {
	e.row.seal()
	e.ddl.seal()
}

// Sealed reports whether both logs have no open file, nothing buffered and
// no chain in flight: what a clean stop waits for after Seal.
func (e *Engine) Sealed() bool { return e.row.idleSealed() && e.ddl.idleSealed() }

// FlushMeta makes the meta due at the next Ready, whatever the interval.
func (e *Engine) FlushMeta() { e.meta.due = true }

// MetaPending reports whether raised meta is not yet durable.
func (e *Engine) MetaPending() bool { return e.meta.unflushed != e.meta.flushed }

// Tick tells the engine the time; interval flushes and meta flushes come
// due on it.
func (e *Engine) Tick(now vtime.Instant) {
	e.row.tick(now)
	e.meta.tick(now)
}

// NextDeadline returns the next time the engine wants a Tick.
func (e *Engine) NextDeadline() vtime.Instant {
	next := e.meta.nextFlushAt
	if t, ok := e.row.deadline(); ok && t < next {
		next = t
	}
	return next
}

// Ready returns the chains to start now. Each chain is issued once; the
// driver reports it with Advance.
func (e *Engine) Ready() []Chain {
	if len(e.pending) > 0 {
		out := e.pending
		e.pending = nil
		for _, c := range out {
			e.issue(c.ID, c.Stream)
		}
		e.repairing = true
		return out
	}
	if e.repairing || e.repairErr != nil {
		// A failed repair proves nothing durable: issue nothing more (the
		// meta would promise LSNs the repair never synced).
		return nil
	}
	var out []Chain
	for _, s := range []*streamLog{e.row, e.ddl} {
		for range 2 { // a pipelined stream: a write chain, then a sync chain
			id := e.nextChain + 1
			ops := s.ready(id)
			if ops == nil {
				break
			}
			e.nextChain = id
			e.issue(id, s.typ)
			out = append(out, Chain{ID: id, Stream: s.typ, Ops: ops})
		}
	}
	rowLSN, ddlLSN := e.row.syncedLSN, e.ddl.syncedLSN
	if e.cfg.TestingKnobs.MetaWrittenLSN {
		rowLSN, ddlLSN = e.row.nextLSN, e.ddl.nextLSN // mutant: appended is not durable
	}
	if ops := e.meta.ready(e.collect, rowLSN, ddlLSN); ops != nil {
		e.nextChain++
		e.issue(e.nextChain, TypeMeta)
		out = append(out, Chain{ID: e.nextChain, Stream: TypeMeta, Ops: ops})
	}
	return out
}

// issue records chain id of stream as in flight until its Advance.
func (e *Engine) issue(id uint64, stream string) {
	if _, dup := e.inflight[id]; invariants.Enabled && dup {
		invariants.Failf("engine/core: Ready issues each chain once: chain %d is already in flight", id)
	}
	e.inflight[id] = stream
}

func (e *Engine) collect(checkpointTs uint64) []string {
	return append(e.row.collect(checkpointTs), e.ddl.collect(checkpointTs)...)
}

// Advance reports how chain id ended: err is nil when every op succeeded,
// else the first op's error. Any error fails the stream it belongs to.
func (e *Engine) Advance(id uint64, err error) error {
	stream, ok := e.inflight[id]
	if !ok {
		if invariants.Enabled {
			invariants.Failf("engine/core: Advance pairs with Ready: chain %d was never issued or already completed", id)
		}
		return fmt.Errorf("%w %d", ErrUnknownChain, id)
	}
	delete(e.inflight, id)
	switch stream {
	case TypeRow:
		e.row.advance(id, err)
	case TypeDDL:
		e.ddl.advance(id, err)
	case streamRepair:
		e.repairing = false
		if err != nil {
			e.repairErr = fmt.Errorf("engine/core: recovery repair failed: %w", err)
			break
		}
		e.meta.flushed.CheckpointTs = max(e.meta.flushed.CheckpointTs, e.meta.recovered.CheckpointTs)
		e.meta.flushed.ResolvedTs = max(e.meta.flushed.ResolvedTs, e.meta.recovered.ResolvedTs)
	default:
		if invariants.Enabled && stream != TypeMeta {
			invariants.Failf("engine/core: a chain belongs to a typed stream (row, ddl, meta, repair): chain %d has %q", id, stream)
		}
		e.meta.advance(err)
	}
	return nil
}

// Err returns the first failure of any stream, or nil.
func (e *Engine) Err() error {
	return errors.Join(e.repairErr, e.row.failed, e.ddl.failed, e.meta.failed)
}

// Stats reports what the engine has done.
type Stats struct {
	Row, DDL        StreamStats
	MetaWrites      uint64
	MetaRegressions uint64
	InflightChains  int
}

// Stats returns the engine's counters.
func (e *Engine) Stats() Stats {
	return Stats{Row: e.row.stats, DDL: e.ddl.stats, MetaWrites: e.meta.writes,
		MetaRegressions: e.meta.regressions, InflightChains: len(e.inflight)}
}
