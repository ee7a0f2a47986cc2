package core

import (
	"errors"
	"strings"
	"testing"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/internal/invariants"
)

// needInvariants skips a test of an assertion in a build without the
// invariants tag, where the assertion is compiled out (make test sets it).
func needInvariants(t *testing.T) {
	t.Helper()
	if !invariants.Enabled {
		t.Skip("assertions compiled out: run with -tags invariants (make test does)")
	}
}

// expectViolation runs fn and fails unless it breaks the rule quoted by
// want.
func expectViolation(t *testing.T, want string, fn func()) {
	t.Helper()
	v := invariants.Catch(fn)
	if v == nil {
		t.Fatalf("no assertion fired; want %q", want)
	}
	if !errors.Is(v, invariants.ErrBug) || !strings.Contains(v.Msg, want) {
		t.Fatalf("assertion %q; want one quoting %q", v.Msg, want)
	}
}

func assertEngine(t *testing.T, p Policy) *Engine {
	t.Helper()
	e, err := New(Config{Policy: p, CaptureID: "c", Changefeed: "cf"})
	if err != nil {
		t.Fatal(err)
	}
	row := codec.Row{TableID: 1, Key: []byte("k"), Op: codec.OpInsert, StartTs: 95, CommitTs: 100}
	if _, err := e.AppendRow(0, &row); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestAdvanceOfAnUnknownChainIsABug: a driver that completes a chain the
// engine never issued, or one twice, breaks the Ready/Advance pairing.
// Without the invariants tag the engine returns ErrUnknownChain instead.
func TestAdvanceOfAnUnknownChainIsABug(t *testing.T) {
	e := assertEngine(t, PolicyCommit)
	if !invariants.Enabled {
		if err := e.Advance(99, nil); !errors.Is(err, ErrUnknownChain) {
			t.Fatalf("Advance(99) = %v, want ErrUnknownChain", err)
		}
		return
	}
	expectViolation(t, "Advance pairs with Ready", func() { _ = e.Advance(99, nil) })
	c := e.Ready()[0]
	if err := e.Advance(c.ID, nil); err != nil {
		t.Fatal(err)
	}
	expectViolation(t, "Advance pairs with Ready", func() { _ = e.Advance(c.ID, nil) })
}

// TestWatermarkAssertions plants each broken order of the LSN watermarks
// straight into a stream and checks the assertion quoting its rule fires.
func TestWatermarkAssertions(t *testing.T) {
	needInvariants(t)
	for _, tc := range []struct {
		name   string
		policy Policy
		break_ func(l *streamLog)
		want   string
	}{
		{"synced past written", PolicyCommit, func(l *streamLog) { l.syncedLSN = l.writtenLSN + 1 }, "synced <= written <= next LSN: synced"},
		{"written past next", PolicyCommit, func(l *streamLog) { l.writtenLSN, l.syncedLSN = l.nextLSN+1, 0 }, "synced <= written <= next LSN: written"},
		{"acked past synced", PolicyInterval, func(l *streamLog) { l.ackedLSN = l.syncedLSN + 1 }, "acked <= synced under a durable policy"},
		{"acked past written", PolicyOS, func(l *streamLog) { l.ackedLSN = l.writtenLSN + 1 }, "acked <= written under policy os"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := assertEngine(t, tc.policy)
			e.row.checkWatermarks() // holds before the break
			tc.break_(e.row)
			expectViolation(t, tc.want, e.row.checkWatermarks)
		})
	}
}

// TestChainEndNeverGoesBack: a completing chain that ends before the
// written LSN (a chain completed out of issue order) fires the assertion.
func TestChainEndNeverGoesBack(t *testing.T) {
	needInvariants(t)
	e := assertEngine(t, PolicyCommit)
	c := e.Ready()[0]
	e.row.writtenLSN = e.row.inflight.endLSN + 1 // as if a later chain had completed
	expectViolation(t, "a chain's end LSN never goes back", func() { _ = e.Advance(c.ID, nil) })
}

// TestChainsBelongToTypedStreams: a chain in flight under a stream name
// the engine does not know fires the typed-stream assertion.
func TestChainsBelongToTypedStreams(t *testing.T) {
	needInvariants(t)
	e := assertEngine(t, PolicyCommit)
	e.inflight[42] = "index"
	expectViolation(t, "a chain belongs to a typed stream", func() { _ = e.Advance(42, nil) })
	e.issue(43, TypeMeta)
	expectViolation(t, "Ready issues each chain once", func() { e.issue(43, TypeMeta) })
}
