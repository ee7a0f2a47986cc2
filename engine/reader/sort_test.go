package reader

import (
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/redosim/redosim/engine/codec"
)

// TestSortStableMatchesLess: sortStable orders a run as a stable sort by
// Less does, ties (the rows of one transaction with one op) in file order,
// for sorted, nearly sorted and shuffled runs.
func TestSortStableMatchesLess(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for round := range 50 {
		n := 1 + rng.IntN(300)
		run := make([]codec.Record, n)
		for i := range run {
			commit := uint64(10 + rng.IntN(n/3+1))
			run[i] = codec.Record{Type: codec.TypeRow, Row: codec.Row{CommitTs: commit, StartTs: commit - 1 - uint64(rng.IntN(2)),
				Op: codec.Op(1 + rng.IntN(3)), TableID: int64(i)}} // TableID tags the file position
		}
		switch round % 3 {
		case 0:
			sort.SliceStable(run, func(i, j int) bool { return Less(&run[i], &run[j]) })
		case 1:
			sort.SliceStable(run, func(i, j int) bool { return Less(&run[i], &run[j]) })
			for k := 0; k < 3 && n > 1; k++ {
				i := rng.IntN(n - 1)
				run[i], run[i+1] = run[i+1], run[i]
			}
		}
		want := append([]codec.Record(nil), run...)
		sort.SliceStable(want, func(i, j int) bool { return Less(&want[i], &want[j]) })
		got := sortStable(append([]codec.Record(nil), run...))
		for i := range want {
			if got[i].Row.TableID != want[i].Row.TableID {
				t.Fatalf("round %d position %d: record from file position %d, want %d", round, i, got[i].Row.TableID, want[i].Row.TableID)
			}
		}
	}
}
