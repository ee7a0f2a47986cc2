package fault

import (
	"fmt"
	"reflect"
	"sync"
	"testing"

	"github.com/redosim/redosim/sim"
)

// isoPoint is evaluated by every world of the isolation test.
const isoPoint = "test/fault/a"

// isoWorld is one kind of world in the isolation test.
type isoWorld struct {
	name string
	seed uint64
	plan string
}

var isoWorlds = []isoWorld{
	{"always", 1, isoPoint + "#1..=A"},
	{"armedNever", 2, isoPoint + "@1000h=B"},
	{"unarmed", 3, ""},
	{"coin", 4, isoPoint + "@0s..*0.5=C"},
	{"mixed", 5, isoPoint + "#3..7=D;" + isoPoint + "@2s..4s*0.25=D2"},
}

// isoResult is what one world saw: the evaluations that fired (index and
// value) and its trace hash.
type isoResult struct {
	fired []string
	hash  string
}

// isoEvals is how often each world evaluates isoPoint (every 10ms).
const isoEvals = 2000

// runIso runs one world that evaluates isoPoint every 10ms, isoEvals times,
// starting when start is closed.
func runIso(cfg isoWorld, start <-chan struct{}) (isoResult, error) {
	plan, err := Parse(cfg.plan)
	if err != nil {
		return isoResult{}, err
	}
	w := sim.NewWorld(sim.WorldConfig{Seed: cfg.seed, StepsMax: 2 * isoEvals})
	in, err := New(Config{Plan: plan, Clock: w.Loop, Streams: w.Streams, Catalogue: testCatalogue})
	if err != nil {
		return isoResult{}, err
	}
	w.Faults = in
	var res isoResult
	evals := 0
	<-start
	w.Loop.Every(10*sim.Millisecond, func() {
		evals++
		if v, ok := w.Fire(isoPoint); ok {
			res.fired = append(res.fired, fmt.Sprintf("%d=%s", evals, v))
		}
	})
	if err := w.Loop.RunUntil(sim.Instant(isoEvals * 10 * sim.Millisecond)); err != nil {
		return isoResult{}, err
	}
	res.hash = w.Trace.HashString()
	return res, nil
}

// TestIsolationBetweenWorlds runs worlds that arm the same fault point in
// different ways (always, armed but never due, not armed, at random, a
// mix) on parallel goroutines, many times over, and checks that each world
// sees exactly what it sees when it runs alone: a point enabled in one
// world never fires in another, and no world's counts, draws or values
// leak into another's. Run it under -race too.
func TestIsolationBetweenWorlds(t *testing.T) {
	started := make(chan struct{})
	close(started)
	baseline := make([]isoResult, len(isoWorlds))
	for i, cfg := range isoWorlds {
		res, err := runIso(cfg, started)
		if err != nil {
			t.Fatal(err)
		}
		baseline[i] = res
	}
	checkIsoBaseline(t, baseline)
	iterations := 100
	if testing.Short() {
		iterations = 10
	}
	errs := make(chan error, iterations*len(isoWorlds))
	for iter := range iterations {
		var wg sync.WaitGroup
		start := make(chan struct{}) // start together, to overlap as much as possible
		for i, cfg := range isoWorlds {
			wg.Go(func() {
				res, err := runIso(cfg, start)
				if err == nil && !reflect.DeepEqual(res, baseline[i]) {
					err = fmt.Errorf("iteration %d: world %s saw %d firings %v, hash %s; alone: %d firings, hash %s",
						iter, cfg.name, len(res.fired), head(res.fired), res.hash, len(baseline[i].fired), baseline[i].hash)
				}
				if err != nil {
					errs <- err
				}
			})
		}
		close(start)
		wg.Wait()
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// checkIsoBaseline checks what each world sees alone against what its plan
// says, so that a bug that is the same alone and in parallel (such as a
// count shared by all worlds of the process) is caught as well.
func checkIsoBaseline(t *testing.T, baseline []isoResult) {
	t.Helper()
	if n := len(baseline[0].fired); n != isoEvals {
		t.Fatalf("world always fired %d of %d evaluations", n, isoEvals)
	}
	if baseline[1].fired != nil || baseline[2].fired != nil {
		t.Fatalf("worlds armedNever/unarmed fired alone: %v %v", head(baseline[1].fired), head(baseline[2].fired))
	}
	if n := len(baseline[3].fired); n < isoEvals*4/10 || n > isoEvals*6/10 {
		t.Fatalf("world coin fired %d of %d evaluations at p=0.5", n, isoEvals)
	}
	mixed := baseline[4].fired
	if want := []string{"3=D", "4=D", "5=D", "6=D", "7=D"}; len(mixed) < 6 || !reflect.DeepEqual(mixed[:5], want) {
		t.Fatalf("world mixed fired %v, want %v then D2 in evaluations 200..399", head(mixed), want)
	}
	for _, f := range mixed[5:] {
		var n int
		if _, err := fmt.Sscanf(f, "%d=D2", &n); err != nil || n < 200 || n >= 400 {
			t.Fatalf("world mixed fired %q outside its window", f)
		}
	}
}

func head(s []string) []string {
	if len(s) > 5 {
		return s[:5]
	}
	return s
}
