package fault

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/pingcap/failpoint"

	"github.com/redosim/redosim/sim"
)

// testCatalogue adds points private to these tests, so that they never
// share a failpoint name with code in other packages of the process.
var testCatalogue = append(Catalogue[:len(Catalogue):len(Catalogue)],
	Point{"test/fault/a", "test", "a test point"},
	Point{"test/fault/b", "test", "another test point"},
)

func newWorld(t *testing.T, seed uint64, plan string) (*sim.World, *Injector) {
	t.Helper()
	p, err := Parse(plan)
	if err != nil {
		t.Fatal(err)
	}
	w := sim.NewWorld(sim.WorldConfig{Seed: seed})
	in, err := New(Config{Plan: p, Clock: w.Loop, Streams: w.Streams, Catalogue: testCatalogue})
	if err != nil {
		t.Fatal(err)
	}
	w.Faults = in
	return w, in
}

// fireAt evaluates point at each of the given instants (in seconds) and
// returns what fired, as "t=v" strings.
func fireAt(t *testing.T, w *sim.World, point string, secs ...float64) []string {
	t.Helper()
	var got []string
	for _, s := range secs {
		at := sim.Instant(s * float64(sim.Second))
		w.Loop.At(at, func() {
			if v, ok := w.Fire(point); ok {
				got = append(got, fmt.Sprintf("%gs=%s", s, v))
			}
		})
	}
	if err := w.Loop.Run(); err != nil {
		t.Fatal(err)
	}
	return got
}

func TestInjectorTriggers(t *testing.T) {
	evals := []float64{1, 1.5, 2, 2.5, 3, 4, 5}
	for _, tc := range []struct {
		plan string
		want []string
	}{
		{"test/fault/a@2s=x", []string{"2s=x"}},
		{"test/fault/a@1.7s", []string{"2s="}},
		{"test/fault/a@10s", nil},
		{"test/fault/a#3=EIO", []string{"2s=EIO"}},
		{"test/fault/a#2..4", []string{"1.5s=", "2s=", "2.5s="}},
		{"test/fault/a#6..", []string{"4s=", "5s="}},
		{"test/fault/a@1.5s..3s", []string{"1.5s=", "2s=", "2.5s="}},
		{"test/fault/a@4s..", []string{"4s=", "5s="}},
		// The first entry that fires wins; the @ entry still fires once.
		{"test/fault/a#1..2=first;test/fault/a@0s=second", []string{"1s=first", "1.5s=first", "2s=second"}},
		{"test/fault/b@0s", nil}, // another point armed
	} {
		w, _ := newWorld(t, 1, tc.plan)
		if got := fireAt(t, w, "test/fault/a", evals...); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("plan %q fired %v, want %v", tc.plan, got, tc.want)
		}
	}
}

// TestInjectorProbability checks that a window with p < 1 fires about p of
// its evaluations, the same ones for the same seed and other ones for
// another seed.
func TestInjectorProbability(t *testing.T) {
	run := func(seed uint64) []string {
		w, _ := newWorld(t, seed, "test/fault/a@0s..*0.3")
		secs := make([]float64, 1000)
		for i := range secs {
			secs[i] = float64(i)
		}
		return fireAt(t, w, "test/fault/a", secs...)
	}
	a, b, c := run(7), run(7), run(8)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("same seed fired differently")
	}
	if reflect.DeepEqual(a, c) {
		t.Fatal("another seed fired the same evaluations")
	}
	if n := len(a); n < 240 || n > 360 {
		t.Fatalf("fired %d of 1000 at p=0.3", n)
	}
}

func TestInjectorReports(t *testing.T) {
	w, in := newWorld(t, 1, "test/fault/b@1h;test/fault/a#2;test/fault/a@1h;node.crash:n1@1s")
	fireAt(t, w, "test/fault/a", 1, 2, 3)
	fireAt(t, w, "sim/disk/fsyncEIO", 1) // not armed: not counted
	want := []Count{{"test/fault/a", 3, 1}, {"test/fault/b", 0, 0}}
	if got := in.Fired(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Fired = %v, want %v", got, want)
	}
	if got := in.Unfired(); !reflect.DeepEqual(got, []string{"test/fault/b"}) {
		t.Fatalf("Unfired = %v", got)
	}
	var entries []string
	for _, e := range in.UnfiredEntries() {
		entries = append(entries, e.String())
	}
	if want := []string{"test/fault/a@1h0m0s", "test/fault/b@1h0m0s"}; !reflect.DeepEqual(entries, want) {
		t.Fatalf("UnfiredEntries = %v, want %v", entries, want)
	}
	err := in.CheckFired()
	if err == nil || err.Error() != "sim/fault: armed points never fired: test/fault/b (evaluated 0 times)" {
		t.Fatalf("CheckFired = %v", err)
	}
}

// TestFiringIsTraced checks that firings enter the world's trace (through
// sim.World.Fire), so two runs of a seed agree on the trace hash.
func TestFiringIsTraced(t *testing.T) {
	hash := func(seed uint64) string {
		w, _ := newWorld(t, seed, "test/fault/a@0s..*0.5=v")
		fireAt(t, w, "test/fault/a", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
		return w.Trace.HashString()
	}
	if first, second := hash(3), hash(3); first != second {
		t.Fatal("same seed, different trace hash")
	}
	if hash(3) == hash(4) {
		t.Fatal("different seeds, same trace hash: firings are not traced")
	}
}

func TestNewErrors(t *testing.T) {
	w := sim.NewWorld(sim.WorldConfig{})
	if _, err := New(Config{Streams: w.Streams}); err == nil || !strings.Contains(err.Error(), "needs a Clock") {
		t.Fatalf("err = %v", err)
	}
	p, _ := Parse("sim/disk/fsyncEIO@1s;sim/disk/fsyncEOI@2s")
	_, err := Install(w, p)
	if err == nil || !strings.Contains(err.Error(), `unknown fault point "sim/disk/fsyncEOI"`) {
		t.Fatalf("err = %v", err)
	}
	p, _ = Parse("node.explode:n1@1s")
	if _, err := Install(w, p); err == nil || !strings.Contains(err.Error(), `unknown action "node.explode"`) {
		t.Fatalf("err = %v", err)
	}
}

// TestFastPathAllocs: a point the plan does not arm costs a map lookup and
// nothing else; so does an armed point outside its window.
func TestFastPathAllocs(t *testing.T) {
	w, _ := newWorld(t, 1, "test/fault/a@1h")
	if n := testing.AllocsPerRun(1000, func() { w.Fire("sim/disk/fsyncEIO") }); n != 0 {
		t.Errorf("unarmed Fire allocates %v", n)
	}
	if n := testing.AllocsPerRun(1000, func() { w.Fire("test/fault/a") }); n != 0 {
		t.Errorf("armed, not due Fire allocates %v", n)
	}
	nw := sim.NewWorld(sim.WorldConfig{})
	if _, err := Install(nw, Plan{}); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(1000, func() { nw.Fire("sim/disk/fsyncEIO") }); n != 0 {
		t.Errorf("empty-plan Fire allocates %v", n)
	}
}

// TestTransportRegistersAndHeals checks that armed points are enabled in
// failpoint's registry with TransportTerm, and that a point disabled or
// re-enabled behind the injector's back is restored before it fires.
func TestTransportRegistersAndHeals(t *testing.T) {
	w, _ := newWorld(t, 1, "test/fault/b#1..")
	if st, err := failpoint.Status("test/fault/b"); err != nil || st != TransportTerm {
		t.Fatalf("Status = %q, %v; want %q", st, err, TransportTerm)
	}
	if err := failpoint.Disable("test/fault/b"); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.Fire("test/fault/b"); !ok {
		t.Fatal("did not fire after an outside Disable")
	}
	if err := failpoint.Enable("test/fault/b", "return(false)"); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.Fire("test/fault/b"); !ok {
		t.Fatal("did not fire after an outside Enable with another term")
	}
	if st, _ := failpoint.Status("test/fault/b"); st != TransportTerm {
		t.Fatalf("Status = %q after healing", st)
	}
}

func BenchmarkFire(b *testing.B) {
	for _, bc := range []struct{ name, point string }{
		{"unarmed", "sim/disk/enospc"},
		{"armedNotDue", "sim/disk/readError"},
		{"armedFires", "sim/disk/fsyncEIO"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p, err := Parse("sim/disk/fsyncEIO#1..;sim/disk/readError@1h")
			if err != nil {
				b.Fatal(err)
			}
			w := sim.NewWorld(sim.WorldConfig{})
			if _, err := Install(w, p); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				w.Faults.Fire(bc.point)
			}
		})
	}
}
