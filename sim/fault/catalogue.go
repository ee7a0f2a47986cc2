package fault

import "fmt"

// Point documents one fault point or scheduled action kind.
type Point struct {
	// Name is the fault point ("<layer>/<component>/<when><What>") or the
	// action kind ("<noun>.<verb>").
	Name string
	// Layer is the "<layer>/<component>" part of a point's name, which
	// names the owning package ("sim/disk", "engine/meta"; "sim/net" is
	// package sim/netsim), or "scenario" for actions, which the scenario
	// layer performs.
	Layer string
	// What says what happens when it fires and what its value means.
	What string
}

// Catalogue lists every fault point and action kind a plan may name, sorted
// by name. The owning packages declare their points as consts (in their
// faultpoints.go); this table is the one documented list, and plans are
// checked against it (Plan.Validate). It is an immutable table: never
// modify it; build a new slice to extend it in a test.
var Catalogue = []Point{
	{"engine/meta/afterPutBeforeDelete", "engine/meta", "stops a meta update between putting the new object and deleting the old one (object-store meta): a crash here leaves two metas"},
	{"engine/meta/afterRenameBeforeDirSync", "engine/meta", "stops a meta update after the rename and before the directory sync: a crash may bring back the old meta"},
	{"engine/meta/afterWriteBeforeRename", "engine/meta", "stops a meta update after the temporary file is written and synced and before the rename: the old meta stays"},
	{"engine/writer/afterWriteBeforeSync", "engine/writer", "stops a flush after the write and before the fsync: a crash here loses or tears the unsynced tail"},
	{"engine/writer/beforeFsync", "engine/writer", "fails a flush just before its fsync; value: the error to return (e.g. EIO), default EIO"},
	{"model/collector/forceRelease", "model/collector", "makes the event collector release a paused path's memory at once, as if its quota were freed"},
	{"model/dispatcher/dropHeartbeat", "model/dispatcher", "drops one dispatcher heartbeat to the maintainer, delaying checkpoint and redoGlobalTs progress"},
	{"net.partition", "scenario", "cuts the network between groups of nodes (target \"n1,n2|n3\") from From until Until (no end when open)"},
	{"node.crash", "scenario", "crashes a node (target) at From: unsynced disk state is dropped or torn, in-flight messages lost"},
	{"node.restart", "scenario", "restarts a crashed node (target) at From: it recovers from its durable state"},
	{"sim/disk/enospc", "sim/disk", "fails a write or file creation with ENOSPC"},
	{"sim/disk/fsyncEIO", "sim/disk", "fails an fsync with EIO; the unsynced pages are dropped and a later fsync reports success (Linux semantics)"},
	{"sim/disk/readError", "sim/disk", "fails a read with a latent sector error (EIO)"},
	{"sim/disk/stall", "sim/disk", "stalls an I/O; value: the stall duration, e.g. 2s"},
	{"sim/net/delay", "sim/net", "adds latency to a message; value: the extra delay, e.g. 200ms"},
	{"sim/net/drop", "sim/net", "drops a message"},
	{"sim/objstore/putFail", "sim/objstore", "fails a PUT with an internal error (HTTP 500) after its full latency; the object is not written"},
	{"sim/objstore/slow", "sim/objstore", "multiplies a request's latency; value: the factor, e.g. 20"},
	{"sim/objstore/throttle", "sim/objstore", "fails a request with SlowDown (HTTP 503); value: the retry-after duration, e.g. 2s"},
}

// Lookup returns the entry of cat named name (a linear scan: catalogues are
// small and looked up only when a plan is checked).
func Lookup(cat []Point, name string) (Point, bool) {
	for _, p := range cat {
		if p.Name == name {
			return p, true
		}
	}
	return Point{}, false
}

// Validate checks that every point and action the plan names is in cat. A
// nil cat means Catalogue. The error
// names the first unknown name.
func (p Plan) Validate(cat []Point) error {
	if cat == nil {
		cat = Catalogue
	}
	for i, e := range p.entries {
		if _, ok := Lookup(cat, e.Name); !ok {
			what := "fault point"
			if e.IsAction() {
				what = "action"
			}
			return fmt.Errorf("sim/fault: plan entry %d %q: unknown %s %q (not in the catalogue)", i+1, e.String(), what, e.Name)
		}
	}
	return nil
}
