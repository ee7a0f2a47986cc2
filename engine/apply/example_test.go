package apply_test

import (
	"fmt"

	"github.com/redosim/redosim/engine/apply"
	"github.com/redosim/redosim/engine/codec"
)

func row(table int64, key string, op codec.Op, commitTs uint64) codec.Record {
	return codec.Record{Type: codec.TypeRow, Row: codec.Row{TableID: table, Key: []byte(key), Op: op,
		Columns: [][]byte{[]byte(key)}, StartTs: commitTs - 1, CommitTs: commitTs}}
}

// Example replays a small log serially and in parallel (in virtual time,
// 50 µs per row, 10 ms per DDL) and compares the two downstreams.
func Example() {
	log := []codec.Record{
		row(1, "a", codec.OpInsert, 10),
		row(1, "b", codec.OpInsert, 10),
		row(2, "a", codec.OpInsert, 12),
		{Type: codec.TypeDDL, DDL: codec.DDL{StartTs: 19, CommitTs: 20, Kind: codec.DDLTruncate,
			Blocked: []int64{2}, Query: "TRUNCATE TABLE t2"}},
		row(1, "a", codec.OpDelete, 22),
		row(2, "b", codec.OpInsert, 24),
	}
	recs, err := apply.SortForApply(log)
	if err != nil {
		fmt.Println(err)
		return
	}
	serial, _ := apply.NewState(apply.StateConfig{})
	if _, err := apply.ApplySerial(serial, recs); err != nil {
		fmt.Println(err)
		return
	}
	plan, err := apply.NewPlan(recs, apply.Config{Workers: 4, Hot: []apply.HotTable{{TableID: 1}}})
	if err != nil {
		fmt.Println(err)
		return
	}
	parallel, _ := apply.NewState(apply.StateConfig{})
	res, err := apply.RunVirtual(parallel, plan, apply.VirtualConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	s := plan.Summary()
	fmt.Println("equal:", parallel.Equal(serial), "rows:", parallel.RowCount())
	fmt.Println("barriers:", s.Barriers, "discarded:", s.Discarded, "makespan µs:", res.MakespanNs/1000)
	// Output:
	// equal: true rows: 2
	// barriers: 1 discarded: 1 makespan µs: 10100
}
