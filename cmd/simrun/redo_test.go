package main

import (
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
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
	in.stdoutHas(t, "directory "+dir, "meta: checkpoint-ts ", "(1 meta files, 0 unreadable)", "sealed", "open")
	for _, l := range logs {
		in.stdoutHas(t, filepath.Base(l))
	}
	rec := run1(t, exitOK, "redo", "inspect", "-records", dir)
	if n := strings.Count(rec.stdout, " row table="); n != genRows {
		t.Errorf("inspect -records listed %d rows, want %d", n, genRows)
	}
	run1(t, exitOK, "redo", "verify", dir).stdoutHas(t, "ok: "+strconv.Itoa(len(logs))+" files, 2000 records, every checksum holds")

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

// TestRedoVerifyCorrupt: one byte flipped in the middle of a log file is
// corruption: verify, inspect and apply exit 1 and name the file and the
// offset.
func TestRedoVerifyCorrupt(t *testing.T) {
	dir, logs := genLog(t)
	victim := logs[1]
	data, err := os.ReadFile(victim)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 0xff
	if err := os.WriteFile(victim, data, 0o644); err != nil {
		t.Fatal(err)
	}
	name := filepath.Base(victim)
	offset := regexp.MustCompile(`corrupt record at offset \d+ in ` + regexp.QuoteMeta(name))
	v := run1(t, exitViolation, "redo", "verify", dir)
	if !offset.MatchString(v.stderr) {
		t.Errorf("verify's stderr does not name the file and offset:\n%s", v.stderr)
	}
	v.stdoutHas(t, "CORRUPT: ")
	if strings.Contains(v.stdout, "every checksum holds") {
		t.Errorf("verify says clean:\n%s", v.stdout)
	}
	in := run1(t, exitViolation, "redo", "inspect", dir)
	if !offset.MatchString(in.stderr) || !strings.Contains(in.stdout, "CORRUPT") {
		t.Errorf("inspect:\n%s\n%s", in.stdout, in.stderr)
	}
	ap := run1(t, exitViolation, "redo", "apply", dir)
	if !offset.MatchString(ap.stderr) || digestLine.MatchString(ap.stdout) {
		t.Errorf("apply of a corrupt log:\n%s\n%s", ap.stdout, ap.stderr)
	}
}

// TestRedoVerifyTornTail: the last bytes of the open file cut, as a crash
// leaves it, is a torn tail, not corruption: verify exits 0 and says so,
// and apply replays the rows before the tear.
func TestRedoVerifyTornTail(t *testing.T) {
	dir, logs := genLog(t)
	last := logs[len(logs)-1]
	st, err := os.Stat(last)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(last, st.Size()-5); err != nil {
		t.Fatal(err)
	}
	v := run1(t, exitOK, "redo", "verify", dir)
	v.stdoutHas(t, filepath.Base(last)+": torn tail after ", "not corruption", "1999 records, every checksum holds")
	run1(t, exitOK, "redo", "inspect", dir).stdoutHas(t, "torn tail")
	_, ap := applyDigest(t, dir, "-workers", "2")
	ap.stdoutHas(t, "rows in downstream: 1999")
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
