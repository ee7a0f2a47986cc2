package disk

import (
	"path"
	"strconv"

	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/dist"
)

type opKind uint8

const (
	opCreate opKind = iota
	opMkdir
	opWrite
	opAppend
	opTruncate
	opRename
	opRemove
	opRead
	opReadFile
	opSync
	opSyncData
	opSyncDir
)

// kindInfo describes an op kind: its trace name, whether it goes to the
// device queue, and whether it is a sync (serialized per path).
var kindInfo = [...]struct {
	name   string
	device bool
	sync   bool
}{
	opCreate:   {"disk.create", false, false},
	opMkdir:    {"disk.mkdir", false, false},
	opWrite:    {"disk.write", false, false},
	opAppend:   {"disk.append", false, false},
	opTruncate: {"disk.truncate", false, false},
	opRename:   {"disk.rename", false, false},
	opRemove:   {"disk.remove", false, false},
	opRead:     {"disk.read", true, false},
	opReadFile: {"disk.readfile", true, false},
	opSync:     {"disk.sync", true, true},
	opSyncData: {"disk.syncdata", true, true},
	opSyncDir:  {"disk.syncdir", true, true},
}

// op is one submitted operation and, once done, its result.
type op struct {
	kind  opKind
	path  string
	path2 string
	off   int64
	n     int
	data  []byte
	// borrowedSum is the CRC-32C of a borrowed write's data at submission
	// (WriteAtBorrowed, checked at completion in invariant builds).
	borrowedSum uint32
	borrowed    bool
	keys        []string // cleaned paths whose order the op joins
	h           handle   // a device op's file, bound once earlier ops on the path are done
	bindErr     error
	epoch       uint64
	submitted   sim.Instant
	waitUntil   sim.Instant
	done        func(error)
	doneOff     func(int64, error)
	doneData    func([]byte, error)
	resOff      int64
	resData     []byte
	flushed     int64
	err         error
}

// pathState orders the ops on one path. It is deleted when idle, so the
// map holds at most one entry per path with ops in flight.
type pathState struct {
	memDoneAt   sim.Instant // completion of the last memory-lane op
	memPending  int
	syncActive  bool
	syncWaiters []*op
}

type stallWindow struct {
	from, until sim.Instant
	factor      float64
}

// opKeys returns the cleaned paths an op is ordered on.
func opKeys(o *op) []string {
	key := func(p string) string { c, _ := cleanPath(p); return c }
	k := key(o.path)
	switch o.kind {
	case opCreate, opMkdir, opRemove:
		return []string{k, path.Dir(k)}
	case opRename:
		k2 := key(o.path2)
		return []string{k, k2, path.Dir(k), path.Dir(k2)}
	default:
		return []string{k}
	}
}

func (d *Disk) state(key string) *pathState {
	ps, ok := d.paths[key]
	if !ok {
		ps = &pathState{}
		d.paths[key] = ps
	}
	return ps
}

func (d *Disk) prune(key string) {
	if ps, ok := d.paths[key]; ok && ps.memPending == 0 && !ps.syncActive && len(ps.syncWaiters) == 0 {
		delete(d.paths, key)
	}
}

// memDoneAt returns when the memory-lane ops on keys submitted so far end.
func (d *Disk) memDoneAt(keys []string) sim.Instant {
	t := d.w.Now()
	for _, k := range keys {
		if ps, ok := d.paths[k]; ok {
			t = max(t, ps.memDoneAt)
		}
	}
	return t
}

func (d *Disk) submit(o *op) {
	o.epoch, o.submitted, o.keys = d.epoch, d.w.Now(), opKeys(o)
	d.inFlight++
	d.stats.Submitted++
	if kindInfo[o.kind].device {
		o.waitUntil = d.memDoneAt(o.keys)
		if o.waitUntil <= d.w.Now() {
			d.bind(o)
		} else {
			d.w.Loop.At(o.waitUntil, func() { d.bind(o) })
		}
		d.queue = append(d.queue, o)
		d.stats.QueueLenMax = max(d.stats.QueueLenMax, len(d.queue))
		d.pump()
		return
	}
	at := max(d.w.Now().Add(d.service(o)), d.memDoneAt(o.keys))
	for _, k := range o.keys {
		ps := d.state(k)
		ps.memDoneAt = at
		ps.memPending++
	}
	d.w.Loop.At(at, func() { d.complete(o) })
}

// bind resolves a device op's path once the memory-lane ops submitted
// before it on that path have completed, as opening a file descriptor
// then would: a rename or remove submitted after the op does not disturb
// it. The event is scheduled at submission, so it runs before any later
// op on the path completes.
func (d *Disk) bind(o *op) {
	if o.epoch != d.epoch {
		return
	}
	o.h, o.bindErr = d.fs.open(kindInfo[o.kind].name[len("disk."):], o.path)
}

// pump starts queued device ops while slots are free, in FIFO order.
func (d *Disk) pump() {
	for d.inService < d.prof.QueueDepth && len(d.queue) > 0 {
		o := d.queue[0]
		d.queue[0] = nil
		d.queue = d.queue[1:]
		d.inService++
		d.stats.QueueWaitSum += d.w.Now().Sub(o.submitted)
		d.w.Loop.At(o.waitUntil, func() { d.beginDevice(o) })
	}
}

// beginDevice starts a device op's service, or parks a sync behind the
// sync already running on its path.
func (d *Disk) beginDevice(o *op) {
	if o.epoch != d.epoch {
		return
	}
	if kindInfo[o.kind].sync {
		ps := d.state(o.keys[0])
		if ps.syncActive {
			ps.syncWaiters = append(ps.syncWaiters, o)
			return
		}
		ps.syncActive = true
	}
	d.w.Loop.After(d.service(o), func() { d.complete(o) })
}

// complete applies a finished op, accounts for it, frees its place in
// the lanes, then runs its callback. Ops of an older epoch were dropped by
// a crash and do nothing.
func (d *Disk) complete(o *op) {
	if o.epoch != d.epoch {
		return
	}
	d.inFlight--
	info := kindInfo[o.kind]
	d.execute(o)
	d.account(o)
	if info.device {
		if info.sync {
			d.releaseSync(o.keys[0])
		}
		d.inService--
		d.pump()
	} else {
		for _, k := range o.keys {
			d.paths[k].memPending--
			d.prune(k)
		}
	}
	switch {
	case o.done != nil:
		o.done(o.err)
	case o.doneOff != nil:
		o.doneOff(o.resOff, o.err)
	case o.doneData != nil:
		o.doneData(o.resData, o.err)
	}
}

// releaseSync lets the next sync parked on key begin.
func (d *Disk) releaseSync(key string) {
	ps := d.state(key)
	ps.syncActive = false
	if len(ps.syncWaiters) > 0 {
		next := ps.syncWaiters[0]
		ps.syncWaiters[0] = nil
		ps.syncWaiters = ps.syncWaiters[1:]
		d.beginDevice(next)
	}
	d.prune(key)
}

// service draws an op's service time: latency times the stall factor,
// plus any stall delay, plus bytes over bandwidth.
func (d *Disk) service(o *op) sim.Duration {
	lat, bytes, bw := d.cost(o)
	factor, delay := d.stall()
	ns := float64(dist.Duration(lat, d.rand))*factor + float64(delay)
	if bw > 0 {
		ns += float64(bytes) / bw * 1e9
	}
	return sim.Duration(ns)
}

// cost picks an op's latency distribution, byte count and bandwidth.
func (d *Disk) cost(o *op) (lat dist.Dist, bytes int64, bw float64) {
	p := &d.prof
	switch o.kind {
	case opWrite, opAppend:
		return orZero(p.WriteLatency), int64(len(o.data)), p.WriteBytesPerSec
	case opRead, opReadFile:
		n := int64(o.n)
		if o.kind == opReadFile && o.bindErr == nil && o.h.node.file != nil {
			n = o.h.node.file.data.len()
		}
		return orZero(p.ReadLatency), n, p.ReadBytesPerSec
	case opSync, opSyncData:
		return d.syncCost(o)
	case opSyncDir:
		return orZero(p.SyncLatency), 0, 0
	default:
		return orZero(p.MetaLatency), 0, 0
	}
}

func (d *Disk) syncCost(o *op) (dist.Dist, int64, float64) {
	p := &d.prof
	bw := p.FlushBytesPerSec
	if bw == 0 {
		bw = p.WriteBytesPerSec
	}
	if o.bindErr != nil || o.h.node.file == nil {
		return orZero(p.MetaLatency), 0, 0
	}
	f := o.h.node.file
	if f.dirty.empty() && !f.sizeDirty {
		return orZero(p.MetaLatency), 0, 0
	}
	bytes := f.flushBytes(d.fs.sectorBytes)
	if o.kind == opSyncData && !f.sizeDirty && p.SyncOverwriteLatency != nil {
		return p.SyncOverwriteLatency, bytes, bw
	}
	return orZero(p.SyncLatency), bytes, bw
}

func orZero(x dist.Dist) dist.Dist {
	if x == nil {
		return dist.Const{}
	}
	return x
}

// stall returns the product of the stall windows open now and the
// slowdown of FaultStall if it fires (see its doc). Closed windows are
// dropped.
func (d *Disk) stall() (factor float64, delay sim.Duration) {
	now := d.w.Now()
	factor = 1
	open := d.stalls[:0]
	for _, s := range d.stalls {
		if s.until <= now {
			continue
		}
		open = append(open, s)
		if s.from <= now {
			factor *= s.factor
		}
	}
	clear(d.stalls[len(open):])
	d.stalls = open
	v, ok := d.w.Fire(FaultStall)
	if !ok {
		return factor, 0
	}
	if x, err := strconv.ParseFloat(v, 64); err == nil && x > 0 {
		return factor * x, 0
	}
	if dur, err := sim.ParseDuration(v); err == nil && dur > 0 {
		return factor, dur
	}
	return factor * DefaultStallFactor, 0
}
