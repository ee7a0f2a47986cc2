package disk

import "fmt"

// InjectWritebackError makes the next Sync or SyncData of the file fail
// with ErrIO, exactly once, with Linux's fsync error semantics: that sync
// drops the file's dirty sectors and pending size change as if they had
// been written (they are marked clean), the page cache keeps showing the
// new bytes to readers, the durable image never gets them, and a retried
// sync succeeds without writing them. A crash then shows the old durable
// contents. The error strikes at the next sync even if nothing is dirty
// then (as if background writeback had failed earlier).
//
// Data written after the failed sync is synced normally by later syncs.
// Sectors are written whole, as the page cache shows them, so a later
// write that shares a sector with dropped bytes carries them along; and a
// sector written past the durable size grows the durable image to cover
// it, the gap reading as zeros. The dropped size change itself comes back
// only if the size changes again.
func (fs *FS) InjectWritebackError(p string) error {
	p, err := fs.begin("inject", p)
	if err != nil {
		return err
	}
	f, err := fs.lookupFile(p)
	if err != nil {
		return pathError("inject", p, err)
	}
	f.writebackErr = true
	return nil
}

// SetCapacity bounds the sum of all files' sizes to capacityBytes (0
// means unlimited). Writes, appends and truncations that would grow the
// files past it fail with ErrNoSpace and change nothing; overwrites and
// shrinking still succeed. Lowering it below UsedBytes loses nothing.
func (fs *FS) SetCapacity(capacityBytes int64) {
	if capacityBytes < 0 {
		panic(fmt.Sprintf("sim/disk: negative capacity %d", capacityBytes))
	}
	fs.capacityBytes = capacityBytes
}

// Capacity returns the capacity in bytes (0 = unlimited).
func (fs *FS) Capacity() int64 { return fs.capacityBytes }

// AddLatentReadError marks a sector of the file unreadable: ReadAt and
// ReadFile touching it fail with ErrReadError until a write covers any
// part of the sector (the drive remaps it). The error is a property of the
// medium, so it survives crashes. sector is an index in units of
// SectorBytes and may lie past the end of the file.
func (fs *FS) AddLatentReadError(p string, sector int64) error {
	p, err := fs.begin("inject", p)
	if err != nil {
		return err
	}
	if sector < 0 {
		return offsetError("inject", p, sector*fs.sectorBytes, ErrInvalid)
	}
	f, err := fs.lookupFile(p)
	if err != nil {
		return pathError("inject", p, err)
	}
	if f.latent == nil {
		f.latent = map[int64]struct{}{}
	}
	f.latent[sector] = struct{}{}
	return nil
}

// FlipBit inverts one bit of the file, bitOffset counted from the first
// bit of byte 0 (bit 0 is the byte's least significant bit), in the
// durable image and in the page cache, wherever each holds that byte: the
// medium rotted under a clean cached page. It fails with ErrInvalid when
// neither holds the byte. The flip is not dirty: a sync does not undo it
// unless the byte is rewritten.
func (fs *FS) FlipBit(p string, bitOffset int64) error {
	p, err := fs.begin("inject", p)
	if err != nil {
		return err
	}
	f, err := fs.lookupFile(p)
	if err != nil {
		return pathError("inject", p, err)
	}
	i, mask := bitOffset/8, byte(1)<<(bitOffset%8)
	if bitOffset < 0 || (i >= f.durable.len() && i >= f.data.len()) {
		return offsetError("inject", p, i, ErrInvalid)
	}
	if i < f.durable.len() {
		f.durable.xorByte(i, mask)
	}
	if i < f.data.len() {
		f.data.xorByte(i, mask)
	}
	return nil
}
