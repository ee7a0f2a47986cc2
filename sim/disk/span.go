package disk

import "sort"

// span is the half-open byte range [lo, hi).
type span struct{ lo, hi int64 }

// spanSet is a set of bytes kept as sorted, disjoint, non-adjacent spans.
// A file uses one to remember which bytes were written since its last
// successful sync; the sectors those bytes fall in are its dirty sectors.
// Appends extend the last span, so a log file keeps one or two spans.
type spanSet struct{ spans []span }

// add inserts [lo, hi). O(n) in the number of spans, O(log n) to find the
// place plus the merge.
func (s *spanSet) add(lo, hi int64) {
	if lo >= hi {
		return
	}
	// first span that ends at or after lo (touching counts: merge it).
	i := sort.Search(len(s.spans), func(k int) bool { return s.spans[k].hi >= lo })
	j := i
	for j < len(s.spans) && s.spans[j].lo <= hi {
		lo = min(lo, s.spans[j].lo)
		hi = max(hi, s.spans[j].hi)
		j++
	}
	if i == j {
		s.spans = append(s.spans, span{})
		copy(s.spans[i+1:], s.spans[i:])
		s.spans[i] = span{lo, hi}
		return
	}
	s.spans[i] = span{lo, hi}
	s.spans = append(s.spans[:i+1], s.spans[j:]...)
}

// clip removes every byte at or beyond limit.
func (s *spanSet) clip(limit int64) {
	for len(s.spans) > 0 {
		last := &s.spans[len(s.spans)-1]
		if last.lo >= limit {
			s.spans = s.spans[:len(s.spans)-1]
			continue
		}
		last.hi = min(last.hi, limit)
		return
	}
}

// reset empties the set.
func (s *spanSet) reset() { s.spans = s.spans[:0] }

// empty reports whether the set has no bytes.
func (s *spanSet) empty() bool { return len(s.spans) == 0 }

// clone returns an independent copy.
func (s *spanSet) clone() spanSet {
	return spanSet{spans: append([]span(nil), s.spans...)}
}

// sectorRuns returns the dirty sectors as merged, sector-aligned byte runs
// in offset order, keeping only sectors that start below limit. A run's hi
// is a multiple of sectorBytes (it may pass limit; the caller clips bytes).
func (s *spanSet) sectorRuns(sectorBytes, limit int64) []span {
	var runs []span
	for _, sp := range s.spans {
		lo := sp.lo / sectorBytes * sectorBytes
		hi := divCeil(sp.hi, sectorBytes) * sectorBytes
		hi = min(hi, divCeil(limit, sectorBytes)*sectorBytes)
		if lo >= hi {
			continue
		}
		if n := len(runs); n > 0 && runs[n-1].hi >= lo {
			runs[n-1].hi = max(runs[n-1].hi, hi)
			continue
		}
		runs = append(runs, span{lo, hi})
	}
	return runs
}

// each calls fn for every part of the set inside [lo, hi), in order.
func (s *spanSet) each(lo, hi int64, fn func(lo, hi int64)) {
	i := sort.Search(len(s.spans), func(k int) bool { return s.spans[k].hi > lo })
	for ; i < len(s.spans) && s.spans[i].lo < hi; i++ {
		fn(max(lo, s.spans[i].lo), min(hi, s.spans[i].hi))
	}
}

// divCeil returns a/b rounded up, for a >= 0 and b > 0.
func divCeil(a, b int64) int64 { return (a + b - 1) / b }
