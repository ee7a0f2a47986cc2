package apply

import (
	"math/rand/v2"
	"testing"
)

// TestRowMapMatchesAMap: eight-byte keys in the word map and all others
// by string behave as one map from key bytes to entry.
func TestRowMapMatchesAMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var m rowMap
	ref := map[string]entry{}
	for i := range 5000 {
		key := make([]byte, []int{0, 3, 8, 8, 9, 16}[rng.IntN(6)])
		for j := range key {
			key[j] = byte(rng.IntN(4))
		}
		switch rng.IntN(3) {
		case 0, 1:
			e := entry{ver: version{commitTs: uint64(i)}}
			m.set(key, e)
			ref[string(key)] = e
		default:
			m.remove(key)
			delete(ref, string(key))
		}
		want, wantOK := ref[string(key)]
		if e, ok := m.get(key); ok != wantOK || e.ver != want.ver {
			t.Fatalf("step %d: get %q = %+v, %v; want %+v, %v", i, key, e, ok, want, wantOK)
		}
	}
	check := func(m *rowMap, label string) {
		if m.len() != len(ref) {
			t.Fatalf("%s: %d entries, want %d", label, m.len(), len(ref))
		}
		seen := 0
		m.each(func(k []byte, e entry) {
			if want, ok := ref[string(k)]; !ok || want.ver != e.ver {
				t.Fatalf("%s: each gave %q = %+v, want %+v (present %v)", label, k, e, want, ok)
			}
			seen++
		})
		if seen != len(ref) {
			t.Fatalf("%s: each visited %d of %d", label, seen, len(ref))
		}
	}
	check(&m, "map")
	c := m.clone()
	check(&c, "clone")
	// each may remove the entry it is given.
	m.each(func(k []byte, _ entry) { m.remove(k) })
	if m.len() != 0 {
		t.Fatalf("%d entries left after removing each", m.len())
	}
}
