package disk

import (
	"fmt"
	"sort"
	"strings"

	"github.com/redosim/redosim/sim/dist"
)

// Profile is the timing of one kind of device. Latencies are
// distributions of nanoseconds; a nil distribution means zero. Service
// time of an op is its latency draw (times any stall factor) plus its
// bytes divided by the bandwidth that applies; a bandwidth of 0 means
// infinite.
//
// Buffered writes and namespace ops only touch the page cache and the
// journal in memory, so they do not queue at the device; reads and syncs
// do (see Disk).
type Profile struct {
	// Name identifies the profile (ProfileByName).
	Name string
	// WriteLatency is the cost of a buffered WriteAt or Append (a copy
	// into the page cache).
	WriteLatency dist.Dist
	// ReadLatency is the cost of a device read (page-cache hits are not
	// modelled: every read is cold).
	ReadLatency dist.Dist
	// SyncLatency is the cost of an fsync, of an fdatasync that must
	// persist a size change (an append), and of a SyncDir: a journal
	// commit plus a device cache flush.
	SyncLatency dist.Dist
	// SyncOverwriteLatency is the cost of an fdatasync whose file size is
	// unchanged (an overwrite of allocated blocks: no journal commit). nil
	// means SyncLatency.
	SyncOverwriteLatency dist.Dist
	// MetaLatency is the cost of Create, Rename, Remove, Truncate and
	// MkdirAll, and of a sync that finds nothing dirty.
	MetaLatency dist.Dist
	// WriteBytesPerSec is the page-cache copy bandwidth buffered writes
	// pay, in bytes per second.
	WriteBytesPerSec float64
	// ReadBytesPerSec is the device read bandwidth, in bytes per second.
	ReadBytesPerSec float64
	// FlushBytesPerSec is the device write bandwidth a sync pays for its
	// dirty bytes, in bytes per second. 0 means WriteBytesPerSec.
	FlushBytesPerSec float64
	// QueueDepth is how many device ops (reads, syncs) are in service at
	// once; the rest wait in FIFO order. 0 means 1.
	QueueDepth int
}

// isZero reports whether p is the zero Profile.
func (p Profile) isZero() bool {
	return p.Name == "" && p.WriteLatency == nil && p.ReadLatency == nil && p.SyncLatency == nil &&
		p.SyncOverwriteLatency == nil && p.MetaLatency == nil && p.WriteBytesPerSec == 0 &&
		p.ReadBytesPerSec == 0 && p.FlushBytesPerSec == 0 && p.QueueDepth == 0
}

// The numbers below are nanoseconds.
const (
	us = 1e3
	ms = 1e6
)

// profiles returns the built-in profiles, fresh each call (no shared
// mutable state).
func profiles() map[string]Profile {
	return map[string]Profile{
		// local-vm is this machine (docs/FIDELITY.md, disk profiles): 4 KiB append+fdatasync p50 182 µs p99 243 µs (fsync p99
		// 315 µs), overwrite+fdatasync p50 103 µs p99 200 µs; buffered
		// writes ~5 GB/s; the final flush of 1 GiB ~2.8 GB/s, for 1.7–2.4
		// GB/s end to end.
		"local-vm": {Name: "local-vm",
			WriteLatency: dist.LogNormal{Median: 2 * us, Sigma: 0.3}, WriteBytesPerSec: 5e9,
			ReadLatency: dist.LogNormal{Median: 80 * us, Sigma: 0.3}, ReadBytesPerSec: 3e9,
			SyncLatency:          dist.LogNormal{Median: 178 * us, Sigma: 0.18},
			SyncOverwriteLatency: dist.LogNormal{Median: 100 * us, Sigma: 0.28},
			MetaLatency:          dist.LogNormal{Median: 5 * us, Sigma: 0.3},
			FlushBytesPerSec:     2.8e9, QueueDepth: 32},
		// nvme is a datacenter NVMe drive with power-loss protection (its
		// cache flush is nearly free). Order-of-magnitude figures, not
		// measured here.
		"nvme": {Name: "nvme",
			WriteLatency: dist.LogNormal{Median: 2 * us, Sigma: 0.3}, WriteBytesPerSec: 6e9,
			ReadLatency: dist.LogNormal{Median: 80 * us, Sigma: 0.25}, ReadBytesPerSec: 3.2e9,
			SyncLatency:          dist.LogNormal{Median: 60 * us, Sigma: 0.3},
			SyncOverwriteLatency: dist.LogNormal{Median: 25 * us, Sigma: 0.3},
			MetaLatency:          dist.LogNormal{Median: 4 * us, Sigma: 0.3},
			FlushBytesPerSec:     2e9, QueueDepth: 64},
		// cloud-ssd is a network block volume (EBS gp3-like): every flush
		// is a replicated round trip, bandwidth is provisioned low.
		// Order-of-magnitude figures, not measured here.
		"cloud-ssd": {Name: "cloud-ssd",
			WriteLatency: dist.LogNormal{Median: 2 * us, Sigma: 0.3}, WriteBytesPerSec: 5e9,
			ReadLatency: dist.LogNormal{Median: 600 * us, Sigma: 0.35}, ReadBytesPerSec: 250e6,
			SyncLatency:          dist.LogNormal{Median: 1.2 * ms, Sigma: 0.35},
			SyncOverwriteLatency: dist.LogNormal{Median: 1 * ms, Sigma: 0.35},
			MetaLatency:          dist.LogNormal{Median: 5 * us, Sigma: 0.3},
			FlushBytesPerSec:     250e6, QueueDepth: 16},
		// hdd is a 7200 rpm disk with its write cache flushed on sync: a
		// seek plus half a rotation per flush, one head.
		// Order-of-magnitude figures, not measured here.
		"hdd": {Name: "hdd",
			WriteLatency: dist.LogNormal{Median: 2 * us, Sigma: 0.3}, WriteBytesPerSec: 5e9,
			ReadLatency: dist.LogNormal{Median: 8 * ms, Sigma: 0.4}, ReadBytesPerSec: 150e6,
			SyncLatency:          dist.LogNormal{Median: 8 * ms, Sigma: 0.4},
			SyncOverwriteLatency: dist.LogNormal{Median: 6 * ms, Sigma: 0.4},
			MetaLatency:          dist.LogNormal{Median: 5 * us, Sigma: 0.3},
			FlushBytesPerSec:     150e6, QueueDepth: 1},
		// instant has no latency and infinite bandwidth: for tests that
		// want disk semantics without disk time.
		"instant": {Name: "instant", QueueDepth: 1 << 20},
	}
}

// Profiles returns the names of the built-in profiles, sorted.
func Profiles() []string {
	m := profiles()
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// ProfileByName returns a built-in profile: "local-vm" (calibrated to this
// machine), "nvme", "cloud-ssd", "hdd" or "instant".
func ProfileByName(name string) (Profile, error) {
	p, ok := profiles()[name]
	if !ok {
		return Profile{}, fmt.Errorf("sim/disk: unknown profile %q (want one of %s)", name, strings.Join(Profiles(), ", "))
	}
	return p, nil
}
