package sim

import (
	"sync"
	"testing"
)

// toyWorld runs a small world whose every decision draws from its streams
// and returns its trace hash.
func toyWorld(seed uint64) string {
	w := NewWorld(WorldConfig{Seed: seed})
	for a := 0; a < 5; a++ {
		name := "actor" + string(rune('a'+a))
		r := w.Rand(name)
		var tick func()
		tick = func() {
			w.Record("tick", name, r.Uint64())
			if w.Now() < Instant(Second) {
				w.Loop.After(Duration(r.IntN(int(10*Millisecond))), tick)
			}
		}
		w.Loop.After(0, tick)
	}
	w.Loop.Run()
	return w.Trace.HashString()
}

func TestSameSeedSameHash(t *testing.T) {
	if a, b := toyWorld(7), toyWorld(7); a != b {
		t.Fatalf("same seed gave %s and %s", a, b)
	}
}

func TestDifferentSeedsDifferentHashes(t *testing.T) {
	seen := map[string]uint64{}
	for s := uint64(0); s < 20; s++ {
		h := toyWorld(s)
		if prev, ok := seen[h]; ok {
			t.Fatalf("seeds %d and %d share hash %s", prev, s, h)
		}
		seen[h] = s
	}
}

// TestParallelWorldsMatchSerial: worlds share nothing, so running them on
// many goroutines gives the hashes they give one by one.
func TestParallelWorldsMatchSerial(t *testing.T) {
	const n = 16
	serial := make([]string, n)
	for i := range serial {
		serial[i] = toyWorld(uint64(i))
	}
	parallel := make([]string, n)
	var wg sync.WaitGroup
	for i := range parallel {
		wg.Add(1)
		go func() { defer wg.Done(); parallel[i] = toyWorld(uint64(i)) }()
	}
	wg.Wait()
	for i := range serial {
		if serial[i] != parallel[i] {
			t.Fatalf("world %d: serial %s, parallel %s", i, serial[i], parallel[i])
		}
	}
}

// TestStreamsAreIndependent: adding a stream does not shift another's draws.
func TestStreamsAreIndependent(t *testing.T) {
	a := NewStreams(1)
	x1 := a.Get("disk").Uint64()
	b := NewStreams(1)
	b.Get("net").Uint64()
	b.Get("model").Uint64()
	if x2 := b.Get("disk").Uint64(); x1 != x2 {
		t.Fatalf("disk stream changed when other streams were added: %x vs %x", x1, x2)
	}
}

func TestFirstDivergence(t *testing.T) {
	a := NewTrace(true)
	b := NewTrace(true)
	for i := 0; i < 5; i++ {
		a.Record(Instant(i), "k", "x", uint64(i))
		d := uint64(i)
		if i == 3 {
			d = 99
		}
		b.Record(Instant(i), "k", "x", d)
	}
	if got := FirstDivergence(a.Events(), b.Events()); got != 3 {
		t.Fatalf("first divergence = %d, want 3", got)
	}
	if got := FirstDivergence(a.Events(), a.Events()); got != -1 {
		t.Fatalf("identical traces diverge at %d", got)
	}
	if a.Hash() == b.Hash() {
		t.Fatal("different traces share a hash")
	}
}
