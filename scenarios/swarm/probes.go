package swarm

import (
	"github.com/redosim/redosim/engine/simdriver"
	"github.com/redosim/redosim/model/collector"
	"github.com/redosim/redosim/model/dispatcher"
	"github.com/redosim/redosim/model/maintainer"
	"github.com/redosim/redosim/results"
)

// Probe documents one coverage probe: a rare situation a campaign must
// reach, so that a generator or a fault model that quietly stopped
// exercising it shows (FoundationDB's CODE_PROBE ensemble check).
type Probe struct {
	// Name is the probe ("<layer>/<component>/<situation>").
	Name string
	// Doc says what situation it means.
	Doc string
	// Rare marks, with the reason, a probe that a campaign of fewer than
	// RareWorlds worlds may miss; such a campaign is not failed for it.
	// CI's fixed sample (CampaignSeeds) is chosen to reach every probe.
	Rare string
}

// RareWorlds is the campaign size from which even rare probes must be
// reached.
const RareWorlds = 1000

// Derived probes, counted from a world's results rather than at a code
// site: the situation spans two components that do not know each other.
const (
	// ProbePartitionHealedDuringBarrier: a network partition healed while
	// a syncpoint barrier was open (between the syncpoint's ts and the
	// moment its row was written).
	ProbePartitionHealedDuringBarrier = "swarm/partitionHealedDuringBarrier"
	// ProbeCrashDuringBarrier: a node crashed while a syncpoint barrier
	// was open.
	ProbeCrashDuringBarrier = "swarm/crashDuringBarrier"
)

// Probes is the probe catalogue, sorted by name.
func Probes() []Probe {
	return []Probe{
		{Name: simdriver.ProbeCrashDuringMetaReplace, Doc: "a node went down while its redo meta replace (write the new meta, delete the old ones) was in flight"},
		{Name: simdriver.ProbeMetaReplaceInterrupted, Doc: "recovery found more than one redo meta, or an unreadable one: a meta replace never finished"},
		{Name: simdriver.ProbeOpenFileSealed, Doc: "recovery sealed a redo log file that was still open (.tmp) when its node went down"},
		{Name: simdriver.ProbeTornTail, Doc: "recovery cut a torn tail (unsynced sectors lost or garbage) off a redo log file after a power loss",
			Rare: "a power loss must land between a write and its sync, microseconds on nvme (about 1 world in 400); " +
				"engine/core's crash enumeration tears tails at every persistence step"},
		{Name: simdriver.ProbeCrashDuringRotation, Doc: "a node went down while a redo log chain sealing a rotated file (sync, rename, directory sync) was in flight: the rotation boundary"},
		{Name: simdriver.ProbeFsyncErrorInGroupCommit, Doc: "a redo log fsync failed while several appends waited on it (group commit): all of them fail, none is acknowledged"},
		{Name: simdriver.ProbeNoSpace, Doc: "a redo log or meta op failed with ENOSPC"},
		{Name: simdriver.ProbeUploadFailed, Doc: "a redo upload to the object store failed or was throttled"},
		{Name: collector.ProbeHardLimitDrop, Doc: "the collector's breaker replaced an event by a Drop event at the hard memory limit"},
		{Name: collector.ProbeReleaseWhileSyncPointPending, Doc: "the breaker released the path of a dispatcher waiting at a syncpoint barrier"},
		{Name: collector.ProbeResetAfterRelease, Doc: "a dispatcher reset and its event service rescans from the checkpoint after a release or drop"},
		{Name: dispatcher.ProbeFenceCacheReleased, Doc: "a batch held in the redo fence cache (above redoGlobalTs) was released by a redo advance"},
		{Name: maintainer.ProbeBarrierPassAfterRestart, Doc: "after a restart a barrier event reported again was answered Pass, since a covered node had passed it"},
		{Name: ProbeCrashDuringBarrier, Doc: "a node crashed while a syncpoint barrier was open"},
		{Name: ProbePartitionHealedDuringBarrier, Doc: "a network partition healed while a syncpoint barrier was open"},
	}
}

// DerivedProbes counts the derived probes of a world from its results:
// fault windows against syncpoint barrier spans (process "cluster", track
// "barrier", from the syncpoint's ts to its row written).
func DerivedProbes(rw *results.World) map[string]uint64 {
	out := map[string]uint64{}
	for _, s := range rw.Spans {
		if s.Process != "cluster" || s.Track != "barrier" {
			continue
		}
		for _, f := range rw.Faults {
			switch {
			case f.Kind == "net.partition" && f.Until > f.At && s.Start < f.Until && f.Until < s.End:
				out[ProbePartitionHealedDuringBarrier]++
			case f.Kind == "node.crash" && s.Start < f.At && f.At < s.End:
				out[ProbeCrashDuringBarrier]++
			}
		}
	}
	return out
}
