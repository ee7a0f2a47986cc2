package simdriver

import "github.com/redosim/redosim/engine/core"

// Every persistence step of the engine is a fault point, named
// "engine/<stream>/before<Op>": for example engine/row/beforeSync,
// engine/row/beforeRename, engine/meta/beforeRemove, engine/repair/beforeTruncate.
// The driver asks the world before carrying out each op. A firing with the
// value "crash" calls the OnCrashPoint hook (the harness crashes the node
// at exactly that step: the crash-state enumeration walks these); any other
// value fails the op with ErrInjected, which fails the stream.

// Streams whose ops carry fault points.
var pointStreams = [...]string{core.TypeRow, core.TypeDDL, core.TypeMeta, "repair"}

var opPointNames = [...]string{
	core.OpCreate: "beforeCreate", core.OpWrite: "beforeWrite", core.OpTruncate: "beforeTruncate",
	core.OpSync: "beforeSync", core.OpRename: "beforeRename", core.OpSyncDir: "beforeSyncDir",
	core.OpRemove: "beforeRemove", core.OpPut: "beforePut", core.OpDelete: "beforeDelete",
}

// PointName returns the fault point evaluated before an op of a stream.
func PointName(stream string, kind core.OpKind) string {
	return "engine/" + stream + "/" + opPointNames[kind]
}

// Points lists every fault point of the driver, sorted by stream then op.
func Points() []string {
	var out []string
	for _, s := range pointStreams {
		for k := core.OpCreate; k <= core.OpDelete; k++ {
			out = append(out, PointName(s, k))
		}
	}
	return out
}

// Planted bugs: fault points that break the engine on purpose, so tests
// and swarm campaigns can prove the checkers catch them. Armed through a
// fault plan like any fault (e.g. -faults 'bug/engine/skipSync@0s..').
const (
	// BugSkipSync skips a log stream's file sync but reports it done: a
	// lying fsync, so acknowledged rows may not be durable. (A skipped
	// directory sync is planted in the engine's own property test instead:
	// in a running world the meta stream's directory syncs mask it.)
	BugSkipSync = "bug/engine/skipSync"
)

// Bugs lists the planted bugs of the driver.
func Bugs() []string { return []string{BugSkipSync} }

// plantedSkip reports whether a planted bug skips this op.
func (d *Driver) plantedSkip(stream string, kind core.OpKind) bool {
	if stream != core.TypeRow && stream != core.TypeDDL {
		return false
	}
	if kind != core.OpSync {
		return false
	}
	_, fired := d.w.Fire(BugSkipSync)
	return fired
}
