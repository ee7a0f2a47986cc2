package osdriver_test

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/osdriver"
	"github.com/redosim/redosim/engine/reader"
	"github.com/redosim/redosim/engine/ticdc"
)

// Damage on real files, as a storage engineer makes it with dd, truncate
// and one-byte flips: seal state x damage kind x position. Damage to
// anything synced (a sealed file, or an open file's records the meta
// covers, or any record with a valid one after it) makes the engine refuse
// to open, naming the file, and leaves the directory byte for byte as it
// was; only a torn tail of an open file past what the meta covers is
// repaired.

// damageLog writes rows with the OS driver and closes it (every file
// sealed, the meta covering every row). With open, the newest file is
// turned into an open file as a crash before its rename leaves it, and
// extra rows the meta does not cover are appended to it. It returns the
// directory, the victim file and the frame offsets in it (header first).
func damageLog(t *testing.T, rows func(i int) codec.Row, n int, open bool) (dir, victim string, offsets []int, covered int) {
	t.Helper()
	dir = t.TempDir()
	drv, _, err := osdriver.Open(dir, core.Config{Policy: core.PolicyCommit, MaxLogBytes: 16 << 10}, osdriver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		r := rows(i)
		if _, err := drv.AppendRow(&r); err != nil {
			t.Fatal(err)
		}
	}
	drv.UpdateMeta(1, 1<<40)
	if err := drv.Close(); err != nil {
		t.Fatal(err)
	}
	logs, _ := filepath.Glob(filepath.Join(dir, "*_row_*.log"))
	sort.Slice(logs, func(i, j int) bool { return lsnOf(t, logs[i]) < lsnOf(t, logs[j]) })
	if len(logs) < 3 {
		t.Fatalf("want 3 sealed files or more, got %v", logs)
	}
	victim = logs[1]
	if open {
		victim = strings.TrimSuffix(logs[len(logs)-1], ".log") + ".log.tmp"
		if err := os.Rename(logs[len(logs)-1], victim); err != nil {
			t.Fatal(err)
		}
	}
	data, err := os.ReadFile(victim)
	if err != nil {
		t.Fatal(err)
	}
	covered = -1
	if open {
		covered = len(data)
		for i := range 3 {
			rec := codec.Record{Type: codec.TypeRow, Row: rows(n + i)}
			data = codec.EncodeRecord(data, &rec)
		}
		if err := os.WriteFile(victim, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	w := codec.NewWalker(victim, data, 512)
	for w.Next() {
		offsets = append(offsets, int(w.Offset()))
	}
	return dir, victim, offsets, covered
}

func lsnOf(t *testing.T, path string) core.LSN {
	t.Helper()
	data, _ := os.ReadFile(path)
	sc, err := core.ScanFile(filepath.Base(path), data, 512)
	if err != nil {
		t.Fatal(err)
	}
	return sc.StartLSN
}

// digest lists a directory's files with sizes and content hashes.
func digest(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		fmt.Fprintf(&b, "%s:%d:%x\n", e.Name(), len(data), sha256.Sum256(data))
	}
	return b.String()
}

func edit(t *testing.T, path string, f func([]byte) []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, f(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// damageKinds damage the frame at off (the next frame at next, or the end).
var damageKinds = map[string]func(b []byte, off, next int) []byte{
	"flip": func(b []byte, off, _ int) []byte { b[off+20] ^= 0x10; return b },
	"zero sector": func(b []byte, off, _ int) []byte {
		s := (off + 8) / 512 * 512
		clear(b[s:min(s+512, len(b))])
		return b
	},
	"cut":         func(b []byte, off, _ int) []byte { return b[:off+12] },
	"length flip": func(b []byte, off, _ int) []byte { b[off+2] ^= 0x01; return b },
	"1MiB zero tail + length flip": func(b []byte, off, _ int) []byte {
		b[off+2] ^= 0x01
		return append(b, make([]byte, 1<<20)...)
	},
}

func TestRecoveryRefusesDamage(t *testing.T) {
	for _, open := range []bool{false, true} {
		for kind, damage := range damageKinds {
			for _, pos := range []string{"first", "middle", "last covered", "last"} {
				if pos == "last" && !open {
					continue // a sealed file has nothing past the meta
				}
				name := fmt.Sprintf("sealed/%s/%s", kind, pos)
				if open {
					name = fmt.Sprintf("open/%s/%s", kind, pos)
				}
				t.Run(name, func(t *testing.T) {
					dir, victim, offsets, covered := damageLog(t, row, 400, open)
					i := map[string]int{"first": 1, "middle": len(offsets) / 2, "last": len(offsets) - 1}[pos]
					if pos == "last covered" {
						i = len(offsets) - 1
						if open {
							i = len(offsets) - 4
						}
					}
					next := covered
					if i+1 < len(offsets) {
						next = offsets[i+1]
					}
					edit(t, victim, func(b []byte) []byte { return damage(b, offsets[i], next) })
					// Past the meta, at the very end of an open file, with
					// nothing valid after it: a torn tail.
					torn := open && pos == "last" && kind != "zero sector" || open && pos == "last" && kind == "zero sector" && (offsets[i]+8)/512*512 >= covered
					checkOpen(t, dir, victim, torn)
				})
			}
		}
	}
}

// checkOpen opens the engine on dir: with torn, it must open and repair
// the victim; else refuse naming it and change nothing.
func checkOpen(t *testing.T, dir, victim string, torn bool) {
	t.Helper()
	before := digest(t, dir)
	drv, _, err := osdriver.Open(dir, core.Config{Policy: core.PolicyCommit, MaxLogBytes: 16 << 10}, osdriver.Options{})
	if !torn {
		if err == nil {
			drv.Close()
			t.Fatalf("the engine opened a damaged log")
		}
		var de *core.DamageError
		if !errors.Is(err, codec.ErrCorrupt) || !errors.As(err, &de) || !strings.Contains(err.Error(), filepath.Base(victim)) {
			t.Fatalf("open error %v, want a DamageError naming %s", err, filepath.Base(victim))
		}
		if after := digest(t, dir); after != before {
			t.Fatalf("the refused open changed the directory:\nbefore\n%safter\n%s", before, after)
		}
		return
	}
	if err != nil {
		t.Fatalf("open on a torn tail: %v", err)
	}
	if err := drv.Close(); err != nil {
		t.Fatal(err)
	}
	if tmp, _ := filepath.Glob(filepath.Join(dir, "*.tmp")); len(tmp) > 0 {
		t.Fatalf("open files after a clean close: %v", tmp)
	}
	log, err := reader.Read(osdriver.DirStorage(dir), reader.Options{})
	if err != nil || len(log.Rows) < 400 {
		t.Fatalf("after repair: %v, %d rows", err, len(log.Rows))
	}
}

// TestZeroRunInUserDataIsNotATear: rows whose column is 2 KiB of zeros,
// one bit flipped in a middle one: the zeros look like a lost sector, but
// valid rows follow, so the engine refuses to open, sealed or open.
func TestZeroRunInUserDataIsNotATear(t *testing.T) {
	zeroRow := func(i int) codec.Row {
		ts := uint64(1000 + 2*i)
		return codec.Row{TableID: 1, Key: []byte(fmt.Sprintf("k%d", i)), Op: codec.OpInsert, StartTs: ts - 1, CommitTs: ts,
			Columns: [][]byte{make([]byte, 2048)}}
	}
	for _, open := range []bool{false, true} {
		dir, victim, offsets, _ := damageLog(t, zeroRow, 40, open)
		edit(t, victim, func(b []byte) []byte { b[offsets[2]+30] ^= 0x04; return b })
		checkOpen(t, dir, victim, false)
	}
}

// TestRecoveryLeavesForeignFilesAlone: a TiCDC redo file with this
// capture's name, another capture's files, another changefeed's meta,
// and a file of zeros of another capture stay byte for byte; an
// unfinished .mtmp of this capture is removed.
func TestRecoveryLeavesForeignFilesAlone(t *testing.T) {
	dir := t.TempDir()
	cfg := core.Config{CaptureID: "c1", Changefeed: "cf", Policy: core.PolicyCommit, MaxLogBytes: 16 << 10}
	ticdcRow := codec.Record{Type: codec.TypeRow, Row: row(7)}
	ticdcPayload := ticdc.AppendPayload(nil, &ticdcRow)
	foreign := map[string][]byte{
		"c1_cf_row_500_ticdc-uuid.log":             codec.AppendFrame(nil, ticdcPayload),
		"c1_cf_row_600_ticdc-uuid2.log.tmp":        codec.AppendFrame(nil, ticdcPayload),
		"c2_cf_row_700_other-capture.log":          []byte("not even a frame"),
		"c2_cf_row_800_other-capture.log.tmp":      make([]byte, 4096),
		"c1_other_meta_other-changefeed.meta":      []byte("someone else's meta"),
		"c2_cf_meta_other-capture-unfinished.mtmp": []byte("partial"),
	}
	for n, b := range foreign {
		if err := os.WriteFile(filepath.Join(dir, n), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mine := "c1_cf_meta_unfinished.mtmp"
	if err := os.WriteFile(filepath.Join(dir, mine), []byte("partial"), 0o644); err != nil {
		t.Fatal(err)
	}
	drv, rep, err := osdriver.Open(dir, cfg, osdriver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := row(1)
	if _, err := drv.AppendRow(&r); err != nil {
		t.Fatal(err)
	}
	drv.UpdateMeta(1, 5000)
	if err := drv.Close(); err != nil {
		t.Fatal(err)
	}
	for n, b := range foreign {
		got, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil || string(got) != string(b) {
			t.Errorf("%s changed or went: %v", n, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, mine)); !os.IsNotExist(err) {
		t.Errorf("this capture's unfinished meta %s stayed: %v", mine, err)
	}
	if len(rep.Ignored) != 2 || len(rep.MetaUnfinished) != 1 {
		t.Errorf("report: ignored %v, unfinished metas %v", rep.Ignored, rep.MetaUnfinished)
	}
}
