package simdriver_test

import (
	"errors"
	"testing"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/simdriver"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/disk"
)

// pointDecider fires one named fault point, with a value, every time.
type pointDecider struct {
	point, value string
	fired        int
}

func (p *pointDecider) Fire(point string) (string, bool) {
	if point != p.point {
		return "", false
	}
	p.fired++
	return p.value, true
}

func open(t *testing.T, dec sim.FaultDecider) (*sim.World, *simdriver.Driver) {
	t.Helper()
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	if dec != nil {
		w.Faults = dec
	}
	prof, _ := disk.ProfileByName("instant")
	drv, _, err := simdriver.Open(w, core.Config{Policy: core.PolicyCommit},
		simdriver.Target{Disk: disk.New(w, disk.Config{Name: "d", Profile: prof}), Dir: "redo"})
	if err != nil {
		t.Fatal(err)
	}
	return w, drv
}

func row(ts uint64) codec.Row {
	return codec.Row{TableID: 1, Key: []byte("k"), Op: codec.OpInsert, StartTs: ts - 1, CommitTs: ts}
}

// TestCrashPointStopsAtTheStep: a fault point with value "crash" calls the
// crash hook exactly before that op, and the append is never acknowledged.
func TestCrashPointStopsAtTheStep(t *testing.T) {
	dec := &pointDecider{point: simdriver.PointName(core.TypeRow, core.OpSync), value: "crash"}
	w, drv := open(t, dec)
	var crashedAt string
	drv.OnCrashPoint = func(point string) { crashedAt = point; drv.Stop() }
	var got error
	r := row(10)
	drv.AppendRow(&r, func(err error) { got = err })
	w.Loop.RunUntil(sim.Instant(sim.Second))
	if crashedAt != "engine/row/beforeSync" || dec.fired != 1 {
		t.Fatalf("crash hook at %q after %d firings", crashedAt, dec.fired)
	}
	if !errors.Is(got, simdriver.ErrStopped) {
		t.Fatalf("append after the crash point: %v, want ErrStopped", got)
	}
}

// TestErrorPointFailsTheStream: any other value fails the op; the stream
// fails and its waiters get the error, never an acknowledgement.
func TestErrorPointFailsTheStream(t *testing.T) {
	dec := &pointDecider{point: simdriver.PointName(core.TypeRow, core.OpWrite), value: "EIO"}
	w, drv := open(t, dec)
	var got error
	r := row(10)
	drv.AppendRow(&r, func(err error) { got = err })
	w.Loop.RunUntil(sim.Instant(sim.Second))
	if !errors.Is(got, simdriver.ErrInjected) || drv.Engine().Err() == nil {
		t.Fatalf("append: %v, engine err %v; want an injected failure", got, drv.Engine().Err())
	}
}

// TestPointsNameEveryStep: every stream has a point before every op.
func TestPointsNameEveryStep(t *testing.T) {
	pts := simdriver.Points()
	if len(pts) != 4*9 || pts[0] != "engine/row/beforeCreate" {
		t.Fatalf("points: %d, first %q", len(pts), pts[0])
	}
}
