package apply

import (
	"testing"

	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/redosim/redosim/engine/codec"
)

// TestPlantedBugsAreCaught plants a wrong dispatcher and expects the
// equivalence property (virtual executor, deterministic) to FAIL, shrinking
// to a small counterexample. A checker that cannot fail proves nothing.
func TestPlantedBugsAreCaught(t *testing.T) {
	for _, tc := range []struct {
		name string
		bug  plantedBug
	}{
		{"ddl-not-barrier", bugDDLNotBarrier},
		{"key-spray", bugKeySpray},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := equivProp(false /* goroutines */, tc.bug).Check(propertyParams(400))
			if res.Passed() {
				t.Fatalf("planted bug %s not caught in %d tests", tc.name, res.Succeeded)
			}
			spec := res.Args[0].Arg.([]opSpec)
			t.Logf("caught after %d passing tests; shrunk to %d ops %+v, workers/split/flags %v: %s",
				res.Succeeded, len(spec), spec, res.Args[1:], res.Labels)
			if len(spec) > 12 {
				t.Errorf("counterexample of %d ops did not shrink below 12", len(spec))
			}
		})
	}
}

// TestVersionCheckMasksReordering documents why the property also runs a
// blind state. A versioned state keeps, per key, the newest version it has
// seen (a last-writer-wins register), so it ends the same whatever order one
// key's changes arrive in: a final-state check over versioned states alone
// cannot see a dispatcher that reorders a key. A blind state, like a MySQL
// downstream written with REPLACE and DELETE, can.
func TestVersionCheckMasksReordering(t *testing.T) {
	inOrder := []codec.Record{rowRec(1, "k", codec.OpInsert, 10), rowRec(1, "k", codec.OpDelete, 12)}
	reversed := []codec.Record{inOrder[1], inOrder[0]}
	for _, blind := range []bool{false, true} {
		a, _ := NewState(StateConfig{Blind: blind})
		b, _ := NewState(StateConfig{Blind: blind})
		for i := range inOrder {
			if err := a.Apply(&inOrder[i]); err != nil {
				t.Fatal(err)
			}
			if err := b.Apply(&reversed[i]); err != nil {
				t.Fatal(err)
			}
		}
		if got := a.Equal(b); got == blind {
			t.Errorf("blind=%v: reordered apply Equal = %v, want %v", blind, got, !blind)
		}
	}
}

// TestVersionedStateAloneMissesKeySpray shows the other half: with only
// versioned states, the key-spray bug survives the property.
func TestVersionedStateAloneMissesKeySpray(t *testing.T) {
	p := prop.ForAll(func(spec []opSpec, workers, split int) string {
		return equivCase{workers: workers, split: split, bug: bugKeySpray}.check(spec)
	}, genSpec(), gen.IntRange(1, 8), gen.IntRange(0, 2))
	if res := p.Check(propertyParams(200)); !res.Passed() {
		t.Fatalf("versioned state unexpectedly saw key spray: %v", res.Labels)
	}
}
