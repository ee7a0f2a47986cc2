package reader

import (
	"slices"

	"github.com/redosim/redosim/engine/codec"
)

// sortStable orders recs by Less, ties in their order, in place: the
// records of every file in file order, so the result is what sorting each
// file stably and merging the files (ties in file order) gives. Records
// are large and a log holds a million of them at TiCDC's rates, so the
// order is found on small keys (with the index as the last key, an
// unstable sort is stable) and each record is then moved once, along the
// permutation's cycles, with no second copy of the log.
func sortStable(recs []codec.Record) []codec.Record {
	if slices.IsSortedFunc(recs, func(a, b codec.Record) int { return cmpLess(&a, &b) }) {
		return recs
	}
	type key struct {
		commitTs, startTs uint64
		rank              uint8 // rows by op; every other record ranks 0 and ties
		idx               int
	}
	keys := make([]key, len(recs))
	for i := range recs {
		k := key{commitTs: recs[i].CommitTs(), idx: i}
		if recs[i].Type == codec.TypeRow {
			k.startTs, k.rank = recs[i].Row.StartTs, uint8(recs[i].Row.Op)+1
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
	// Position i takes the record at keys[i].idx: follow each cycle once,
	// marking a position done by pointing it at itself.
	for i := range keys {
		if keys[i].idx == i {
			continue
		}
		held := recs[i]
		j := i
		for {
			from := keys[j].idx
			keys[j].idx = j
			if from == i {
				recs[j] = held
				break
			}
			recs[j] = recs[from]
			j = from
		}
	}
	return recs
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
