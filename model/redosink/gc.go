package redosink

import (
	"cmp"
	"path"
	"slices"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/simdriver"
	"github.com/redosim/redosim/sim"
)

// GCInterval is how often the meta owner collects expired log files: TiCDC's
// bgGC runs every 5 s.
const GCInterval = 5 * sim.Second

// gcHeaderBytes is how much of a file GC reads for its header record.
const gcHeaderBytes = 4 << 10

// startGC starts the owner's collection of the other captures' expired log
// files, as TiCDC's meta manager does (bgGC): when the flushed checkpoint
// has moved, sealed .log files of this changefeed whose name ts (their max
// commit ts) is below the flushed checkpoint are deleted from the shared
// storage, whichever capture wrote them. The owner's own files are left to
// its engine, which collects them on its meta chain.
//
// One difference, for this project's format only: its files carry stream
// positions (LSNs) and the reader reports a hole in them as damage unless
// everything before the hole is below the checkpoint. So per capture the
// files go in stream order, oldest first, up to the first one still
// needed, and the newest sealed file stays, as the engine's own GC does. A
// capture restarted below its old files (it rewrites from the checkpoint)
// can leave an old file with a newer max ts in front: TiCDC would delete
// the files behind it, this GC waits until the front one expires too.
func (s *Sink) startGC() {
	s.gcTimer = s.w.Loop.Every(GCInterval, s.collectExpired)
}

// gcFile is a sealed log file of another capture, a GC candidate.
type gcFile struct {
	name     string
	ts       uint64 // the name's max commit ts
	startLSN uint64 // from its header; 0 in TiCDC's format (no header)
}

// collectExpired is one bgGC round.
func (s *Sink) collectExpired() {
	ck := s.drv.FlushedMeta().CheckpointTs
	if s.cfg.TestingKnobs.GCBelowResolved {
		ck = s.drv.FlushedMeta().ResolvedTs // mutant: the resolved ts is not a checkpoint
	}
	if ck <= s.gcCheckpoint || s.drv.Recovering() {
		return
	}
	s.gcCheckpoint = ck
	names, err := simdriver.Storage(s.target).List()
	if err != nil {
		return // a listing that fails is tried again next round, as TiCDC's
	}
	streams := map[[2]string][]gcFile{} // (capture, type) -> sealed files
	var keys [][2]string
	for _, name := range names {
		fn, ok := core.ParseFileName(name)
		if !ok || fn.Tmp || fn.Changefeed != s.cfg.Changefeed || fn.CaptureID == s.cfg.Capture || s.gcPending[name] {
			continue
		}
		f := gcFile{name: name, ts: fn.Ts}
		if s.cfg.Engine.Format != core.FormatTiCDC {
			lsn, ok := s.startLSN(name)
			if !ok {
				continue // unreadable header: leave the file to the reader's audit
			}
			f.startLSN = lsn
		}
		k := [2]string{fn.CaptureID, fn.Type}
		if _, seen := streams[k]; !seen {
			keys = append(keys, k)
		}
		streams[k] = append(streams[k], f)
	}
	for _, k := range keys {
		for _, f := range s.expired(streams[k], ck) {
			s.remove(f.name)
		}
	}
}

// expired returns the files of one stream GC may delete below ck.
func (s *Sink) expired(files []gcFile, ck uint64) []gcFile {
	if s.cfg.Engine.Format == core.FormatTiCDC {
		var out []gcFile
		for _, f := range files {
			if f.ts < ck {
				out = append(out, f)
			}
		}
		return out
	}
	slices.SortFunc(files, func(a, b gcFile) int { return cmp.Or(cmp.Compare(a.startLSN, b.startLSN), cmp.Compare(a.name, b.name)) })
	n, keep := 0, 1
	if s.cfg.TestingKnobs.GCNewestSealed {
		keep = 0 // mutant: the newest sealed file may go too
	}
	for n < len(files)-keep && files[n].ts < ck { // the newest sealed file stays
		n++
	}
	return files[:n]
}

// startLSN reads a file's header record for its stream position.
func (s *Sink) startLSN(name string) (uint64, bool) {
	var data []byte
	if s.target.Store != nil {
		obj, ok := s.target.Store.Object(path.Join(s.target.Dir, name))
		if !ok {
			return 0, false
		}
		data = obj[:min(len(obj), gcHeaderBytes)]
	} else {
		var err error
		if data, err = s.target.Disk.FS().ReadAt(path.Join(s.target.Dir, name), 0, gcHeaderBytes); err != nil && len(data) == 0 {
			return 0, false
		}
	}
	w := codec.NewWalker(name, data, codec.DefaultSectorBytes)
	if !w.Next() || w.Record().Type != codec.TypeHeader {
		return 0, false
	}
	return w.Record().Header.StartLSN, true
}

// remove deletes one expired file.
func (s *Sink) remove(name string) {
	s.gcPending[name] = true
	done := func(error) { delete(s.gcPending, name); s.stats.FilesCollected++ }
	if s.target.Store != nil {
		s.target.Store.Delete(path.Join(s.target.Dir, name), done)
		return
	}
	s.target.Disk.Remove(path.Join(s.target.Dir, name), done)
}
