package osdriver_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/osdriver"
	"github.com/redosim/redosim/engine/reader"
	"github.com/redosim/redosim/engine/simdriver"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/disk"
)

func row(i int) codec.Row {
	ts := uint64(1000 + 2*i)
	return codec.SizedRow(codec.Row{TableID: int64(1 + i%4), Key: []byte(fmt.Sprintf("k%d", i)), Op: codec.OpInsert,
		StartTs: ts - 1, CommitTs: ts}, codec.RowShape{FrameBytes: 160, Columns: 2})
}

// TestConcurrentAppendsThenRecover: 8 goroutines append under the commit
// policy; after Close and a reopen (recovery), every row is there.
func TestConcurrentAppendsThenRecover(t *testing.T) {
	dir := t.TempDir()
	cfg := core.Config{Policy: core.PolicyCommit, MaxLogBytes: 64 << 10}
	drv, _, err := osdriver.Open(dir, cfg, osdriver.Options{PreallocateBytes: 128 << 10})
	if err != nil {
		t.Fatal(err)
	}
	const n = 2000
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < n; i += 8 {
				r := row(i)
				if _, err := drv.AppendRow(&r); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	drv.UpdateMeta(0, 1000+2*n)
	if err := drv.Close(); err != nil {
		t.Fatal(err)
	}
	drv, rep, err := osdriver.Open(dir, cfg, osdriver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer drv.Close()
	if rep.Meta.ResolvedTs != 1000+2*n {
		t.Fatalf("recovered meta %+v", rep.Meta)
	}
	log, err := reader.Read(osdriver.DirStorage(dir), reader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(log.Rows) != n {
		t.Fatalf("read %d rows back, want %d", len(log.Rows), n)
	}
	sealed := 0
	for _, f := range log.Files {
		if !f.Torn && filepath.Ext(f.Name) == ".log" {
			sealed++
		}
	}
	if sealed < 2 {
		t.Fatalf("expected rotations with preallocated tails cut, got %d sealed files", sealed)
	}
}

// TestTwinsWriteTheSameBytes runs one sequential script through the
// simulated and the OS driver: the files they leave are byte-identical,
// so what the simulation checks is what runs for real.
func TestTwinsWriteTheSameBytes(t *testing.T) {
	cfg := core.Config{Policy: core.PolicyCommit, MaxLogBytes: 8 << 10, NameSeed: 42}
	dir := t.TempDir()
	drv, _, err := osdriver.Open(dir, cfg, osdriver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200; i++ {
		r := row(i)
		if _, err := drv.AppendRow(&r); err != nil {
			t.Fatal(err)
		}
	}
	drv.Close()

	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	prof, _ := disk.ProfileByName("instant")
	target := simdriver.Target{Disk: disk.New(w, disk.Config{Name: "d", Profile: prof}), Dir: "redo"}
	sd, _, err := simdriver.Open(w, cfg, target)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 200; i++ {
		r := row(i)
		sd.AppendRow(&r, func(error) {})
		w.Loop.RunUntil(w.Now().Add(sim.Millisecond))
	}
	sd.Flush()
	w.Loop.RunUntil(w.Now().Add(sim.Second))

	simNames, _ := simdriver.Storage(target).List()
	osNames, _ := osdriver.DirStorage(dir).List()
	if fmt.Sprint(simNames) != fmt.Sprint(osNames) {
		t.Fatalf("file names differ:\nsim %v\nos  %v", simNames, osNames)
	}
	for _, n := range osNames {
		a, _ := os.ReadFile(filepath.Join(dir, n))
		b, _ := simdriver.Storage(target).ReadFile(n)
		if !bytes.Equal(a, b) {
			t.Fatalf("%s differs between the twins (%d vs %d bytes)", n, len(a), len(b))
		}
	}
}
