package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/ticdc"
)

// genRows is the size of the generated logs: small enough to write in
// milliseconds, with -max-log-size 64KiB large enough to rotate into
// several sealed files and one open one.
const genRows = 2000

// genLog writes a real redo log with `simrun redo gen` into a new
// directory and returns it with its log files, sorted by name.
func genLog(t *testing.T) (string, []string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "redo")
	r := run1(t, exitOK, "redo", "gen", "-dir", dir, "-rows", strconv.Itoa(genRows), "-writers", "4", "-max-log-size", "64KiB")
	r.stdoutHas(t, "wrote 2000 rows to "+dir)
	logs, _ := filepath.Glob(filepath.Join(dir, "*.log*"))
	sort.Strings(logs)
	if len(logs) < 3 {
		t.Fatalf("redo gen wrote %d log files, want a few: %v", len(logs), logs)
	}
	return dir, logs
}

var digestLine = regexp.MustCompile(`(?m)^state digest: ([0-9a-f]{16})$`)

// applyDigest runs redo apply with args and returns the digest it prints.
func applyDigest(t *testing.T, args ...string) (string, cliResult) {
	t.Helper()
	r := run1(t, exitOK, append([]string{"redo", "apply"}, args...)...)
	m := digestLine.FindStringSubmatch(r.stdout)
	if m == nil {
		t.Fatalf("no digest in:\n%s", r.stdout)
	}
	return m[1], r
}

// TestRedoGenInspectVerifyApply: a generated log inspects, verifies
// clean, and applies every row it holds; serial and parallel apply (flags
// before or after the directory) end in the same downstream state.
func TestRedoGenInspectVerifyApply(t *testing.T) {
	dir, logs := genLog(t)
	in := run1(t, exitOK, "redo", "inspect", dir)
	in.stdoutHas(t, "directory "+dir, "meta: checkpoint-ts ", "(1 meta files, 0 unreadable)", "sealed")
	if strings.Contains(in.stdout, ".tmp") {
		t.Errorf("a cleanly closed log has an open file:\n%s", in.stdout)
	}
	for _, l := range logs {
		in.stdoutHas(t, filepath.Base(l))
	}
	rec := run1(t, exitOK, "redo", "inspect", "-records", dir)
	if n := strings.Count(rec.stdout, " row table="); n != genRows {
		t.Errorf("inspect -records listed %d rows, want %d", n, genRows)
	}
	metas, _ := filepath.Glob(filepath.Join(dir, "*.meta"))
	if len(metas) != 1 {
		t.Fatalf("want one meta, got %v", metas)
	}
	if data, _ := os.ReadFile(metas[0]); len(data) != codec.MetaBytes {
		t.Errorf("meta of %d bytes, want %d", len(data), codec.MetaBytes)
	} else if m, err := codec.DecodeMeta(data); err != nil || m.Version != codec.MetaVersion || m.RowLSN == 0 {
		t.Errorf("meta %+v, %v: want version %d and the row log's LSN", m, err, codec.MetaVersion)
	}
	run1(t, exitOK, "redo", "verify", dir).stdoutHas(t, "ok: "+strconv.Itoa(len(logs))+" files, 2000 records, every checksum holds, LSNs contiguous, the meta's promises kept")

	serial, r := applyDigest(t, dir)
	r.stdoutHas(t, "applied 2000 rows and 0 DDLs (serial)", "rows in downstream: 2000")
	par, r := applyDigest(t, dir, "-workers", "4")
	r.stdoutHas(t, "(parallel, 4 workers)", "rows in downstream: 2000")
	before, _ := applyDigest(t, "-workers", "4", dir)
	one, _ := applyDigest(t, "-workers", "1", dir)
	if serial != par || serial != before || serial != one {
		t.Errorf("digests differ: serial %s, -workers 4 %s (flag first %s), -workers 1 %s", serial, par, before, one)
	}
}

// damageCase is one way to damage a generated log.
type damageCase struct {
	name   string
	damage func(t *testing.T, dir string, logs []string)
	// want is on verify's stdout; victim names the file it must name.
	want   string
	victim func(logs []string) string
}

// flipAt flips the byte at off (from the end when negative) of path.
func flipAt(t *testing.T, path string, off int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if off < 0 {
		off += len(data)
	}
	data[off] ^= 0x10
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// zeroAt zeroes n bytes at off of path.
func zeroAt(t *testing.T, path string, off, n int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	clear(data[off : off+n])
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRedoDamageIsCorruption: every damage to a synced log found in the
// field is corruption: verify, inspect and apply exit 1 naming the file
// (and offset, and what is at stake); apply -allow-loss applies the rest,
// says how far it got and still exits 1; and reopening the engine on the
// directory refuses, changing nothing.
func TestRedoDamageIsCorruption(t *testing.T) {
	second := func(logs []string) string { return logs[1] }
	last := func(logs []string) string { return logs[len(logs)-1] }
	cases := []damageCase{
		{"flip in the middle of a sealed file", func(t *testing.T, _ string, logs []string) { flipAt(t, logs[1], 30000) },
			" at offset ", second},
		{"flip in the last record of a sealed file", func(t *testing.T, _ string, logs []string) { flipAt(t, logs[1], -20) },
			"the file is sealed", second},
		{"zeroed sector in the middle of a sealed file", func(t *testing.T, _ string, logs []string) { zeroAt(t, logs[1], 8192, 512) },
			"records, ", second},
		{"zeroed first sector of a sealed file", func(t *testing.T, _ string, logs []string) { zeroAt(t, logs[1], 0, 512) },
			"at offset 0", second},
		{"4 KiB zeroed in the middle of a sealed file", func(t *testing.T, _ string, logs []string) { zeroAt(t, logs[2], 16384, 4096) },
			"records, ", func(logs []string) string { return logs[2] }},
		{"cut tail of a sealed file", func(t *testing.T, _ string, logs []string) {
			st, _ := os.Stat(logs[len(logs)-1])
			os.Truncate(logs[len(logs)-1], st.Size()-5)
		}, "runs past the end", last},
		{"middle file deleted", func(t *testing.T, _ string, logs []string) { os.Remove(logs[1]) }, "is missing", func(logs []string) string { return logs[2] }},
		{"newest file deleted", func(t *testing.T, _ string, logs []string) { os.Remove(logs[len(logs)-1]) }, "promises it durable up to LSN",
			func([]string) string { return "_meta_" }},
		{"only meta corrupted", func(t *testing.T, dir string, _ []string) {
			metas, _ := filepath.Glob(filepath.Join(dir, "*.meta"))
			flipAt(t, metas[0], 20)
		}, "meta is unreadable", func([]string) string { return "_meta_" }},
		{"a rotten newer meta beside a good older one", func(t *testing.T, dir string, _ []string) {
			metas, _ := filepath.Glob(filepath.Join(dir, "*.meta"))
			data, _ := os.ReadFile(metas[0])
			data[20] ^= 0x01
			writeFile(t, dir, "gen_redo_meta_ffffffff-0000-4000-8000-000000000000.meta", string(data))
		}, "meta is unreadable", func([]string) string { return "ffffffff-0000-4000-8000-000000000000" }},
		{"meta removed", func(t *testing.T, dir string, _ []string) {
			metas, _ := filepath.Glob(filepath.Join(dir, "*.meta"))
			os.Remove(metas[0])
		}, "no readable meta", func([]string) string { return "no readable meta" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, logs := genLog(t)
			c.damage(t, dir, logs)
			victim := filepath.Base(c.victim(logs))
			v := run1(t, exitViolation, "redo", "verify", dir)
			v.stdoutHas(t, "CORRUPT: ", c.want, victim)
			if strings.Contains(v.stdout, "ok: ") {
				t.Errorf("verify says clean:\n%s", v.stdout)
			}
			if c.want == "no readable meta" {
				run1(t, exitViolation, "redo", "apply", dir).stderrHas(t, "no readable meta", "nothing applied")
				// A capture may crash before its first meta flush: logs
				// without a meta do not stop the engine from opening.
				return
			}
			before := dirDigest(t, dir)
			if re := simrun(t, "redo", "gen", "-dir", dir, "-rows", "10"); re.code == exitOK || !strings.Contains(re.stderr, victim) {
				t.Errorf("reopening the engine on the damaged log: exit %d\n%s", re.code, re.stderr)
			}
			if after := dirDigest(t, dir); after != before {
				t.Errorf("the refused open changed the directory:\nbefore %s\nafter  %s", before, after)
			}
			run1(t, exitViolation, "redo", "inspect", dir).stderrHas(t, victim)
			ap := run1(t, exitViolation, "redo", "apply", dir)
			if digestLine.MatchString(ap.stdout) || !strings.Contains(ap.stderr, "-allow-loss") {
				t.Errorf("apply of a damaged log:\n%s\n%s", ap.stdout, ap.stderr)
			}
			lossy := run1(t, exitViolation, "redo", "apply", "-allow-loss", dir)
			if strings.Contains(c.want, "meta") {
				return // no meta to apply by
			}
			lossy.stdoutHas(t, "INCOMPLETE: applied up to commit-ts ", victim)
			if !digestLine.MatchString(lossy.stdout) {
				t.Errorf("apply -allow-loss printed no digest:\n%s", lossy.stdout)
			}
		})
	}
}

// dirDigest lists a directory's files with their sizes and contents' hash.
func dirDigest(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
		fmt.Fprintf(&b, "%s:%d:%x ", e.Name(), len(data), sha256.Sum256(data))
	}
	return b.String()
}

// TestRedoVerifyTornTail: an open file (its rename lost in a crash) whose
// last record a crash cut while it was being written, after the meta, is
// a torn tail, not corruption: verify exits 0 and says so, and apply
// replays every acknowledged row.
func TestRedoVerifyTornTail(t *testing.T) {
	dir, logs := genLog(t)
	last := logs[len(logs)-1]
	open := strings.TrimSuffix(last, ".log") + ".log.tmp"
	if err := os.Rename(last, open); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(open)
	if err != nil {
		t.Fatal(err)
	}
	// Half of a record written after everything the meta covers.
	data = append(data, data[len(data)-256:len(data)-128]...)
	if err := os.WriteFile(open, data, 0o644); err != nil {
		t.Fatal(err)
	}
	v := run1(t, exitOK, "redo", "verify", dir)
	v.stdoutHas(t, filepath.Base(open)+": torn tail after ", "not corruption", "2000 records, every checksum holds")
	run1(t, exitOK, "redo", "inspect", dir).stdoutHas(t, "torn tail")
	_, ap := applyDigest(t, dir, "-workers", "2")
	ap.stdoutHas(t, "rows in downstream: 2000")
}

// badCase is a command line that must exit 2 with want on stderr.
type badCase struct {
	name string
	args []string
	want []string
}

// TestRedoBadInput: every bad redo command line exits 2 and names what is
// wrong; nothing is written.
func TestRedoBadInput(t *testing.T) {
	root := t.TempDir()
	missing := filepath.Join(root, "missing")
	notRedo := filepath.Join(root, "not-redo")
	if err := os.MkdirAll(notRedo, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, notRedo, "notes.txt", "hello")
	aFile := writeFile(t, root, "a-file", "x")
	cases := []badCase{
		{"no command", []string{"redo"}, []string{"give a command: gen, inspect, verify or apply"}},
		{"unknown command", []string{"redo", "fsck"}, []string{`unknown command "fsck"`}},
		{"gen without -dir", []string{"redo", "gen"}, []string{"redo gen", "-dir"}},
		{"gen with a positional dir", []string{"redo", "gen", filepath.Join(root, "g")}, []string{"redo gen", "-dir"}},
		{"gen unknown flag", []string{"redo", "gen", "-dir", filepath.Join(root, "g"), "-rowz", "5"}, []string{"redo gen", "-rowz"}},
		{"gen bad policy", []string{"redo", "gen", "-dir", filepath.Join(root, "g"), "-policy", "sometimes"}, []string{"-policy", "sometimes"}},
		{"gen negative rows", []string{"redo", "gen", "-dir", filepath.Join(root, "g"), "-rows", "-1"}, []string{"-rows"}},
		{"gen tiny rows", []string{"redo", "gen", "-dir", filepath.Join(root, "g"), "-row-bytes", "8"}, []string{"-row-bytes"}},
		{"gen no writers", []string{"redo", "gen", "-dir", filepath.Join(root, "g"), "-writers", "0"}, []string{"-writers"}},
		{"gen bad size", []string{"redo", "gen", "-dir", filepath.Join(root, "g"), "-max-log-size", "big"}, []string{"-max-log-size"}},
		{"gen rows not a number", []string{"redo", "gen", "-dir", filepath.Join(root, "g"), "-rows", "many"}, []string{"-rows", "many"}},
		{"apply bad workers", []string{"redo", "apply", "-workers", "-1", notRedo}, []string{"-workers -1"}},
		{"apply unknown flag", []string{"redo", "apply", "-wrokers", "2", notRedo}, []string{"redo apply", "-wrokers"}},
		{"inspect two dirs", []string{"redo", "inspect", notRedo, root}, []string{"one directory", notRedo, root}},
	}
	for _, cmd := range []string{"inspect", "verify", "apply"} {
		cases = append(cases,
			badCase{cmd + " without a dir", []string{"redo", cmd}, []string{"redo " + cmd, "give the redo directory"}},
			badCase{cmd + " on a missing dir", []string{"redo", cmd, missing}, []string{"redo " + cmd, missing}},
			badCase{cmd + " on a file", []string{"redo", cmd, aFile}, []string{"redo " + cmd, aFile, "not a directory"}},
			badCase{cmd + " on a non-redo dir", []string{"redo", cmd, notRedo}, []string{notRedo}},
		)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			run1(t, exitUsage, c.args...).stderrHas(t, c.want...)
		})
	}
	if _, err := os.Stat(filepath.Join(root, "g")); err == nil {
		t.Errorf("a rejected redo gen wrote %s", filepath.Join(root, "g"))
	}
}

// TestReportBadInput: report needs results directories.
func TestReportBadInput(t *testing.T) {
	root := t.TempDir()
	empty := filepath.Join(root, "empty")
	if err := os.MkdirAll(empty, 0o755); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(root, "missing")
	run1(t, exitUsage, "report").stderrHas(t, "report: give at least one results directory")
	out := filepath.Join(root, "out")
	run1(t, exitUsage, "report", "-out", out, empty).stderrHas(t, "report:", "not a results directory", empty)
	run1(t, exitUsage, "report", "-out", out, missing).stderrHas(t, "report:", "not a results directory", missing)
	run1(t, exitUsage, "report", "-bogus", empty).stderrHas(t, "report:", "-bogus")
	corrupt := filepath.Join(root, "corrupt")
	if err := os.MkdirAll(corrupt, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, corrupt, "run.json", "{ not json")
	run1(t, exitUsage, "report", "-out", out, corrupt).stderrHas(t, "report:", "run.json")
}

// TestRedoTiCDCFormat: redo gen -format ticdc (plain and LZ4) writes a log
// that inspects as TiCDC's, verifies, and applies to the same downstream
// state as the same rows in this engine's format; a cut sealed file in it
// is still refused. (A flipped byte inside a value decodes and goes
// unseen: TiCDC's format has no checksum.)
func TestRedoTiCDCFormat(t *testing.T) {
	own, _ := genLog(t)
	want, _ := applyDigest(t, own)
	for _, extra := range [][]string{nil, {"-compression", "lz4"}} {
		dir := filepath.Join(t.TempDir(), "redo")
		args := append([]string{"redo", "gen", "-dir", dir, "-rows", strconv.Itoa(genRows), "-writers", "4", "-max-log-size", "64KiB", "-format", "ticdc"}, extra...)
		run1(t, exitOK, args...)
		if metas, _ := filepath.Glob(filepath.Join(dir, "gen_default_redo_meta_*.meta")); len(metas) != 1 {
			t.Fatalf("want one meta in TiCDC's layout (with the keyspace), got %v", metas)
		}
		state := "sealed (ticdc)"
		if extra != nil {
			state = "sealed (ticdc+lz4)"
		}
		run1(t, exitOK, "redo", "inspect", dir).stdoutHas(t, state)
		run1(t, exitOK, "redo", "verify", dir).stdoutHas(t, "2000 records, every frame decodes", "TiCDC's format")
		if got, _ := applyDigest(t, dir); got != want {
			t.Errorf("%v: digest %s, want %s (the same rows in this engine's format)", extra, got, want)
		}
		logs, _ := filepath.Glob(filepath.Join(dir, "*.log"))
		sort.Strings(logs)
		st, _ := os.Stat(logs[1])
		os.Truncate(logs[1], st.Size()-5)
		run1(t, exitViolation, "redo", "verify", dir).stdoutHas(t, "CORRUPT: ", filepath.Base(logs[1]))
	}
}

// TestRedoReadsATiCDCDirectory: a directory as TiCDC writes it (V2 names
// with a keyspace, an LZ4-compressed DDL file, a LogMeta) inspects with
// its rows and DDLs and applies.
func TestRedoReadsATiCDCDirectory(t *testing.T) {
	dir := t.TempDir()
	file := func(recs ...codec.Record) []byte {
		var data []byte
		for i := range recs {
			data = codec.AppendFrame(data, ticdc.AppendPayload(nil, &recs[i]))
		}
		return data
	}
	row := func(key string, ts uint64) codec.Record {
		return codec.Record{Type: codec.TypeRow, Row: codec.Row{TableID: 42, Key: []byte(key), Op: codec.OpInsert,
			Columns: [][]byte{[]byte("v-" + key)}, StartTs: ts - 1, CommitTs: ts}}
	}
	ddl, err := ticdc.Compress(file(codec.Record{Type: codec.TypeDDL, DDL: codec.DDL{StartTs: 99, CommitTs: 100,
		Kind: codec.DDLCreate, Added: []int64{42}, Query: "create table t42 (k varbinary(64) primary key, c1 blob)"}}))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"cap1_ks1_cf_ddl_100_8f1c0f8e-0000-4000-8000-000000000001.log": ddl,
		"cap1_ks1_cf_row_120_8f1c0f8e-0000-4000-8000-000000000002.log": file(row("a", 110), row("b", 120)),
		"cap2_ks1_cf_row_130_8f1c0f8e-0000-4000-8000-000000000003.log": file(row("c", 115), row("d", 130)),
		"cap1_ks1_cf_meta_8f1c0f8e-0000-4000-8000-000000000004.meta":   ticdc.AppendMeta(nil, codec.Meta{CheckpointTs: 100, ResolvedTs: 130}),
	}
	for n, b := range files {
		writeFile(t, dir, n, string(b))
	}
	in := run1(t, exitOK, "redo", "inspect", "-records", dir)
	in.stdoutHas(t, "checkpoint-ts 100, resolved-ts 130", "sealed (ticdc+lz4)", "ddl create commit-ts=100 blocked=[] added=[42]")
	if n := strings.Count(in.stdout, " row table=42 "); n != 4 {
		t.Errorf("inspect -records listed %d rows, want 4:\n%s", n, in.stdout)
	}
	run1(t, exitOK, "redo", "verify", dir).stdoutHas(t, "3 files, 5 records")
	_, ap := applyDigest(t, dir)
	ap.stdoutHas(t, "applied 4 rows and 1 DDLs", "rows in downstream: 4")
}
