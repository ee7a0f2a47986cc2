package core_test

import (
	"testing"

	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/simdriver"
	"github.com/redosim/redosim/sim"
)

// TestFsyncErrorFailsWriterWithoutAck walks the fsyncgate sequence
// explicitly: rows appended, the writeback error injected, the sync
// reports EIO, the writer fails, nothing is acknowledged, and a crash then
// loses exactly the unacknowledged rows while recovery invents nothing.
func TestFsyncErrorFailsWriterWithoutAck(t *testing.T) {
	cw := newWorld(setup{Policy: core.PolicyCommit, MaxLogBytes: 1 << 20, Seed: 9}, nil)
	cw.appendRows(3)
	cw.run(sim.Millisecond)
	if len(cw.acked) != 3 {
		t.Fatalf("acked %d rows before the fault, want 3", len(cw.acked))
	}
	var failed []error
	cw.injectFsyncError()
	for i := 0; i < 3; i++ {
		row := nextRow(cw)
		cw.drv.AppendRow(&row, func(err error) { failed = append(failed, err) })
	}
	cw.run(sim.Millisecond)
	if len(failed) != 3 {
		t.Fatalf("%d appends came back after the failed sync, want 3 errors", len(failed))
	}
	for _, err := range failed {
		if err == nil {
			t.Fatal("an append was acknowledged although its sync failed")
		}
	}
	if cw.drv.Engine().Err() == nil {
		t.Fatal("the writer did not fail after EIO")
	}
	cw.crash(true)
	if len(cw.problems) > 0 {
		t.Fatalf("after the crash: %v", cw.problems)
	}
}

func nextRow(cw *world) codecRow {
	cw.nextTs += 10
	r := makeRow(cw.nextTs)
	cw.appended[rowID{commitTs: cw.nextTs, key: string(r.Key)}] = true
	return r
}

// TestRecoveryTruncatesTornTail crashes between a write and its sync (the
// file and its directory entry already durable from an earlier commit)
// until recovery meets a torn tail, and checks it seals the file at the
// valid prefix.
func TestRecoveryTruncatesTornTail(t *testing.T) {
	for seed := uint64(1); seed < 200; seed++ {
		cw := newWorld(setup{Policy: core.PolicyCommit, MaxLogBytes: 1 << 20, Seed: seed}, nil)
		cw.appendRows(3)
		cw.run(sim.Millisecond)
		cw.appendRows(30)
		cw.run(10 * sim.Microsecond)
		cw.drv.Stop()
		cw.dk.Crash(cw.w.Rand("test/crash"))
		drv, rep, err := simdriver.Open(cw.w, cw.cfg, cw.target)
		if err != nil {
			t.Fatalf("seed %d: recover: %v", seed, err)
		}
		for _, f := range rep.Files {
			if f.TornBytes > 0 && f.SealedAs != "" {
				cw.drv = drv
				cw.run(100 * sim.Millisecond)
				recovered, err := scanAll(simdriver.Storage(cw.target))
				if err != nil {
					t.Fatal(err)
				}
				if len(recovered) != f.Records {
					t.Fatalf("seed %d: sealed file holds %d rows, report said %d", seed, len(recovered), f.Records)
				}
				return
			}
		}
	}
	t.Fatal("no seed produced a torn tail: the crash model or the scan changed")
}
