package osdriver_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pingcap/failpoint"

	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/osdriver"
	"github.com/redosim/redosim/engine/reader"
)

// The driver's failpoints on real files: each one enabled around real
// writes and syncs in a temporary directory, in failpoint's own terms; the
// engine reports the injected error as it would the OS's, and a reopen
// recovers every acknowledged row.

var fpCfg = core.Config{Policy: core.PolicyCommit, MaxLogBytes: 64 << 10}

// enable enables spec for the rest of the test.
func enable(t *testing.T, spec string) {
	t.Helper()
	disable, err := osdriver.EnableFailpoints(spec)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(disable)
}

// appendN appends rows from..to-1 and returns how many were acknowledged
// before the first error, and that error.
func appendN(drv *osdriver.Driver, from, to int) (int, error) {
	for i := from; i < to; i++ {
		r := row(i)
		if _, err := drv.AppendRow(&r); err != nil {
			return i - from, err
		}
	}
	return to - from, nil
}

// recoveredRows reopens dir with no failpoint on, raises the meta over
// every row, closes, and returns the rows read back and the recovery's
// report.
func recoveredRows(t *testing.T, dir string, disable ...func()) (int, *core.RecoveryReport) {
	t.Helper()
	for _, d := range disable {
		d()
	}
	drv, rep, err := osdriver.Open(dir, fpCfg, osdriver.Options{})
	if err != nil {
		t.Fatalf("reopen after the fault: %v", err)
	}
	drv.UpdateMeta(0, 1<<40)
	if err := drv.Close(); err != nil {
		t.Fatal(err)
	}
	log, err := reader.Read(osdriver.DirStorage(dir), reader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return len(log.Rows), rep
}

// checkInjected: err is the injected errno, wrapped all the way up, and
// names the point.
func checkInjected(t *testing.T, err error, errno syscall.Errno, point string) {
	t.Helper()
	if !errors.Is(err, errno) {
		t.Fatalf("error %v: want errors.Is %v", err, errno)
	}
	if !strings.Contains(err.Error(), point) {
		t.Fatalf("error %v does not name the failpoint %s", err, point)
	}
	t.Logf("injected: %v", err)
}

// TestFailpointFdatasyncEIO: an fdatasync that fails with EIO fails the
// append waiting on it and the log for good (no retry of a failed fsync);
// Close reports it; a reopen recovers every acknowledged row.
func TestFailpointFdatasyncEIO(t *testing.T) {
	dir := t.TempDir()
	drv, _, err := osdriver.Open(dir, fpCfg, osdriver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	acked, err := appendN(drv, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	disable, err := osdriver.EnableFailpoints(osdriver.FailpointFdatasync + `=return("EIO")`)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(disable)
	n, err := appendN(drv, 50, 100)
	if n != 0 {
		t.Fatalf("%d appends acknowledged with every fdatasync failing", n)
	}
	checkInjected(t, err, syscall.EIO, osdriver.FailpointFdatasync)
	disable()
	if _, err := appendN(drv, 100, 101); !errors.Is(err, syscall.EIO) {
		t.Fatalf("an append after a failed fdatasync: %v, want the log's EIO", err)
	}
	checkInjected(t, drv.Close(), syscall.EIO, osdriver.FailpointFdatasync)
	if got, _ := recoveredRows(t, dir); got < acked {
		t.Fatalf("recovered %d rows, %d were acknowledged", got, acked)
	}
}

// TestFailpointFdatasyncCount: 3*off->1*return("EIO") lets three
// fdatasyncs through and fails the fourth.
func TestFailpointFdatasyncCount(t *testing.T) {
	dir := t.TempDir()
	drv, _, err := osdriver.Open(dir, fpCfg, osdriver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer drv.Close()
	enable(t, osdriver.FailpointFdatasync+`=3*off->1*return("EIO")`)
	n, err := appendN(drv, 0, 10)
	checkInjected(t, err, syscall.EIO, osdriver.FailpointFdatasync)
	if n > 3 { // meta syncs of the tick loop may take some of the three
		t.Fatalf("%d appends acknowledged before the fourth fdatasync failed, want 3 at most", n)
	}
}

// TestFailpointFdatasyncDelay: sleep delays each fdatasync and the
// appends still succeed.
func TestFailpointFdatasyncDelay(t *testing.T) {
	dir := t.TempDir()
	drv, _, err := osdriver.Open(dir, fpCfg, osdriver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	enable(t, osdriver.FailpointFdatasync+`=sleep(30)`)
	start := time.Now()
	if _, err := appendN(drv, 0, 3); err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took < 90*time.Millisecond {
		t.Fatalf("3 commits with fdatasync delayed 30 ms took %s", took)
	}
	if err := drv.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestFailpointWriteENOSPC: a write that fails with ENOSPC fails the
// append; nothing acknowledged is lost.
func TestFailpointWriteENOSPC(t *testing.T) {
	dir := t.TempDir()
	drv, _, err := osdriver.Open(dir, fpCfg, osdriver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	acked, err := appendN(drv, 0, 20)
	if err != nil {
		t.Fatal(err)
	}
	disable, err := osdriver.EnableFailpoints(osdriver.FailpointWrite + `=return("ENOSPC")`)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(disable)
	_, err = appendN(drv, 20, 21)
	checkInjected(t, err, syscall.ENOSPC, osdriver.FailpointWrite)
	checkInjected(t, drv.Close(), syscall.ENOSPC, osdriver.FailpointWrite)
	if got, _ := recoveredRows(t, dir, disable); got != acked {
		t.Fatalf("recovered %d rows, %d were acknowledged and the next write wrote nothing", got, acked)
	}
}

// TestFailpointShortWrite: return("short") writes the first half of a
// record and fails with ENOSPC (and io.ErrShortWrite): the append fails,
// and the half record is a torn tail that recovery truncates, keeping
// exactly the acknowledged rows.
func TestFailpointShortWrite(t *testing.T) {
	dir := t.TempDir()
	drv, _, err := osdriver.Open(dir, fpCfg, osdriver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	acked, err := appendN(drv, 0, 20)
	if err != nil {
		t.Fatal(err)
	}
	disable, err := osdriver.EnableFailpoints(osdriver.FailpointWrite + `=1*return("short")`)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(disable)
	before := logBytes(t, dir)
	_, err = appendN(drv, 20, 21)
	half := logBytes(t, dir) - before
	checkInjected(t, err, syscall.ENOSPC, osdriver.FailpointWrite)
	if !errors.Is(err, io.ErrShortWrite) {
		t.Fatalf("error %v: want errors.Is io.ErrShortWrite", err)
	}
	drv.Close()
	got, rep := recoveredRows(t, dir, disable)
	if got != acked {
		t.Fatalf("recovered %d rows, %d were acknowledged", got, acked)
	}
	torn := int64(0)
	for _, f := range rep.Files {
		torn += f.TornBytes
	}
	if half <= 0 || torn != half {
		t.Fatalf("the short write added %d bytes, recovery truncated %d: %+v", half, torn, rep.Files)
	}
}

// logBytes is the size of dir's open log files.
func logBytes(t *testing.T, dir string) int64 {
	t.Helper()
	names, _ := filepath.Glob(filepath.Join(dir, "*.log.tmp"))
	var n int64
	for _, name := range names {
		if st, err := os.Stat(name); err == nil {
			n += st.Size()
		}
	}
	return n
}

// TestFailpointPreallocateENOSPC: a spare that cannot be filled fails
// Open with ENOSPC and leaves no spare directory behind.
func TestFailpointPreallocateENOSPC(t *testing.T) {
	dir := t.TempDir()
	enable(t, osdriver.FailpointPreallocate+`=return("ENOSPC")`)
	_, _, err := osdriver.Open(dir, fpCfg, osdriver.Options{PreallocateBytes: 4 << 20})
	checkInjected(t, err, syscall.ENOSPC, osdriver.FailpointPreallocate)
	if _, err := os.Stat(filepath.Join(dir, ".spare")); !os.IsNotExist(err) {
		t.Fatalf("the spare directory is left after a failed fill: %v", err)
	}
}

// TestFailpointPreallocateLater: when only the background filler fails,
// the log goes on with files that start empty.
func TestFailpointPreallocateLater(t *testing.T) {
	dir := t.TempDir()
	cfg := core.Config{Policy: core.PolicyCommit, MaxLogBytes: 16 << 10}
	drv, _, err := osdriver.Open(dir, cfg, osdriver.Options{PreallocateBytes: 16 << 10})
	if err != nil {
		t.Fatal(err)
	}
	enable(t, osdriver.FailpointPreallocate+`=return(true)`)
	if _, err := appendN(drv, 0, 400); err != nil {
		t.Fatalf("appends with the spare filler failing: %v", err)
	}
	if err := drv.Close(); err != nil {
		t.Fatal(err)
	}
	if io, eng := drv.Stats(); io.Preallocated != 1 || eng.Row.FilesSealed < 2 {
		t.Fatalf("%d files took a spare (want the first only) of %d sealed", io.Preallocated, eng.Row.FilesSealed)
	}
}

// TestFailpointsOffChangeNothing: points enabled with off, and points
// enabled then disabled, leave the driver as it is: every row of a
// concurrent run with pipelined flushes and spares comes back.
func TestFailpointsOffChangeNothing(t *testing.T) {
	cfg := core.Config{Policy: core.PolicyCommit, MaxLogBytes: 64 << 10, SyncChainsMax: 1}
	var all []string
	for _, p := range osdriver.FailpointCatalogue() {
		all = append(all, p.Name+"=off")
	}
	t.Run("off", func(t *testing.T) {
		enable(t, strings.Join(all, ";"))
		concurrentAppendsThenRecover(t, cfg)
	})
	t.Run("disabled", func(t *testing.T) {
		disable, err := osdriver.EnableFailpoints(strings.Replace(strings.Join(all, ";"), "=off", `=return("EIO")`, -1))
		if err != nil {
			t.Fatal(err)
		}
		disable()
		concurrentAppendsThenRecover(t, cfg)
	})
}

// TestFailpointViaFailpointEnable: a point enabled with failpoint.Enable
// directly (as GO_FAILPOINTS does at start) fires the same way.
func TestFailpointViaFailpointEnable(t *testing.T) {
	if err := failpoint.Enable(osdriver.FailpointWrite, `return("EIO")`); err != nil {
		t.Fatal(err)
	}
	defer failpoint.Disable(osdriver.FailpointWrite)
	drv, _, err := osdriver.Open(t.TempDir(), fpCfg, osdriver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = appendN(drv, 0, 1)
	checkInjected(t, err, syscall.EIO, osdriver.FailpointWrite)
	drv.Close()
}

// TestParseFailpoints: good specs parse; bad names, terms and values are
// refused with ErrBadFailpoint and the entry named.
func TestParseFailpoints(t *testing.T) {
	fs, w, pre := osdriver.FailpointFdatasync, osdriver.FailpointWrite, osdriver.FailpointPreallocate
	good := []string{
		"",
		fs + `=return("EIO")`,
		fs + `=1*return("EIO")`,
		fs + `=50%return("ENOSPC")`,
		fs + `=sleep(100)`,
		fs + `=sleep("1.5s")`,
		fs + `=3*off->return(true)`,
		fs + `=return`,
		fs + `=return()`,
		w + `=return("short")`,
		w + `=return("EDQUOT");` + fs + `=10%sleep(5)`,
		pre + `=return("ENOSPC")`,
		w + `=print("hello")`,
	}
	for _, spec := range good {
		if _, err := osdriver.ParseFailpoints(spec); err != nil {
			t.Errorf("%q: %v", spec, err)
		}
	}
	bad := []struct{ spec, want string }{
		{"nonsense", "NAME=TERM"},
		{fs, "NAME=TERM"},
		{"github.com/x/y=return(true)", "no such point"},
		{fs + `=bogus`, "failpoint"},
		{fs + `=return("EFOO")`, `return("EFOO")`},
		{fs + `=return("short")`, `return("short")`},
		{fs + `=return(5)`, "return(5)"},
		{fs + `=sleep(true)`, "sleep(true)"},
		{fs + `=sleep("soon")`, `sleep("soon")`},
		{fs + `=sleep(x)`, "sleep(x)"},
		{fs + `=1*sleep(x`, "sleep(x"},
		{fs + `=return("EIO")->`, "failpoint"},
		{fs + `=panic`, "panic"},
		{fs + `=pause`, "pause"},
		{fs + `=off;` + fs + `=off`, "twice"},
	}
	for _, c := range bad {
		_, err := osdriver.ParseFailpoints(c.spec)
		if !errors.Is(err, osdriver.ErrBadFailpoint) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want ErrBadFailpoint naming %q", c.spec, err, c.want)
		}
		if _, err := osdriver.EnableFailpoints(c.spec); err == nil {
			t.Errorf("%q enabled", c.spec)
		}
	}
	for _, p := range osdriver.FailpointCatalogue() {
		if st, err := failpoint.Status(p.Name); err == nil {
			t.Errorf("a refused spec left %s enabled with %s", p.Name, st)
		}
	}
}

// FuzzParseFailpoints: no spec makes the parser panic (failpoint's own
// parser panics on some malformed terms; ParseFailpoints must not).
func FuzzParseFailpoints(f *testing.F) {
	for _, s := range []string{`return("EIO")`, `sleep(x)`, `1*return("short")`, `50%sleep("1s")->off`, `print(`, `return(tru`} {
		f.Add(osdriver.FailpointWrite + "=" + s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		fps, err := osdriver.ParseFailpoints(spec)
		if err != nil && !errors.Is(err, osdriver.ErrBadFailpoint) {
			t.Fatalf("%q: error %v does not wrap ErrBadFailpoint", spec, err)
		}
		_ = fps
	})
}
