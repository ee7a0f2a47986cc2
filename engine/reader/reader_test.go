package reader_test

import (
	"errors"
	"fmt"
	"path"
	"strings"
	"testing"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/reader"
	"github.com/redosim/redosim/engine/simdriver"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/disk"
)

// logWorld writes a log on a simulated disk: rows at ts 100, 110, ...
// (every fifth a delete of the row before), a DDL at ts 205, and the meta
// given, small files so it rotates.
func logWorld(t *testing.T, rows int, meta core.Meta) (*sim.World, simdriver.Target) {
	t.Helper()
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	prof, _ := disk.ProfileByName("instant")
	target := simdriver.Target{Disk: disk.New(w, disk.Config{Name: "d", Profile: prof}), Dir: "redo"}
	drv, _, err := simdriver.Open(w, core.Config{Policy: core.PolicyCommit, MaxLogBytes: 4096}, target)
	if err != nil {
		t.Fatal(err)
	}
	ok := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < rows; i++ {
		ts := uint64(100 + 10*i)
		op := codec.OpInsert
		key := fmt.Sprintf("k%d", i)
		if i%5 == 4 {
			op, key = codec.OpDelete, fmt.Sprintf("k%d", i-1)
		}
		row := codec.SizedRow(codec.Row{TableID: int64(1 + i%3), Key: []byte(key), Op: op, StartTs: ts - 1, CommitTs: ts},
			codec.RowShape{FrameBytes: 200, Columns: 2})
		drv.AppendRow(&row, ok)
	}
	drv.AppendDDL(&codec.DDL{StartTs: 204, CommitTs: 205, Kind: codec.DDLAddColumn, Blocked: []int64{1}}, ok)
	drv.UpdateMeta(meta.CheckpointTs, meta.ResolvedTs)
	w.Loop.RunUntil(sim.Instant(sim.Second))
	return w, target
}

func TestReadSelectsTheMetaRange(t *testing.T) {
	_, target := logWorld(t, 60, core.Meta{CheckpointTs: 300, ResolvedTs: 600})
	log, err := reader.Read(simdriver.Storage(target), reader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if log.Meta != (core.Meta{CheckpointTs: 300, ResolvedTs: 600}) {
		t.Fatalf("meta = %+v", log.Meta)
	}
	// Rows in (300, 600]: ts 310..600 step 10 = 30 rows.
	if len(log.Rows) != 30 || log.Rows[0].Row.CommitTs != 310 || log.Rows[29].Row.CommitTs != 600 {
		t.Fatalf("rows: %d, first %d", len(log.Rows), log.Rows[0].Row.CommitTs)
	}
	for i := 1; i < len(log.Rows); i++ {
		if reader.Less(&log.Rows[i], &log.Rows[i-1]) {
			t.Fatalf("rows out of order at %d", i)
		}
	}
	if len(log.DDLs) != 0 {
		t.Fatalf("the DDL at 205 is below the checkpoint, read %d", len(log.DDLs))
	}
	if len(log.Files) < 2 {
		t.Fatalf("expected rotation into several files, read %d", len(log.Files))
	}
	if len(log.Skipped) == 0 {
		t.Fatal("files entirely below the checkpoint should be skipped")
	}
}

func TestDDLAtCheckpointIsRead(t *testing.T) {
	_, target := logWorld(t, 20, core.Meta{CheckpointTs: 205, ResolvedTs: 300})
	log, err := reader.Read(simdriver.Storage(target), reader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(log.DDLs) != 1 {
		t.Fatalf("a DDL exactly at the checkpoint must be read: got %d", len(log.DDLs))
	}
}

func TestNoMetaIsAnError(t *testing.T) {
	w := sim.NewWorld(sim.WorldConfig{})
	target := simdriver.Target{Disk: disk.New(w, disk.Config{Name: "d"}), Dir: "redo"}
	target.Disk.FS().MkdirAll("redo")
	if _, err := reader.Read(simdriver.Storage(target), reader.Options{}); !errors.Is(err, reader.ErrNoMeta) {
		t.Fatalf("err = %v, want ErrNoMeta", err)
	}
}

// TestTornTailAndCorruption: cutting the open file's last record, one the
// meta does not cover, is a torn tail, read up to it. Cutting it from a
// sealed file, or flipping a bit in the middle, is damage naming the file;
// AllowLoss reads what is left and lists the damage.
func TestTornTailAndCorruption(t *testing.T) {
	w, target := logWorld(t, 60, core.Meta{CheckpointTs: 0, ResolvedTs: 10000})
	drv, _, err := simdriver.Open(w, core.Config{Policy: core.PolicyCommit, MaxLogBytes: 4096, NameSeed: 5}, target)
	if err != nil {
		t.Fatal(err)
	}
	w.Loop.RunUntil(w.Now().Add(sim.Second))
	extra := codec.SizedRow(codec.Row{TableID: 1, Key: []byte("extra"), Op: codec.OpInsert, StartTs: 900, CommitTs: 901},
		codec.RowShape{FrameBytes: 200, Columns: 2})
	drv.AppendRow(&extra, func(error) {})
	w.Loop.RunUntil(w.Now().Add(sim.Second))
	fs := target.Disk.FS()
	names, _ := fs.List("redo")
	var sealed, open string
	for _, n := range names {
		switch {
		case strings.Contains(n, "_row_") && strings.HasSuffix(n, ".log") && sealed == "":
			sealed = path.Join("redo", n)
		case strings.Contains(n, "_row_") && strings.HasSuffix(n, ".log.tmp"):
			open = path.Join("redo", n)
		}
	}
	if sealed == "" || open == "" {
		t.Fatalf("want a sealed and an open row file: %v", names)
	}
	before, err := reader.Read(simdriver.Storage(target), reader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	openSize, _ := fs.Size(open)
	fs.Truncate(open, openSize-5)
	after, err := reader.Read(simdriver.Storage(target), reader.Options{})
	if err != nil {
		t.Fatalf("a torn tail must not be an error: %v", err)
	}
	if len(after.Rows) != len(before.Rows)-1 {
		t.Fatalf("torn tail: %d rows, want %d", len(after.Rows), len(before.Rows)-1)
	}
	sealedSize, _ := fs.Size(sealed)
	fs.Truncate(sealed, sealedSize-5)
	_, err = reader.Read(simdriver.Storage(target), reader.Options{})
	if !errors.Is(err, codec.ErrCorrupt) || !strings.Contains(err.Error(), path.Base(sealed)) {
		t.Fatalf("err = %v, want corruption naming %s", err, path.Base(sealed))
	}
	lossy, err := reader.Read(simdriver.Storage(target), reader.Options{AllowLoss: true})
	if err != nil || len(lossy.Damages) == 0 || len(lossy.Rows) != len(after.Rows)-1 {
		t.Fatalf("AllowLoss: %v, %d damages, %d rows; want the damage listed and %d rows", err, len(lossy.Damages), len(lossy.Rows), len(after.Rows)-1)
	}
	fs.FlipBit(sealed, 8*100)
	_, err = reader.Read(simdriver.Storage(target), reader.Options{})
	if !errors.Is(err, codec.ErrCorrupt) || !strings.Contains(err.Error(), path.Base(sealed)) {
		t.Fatalf("err = %v, want corruption naming %s", err, path.Base(sealed))
	}
}

// TestRepeatedDDLsAreReadOnce: a DDL written twice (a restarted capture
// writes again what it wrote before) is read once.
func TestRepeatedDDLsAreReadOnce(t *testing.T) {
	w, target := logWorld(t, 10, core.Meta{CheckpointTs: 0, ResolvedTs: 1000})
	drv, _, err := simdriver.Open(w, core.Config{Policy: core.PolicyCommit, MaxLogBytes: 4096, NameSeed: 9}, target)
	if err != nil {
		t.Fatal(err)
	}
	drv.AppendDDL(&codec.DDL{StartTs: 204, CommitTs: 205, Kind: codec.DDLAddColumn, Blocked: []int64{1}}, func(error) {})
	w.Loop.RunUntil(w.Now().Add(sim.Second))
	log, err := reader.Read(simdriver.Storage(target), reader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(log.DDLs) != 1 {
		t.Fatalf("read %d DDLs, want the repeated one once", len(log.DDLs))
	}
}

// TestMissingFilesAreDamage: a deleted middle file is a gap naming the
// LSN range; deleting the newest files leaves a log shorter than the
// meta promises. Both are damage, and AllowLoss reads the rest.
func TestMissingFilesAreDamage(t *testing.T) {
	w, target := logWorld(t, 60, core.Meta{CheckpointTs: 0, ResolvedTs: 10000})
	// A meta written once every row is durable promises their LSN.
	drv, _, err := simdriver.Open(w, core.Config{Policy: core.PolicyCommit, MaxLogBytes: 4096, NameSeed: 5}, target)
	if err != nil {
		t.Fatal(err)
	}
	drv.UpdateMeta(0, 10001)
	w.Loop.RunUntil(w.Now().Add(sim.Second))
	fs := target.Disk.FS()
	names, _ := fs.List("redo")
	var rows []string
	for _, n := range names {
		if strings.Contains(n, "_row_") {
			rows = append(rows, n)
		}
	}
	if len(rows) < 3 {
		t.Fatalf("want 3 row files or more: %v", rows)
	}
	full, err := reader.Read(simdriver.Storage(target), reader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Order by LSN is order by name ts here: the rows' ts grow.
	middle := rows[1]
	data, _ := fs.ReadFile(path.Join("redo", middle))
	fs.Remove(path.Join("redo", middle))
	_, err = reader.Read(simdriver.Storage(target), reader.Options{})
	var de *core.DamageError
	if !errors.As(err, &de) || !errors.Is(err, codec.ErrCorrupt) || !strings.Contains(err.Error(), "is missing") ||
		!strings.Contains(err.Error(), rows[0]) || !strings.Contains(err.Error(), rows[2]) {
		t.Fatalf("err = %v, want a missing LSN range between %s and %s", err, rows[0], rows[2])
	}
	lossy, err := reader.Read(simdriver.Storage(target), reader.Options{AllowLoss: true})
	if err != nil || len(lossy.Rows) >= len(full.Rows) || len(lossy.Damages) != 1 {
		t.Fatalf("AllowLoss: %v, %d rows of %d, damages %v", err, len(lossy.Rows), len(full.Rows), lossy.Damages)
	}
	fs.Create(path.Join("redo", middle))
	fs.WriteAt(path.Join("redo", middle), 0, data)
	for _, n := range rows[1:] {
		fs.Remove(path.Join("redo", n))
	}
	_, err = reader.Read(simdriver.Storage(target), reader.Options{})
	if !errors.Is(err, codec.ErrCorrupt) || !strings.Contains(err.Error(), "promises it durable up to LSN") {
		t.Fatalf("err = %v, want the meta's LSN promise broken", err)
	}
}
