package disk

import (
	"io"

	"github.com/redosim/redosim/internal/invariants"
)

// errEOF is io.EOF, which a short ReadAt returns unwrapped.
var errEOF = io.EOF

// fileData is one file: the page cache over the durable image.
//
// Invariants: every byte of data that may differ from durable lies in
// dirty, unless a writeback error dropped it (then the page cache keeps
// showing it but it will never reach durable on its own); sizeDirty is set
// iff a size change has not yet been synced or dropped.
type fileData struct {
	// data is what readers see (the page cache); data.len() is the size.
	data content
	// durable is the durable image; durable.len() is the durable size. A
	// successful sync makes it share data's pages (content.share).
	durable content
	// dirty holds the bytes written (or zero-filled by growth) since the
	// last successful sync or the last writeback error.
	dirty spanSet
	// sizeDirty records an unsynced size change.
	sizeDirty bool
	// writebackErr makes the next Sync fail with ErrIO (fsyncgate).
	writebackErr bool
	// latent holds sectors with latent read errors.
	latent map[int64]struct{}
	// diverged records that a writeback error dropped dirty bytes: the page
	// cache then differs from durable outside dirty, and a sync must apply
	// sectors rather than share the page cache.
	diverged bool
}

// write copies p into the page cache at off, zero-filling any gap past the
// end, and marks the bytes dirty. len(p) must be > 0.
func (f *fileData) write(off int64, p []byte) {
	old := f.data.len()
	end := off + int64(len(p))
	if end > old {
		f.dirty.add(min(old, off), end)
		f.sizeDirty = true
	} else {
		f.dirty.add(off, end)
	}
	f.data.writeAt(off, p)
}

// truncate sets the page-cache size; growth reads as zeros and is dirty.
func (f *fileData) truncate(size int64) {
	old := f.data.len()
	switch {
	case size < old:
		f.data.setSize(size)
		f.dirty.clip(size)
	case size > old:
		f.data.setSize(size)
		f.dirty.add(old, size)
	default:
		return
	}
	f.sizeDirty = true
}

// limit is the byte bound writeback obeys: the page-cache size. A size
// change dropped by a writeback error is not persisted by itself, but a
// later sync that writes a dirty sector past the durable size grows the
// durable image to cover that sector (the kernel extends the on-disk size
// when it writes a page), so bytes written after the error are never
// silently lost by a sync that succeeds.
func (f *fileData) limit() int64 { return f.data.len() }

// flush writes every dirty sector and the size back to the durable image:
// a successful fsync.
func (f *fileData) flush(sectorBytes int64) {
	if !f.diverged {
		// Page cache and durable differ only in dirty bytes and an unsynced
		// size: writing all of them back makes durable the page cache.
		f.durable = f.data.share()
		f.dirty.reset()
		f.sizeDirty = false
		return
	}
	u := f.units(sectorBytes)
	f.durable = f.apply(f.durable.share(), u, u.keepMax(), nil)
	f.dirty.reset()
	f.sizeDirty = false
}

// dropDirty forgets the dirty state without writing it back: what Linux
// does to pages whose writeback failed (they are marked clean; readers
// still see the new bytes; durable never gets them).
func (f *fileData) dropDirty() {
	f.diverged = true
	f.dirty.reset()
	f.sizeDirty = false
}

// flushBytes is the number of bytes a sync would write: its dirty sectors.
func (f *fileData) flushBytes(sectorBytes int64) int64 {
	var n int64
	for _, r := range f.dirty.sectorRuns(sectorBytes, f.limit()) {
		n += r.hi - r.lo
	}
	return n
}

// latentIn reports whether any sector overlapping [lo, hi) has a latent
// read error.
func (f *fileData) latentIn(lo, hi, sectorBytes int64) bool {
	if len(f.latent) == 0 || lo >= hi {
		return false
	}
	for s := lo / sectorBytes; s <= (hi-1)/sectorBytes; s++ {
		if _, ok := f.latent[s]; ok {
			return true
		}
	}
	return false
}

// clearLatent forgets latent errors of the sectors overlapping [lo, hi):
// rewriting a sector remaps it.
func (f *fileData) clearLatent(lo, hi, sectorBytes int64) {
	if len(f.latent) == 0 || lo >= hi {
		return
	}
	for s := lo / sectorBytes; s <= (hi-1)/sectorBytes; s++ {
		delete(f.latent, s)
	}
}

// WriteAt writes p at off into the page cache, growing the file (with
// zeros in any gap) as needed. The bytes are durable only after Sync. A
// write that would grow the files past the capacity fails with ErrNoSpace
// and writes nothing (no partial writes); overwrites never fail for space.
// Writing a sector clears its latent read error.
func (fs *FS) WriteAt(p string, off int64, b []byte) error {
	p, err := fs.begin("write", p)
	if err != nil {
		return err
	}
	return fs.writeAt("write", p, off, b)
}

func (fs *FS) writeAt(op, p string, off int64, b []byte) error {
	if off < 0 {
		return offsetError(op, p, off, ErrInvalid)
	}
	f, err := fs.lookupFile(p)
	if err != nil {
		return offsetError(op, p, off, err)
	}
	if len(b) == 0 {
		return nil
	}
	end := off + int64(len(b))
	growth := max(0, end-f.data.len())
	if fs.capacityBytes > 0 && fs.usedBytes+growth > fs.capacityBytes {
		return offsetError(op, p, off, ErrNoSpace)
	}
	f.write(off, b)
	fs.usedBytes += growth
	f.clearLatent(off, end, fs.sectorBytes)
	return nil
}

// Append writes p at the end of the file and returns the offset it was
// written at. It is WriteAt at Size.
func (fs *FS) Append(p string, b []byte) (int64, error) {
	p, err := fs.begin("append", p)
	if err != nil {
		return 0, err
	}
	f, err := fs.lookupFile(p)
	if err != nil {
		return 0, pathError("append", p, err)
	}
	off := f.data.len()
	return off, fs.writeAt("append", p, off, b)
}

// handle is a resolved path: what an open file descriptor holds. Ops on
// a handle reach the node even after a rename or remove of its path.
type handle struct {
	path string
	node *node
}

// open resolves p for op.
func (fs *FS) open(op, p string) (handle, error) {
	c, err := fs.begin(op, p)
	if err != nil {
		return handle{path: c}, err
	}
	n, err := fs.walk(c)
	if err != nil {
		return handle{path: c}, pathError(op, c, err)
	}
	return handle{path: c, node: n}, nil
}

// ReadAt returns a copy of up to n bytes at off as the page cache shows
// them. Like io.ReaderAt it returns io.EOF (unwrapped) with the bytes
// there are when fewer than n remain. It fails with ErrReadError, and
// returns no bytes, when the range touches a sector with a latent error.
func (fs *FS) ReadAt(p string, off int64, n int) ([]byte, error) {
	h, err := fs.open("read", p)
	if err != nil {
		return nil, err
	}
	return fs.readAt(h, off, n)
}

func (fs *FS) readAt(h handle, off int64, n int) ([]byte, error) {
	if fs.crashed {
		return nil, pathError("read", h.path, ErrCrashed)
	}
	if off < 0 || n < 0 {
		return nil, offsetError("read", h.path, off, ErrInvalid)
	}
	f := h.node.file
	if f == nil {
		return nil, offsetError("read", h.path, off, ErrIsDir)
	}
	size := f.data.len()
	lo := min(off, size)
	hi := min(off+int64(n), size)
	if f.latentIn(lo, hi, fs.sectorBytes) {
		return nil, offsetError("read", h.path, off, ErrReadError)
	}
	out := f.data.slice(lo, hi)
	if hi-lo < int64(n) {
		return out, io.EOF
	}
	return out, nil
}

// ReadFile returns a copy of the whole file as the page cache shows it, or
// ErrReadError if any of its sectors has a latent error.
func (fs *FS) ReadFile(p string) ([]byte, error) {
	h, err := fs.open("read", p)
	if err != nil {
		return nil, err
	}
	return fs.readFile(h)
}

func (fs *FS) readFile(h handle) ([]byte, error) {
	if fs.crashed {
		return nil, pathError("read", h.path, ErrCrashed)
	}
	f := h.node.file
	if f == nil {
		return nil, pathError("read", h.path, ErrIsDir)
	}
	if f.latentIn(0, f.data.len(), fs.sectorBytes) {
		return nil, pathError("read", h.path, ErrReadError)
	}
	return f.data.slice(0, f.data.len()), nil
}

// Size returns the file's size as the page cache shows it.
func (fs *FS) Size(p string) (int64, error) {
	p, err := fs.begin("stat", p)
	if err != nil {
		return 0, err
	}
	f, err := fs.lookupFile(p)
	if err != nil {
		return 0, pathError("stat", p, err)
	}
	return f.data.len(), nil
}

// Truncate sets the file's size; growth reads as zeros. The new size is
// durable only after Sync. Growth past the capacity fails with ErrNoSpace.
func (fs *FS) Truncate(p string, size int64) error {
	p, err := fs.begin("truncate", p)
	if err != nil {
		return err
	}
	if size < 0 {
		return offsetError("truncate", p, size, ErrInvalid)
	}
	f, err := fs.lookupFile(p)
	if err != nil {
		return offsetError("truncate", p, size, err)
	}
	delta := size - f.data.len()
	if delta > 0 && fs.capacityBytes > 0 && fs.usedBytes+delta > fs.capacityBytes {
		return offsetError("truncate", p, size, ErrNoSpace)
	}
	f.truncate(size)
	fs.usedBytes += delta
	return nil
}

// Sync is fsync: it writes the file's dirty sectors and its size to the
// durable image. It does not make the file's directory entry durable (use
// SyncDir). On a directory it is SyncDir.
//
// If a writeback error is pending (InjectWritebackError, or the
// sim/disk/fsyncEIO fault point through Disk), Sync instead drops the dirty
// sectors and the pending size change as if they were clean and returns
// ErrIO, once: the page cache keeps showing the new bytes, the durable
// image never gets them, and the next Sync succeeds without writing them.
// This is Linux's behaviour since 4.13 ("fsyncgate"); the only safe reaction
// is to treat the data as lost (rewrite it from elsewhere, or crash and
// recover).
func (fs *FS) Sync(p string) error { return fs.sync("sync", p) }

// SyncData is fdatasync. The durable result is the same as Sync: this file
// system keeps no timestamps, and a size change is always written because
// it is needed to read the data back. The two differ only in cost: Disk
// charges an fdatasync that does not change the size the (lower)
// overwrite latency of its profile, while fsync always pays the full
// latency.
func (fs *FS) SyncData(p string) error { return fs.sync("syncdata", p) }

func (fs *FS) sync(op, p string) error {
	h, err := fs.open(op, p)
	if err != nil {
		return err
	}
	return fs.syncHandle(op, h)
}

// syncHandle is fsync of an open file (or directory).
func (fs *FS) syncHandle(op string, h handle) error {
	if fs.crashed {
		return pathError(op, h.path, ErrCrashed)
	}
	if h.node.dir != nil {
		fs.syncDir(h.node)
		return nil
	}
	f := h.node.file
	if f.writebackErr {
		f.writebackErr = false
		f.dropDirty()
		if fs.bugs.writebackErrorSilent {
			return nil
		}
		return pathError(op, h.path, ErrIO)
	}
	f.flush(fs.sectorBytes)
	f.checkSynced()
	return nil
}

// checkSynced asserts what a successful fsync leaves: nothing dirty, and,
// unless a writeback error dropped pages (fsyncgate: they never reach the
// durable image), a durable image of the page cache's size
// (internal/invariants).
func (f *fileData) checkSynced() {
	if !invariants.Enabled {
		return
	}
	if !f.diverged && f.durable.len() != f.data.len() {
		invariants.Failf("sim/disk: a successful fsync makes the durable size the page cache's: durable %d, cache %d", f.durable.len(), f.data.len())
	}
	if f.sizeDirty || !f.dirty.empty() {
		invariants.Failf("sim/disk: a successful fsync leaves nothing dirty: sizeDirty %v, dirty spans %v", f.sizeDirty, !f.dirty.empty())
	}
}
