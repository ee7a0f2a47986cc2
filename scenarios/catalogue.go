package scenarios

import (
	"strings"

	"github.com/redosim/redosim/engine/simdriver"
	"github.com/redosim/redosim/model/cluster"
	"github.com/redosim/redosim/sim/fault"
)

// Catalogue returns every fault point a world may arm: the sim layer's
// (sim/fault.Catalogue) and each persistence step of the redo engine
// (engine/<stream>/before<Op>; value "crash" crashes the node there, any
// other value fails the op), the planted bugs (layer "bug") and the
// mutation harness's mutants (layer "mutant").
func Catalogue() []fault.Point {
	cat := append([]fault.Point(nil), fault.Catalogue...)
	known := map[string]bool{}
	for _, p := range cat {
		known[p.Name] = true
	}
	for _, name := range simdriver.Points() {
		if known[name] {
			continue
		}
		op := name[strings.LastIndex(name, "/")+1:]
		cat = append(cat, fault.Point{Name: name, Layer: "engine",
			What: "before the redo engine's " + strings.TrimPrefix(op, "before") + " op: =crash crashes the node there, any other value fails the op"})
	}
	bugs := map[string]string{
		simdriver.BugSkipSync: "planted bug: skip a redo log sync but report it done (a lying fsync)",
	}
	for _, name := range simdriver.Bugs() {
		cat = append(cat, fault.Point{Name: name, Layer: "bug", What: bugs[name]})
	}
	cat = append(cat, fault.Point{Name: ActionDiskCrash, Layer: "scenario",
		What: "power loss: every node and the redo disk crash at From (unsynced data lost or torn), nodes restart 1s later"})
	for _, b := range cluster.Bugs() {
		cat = append(cat, fault.Point{Name: b[0], Layer: "bug", What: "planted bug, caught by " + b[1]})
	}
	for _, m := range cluster.Mutants() {
		cat = append(cat, fault.Point{Name: m.Name, Layer: "mutant", What: "mutant (" + m.Where + "): " + m.What})
	}
	return cat
}

// catalogue lists every scenario. Keep it in the order of the README.
func catalogue() []*Scenario {
	return []*Scenario{syncpoint(), smoke(), redoLag(), redoFlush(), disaster(), groupCommit(), parallelApply(), fastSlow(), scanWindow(), memoryPressure(), crashLoop()}
}
