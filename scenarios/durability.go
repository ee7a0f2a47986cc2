package scenarios

import (
	"slices"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/simdriver"
)

// lostRows is the durability invariant's test, shared by the engine-only
// worlds (smoke, group-commit): it walks every log file in target as a
// reader would (a torn tail ends a file) and returns how many of the
// acknowledged rows, named by commit ts, it does not find.
func lostRows(target simdriver.Target, acked []uint64) (lost int, err error) {
	st := simdriver.Storage(target)
	names, err := st.List()
	if err != nil {
		return 0, err
	}
	sectorBytes := 0 // codec.DefaultSectorBytes, an object store's
	if target.Disk != nil {
		sectorBytes = target.Disk.FS().SectorBytes()
	}
	var found []uint64
	for _, n := range names {
		if _, ok := core.ParseFileName(n); !ok {
			continue
		}
		data, _ := st.ReadFile(n)
		w := codec.NewWalker(n, data, sectorBytes)
		for w.Next() {
			if r := w.Record(); r.Type == codec.TypeRow {
				found = append(found, r.Row.CommitTs)
			}
		}
	}
	slices.Sort(found)
	for _, ts := range acked {
		if _, ok := slices.BinarySearch(found, ts); !ok {
			lost++
		}
	}
	return lost, nil
}
