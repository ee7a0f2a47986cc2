// Package redosink is a capture's redo sink: the redo dispatchers of one
// node write through it into the redo engine (engine/simdriver) on the
// changefeed's redo storage, shared by every capture. DML events explode
// into one row record each, and a batch is done when its last row is
// acknowledged under the flush policy (TiCDC's counting PostFlush); a DDL
// is written and made durable on its own.
//
// The sink of the maintainer's node owns the redo meta and, as TiCDC's
// meta manager, deletes every capture's log files below the flushed
// checkpoint; the others are meta readers.
//
// Usage:
//
//	s, err := redosink.Open(w, redosink.Config{Capture: "n1", Owner: true, ...}, target)
//	s.WriteDML(id, events, func() { ... durable ... })
package redosink

import (
	"fmt"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/simdriver"
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
)

// Config configures one capture's redo sink.
type Config struct {
	// Capture names the node; it is the capture id in file names.
	Capture string
	// Changefeed names the changefeed.
	Changefeed string
	// Owner makes this sink own the redo meta.
	Owner bool
	// Engine is the redo engine's configuration (policy, intervals, max
	// log size); identities and the backend are filled in by Open.
	Engine core.Config
	// TestingKnobs plant the mutation harness's slips (model/cluster
	// Mutants). Never set in a real world.
	TestingKnobs TestingKnobs
}

// TestingKnobs are mutants of the redo sink: one realistic slip each,
// measured by the mutation harness (model/cluster Mutants, simrun
// mutants). The zero value plants nothing.
type TestingKnobs struct {
	// AckOneRowEarly acknowledges a batch when all but its last row are
	// acknowledged.
	AckOneRowEarly bool
	// GCNewestSealed lets the owner's GC delete another capture's newest
	// sealed file too.
	GCNewestSealed bool
	// GCBelowResolved collects other captures' files below the flushed
	// meta's resolved ts instead of its checkpoint.
	GCBelowResolved bool
}

// Sink writes a node's redo.
type Sink struct {
	w     *sim.World
	cfg   Config
	drv   *simdriver.Driver
	stats Stats
	// OnOp, when set, sees every completed engine op (metrics, timeline).
	OnOp func(simdriver.OpEvent)

	// The owner's collection of other captures' expired files (gc.go).
	target       simdriver.Target
	gcTimer      sim.Timer
	gcCheckpoint uint64          // flushed checkpoint of the last round
	gcPending    map[string]bool // deletions in flight
}

// Stats counts what the sink wrote (the engine counts the bytes: its
// Stats).
type Stats struct {
	Batches, Rows, DDLs uint64
	Failures            uint64
	// FilesCollected counts other captures' log files the owner deleted
	// below the flushed checkpoint.
	FilesCollected uint64
}

// Open recovers the engine's state for this capture from the target and
// starts the sink.
func Open(w *sim.World, cfg Config, target simdriver.Target) (*Sink, *core.RecoveryReport, error) {
	ec := cfg.Engine
	ec.CaptureID, ec.Changefeed, ec.MetaReader = cfg.Capture, cfg.Changefeed, !cfg.Owner
	ec.NameSeed = w.Streams.Seed() ^ sim.StreamKey("model/redosink/"+cfg.Capture)
	drv, rep, err := simdriver.Open(w, ec, target)
	if err != nil {
		return nil, nil, fmt.Errorf("model/redosink: open %s: %w", cfg.Capture, err)
	}
	s := &Sink{w: w, cfg: cfg, drv: drv, target: target, gcPending: map[string]bool{}}
	drv.OnOp = func(e simdriver.OpEvent) {
		if s.OnOp != nil {
			s.OnOp(e)
		}
	}
	if cfg.Owner {
		s.startGC()
	}
	return s, rep, nil
}

// Driver returns the engine driver, for meta and statistics.
func (s *Sink) Driver() *simdriver.Driver { return s.drv }

// Stats returns the sink's counters.
func (s *Sink) Stats() Stats { return s.stats }

// Stop stops the engine: its node crashed. Waiting batches never finish.
func (s *Sink) Stop() {
	s.gcTimer.Stop()
	s.drv.Stop()
}

// WriteDML writes every row of the batch's DML events; done runs when the
// last row is acknowledged. A failed engine never calls done: the
// dispatcher stays blocked, as TiCDC's would until the changefeed fails.
func (s *Sink) WriteDML(id msg.DispatcherID, events []msg.Event, done func()) {
	s.stats.Batches++
	pending, failed := 1, false
	doneAt, doneCalled := 0, false
	if s.cfg.TestingKnobs.AckOneRowEarly && hasRows(events) {
		doneAt = 1 // mutant: done runs while one row is still unacknowledged
	}
	finish := func(err error) {
		if err != nil && !failed {
			failed = true
			s.stats.Failures++
		}
		pending--
		if pending == doneAt && !failed && !doneCalled {
			doneCalled = true
			done()
		}
	}
	for i := range events {
		ev := &events[i]
		if ev.Kind != msg.EventDML {
			continue
		}
		for j := range ev.Rows {
			pending++
			s.stats.Rows++
			s.drv.AppendRow(&ev.Rows[j], finish)
		}
	}
	finish(nil) // the batch itself; done runs here if it had no rows
}

// hasRows reports whether any DML event of events has a row.
func hasRows(events []msg.Event) bool {
	for i := range events {
		if events[i].Kind == msg.EventDML && len(events[i].Rows) > 0 {
			return true
		}
	}
	return false
}

// WriteDDL writes a DDL; done runs once it is durable.
func (s *Sink) WriteDDL(ddl *codec.DDL, done func()) {
	s.stats.DDLs++
	s.drv.AppendDDL(ddl, func(err error) {
		if err != nil {
			s.stats.Failures++
			return
		}
		done()
	})
}

// UpdateMeta raises the unflushed redo meta (owner) or the GC checkpoint
// (reader).
func (s *Sink) UpdateMeta(checkpointTs, resolvedTs uint64) {
	s.drv.UpdateMeta(checkpointTs, resolvedTs)
}

// FlushedMeta returns the meta last made durable.
func (s *Sink) FlushedMeta() core.Meta { return s.drv.FlushedMeta() }

// Recovering reports whether the engine is still making what it
// recovered durable; FlushedMeta is not known until it is done.
func (s *Sink) Recovering() bool { return s.drv.Recovering() }
