package simdriver

import (
	"errors"

	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/disk"
	"github.com/redosim/redosim/sim/objstore"
)

// Coverage probes of the redo engine's I/O (sim.World.Probe): rare
// situations a campaign must show it reached. scenarios/swarm keeps the
// catalogue and fails a campaign that never reaches one.
const (
	// ProbeCrashDuringMetaReplace: the driver stopped (its node crashed)
	// while a meta chain was in flight, between writing the new meta and
	// deleting the old ones.
	ProbeCrashDuringMetaReplace = "engine/meta/crashDuringReplace"
	// ProbeCrashDuringRotation: the driver stopped while a log chain that
	// seals a rotated file (truncate, sync, rename, directory sync) was in
	// flight.
	ProbeCrashDuringRotation = "engine/writer/crashDuringRotation"
	// ProbeMetaReplaceInterrupted: recovery found more than one meta file,
	// or one it could not read: an earlier meta replace never finished.
	ProbeMetaReplaceInterrupted = "engine/recover/metaReplaceInterrupted"
	// ProbeTornTail: recovery cut a torn tail off a log file.
	ProbeTornTail = "engine/recover/tornTail"
	// ProbeOpenFileSealed: recovery sealed a log file that was still open
	// (.tmp) when the node went down.
	ProbeOpenFileSealed = "engine/recover/openFileSealed"
	// ProbeFsyncErrorInGroupCommit: a log sync failed while more than one
	// append waited on it (a group commit), so every one of them fails.
	ProbeFsyncErrorInGroupCommit = "engine/writer/fsyncErrorInGroupCommit"
	// ProbeNoSpace: a log or meta op failed with ENOSPC.
	ProbeNoSpace = "engine/writer/noSpace"
	// ProbeUploadFailed: an object-store upload (PUT) failed or was
	// throttled.
	ProbeUploadFailed = "engine/writer/uploadFailed"
)

// probeState is what the probes need to know about chains in flight.
type probeState struct {
	metaChains     int // meta chains in flight
	rotationChains int // log chains in flight that rename a file
}

// probeRecovery counts what recovery found.
func probeRecovery(w *sim.World, rep *core.RecoveryReport) {
	if len(rep.MetaFiles)+len(rep.MetaUnfinished) > 1 || len(rep.MetaUnfinished) > 0 {
		w.Probe(ProbeMetaReplaceInterrupted)
	}
	for _, f := range rep.Files {
		if f.TornBytes > 0 {
			w.Probe(ProbeTornTail)
		}
		if f.SealedAs != "" {
			w.Probe(ProbeOpenFileSealed)
		}
	}
}

// probeChain notes a chain starting (delta 1) or ending (delta -1).
func (d *Driver) probeChain(c core.Chain, delta int) {
	switch {
	case c.Stream == core.TypeMeta && len(c.Ops) > 0 && (c.Ops[0].Kind == core.OpCreate || c.Ops[0].Kind == core.OpPut):
		d.probes.metaChains += delta // an owner's replace, not a reader's GC
	case chainRenames(c):
		d.probes.rotationChains += delta
	}
}

func chainRenames(c core.Chain) bool {
	for _, op := range c.Ops {
		if op.Kind == core.OpRename {
			return c.Stream == core.TypeRow || c.Stream == core.TypeDDL
		}
	}
	return false
}

// probeStop counts a stop in the middle of a meta replace or a rotation.
func (d *Driver) probeStop() {
	if d.probes.metaChains > 0 {
		d.w.Probe(ProbeCrashDuringMetaReplace)
	}
	if d.probes.rotationChains > 0 {
		d.w.Probe(ProbeCrashDuringRotation)
	}
}

// probeOpError counts a failed op of stream.
func (d *Driver) probeOpError(stream string, op core.Op, err error) {
	switch {
	case op.Kind == core.OpSync && stream == core.TypeRow && d.row.q.Len() > 1:
		d.w.Probe(ProbeFsyncErrorInGroupCommit)
	case errors.Is(err, disk.ErrNoSpace):
		d.w.Probe(ProbeNoSpace)
	case op.Kind == core.OpPut && (errors.Is(err, objstore.ErrPutFailed) || errors.Is(err, objstore.ErrThrottled)):
		d.w.Probe(ProbeUploadFailed)
	}
}
