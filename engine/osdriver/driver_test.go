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
// policy, with plain and with pipelined flushes; after Close and a reopen
// (recovery), every row is there.
func TestConcurrentAppendsThenRecover(t *testing.T) {
	for _, syncChains := range []int{0, 1, 3} {
		t.Run(fmt.Sprintf("syncChains=%d", syncChains), func(t *testing.T) {
			concurrentAppendsThenRecover(t, core.Config{Policy: core.PolicyCommit, MaxLogBytes: 64 << 10, SyncChainsMax: syncChains})
		})
	}
}

func concurrentAppendsThenRecover(t *testing.T, cfg core.Config) {
	dir := t.TempDir()
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
// so what the simulation checks is what runs for real. Pipelined flushes
// leave the same bytes too.
func TestTwinsWriteTheSameBytes(t *testing.T) {
	for _, syncChains := range []int{0, 2} {
		t.Run(fmt.Sprintf("syncChains=%d", syncChains), func(t *testing.T) {
			twinsWriteTheSameBytes(t, core.Config{Policy: core.PolicyCommit, MaxLogBytes: 8 << 10, NameSeed: 42, SyncChainsMax: syncChains})
		})
	}
}

func twinsWriteTheSameBytes(t *testing.T, cfg core.Config) {
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
	sd.Seal() // as the OS driver's Close
	w.Loop.RunUntil(w.Now().Add(sim.Second))
	if !sd.Sealed() {
		t.Fatal("the simulated driver did not seal")
	}

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

// TestSparesPreallocateAndRecover: with preallocation on, the first log
// file is a zero-filled spare, its zero tail reads as the end of the log
// when recovery meets it unsealed, sealing cuts the tail, and the spare
// directory is invisible to storage listings and gone after Close.
func TestSparesPreallocateAndRecover(t *testing.T) {
	dir := t.TempDir()
	cfg := core.Config{Policy: core.PolicyCommit, MaxLogBytes: 64 << 10, SyncChainsMax: 1}
	drv, _, err := osdriver.Open(dir, cfg, osdriver.Options{PreallocateBytes: 128 << 10})
	if err != nil {
		t.Fatal(err)
	}
	const n = 1000
	for i := 0; i < n; i++ {
		r := row(i)
		if _, err := drv.AppendRow(&r); err != nil {
			t.Fatal(err)
		}
		if i == 100 {
			crashCopy(t, dir, 101)
		}
	}
	if io, _ := drv.Stats(); io.Preallocated == 0 {
		t.Fatal("no log file took a spare")
	}
	drv.UpdateMeta(0, 1000+2*n)
	names, err := osdriver.DirStorage(dir).List()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range names {
		if _, ok := core.ParseFileName(name); !ok && !core.IsMetaName(name) {
			t.Fatalf("storage lists %s", name)
		}
	}
	if err := drv.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, ".spare")); !os.IsNotExist(err) {
		t.Fatalf("spare directory after Close: %v", err)
	}
	log, err := reader.Read(osdriver.DirStorage(dir), reader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(log.Rows) != n {
		t.Fatalf("read %d rows back, want %d", len(log.Rows), n)
	}
	for _, f := range log.Files {
		if fn, _ := core.ParseFileName(f.Name); !fn.Tmp && f.Torn {
			t.Fatalf("sealed file %s keeps a torn (zero) tail", f.Name)
		}
	}
}

// crashCopy copies dir's log files as a crash would leave them (the open
// file preallocated, with its zero tail) and checks that recovery from the
// copy finds the first want rows.
func crashCopy(t *testing.T, dir string, want int) {
	t.Helper()
	names, err := osdriver.DirStorage(dir).List()
	if err != nil {
		t.Fatal(err)
	}
	crashed := t.TempDir()
	zeroTail := false
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		zeroTail = zeroTail || len(b) == 128<<10 && b[len(b)-1] == 0
		if err := os.WriteFile(filepath.Join(crashed, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if !zeroTail {
		t.Fatal("the open log file is not preallocated")
	}
	drv, rep, err := osdriver.Open(crashed, core.Config{Policy: core.PolicyCommit}, osdriver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := drv.Close(); err != nil {
		t.Fatal(err)
	}
	names, err = osdriver.DirStorage(crashed).List()
	if err != nil {
		t.Fatal(err)
	}
	rows := 0
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(crashed, name))
		if err != nil {
			t.Fatal(err)
		}
		sc, err := core.ScanFile(name, b, 512)
		if err != nil || sc.Torn {
			t.Fatalf("%s after recovery: %+v, %v", name, sc, err)
		}
		rows += sc.Records
	}
	if rows != want {
		t.Fatalf("recovered %d rows from the crash copy, want %d (report %+v)", rows, want, rep.Files)
	}
}
