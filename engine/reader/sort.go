package reader

import (
	"slices"

	"github.com/redosim/redosim/engine/codec"
)

// sortStable returns run ordered by Less, ties in file order. A file is
// usually almost sorted and its records are large, so the order is found
// on small keys (with the index as the last key, an unstable sort is
// stable) and the records are moved once.
func sortStable(run []codec.Record) []codec.Record {
	if slices.IsSortedFunc(run, func(a, b codec.Record) int { return cmpLess(&a, &b) }) {
		return run
	}
	type key struct {
		commitTs, startTs uint64
		rank              uint8 // rows by op; every other record ranks 0 and ties
		idx               int
	}
	keys := make([]key, len(run))
	for i := range run {
		k := key{commitTs: run[i].CommitTs(), idx: i}
		if run[i].Type == codec.TypeRow {
			k.startTs, k.rank = run[i].Row.StartTs, uint8(run[i].Row.Op)+1
		}
		keys[i] = k
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.commitTs != b.commitTs {
			return cmpU64(a.commitTs, b.commitTs)
		}
		if a.rank != 0 && b.rank != 0 { // both rows: Less orders by startTs, op
			if a.startTs != b.startTs {
				return cmpU64(a.startTs, b.startTs)
			}
			if a.rank != b.rank {
				return int(a.rank) - int(b.rank)
			}
		}
		return a.idx - b.idx
	})
	out := make([]codec.Record, len(run))
	for i, k := range keys {
		out[i] = run[k.idx]
	}
	return out
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpLess is Less as a three-way comparison.
func cmpLess(a, b *codec.Record) int {
	switch {
	case Less(a, b):
		return -1
	case Less(b, a):
		return 1
	}
	return 0
}

// inRange: rows in (checkpoint, resolved], DDLs in [checkpoint, resolved].
