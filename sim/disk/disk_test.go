package disk

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/redosim/redosim/internal/invariants"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/dist"
)

const usec = sim.Microsecond

// constProfile has fixed latencies, infinite bandwidth, and depth qd:
// write 10µs, meta 5µs, read 50µs, sync 100µs, overwrite-sync 60µs.
func constProfile(qd int) Profile {
	return Profile{Name: "const", QueueDepth: qd,
		WriteLatency: dist.Const{V: 10e3}, MetaLatency: dist.Const{V: 5e3},
		ReadLatency: dist.Const{V: 50e3}, SyncLatency: dist.Const{V: 100e3},
		SyncOverwriteLatency: dist.Const{V: 60e3}}
}

// scriptFaults fires a point on the listed evaluations (1-based).
type scriptFaults struct {
	at    map[string][]int
	value map[string]string
	calls map[string]int
}

func (s *scriptFaults) Fire(point string) (string, bool) {
	if s.calls == nil {
		s.calls = map[string]int{}
	}
	s.calls[point]++
	for _, n := range s.at[point] {
		if n == s.calls[point] {
			return s.value[point], true
		}
	}
	return "", false
}

func newTestDisk(t testing.TB, p Profile) (*sim.World, *Disk) {
	t.Helper()
	w := sim.NewWorld(sim.WorldConfig{Seed: 1, KeepTrace: true})
	return w, New(w, Config{Name: "d0", Profile: p})
}

// dirtyFiles creates the named files durably in the FS, each with n
// unsynced bytes, so a sync of each pays the sync latency.
func dirtyFiles(t testing.TB, d *Disk, n int, paths ...string) {
	t.Helper()
	for _, p := range paths {
		durableFile(t, d.FS(), p, nil)
		must(t, d.FS().WriteAt(p, 0, pattern(1, n)))
	}
}

func run(t testing.TB, w *sim.World) {
	t.Helper()
	must(t, w.Loop.Run())
}

// TestDiskLatencyAndOrder: memory-lane ops take their latency and complete
// in order per path; a sync waits for the earlier writes of its file and
// its callback sees their bytes durable.
func TestDiskLatencyAndOrder(t *testing.T) {
	w, d := newTestDisk(t, constProfile(4))
	var log []string
	at := func(what string) { log = append(log, fmt.Sprintf("%s@%v", what, w.Now())) }
	d.Create("/f", func(err error) { must(t, err); at("create") })
	d.Append("/f", pattern(1, 4096), func(off int64, err error) { must(t, err); at(fmt.Sprint("append", off)) })
	d.Sync("/f", func(err error) {
		must(t, err)
		at("sync")
		// The later append completed (at 10µs) before the sync did, so
		// the sync wrote it too: a sync persists the page cache as of its
		// completion.
		if f := d.FS().root.dir.entries["f"].file; f.durable.len() != 4106 {
			t.Errorf("sync callback: durable size %d, want 4106", f.durable.len())
		}
	})
	d.Append("/f", pattern(2, 10), func(off int64, err error) { must(t, err); at(fmt.Sprint("append", off)) })
	run(t, w)
	want := "[create@t+5µs append0@t+10µs append4096@t+10µs sync@t+110µs]"
	if fmt.Sprint(log) != want {
		t.Errorf("log = %v\nwant  %s", log, want)
	}
}

// TestDiskFIFOQueue: device ops are served FIFO, QueueDepth at a time.
func TestDiskFIFOQueue(t *testing.T) {
	for _, tc := range []struct {
		qd   int
		want string
	}{{1, "[/a@t+100µs /b@t+200µs /c@t+300µs]"}, {2, "[/a@t+100µs /b@t+100µs /c@t+200µs]"}} {
		w, d := newTestDisk(t, constProfile(tc.qd))
		dirtyFiles(t, d, 100, "/a", "/b", "/c")
		var log []string
		for _, p := range []string{"/a", "/b", "/c"} {
			d.Sync(p, func(err error) { must(t, err); log = append(log, fmt.Sprintf("%s@%v", p, w.Now())) })
		}
		run(t, w)
		if fmt.Sprint(log) != tc.want {
			t.Errorf("qd %d: %v, want %s", tc.qd, log, tc.want)
		}
		if s := d.Stats(); s.Syncs != 3 || s.QueueLenMax != 3-tc.qd || s.BytesFlushed != 3*512 {
			t.Errorf("qd %d: stats %+v", tc.qd, s)
		}
	}
}

// TestDiskSyncsOfOneFileSerialize: a second sync of a file waits for the
// first; it then finds nothing dirty and costs the meta latency.
func TestDiskSyncsOfOneFileSerialize(t *testing.T) {
	w, d := newTestDisk(t, constProfile(4))
	dirtyFiles(t, d, 10, "/f")
	var log []string
	for i := range 2 {
		d.Append("/f", []byte("x"), func(int64, error) {})
		d.Sync("/f", func(err error) { must(t, err); log = append(log, fmt.Sprintf("sync%d@%v", i, w.Now())) })
	}
	run(t, w)
	if want := "[sync0@t+110µs sync1@t+115µs]"; fmt.Sprint(log) != want {
		t.Errorf("%v, want %s", log, want)
	}
}

// TestDiskSyncDataOverwriteIsCheaper: fdatasync without a size change pays
// the overwrite latency; fsync and appends pay the full one.
func TestDiskSyncDataOverwriteIsCheaper(t *testing.T) {
	w, d := newTestDisk(t, constProfile(1))
	durableFile(t, d.FS(), "/f", pattern(1, 512))
	var got []sim.Duration
	start := w.Now()
	lap := func(err error) { must(t, err); got = append(got, w.Now().Sub(start)); start = w.Now() }
	d.WriteAt("/f", 0, []byte("o"), func(error) { start = w.Now(); d.SyncData("/f", lap) })
	run(t, w)
	d.WriteAt("/f", 0, []byte("o"), func(error) { start = w.Now(); d.Sync("/f", lap) })
	run(t, w)
	d.Append("/f", []byte("a"), func(int64, error) { start = w.Now(); d.SyncData("/f", lap) })
	run(t, w)
	if want := "[60µs 100µs 100µs]"; fmt.Sprint(got) != want {
		t.Errorf("sync latencies %v, want %s", got, want)
	}
}

// TestDiskBandwidth: bytes over bandwidth add to the latency.
func TestDiskBandwidth(t *testing.T) {
	p := constProfile(1)
	p.ReadBytesPerSec, p.FlushBytesPerSec = 1e9, 2e9
	w, d := newTestDisk(t, p)
	dirtyFiles(t, d, 1<<20, "/f")
	var log []string
	d.Sync("/f", func(err error) { must(t, err); log = append(log, fmt.Sprint("sync@", w.Now())) })
	d.ReadAt("/f", 0, 1<<20, func(b []byte, err error) {
		must(t, err)
		log = append(log, fmt.Sprint("read", len(b), "@", w.Now()))
	})
	run(t, w)
	// sync: 100µs + 1 MiB / 2 GB/s = 624.288µs; read: 50µs + 1 MiB / 1 GB/s = 1.098576ms later.
	if want := "[sync@t+624.288µs read1048576@t+1.722864ms]"; fmt.Sprint(log) != want {
		t.Errorf("%v, want %s", log, want)
	}
}

// TestDiskStall: latency is multiplied inside a stall window and when the
// stall fault point fires.
func TestDiskStall(t *testing.T) {
	w, d := newTestDisk(t, constProfile(1))
	faults := &scriptFaults{at: map[string][]int{FaultStall: {3}}, value: map[string]string{FaultStall: "3"}}
	w.Faults = faults
	dirtyFiles(t, d, 10, "/f", "/g", "/h", "/i")
	d.Stall(0, sim.Instant(sim.Millisecond), 10)
	var log []string
	note := func(p string) func(error) {
		return func(err error) { must(t, err); log = append(log, fmt.Sprintf("%s@%v", p, w.Now())) }
	}
	d.Sync("/f", note("/f")) // starts at 0 in the window: 1ms
	d.Sync("/g", note("/g")) // starts at 1ms, after the window: 100µs
	d.Sync("/h", note("/h")) // third evaluation of the fault point: x3
	run(t, w)
	faults.at[FaultStall], faults.value[FaultStall] = []int{4}, "2ms"
	d.Sync("/i", note("/i")) // a duration value is added: 100µs + 2ms
	run(t, w)
	if want := "[/f@t+1ms /g@t+1.1ms /h@t+1.4ms /i@t+3.5ms]"; fmt.Sprint(log) != want {
		t.Errorf("%v, want %s", log, want)
	}
}

// TestDiskCrashDropsInFlight: ops in flight at a crash never complete and
// have no effect; the disk then serves the crash image.
func TestDiskCrashDropsInFlight(t *testing.T) {
	w, d := newTestDisk(t, constProfile(1))
	durableFile(t, d.FS(), "/f", []byte("old"))
	called := 0
	d.WriteAt("/f", 0, []byte("new"), func(error) { called++ }) // done at 10µs
	d.Sync("/f", func(error) { called += 100 })                 // would be done at 110µs
	w.Loop.At(sim.Instant(50*usec), func() { d.Crash(nil) })
	run(t, w)
	if called != 1 || d.Stats().Dropped != 1 || d.InFlight() != 0 {
		t.Fatalf("callbacks %d, stats %+v: want the in-flight sync dropped", called, d.Stats())
	}
	d.ReadFile("/f", func(b []byte, err error) {
		must(t, err)
		if string(b) != "new" && string(b) != "old" {
			t.Errorf("after crash /f = %q", b)
		}
		called++
	})
	run(t, w)
	if called != 2 {
		t.Error("op after crash did not complete")
	}
}

// TestDiskFsyncEIOFaultPoint: the fault point gives fsyncgate semantics.
func TestDiskFsyncEIOFaultPoint(t *testing.T) {
	w, d := newTestDisk(t, constProfile(1))
	w.Faults = &scriptFaults{at: map[string][]int{FaultFsyncEIO: {1}}}
	durableFile(t, d.FS(), "/wal", []byte("ok."))
	var errs []error
	d.Append("/wal", []byte("gone"), func(int64, error) {})
	d.Sync("/wal", func(err error) { errs = append(errs, err) })
	d.Sync("/wal", func(err error) { errs = append(errs, err) })
	run(t, w)
	if len(errs) != 2 || !errors.Is(errs[0], ErrIO) || errs[1] != nil {
		t.Fatalf("errs = %v, want [EIO nil]", errs)
	}
	d.Crash(nil)
	if got := string(readAll(t, d.FS(), "/wal")); got != "ok." {
		t.Errorf("after crash %q, want the old durable contents", got)
	}
}

// TestDiskENOSPCAndReadErrorFaultPoints: the points fail the op they hit.
func TestDiskENOSPCAndReadErrorFaultPoints(t *testing.T) {
	w, d := newTestDisk(t, constProfile(1))
	w.Faults = &scriptFaults{at: map[string][]int{FaultENOSPC: {2}, FaultReadError: {1}}}
	durableFile(t, d.FS(), "/f", pattern(1, 2048))
	var errs []error
	d.Append("/f", []byte("a"), func(_ int64, err error) { errs = append(errs, err) })
	d.WriteAt("/f", 0, []byte("b"), func(err error) { errs = append(errs, err) })
	d.ReadAt("/f", 1024, 10, func(_ []byte, err error) { errs = append(errs, err) })
	d.ReadAt("/f", 1024, 10, func(_ []byte, err error) { errs = append(errs, err) })
	d.ReadAt("/f", 0, 10, func(_ []byte, err error) { errs = append(errs, err) })
	run(t, w)
	if len(errs) != 5 || errs[0] != nil || !errors.Is(errs[1], ErrNoSpace) ||
		!errors.Is(errs[2], ErrReadError) || !errors.Is(errs[3], ErrReadError) || errs[4] != nil {
		t.Errorf("errs = %v", errs)
	}
	if d.Stats().Errors != 3 {
		t.Errorf("stats errors = %d, want 3", d.Stats().Errors)
	}
}

// TestDiskAppendsInFlightKeepOrder: with random latencies, appends to one
// file still land in submission order.
func TestDiskAppendsInFlightKeepOrder(t *testing.T) {
	p, _ := ProfileByName("local-vm")
	w, d := newTestDisk(t, p)
	must(t, d.FS().Create("/f"))
	var offs []int64
	for i := range 50 {
		d.Append("/f", pattern(byte(i), 100+i), func(off int64, err error) { must(t, err); offs = append(offs, off) })
	}
	run(t, w)
	for i := 1; i < len(offs); i++ {
		if offs[i] != offs[i-1]+int64(100+i-1) {
			t.Fatalf("append %d at %d, previous at %d", i, offs[i], offs[i-1])
		}
	}
}

// TestDiskDeterministic: same seed, same completion times and trace hash;
// another seed differs.
func TestDiskDeterministic(t *testing.T) {
	runOnce := func(seed uint64) (string, uint64) {
		w := sim.NewWorld(sim.WorldConfig{Seed: seed})
		d := New(w, Config{Name: "redo0"})
		r := w.Rand("test/workload")
		var log []sim.Instant
		must(t, d.FS().Create("/a"))
		must(t, d.FS().Create("/b"))
		for i := range 200 {
			p := []string{"/a", "/b"}[r.IntN(2)]
			w.Loop.At(sim.Instant(r.Int64N(int64(sim.Millisecond))), func() {
				switch r.IntN(3) {
				case 0:
					d.Append(p, pattern(byte(i), 1+r.IntN(8192)), func(int64, error) { log = append(log, w.Now()) })
				case 1:
					d.SyncData(p, func(error) { log = append(log, w.Now()) })
				default:
					d.ReadAt(p, 0, 4096, func([]byte, error) { log = append(log, w.Now()) })
				}
			})
		}
		must(t, w.Loop.Run())
		return fmt.Sprint(log), w.Trace.Hash()
	}
	l1, h1 := runOnce(7)
	l2, h2 := runOnce(7)
	l3, h3 := runOnce(8)
	if l1 != l2 || h1 != h2 {
		t.Error("same seed gave different runs")
	}
	if l1 == l3 || h1 == h3 {
		t.Error("different seeds gave the same run")
	}
}

// TestProfiles: every built-in profile resolves, and local-vm's medians
// match this machine's measurements.
func TestProfiles(t *testing.T) {
	for _, name := range Profiles() {
		p, err := ProfileByName(name)
		if err != nil || p.Name != name || p.QueueDepth <= 0 {
			t.Errorf("%s: %+v %v", name, p, err)
		}
	}
	if _, err := ProfileByName("floppy"); err == nil {
		t.Error("unknown profile accepted")
	}
	p, _ := ProfileByName("local-vm")
	if m := p.SyncLatency.(dist.LogNormal).Median; m < 150e3 || m > 200e3 {
		t.Errorf("local-vm sync median %v, want ~180µs", m)
	}
	if gbps := p.FlushBytesPerSec / 1e9; gbps < 1.7 || gbps > 2.9 {
		t.Errorf("local-vm flush bandwidth %v GB/s, want 1.7–2.9", gbps)
	}
}

// TestDiskNamespaceOpsAndTrace: the seal-by-rename sequence through the
// timed disk, pipelined; every completion is in the trace, in completion
// order. (A real engine waits for the data sync before renaming; this
// test only checks the mechanics.)
func TestDiskNamespaceOpsAndTrace(t *testing.T) {
	w, d := newTestDisk(t, constProfile(2))
	ok := func(err error) { must(t, err) }
	d.MkdirAll("/redo", ok)
	d.SyncDir("/", ok)
	d.Create("/redo/meta.tmp", ok)
	d.Append("/redo/meta.tmp", []byte("ts=42"), func(_ int64, err error) { must(t, err) })
	d.SyncData("/redo/meta.tmp", ok)
	d.Rename("/redo/meta.tmp", "/redo/meta", ok)
	d.SyncDir("/redo", ok)
	run(t, w)
	d.Truncate("/redo/meta", 2, ok)
	d.Remove("/redo/meta", ok)
	run(t, w)
	var kinds []string
	for _, e := range w.Trace.Events() {
		kinds = append(kinds, e.Kind)
	}
	// The rename (memory lane, 10µs) completes before the syncs (device);
	// SyncData still reaches the file: it was bound before the rename.
	want := "[disk.mkdir disk.create disk.append disk.rename disk.syncdir disk.syncdata disk.syncdir disk.truncate disk.remove]"
	if fmt.Sprint(kinds) != want {
		t.Errorf("trace kinds %v\nwant %s", kinds, want)
	}
	c := cleanCrash(t, d.FS())
	if got := string(readAll(t, c, "/redo/meta")); got != "ts=42" {
		t.Errorf("after crash /redo/meta = %q, want ts=42 (truncate and remove were not synced)", got)
	}
	if s := d.Stats(); s.MetaOps != 5 || s.SyncDirs != 2 || s.Syncs != 1 || s.Completed != 9 {
		t.Errorf("stats %+v", s)
	}
}

// TestDiskDeviceOpsBindLikeDescriptors: a device op acts on the file its
// path names once the earlier ops on that path are done, as an fd opened
// then would: a later remove does not disturb it, an earlier rename does.
func TestDiskDeviceOpsBindLikeDescriptors(t *testing.T) {
	w, d := newTestDisk(t, constProfile(1))
	durableFile(t, d.FS(), "/a", []byte("a"))
	var errs []error
	note := func(err error) { errs = append(errs, err) }
	d.Create("/new", note) // in flight when the sync is submitted
	d.Append("/new", []byte("x"), func(_ int64, err error) { note(err) })
	d.Sync("/new", note)       // bound at 10µs, after create and append
	d.Remove("/new", note)     // later: does not disturb the sync
	d.Rename("/a", "/b", note) // earlier than the next sync of /a
	d.Sync("/a", note)         // bound after the rename: no such file
	run(t, w)
	if len(errs) != 6 || errs[0] != nil || errs[1] != nil || errs[3] != nil || errs[4] != nil ||
		errs[2] != nil || !errors.Is(errs[5], ErrNotExist) {
		t.Errorf("errs = %v, want the sync of /new to succeed and the sync of /a to fail", errs)
	}
}

// TestWriteAtBorrowedReadsAtCompletion: a borrowed write lands the bytes
// its payload holds when it completes, and an invariant build catches a
// caller that changes the payload before then.
func TestWriteAtBorrowedReadsAtCompletion(t *testing.T) {
	w, d := newTestDisk(t, constProfile(1))
	durableFile(t, d.FS(), "/f", []byte("old"))
	buf := []byte("new")
	d.WriteAtBorrowed("/f", 0, buf, func(err error) { must(t, err) })
	run(t, w)
	if got, _ := d.FS().ReadFile("/f"); string(got) != "new" {
		t.Fatalf("/f = %q, want new", got)
	}
	if !invariants.Enabled {
		t.Skip("the borrowed-payload check needs -tags=invariants")
	}
	d.WriteAtBorrowed("/f", 0, buf, func(error) {})
	buf[0] = 'N' // the slip: the caller reuses the payload while the write is queued
	v := invariants.Catch(func() { run(t, w) })
	if v == nil || !strings.Contains(v.Error(), "borrowed write's payload stays unchanged") {
		t.Fatalf("a changed borrowed payload went unnoticed (violation %v)", v)
	}
}
