package redosink

import (
	"path"

	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/simdriver"
	"github.com/redosim/redosim/sim"
)

// GCInterval is how often the meta owner collects expired log files: TiCDC's
// bgGC runs every 5 s.
const GCInterval = 5 * sim.Second

// startGC starts the owner's collection of every capture's expired log
// files, as TiCDC's meta manager does (bgGC): when the flushed checkpoint
// has moved, every sealed .log file of this changefeed whose name ts (its
// max commit ts) is below the flushed checkpoint is deleted from the shared
// storage, whichever capture wrote it. The owner's own files are left to
// its engine, which collects them on its meta chain.
func (s *Sink) startGC() {
	s.gcTimer = s.w.Loop.Every(GCInterval, s.collectExpired)
}

// collectExpired is one bgGC round.
func (s *Sink) collectExpired() {
	ck := s.drv.FlushedMeta().CheckpointTs
	if ck <= s.gcCheckpoint || s.drv.Recovering() {
		return
	}
	s.gcCheckpoint = ck
	names, err := simdriver.Storage(s.target).List()
	if err != nil {
		return // a listing that fails is tried again next round, as TiCDC's
	}
	for _, name := range names {
		fn, ok := core.ParseFileName(name)
		if !ok || fn.Tmp || fn.Changefeed != s.cfg.Changefeed || fn.CaptureID == s.cfg.Capture || fn.Ts >= ck {
			continue
		}
		if s.gcPending[name] {
			continue
		}
		s.gcPending[name] = true
		done := func(error) { delete(s.gcPending, name); s.stats.FilesCollected++ }
		if s.target.Store != nil {
			s.target.Store.Delete(path.Join(s.target.Dir, name), done)
		} else {
			s.target.Disk.Remove(path.Join(s.target.Dir, name), done)
		}
	}
}
