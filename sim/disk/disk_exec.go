package disk

import (
	"errors"
	"hash/crc32"

	"github.com/redosim/redosim/internal/invariants"

	"github.com/redosim/redosim/sim"
)

// execute applies a completed op to the file system, consulting the fault
// points that belong to its kind first.
func (d *Disk) execute(o *op) {
	fs := d.fs
	switch o.kind {
	case opCreate:
		if d.fireENOSPC() {
			o.err = pathError("create", clean(o.path), ErrNoSpace)
			return
		}
		o.err = fs.Create(o.path)
	case opMkdir:
		o.err = fs.MkdirAll(o.path)
	case opWrite:
		if d.fireENOSPC() {
			o.err = offsetError("write", clean(o.path), o.off, ErrNoSpace)
			return
		}
		if invariants.Enabled && o.borrowed && crc32.Checksum(o.data, castagnoli) != o.borrowedSum {
			invariants.Failf("sim/disk: a borrowed write's payload stays unchanged until it completes: %s at %d changed", o.path, o.off)
		}
		o.err = fs.WriteAt(o.path, o.off, o.data)
	case opAppend:
		if d.fireENOSPC() {
			o.err = pathError("append", clean(o.path), ErrNoSpace)
			return
		}
		o.resOff, o.err = fs.Append(o.path, o.data)
	case opTruncate:
		if size, err := fs.Size(o.path); err == nil && o.off > size && d.fireENOSPC() {
			o.err = offsetError("truncate", clean(o.path), o.off, ErrNoSpace)
			return
		}
		o.err = fs.Truncate(o.path, o.off)
	case opRename:
		o.err = fs.Rename(o.path, o.path2)
	case opRemove:
		o.err = fs.Remove(o.path)
	case opRead, opReadFile:
		d.executeRead(o)
	case opSync, opSyncData:
		d.executeSync(o)
	case opSyncDir:
		o.err = o.bindErr
		if o.err == nil {
			o.err = fs.syncDirHandle(o.h)
		}
	}
}

func (d *Disk) fireENOSPC() bool {
	_, ok := d.w.Fire(FaultENOSPC)
	return ok
}

func clean(p string) string {
	c, ok := cleanPath(p)
	if !ok {
		return p
	}
	return c
}

func (d *Disk) executeRead(o *op) {
	if o.bindErr != nil {
		o.err = o.bindErr
		return
	}
	if _, ok := d.w.Fire(FaultReadError); ok && o.h.node.file != nil {
		f := o.h.node.file
		if f.latent == nil {
			f.latent = map[int64]struct{}{}
		}
		sector := int64(0)
		if o.kind == opRead && o.off > 0 {
			sector = o.off / d.fs.sectorBytes
		}
		f.latent[sector] = struct{}{}
	}
	if o.kind == opReadFile {
		o.resData, o.err = d.fs.readFile(o.h)
		return
	}
	o.resData, o.err = d.fs.readAt(o.h, o.off, o.n)
}

func (d *Disk) executeSync(o *op) {
	if o.bindErr != nil {
		o.err = o.bindErr
		return
	}
	if f := o.h.node.file; f != nil {
		o.flushed = f.flushBytes(d.fs.sectorBytes)
		if _, ok := d.w.Fire(FaultFsyncEIO); ok {
			f.writebackErr = true
		}
	}
	name := "sync"
	if o.kind == opSyncData {
		name = "syncdata"
	}
	if o.err = d.fs.syncHandle(name, o.h); o.err != nil {
		o.flushed = 0
	}
}

// account updates the stats and records the op in the trace.
func (d *Disk) account(o *op) {
	s := &d.stats
	s.Completed++
	if o.err != nil && !(errors.Is(o.err, errEOF) && o.kind == opRead) {
		s.Errors++
	}
	latency := d.w.Now().Sub(o.submitted)
	n := int64(len(o.data))
	switch o.kind {
	case opWrite, opAppend:
		s.Writes++
		if o.err == nil {
			s.BytesWritten += n
		}
	case opRead, opReadFile:
		s.Reads++
		n = int64(len(o.resData))
		s.BytesRead += n
	case opSync, opSyncData:
		s.Syncs++
		s.BytesFlushed += o.flushed
		s.SyncLatencySum += latency
		s.SyncLatencyMax = max(s.SyncLatencyMax, latency)
		n = o.flushed
	case opSyncDir:
		s.SyncDirs++
	default:
		s.MetaOps++
	}
	off := o.off
	if o.kind == opAppend {
		off = o.resOff
	}
	d.w.Record(kindInfo[o.kind].name, d.name, sim.Digest(sim.DigestBytes([]byte(o.path)),
		sim.DigestBytes([]byte(o.path2)), uint64(off), uint64(n), errorCode(o.err)))
}
