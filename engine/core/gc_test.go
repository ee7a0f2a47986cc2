package core_test

import (
	"slices"
	"testing"

	"github.com/redosim/redosim/engine/core"
)

// drain completes every chain the engine has ready, in order, and returns
// the ops they carried.
func drain(t *testing.T, e *core.Engine) []core.Op {
	t.Helper()
	var ops []core.Op
	for {
		chains := e.Ready()
		if len(chains) == 0 {
			return ops
		}
		for _, c := range chains {
			ops = append(ops, c.Ops...)
			if err := e.Advance(c.ID, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// opsOf returns the paths of the ops of one kind (the new paths for renames).
func opsOf(ops []core.Op, kind core.OpKind) []string {
	var out []string
	for _, op := range ops {
		if op.Kind == kind {
			if kind == core.OpRename {
				out = append(out, op.NewPath)
			} else {
				out = append(out, op.Path)
			}
		}
	}
	return out
}

// TestGCAtTheCheckpointBoundary: GC removes a sealed file whose max commit
// ts is below the checkpoint and keeps one at exactly the checkpoint (a
// DDL at the checkpoint is still read); it removes only the oldest files
// (an LSN prefix), and never the newest sealed file.
func TestGCAtTheCheckpointBoundary(t *testing.T) {
	e, err := core.New(core.Config{Policy: core.PolicyCommit, MaxLogBytes: 4096, NameSeed: 3})
	if err != nil {
		t.Fatal(err)
	}
	var sealed []string
	var maxTs []uint64
	for ts := uint64(10); ts <= 1000; ts += 10 {
		row := makeRow(ts)
		if _, err := e.AppendRow(0, &row); err != nil {
			t.Fatal(err)
		}
		for _, name := range opsOf(drain(t, e), core.OpRename) {
			fn, _ := core.ParseFileName(name)
			sealed, maxTs = append(sealed, name), append(maxTs, fn.Ts)
		}
	}
	if len(sealed) < 4 {
		t.Fatalf("want 4 sealed files or more: %v", sealed)
	}
	gc := func(ckpt uint64) []string {
		e.UpdateMeta(ckpt, 2000)
		e.FlushMeta()
		var removed []string
		for _, p := range opsOf(drain(t, e), core.OpRemove) {
			if _, ok := core.ParseFileName(p); ok {
				removed = append(removed, p)
			}
		}
		return removed
	}
	for _, step := range []struct {
		ckpt uint64
		want []string
	}{
		{maxTs[1], sealed[:1]},               // file 1 ends at the checkpoint: kept
		{maxTs[1] + 1, sealed[1:2]},          // one above: it goes
		{1 << 40, sealed[2 : len(sealed)-1]}, // everything but the newest
		{1 << 41, nil},
	} {
		if got := gc(step.ckpt); !slices.Equal(got, step.want) {
			t.Fatalf("checkpoint %d: GC removed %v, want %v", step.ckpt, got, step.want)
		}
	}
}
