package disk

import (
	"bytes"
	"errors"
	"io"
	iofs "io/fs"
	"testing"
)

// TestSyncedDataSurvivesEveryCrash: bytes covered by a successful Sync and
// a name covered by SyncDir survive any crash, whatever is drawn.
func TestSyncedDataSurvivesEveryCrash(t *testing.T) {
	for seed := uint64(0); seed < 50; seed++ {
		fs := newTestFS(t, FSConfig{})
		want := pattern(1, 3000)
		durableFile(t, fs, "/d/a.log", want)
		must(t, fs.WriteAt("/d/a.log", 3000, pattern(2, 700))) // unsynced tail
		c := fs.Crash(testRand(seed))
		got := readAll(t, c, "/d/a.log")
		if len(got) < len(want) || !bytes.Equal(got[:len(want)], want) {
			t.Fatalf("seed %d: synced prefix lost: got %d bytes", seed, len(got))
		}
	}
}

// TestUnsyncedTailIsLostOrTornPrefix: the unsynced tail survives only as
// a prefix of whole dirty sectors (CrashWith enumerates each prefix).
func TestUnsyncedTailIsLostOrTornPrefix(t *testing.T) {
	fs := newTestFS(t, FSConfig{})
	durableFile(t, fs, "/a", pattern(1, 100))
	must(t, fs.WriteAt("/a", 100, pattern(2, 2000)))
	vol := readAll(t, fs, "/a")
	space := fs.CrashSpace()
	if len(space) != 1 || space[0].Path != "/a" || space[0].KeepMax != 5 || space[0].Sectors != 5 {
		t.Fatalf("CrashSpace = %+v, want /a with 5 dirty sectors [0,2560)", space)
	}
	for k := 0; k <= 5; k++ {
		c, err := fs.CrashWith(CrashChoice{Files: map[string]FileCrash{"/a": {Keep: k}}})
		must(t, err)
		got := readAll(t, c, "/a")
		wantLen := max(100, min(k*512, 2100))
		if len(got) != wantLen || !bytes.Equal(got, vol[:wantLen]) {
			t.Errorf("keep %d: got %d bytes, want the first %d of the page cache", k, len(got), wantLen)
		}
	}
	if _, err := fs.CrashWith(CrashChoice{Files: map[string]FileCrash{"/a": {Keep: 6}}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("keep 6 of 5: err = %v, want ErrInvalid", err)
	}
}

// TestGarbageSectorSparesSyncedBytes: a garbage sector replaces the bytes
// written since the last sync; the synced bytes sharing its sector
// survive unless GarbageWholeSector.
func TestGarbageSectorSparesSyncedBytes(t *testing.T) {
	for _, whole := range []bool{false, true} {
		fs := newTestFS(t, FSConfig{Crash: CrashConfig{GarbageWholeSector: whole}})
		durableFile(t, fs, "/a", pattern(1, 100))
		must(t, fs.WriteAt("/a", 100, pattern(2, 2000)))
		vol := readAll(t, fs, "/a")
		c, err := fs.CrashWith(CrashChoice{Files: map[string]FileCrash{"/a": {Keep: 1, Garbage: true, GarbageSeed: 9}}})
		must(t, err)
		got := readAll(t, c, "/a")
		if len(got) != 1024 || !bytes.Equal(got[:512], vol[:512]) || bytes.Equal(got[512:], vol[512:1024]) {
			t.Errorf("whole=%v keep 1 + garbage: want sector 0 kept and sector 1 random, got len %d", whole, len(got))
		}
		c, err = fs.CrashWith(CrashChoice{Files: map[string]FileCrash{"/a": {Garbage: true, GarbageSeed: 9}}})
		must(t, err)
		got = readAll(t, c, "/a")
		if synced := bytes.Equal(got[:100], vol[:100]); synced == whole || len(got) != 512 {
			t.Errorf("whole=%v garbage in sector 0: synced bytes intact = %v, len %d", whole, synced, len(got))
		}
	}
}

// TestDirEntryNeedsSyncDir: Sync of a file does not make its name durable.
func TestDirEntryNeedsSyncDir(t *testing.T) {
	fs := newTestFS(t, FSConfig{})
	must(t, fs.Create("/d/new"))
	must(t, fs.WriteAt("/d/new", 0, pattern(1, 10)))
	must(t, fs.Sync("/d/new"))
	if c := cleanCrash(t, fs); c.Exists("/d/new") {
		t.Error("file survived a crash without SyncDir of its directory")
	}
	must(t, fs.MkdirAll("/x/y"))
	must(t, fs.SyncDir("/x"))
	if c := cleanCrash(t, fs); c.Exists("/x") {
		t.Error("directory /x survived without SyncDir of /")
	}
	must(t, fs.SyncDir("/d"))
	must(t, fs.SyncDir("/"))
	c := cleanCrash(t, fs)
	if !bytes.Equal(readAll(t, c, "/d/new"), pattern(1, 10)) || !c.IsDir("/x/y") {
		t.Error("synced entries lost")
	}
}

// TestRemoveWithoutSyncDirIsUndone: an unsynced removal is undone by a
// crash, and the file comes back with its durable contents.
func TestRemoveWithoutSyncDirIsUndone(t *testing.T) {
	fs := newTestFS(t, FSConfig{})
	durableFile(t, fs, "/a", pattern(1, 10))
	must(t, fs.Remove("/a"))
	if fs.Exists("/a") || !bytes.Equal(readAll(t, cleanCrash(t, fs), "/a"), pattern(1, 10)) {
		t.Fatal("unsynced remove: want gone now, back after crash")
	}
	must(t, fs.SyncDir("/"))
	if cleanCrash(t, fs).Exists("/a") {
		t.Fatal("synced remove undone by crash")
	}
}

// TestRenameIsAtomic: the write, sync, rename, sync-dir sequence; after a
// crash at each step the target holds the old or the new contents, whole.
func TestRenameIsAtomic(t *testing.T) {
	fs := newTestFS(t, FSConfig{})
	durableFile(t, fs, "/meta", []byte("old"))
	must(t, fs.Create("/meta.tmp"))
	must(t, fs.WriteAt("/meta.tmp", 0, []byte("new")))
	must(t, fs.Sync("/meta.tmp"))
	must(t, fs.Rename("/meta.tmp", "/meta"))
	c := cleanCrash(t, fs)
	if got := string(readAll(t, c, "/meta")); got != "old" || c.Exists("/meta.tmp") {
		t.Errorf("before SyncDir: /meta = %q, tmp exists %v; want old, false", got, c.Exists("/meta.tmp"))
	}
	must(t, fs.SyncDir("/"))
	c = cleanCrash(t, fs)
	if got := string(readAll(t, c, "/meta")); got != "new" || c.Exists("/meta.tmp") {
		t.Errorf("after SyncDir: /meta = %q, tmp exists %v; want new, false", got, c.Exists("/meta.tmp"))
	}
}

// TestCrossDirRenameCommitsWhole: a rename between directories is durable
// after SyncDir of either one, never half: the file has exactly one name.
// A chain of renames commits up to the synced directory's view.
func TestCrossDirRenameCommitsWhole(t *testing.T) {
	for _, sync := range []string{"", "/a", "/b", "/c"} {
		fs := NewFS(FSConfig{})
		for _, d := range []string{"/a", "/b", "/c"} {
			must(t, fs.MkdirAll(d))
		}
		must(t, fs.SyncDir("/"))
		durableFile(t, fs, "/a/x", []byte("data"))
		must(t, fs.Rename("/a/x", "/b/y"))
		must(t, fs.Rename("/b/y", "/b/w"))
		must(t, fs.Rename("/b/w", "/c/z"))
		if sync != "" {
			must(t, fs.SyncDir(sync))
		}
		c := cleanCrash(t, fs)
		var names []string
		for _, p := range []string{"/a/x", "/b/y", "/b/w", "/c/z"} {
			if c.Exists(p) {
				names = append(names, p)
			}
		}
		want := "/c/z"
		if sync == "" || sync == "/b" {
			want = "/a/x" // /b's view holds none of the file's names
		}
		if len(names) != 1 || names[0] != want {
			t.Errorf("sync %q: durable names %v, want [%s]", sync, names, want)
		}
	}
}

// TestFsyncgate: write, injected writeback error, fsync returns EIO once,
// the retry succeeds, readers still see the new bytes, and a crash shows
// the old durable contents. Reference: Linux 4.13 errseq, "fsyncgate" (2018).
func TestFsyncgate(t *testing.T) {
	fs := newTestFS(t, FSConfig{})
	durableFile(t, fs, "/wal", []byte("synced."))
	_, err := fs.Append("/wal", []byte("lost!"))
	must(t, err)
	must(t, fs.InjectWritebackError("/wal"))
	if err := fs.Sync("/wal"); !errors.Is(err, ErrIO) {
		t.Fatalf("first fsync after writeback error: err = %v, want ErrIO", err)
	}
	if err := fs.Sync("/wal"); err != nil {
		t.Fatalf("retried fsync: err = %v, want nil", err)
	}
	if got := string(readAll(t, fs, "/wal")); got != "synced.lost!" {
		t.Errorf("page cache after EIO = %q, want the new bytes still visible", got)
	}
	if len(fs.CrashSpace()) != 0 {
		t.Errorf("dropped pages still in the crash space: %+v", fs.CrashSpace())
	}
	for seed := uint64(0); seed < 20; seed++ {
		if got := string(readAll(t, fs.Clone().Crash(testRand(seed)), "/wal")); got != "synced." {
			t.Fatalf("crash after fsyncgate = %q, want the old durable contents", got)
		}
	}
	// A later append and sync persist the new size: the dropped range reads
	// back as the page cache had it where a sector was rewritten whole.
	_, err = fs.Append("/wal", []byte("+more"))
	must(t, err)
	must(t, fs.Sync("/wal"))
	if got := string(readAll(t, cleanCrash(t, fs), "/wal")); got != "synced.lost!+more" {
		t.Errorf("after a later sync = %q (the sector is rewritten whole)", got)
	}
}

// TestWriteAfterWritebackErrorIsSynced: bytes written after a dropped
// writeback are persisted by the next successful sync, even inside the
// dropped range past the durable size; the rest of that range is a hole.
func TestWriteAfterWritebackErrorIsSynced(t *testing.T) {
	fs := newTestFS(t, FSConfig{})
	durableFile(t, fs, "/wal", pattern(1, 100))
	_, err := fs.Append("/wal", pattern(2, 2000))
	must(t, err)
	must(t, fs.InjectWritebackError("/wal"))
	if err := fs.SyncData("/wal"); !errors.Is(err, ErrIO) {
		t.Fatalf("err = %v, want ErrIO", err)
	}
	must(t, fs.WriteAt("/wal", 1100, []byte("again")))
	must(t, fs.SyncData("/wal"))
	vol := readAll(t, fs, "/wal")
	got := readAll(t, cleanCrash(t, fs), "/wal")
	// Sector 2 ([1024,1536)) was rewritten whole; [100,1024) stays a hole.
	if len(got) != 1536 || !bytes.Equal(got[:100], vol[:100]) ||
		!bytes.Equal(got[100:1024], make([]byte, 924)) || !bytes.Equal(got[1024:], vol[1024:1536]) {
		t.Errorf("durable image after write-after-EIO: len %d", len(got))
	}
}

// TestNoSpace: writes past the capacity fail whole and change nothing;
// overwrites still succeed.
func TestNoSpace(t *testing.T) {
	fs := newTestFS(t, FSConfig{CapacityBytes: 1000})
	must(t, fs.Create("/f"))
	_, err := fs.Append("/f", pattern(1, 600))
	must(t, err)
	_, err = fs.Append("/f", pattern(2, 600))
	if !errors.Is(err, ErrNoSpace) || err.Error() != "sim/disk: append /f at 600: no space left on device" {
		t.Fatalf("append past capacity: err = %v", err)
	}
	if n, _ := fs.Size("/f"); n != 600 {
		t.Errorf("size after failed append = %d, want 600 (no partial write)", n)
	}
	must(t, fs.WriteAt("/f", 0, pattern(3, 600)))
	if err := fs.Truncate("/f", 1001); !errors.Is(err, ErrNoSpace) {
		t.Errorf("truncate past capacity: err = %v", err)
	}
	fs.SetCapacity(0)
	_, err = fs.Append("/f", pattern(2, 600))
	must(t, err)
}

// TestLatentReadError: a latent sector fails the reads that touch it,
// survives a crash, and is cleared by rewriting the sector.
func TestLatentReadError(t *testing.T) {
	fs := newTestFS(t, FSConfig{})
	durableFile(t, fs, "/f", pattern(1, 2048))
	must(t, fs.AddLatentReadError("/f", 1))
	if _, err := fs.ReadAt("/f", 0, 512); err != nil {
		t.Errorf("read of sector 0: %v", err)
	}
	if _, err := fs.ReadAt("/f", 500, 20); !errors.Is(err, ErrReadError) {
		t.Errorf("read across sector 1: err = %v, want ErrReadError", err)
	}
	if _, err := fs.ReadFile("/f"); !errors.Is(err, ErrReadError) {
		t.Errorf("ReadFile: err = %v, want ErrReadError", err)
	}
	c := cleanCrash(t, fs)
	if _, err := c.ReadFile("/f"); !errors.Is(err, ErrReadError) {
		t.Errorf("after crash: err = %v, want the latent error kept", err)
	}
	must(t, fs.WriteAt("/f", 600, []byte{1}))
	if _, err := fs.ReadFile("/f"); err != nil {
		t.Errorf("after rewrite: %v", err)
	}
}

// TestFlipBit: a flipped bit shows in the page cache and survives a crash.
func TestFlipBit(t *testing.T) {
	fs := newTestFS(t, FSConfig{})
	want := pattern(1, 64)
	durableFile(t, fs, "/f", want)
	must(t, fs.FlipBit("/f", 10*8+3))
	want[10] ^= 1 << 3
	if !bytes.Equal(readAll(t, fs, "/f"), want) || !bytes.Equal(readAll(t, cleanCrash(t, fs), "/f"), want) {
		t.Error("flipped bit not visible in cache and durable image")
	}
	if err := fs.FlipBit("/f", 64*8); !errors.Is(err, ErrInvalid) {
		t.Errorf("flip past the end: err = %v", err)
	}
}

// TestUnsyncedTruncateIsUndone: a truncation is a size change like any
// other; it is the last crash unit.
func TestUnsyncedTruncateIsUndone(t *testing.T) {
	fs := newTestFS(t, FSConfig{})
	durableFile(t, fs, "/f", pattern(1, 1000))
	must(t, fs.Truncate("/f", 10))
	if s := fs.CrashSpace(); len(s) != 1 || s[0].KeepMax != 1 || s[0].Sectors != 0 {
		t.Fatalf("CrashSpace = %+v, want one size unit", s)
	}
	if n, _ := cleanCrash(t, fs).Size("/f"); n != 1000 {
		t.Errorf("clean crash size = %d, want 1000", n)
	}
	c, err := fs.CrashWith(CrashChoice{Files: map[string]FileCrash{"/f": {Keep: 1}}})
	must(t, err)
	if n, _ := c.Size("/f"); n != 10 {
		t.Errorf("keep-all crash size = %d, want 10", n)
	}
	must(t, fs.Truncate("/f", 20)) // regrow: bytes 10..20 must read as zero
	must(t, fs.Sync("/f"))
	if got := readAll(t, cleanCrash(t, fs), "/f"); !bytes.Equal(got[10:], make([]byte, 10)) {
		t.Errorf("regrown bytes = %v, want zeros", got[10:])
	}
}

// TestErrors: sentinels match io/fs classes and messages name the path.
func TestErrors(t *testing.T) {
	fs := NewFS(FSConfig{})
	_, err := fs.ReadFile("nope")
	if !errors.Is(err, ErrNotExist) || !errors.Is(err, iofs.ErrNotExist) {
		t.Errorf("err = %v, want ErrNotExist and fs.ErrNotExist", err)
	}
	if err.Error() != "sim/disk: read /nope: file does not exist" {
		t.Errorf("message %q", err)
	}
	if err := fs.Rename("/a", "/b"); err == nil || err.Error() != "sim/disk: rename /a to /b: file does not exist" {
		t.Errorf("rename message %v", err)
	}
	must(t, fs.Create("/f"))
	if b, err := fs.ReadAt("/f", 0, 4); err != io.EOF || len(b) != 0 {
		t.Errorf("short read: %v %v, want io.EOF", b, err)
	}
	c := fs.Crash(testRand(1))
	if err := fs.Create("/g"); !errors.Is(err, ErrCrashed) {
		t.Errorf("op on crashed FS: err = %v, want ErrCrashed", err)
	}
	if !c.Exists("/") || c.Exists("/f") {
		t.Error("post-crash FS: want only the root")
	}
}

// TestCrashDeterministic: equal states crashed with equal seeds give equal
// images; the choices are drawn in path order, not map order.
func TestCrashDeterministic(t *testing.T) {
	build := func() *FS {
		fs := newTestFS(t, FSConfig{})
		for i, p := range []string{"/d/c", "/a", "/d/b", "/z", "/m"} {
			durableFile(t, fs, p, pattern(byte(i), 300))
			must(t, fs.WriteAt(p, 300, pattern(byte(i+10), 1500)))
		}
		return fs
	}
	for seed := uint64(0); seed < 20; seed++ {
		a, b := build().Crash(testRand(seed)), build().Crash(testRand(seed))
		if a.Digest() != b.Digest() {
			t.Fatalf("seed %d: crash images differ", seed)
		}
	}
}

// TestCrashStatesEnumerates: the enumeration lists every outcome once,
// starting with the clean crash.
func TestCrashStatesEnumerates(t *testing.T) {
	fs := newTestFS(t, FSConfig{})
	durableFile(t, fs, "/a", nil)
	durableFile(t, fs, "/d/b", pattern(1, 100))
	must(t, fs.WriteAt("/a", 0, pattern(2, 1000)))  // 2 sectors: 3 + 2 outcomes
	must(t, fs.WriteAt("/d/b", 50, pattern(3, 10))) // 1 sector: 2 + 1 outcomes
	states, complete := fs.CrashStates(100)
	if !complete || len(states) != 15 {
		t.Fatalf("got %d states (complete %v), want 15", len(states), complete)
	}
	if states[0].Digest() != cleanCrash(t, fs).Digest() {
		t.Error("first state is not the clean crash")
	}
	seen := map[uint64]bool{}
	for _, s := range states {
		seen[s.Digest()] = true
	}
	if len(seen) != 15 {
		t.Errorf("%d distinct states of 15", len(seen))
	}
	if s, complete := fs.CrashStates(4); len(s) != 4 || complete {
		t.Errorf("limit 4: %d states, complete %v", len(s), complete)
	}
	if !fs.Exists("/a") {
		t.Error("CrashStates killed the receiver")
	}
}
