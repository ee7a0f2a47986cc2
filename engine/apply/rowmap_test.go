package apply

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/redosim/redosim/engine/codec"
)

// TestRowMapMatchesAMap: eight-byte keys in the dense pages (small words
// of the first lane), in the word map (other lanes, large words) and all
// others by string behave as one map from key bytes to entry.
func TestRowMapMatchesAMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	var m rowMap
	ref := map[string]entry{}
	for i := range 5000 {
		key := make([]byte, []int{0, 3, 8, 8, 8, 9, 16}[rng.IntN(7)])
		for j := range key {
			key[j] = byte(rng.IntN(4))
		}
		if len(key) == 8 && rng.IntN(2) == 0 { // a small word: mostly lane 5
			k := uint64(rng.IntN(3000))<<stripeBits | 5
			if rng.IntN(8) == 0 {
				k = uint64(rng.IntN(1 << 16))
			}
			binary.BigEndian.PutUint64(key, k)
		}
		switch rng.IntN(3) {
		case 0, 1:
			e := entry{ver: version{commitTs: uint64(i), op: codec.Op(rng.IntN(4))}} // op 0: kept in the word map
			if rng.IntN(2) == 0 {
				e.cols = [][]byte{{byte(i)}}
			}
			m.set(key, e)
			ref[string(key)] = e
		default:
			m.remove(key)
			delete(ref, string(key))
		}
		want, wantOK := ref[string(key)]
		if e, ok := m.get(key); ok != wantOK || e.ver != want.ver || len(e.cols) != len(want.cols) {
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
	if m.dense.n == 0 || len(m.short) == 0 || len(m.long) == 0 {
		t.Fatalf("the test must fill every part: %d dense, %d short, %d long", m.dense.n, len(m.short), len(m.long))
	}
	check(&m, "map")
	c := m.clone()
	check(&c, "clone")
	// each may remove the entry it is given.
	m.each(func(k []byte, _ entry) { m.remove(k) })
	if m.len() != 0 {
		t.Fatalf("%d entries left after removing each", m.len())
	}
	check(&c, "clone after the original emptied")
}

// TestDensePageFollowsItsKeys: a stripe of a small table holds a short
// page, not densePageLen slots (100 000 tables of 16 stripes each would
// otherwise hold 10 GB of empty versions), and a page grows to hold keys
// taken in order.
func TestDensePageFollowsItsKeys(t *testing.T) {
	var m rowMap
	key := make([]byte, 8)
	binary.BigEndian.PutUint64(key, 3<<stripeBits|2)
	m.set(key, entry{ver: version{commitTs: 1, op: codec.OpInsert}})
	if n := len(m.dense.pages[0].vers); n > 8 {
		t.Fatalf("one key holds a page of %d slots", n)
	}
	for k := uint64(0); k < 100; k++ {
		binary.BigEndian.PutUint64(key, k<<stripeBits|2)
		m.set(key, entry{ver: version{commitTs: k + 1, op: codec.OpInsert}})
	}
	if n := len(m.dense.pages[0].vers); n < 100 || n > 2*100 {
		t.Fatalf("100 keys in order hold a page of %d slots", n)
	}
	if e, ok := m.get(key); !ok || e.ver.commitTs != 100 {
		t.Fatalf("the last key reads %+v, %v", e, ok)
	}
}
