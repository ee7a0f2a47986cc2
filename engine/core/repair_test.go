package core_test

import (
	"errors"
	"testing"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/sim/vtime"
)

// TestFailedRepairIssuesNothing: when the recovery repair (rewriting and
// syncing what was found in the page cache) fails, nothing the engine
// recovered is known durable, so it issues no chain at all, above all no
// meta promising those rows, and stays Recovering with an error, as
// TiCDC's redo manager fails on a write error. (A world under an fsync
// EIO storm once forwarded such a meta's resolved ts past the durable
// rows: redo-before-sink.)
func TestFailedRepairIssuesNothing(t *testing.T) {
	hdr := codec.EncodeRecord(nil, &codec.Record{Type: codec.TypeHeader})
	row := codec.Record{Type: codec.TypeRow, Row: makeRow(100)}
	open := codec.EncodeRecord(hdr, &row)
	meta := codec.EncodeMeta(nil, codec.Meta{Version: codec.MetaVersion, CheckpointTs: 50, ResolvedTs: 60})
	st := memStorage{"c_cf_row_100_u.log.tmp": open, "c_cf_meta_m.meta": meta}
	e, _, err := core.Recover(core.Config{CaptureID: "c", Changefeed: "cf", Backend: core.BackendFile}, st, 512)
	if err != nil {
		t.Fatal(err)
	}
	chains := e.Ready()
	if len(chains) != 1 || !e.Recovering() {
		t.Fatalf("recovery of an open file: %d chains, recovering %v; want the repair chain", len(chains), e.Recovering())
	}
	before := e.FlushedMeta()
	if err := e.Advance(chains[0].ID, errors.New("EIO")); err != nil {
		t.Fatal(err)
	}
	r := makeRow(200)
	if _, err := e.AppendRow(0, &r); err != nil && !errors.Is(err, e.Err()) {
		t.Logf("append after a failed repair: %v", err)
	}
	e.UpdateMeta(150, 200)
	e.FlushMeta()
	e.Flush()
	e.Tick(vtime.Instant(10 * vtime.Second))
	if got := e.Ready(); len(got) != 0 {
		t.Fatalf("after a failed repair the engine issued %d chains (first %+v)", len(got), got[0])
	}
	if !e.Recovering() || e.Err() == nil || e.FlushedMeta() != before {
		t.Errorf("after a failed repair: recovering %v, err %v, flushed meta %+v (was %+v)", e.Recovering(), e.Err(), e.FlushedMeta(), before)
	}
}

// TestRecoveringReportsNoFlushedMeta: while the recovery repair is
// pending or in flight the engine reports the zero meta as flushed, and
// the recovered meta only once the repair has synced it, as TiCDC's
// RedoMeta (downstreamadapter/sink/redo/meta.go initMeta: the flushed ts
// is set by postFlushMeta after maybeFlushMeta rewrote the meta it read).
// So a dispatcher manager that forwards FlushedMeta without asking
// Recovering (TiCDC's collectRedoMeta does not ask either) forwards
// nothing during recovery, and a checker that skips a recovering engine
// misses nothing.
func TestRecoveringReportsNoFlushedMeta(t *testing.T) {
	hdr := codec.EncodeRecord(nil, &codec.Record{Type: codec.TypeHeader})
	row := codec.Record{Type: codec.TypeRow, Row: makeRow(100)}
	open := codec.EncodeRecord(hdr, &row)
	meta := codec.EncodeMeta(nil, codec.Meta{Version: codec.MetaVersion, CheckpointTs: 50, ResolvedTs: 60})
	st := memStorage{"c_cf_row_100_u.log.tmp": open, "c_cf_meta_m.meta": meta}
	e, rep, err := core.Recover(core.Config{CaptureID: "c", Changefeed: "cf", Backend: core.BackendFile}, st, 512)
	if err != nil {
		t.Fatal(err)
	}
	if want := (core.Meta{CheckpointTs: 50, ResolvedTs: 60}); rep.Meta != want {
		t.Fatalf("recovered meta %+v, want %+v", rep.Meta, want)
	}
	if !e.Recovering() || e.FlushedMeta() != (core.Meta{}) {
		t.Fatalf("repair pending: recovering %v, flushed meta %+v; want recovering with the zero meta", e.Recovering(), e.FlushedMeta())
	}
	chains := e.Ready()
	if len(chains) != 1 || !e.Recovering() || e.FlushedMeta() != (core.Meta{}) {
		t.Fatalf("repair in flight: %d chains, recovering %v, flushed meta %+v; want the repair chain alone and the zero meta",
			len(chains), e.Recovering(), e.FlushedMeta())
	}
	if err := e.Advance(chains[0].ID, nil); err != nil {
		t.Fatal(err)
	}
	if e.Recovering() || e.FlushedMeta() != rep.Meta {
		t.Fatalf("repair done: recovering %v, flushed meta %+v; want %+v", e.Recovering(), e.FlushedMeta(), rep.Meta)
	}
}
