package objstore_test

import (
	"errors"
	"fmt"
	"math"
	"testing"

	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/dist"
	"github.com/redosim/redosim/sim/objstore"
)

// constConfig is a fault-free store with fixed latencies: every PUT takes
// 30ms plus size at 1 MB/s, every GET 15ms plus size at 1 MB/s.
func constConfig() objstore.Config {
	return objstore.Config{
		Name:           "s3",
		PutLatency:     dist.Const{V: float64(30 * sim.Millisecond)},
		GetLatency:     dist.Const{V: float64(15 * sim.Millisecond)},
		ListLatency:    dist.Const{V: float64(20 * sim.Millisecond)},
		DeleteLatency:  dist.Const{V: float64(10 * sim.Millisecond)},
		PutBytesPerSec: 1e6,
		GetBytesPerSec: 1e6,
		RetryAfter:     sim.Second,
		SlowFactor:     10,
	}
}

func run(t *testing.T, w *sim.World) {
	t.Helper()
	if err := w.Loop.Run(); err != nil {
		t.Fatal(err)
	}
}

// TestPutAtomicVisibility checks that a PUT is invisible until it completes
// and then visible whole; and that a GET reads the state at its issue. Method:
// fixed latencies, GETs issued before and after the PUT's completion.
func TestPutAtomicVisibility(t *testing.T) {
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	s := objstore.New(w, constConfig())
	data := make([]byte, 1000) // 30ms + 1ms
	for i := range data {
		data[i] = byte(i)
	}
	var putAt sim.Instant
	s.Put("redo/a.log", data, func(err error) {
		if err != nil {
			t.Errorf("put: %v", err)
		}
		putAt = w.Now()
	})
	data[0] = 99 // the store copied at the call
	type result struct {
		at   sim.Instant
		size int
		err  error
	}
	var early, late result
	w.Loop.After(20*sim.Millisecond, func() {
		if _, ok := s.Object("redo/a.log"); ok {
			t.Errorf("object visible at %v, before the put completed", w.Now())
		}
		// Issued at 20ms, before the put completes at 31ms, and completing
		// after it at 35ms: a GET reads the state at its issue, so it must
		// not see the object.
		s.Get("redo/a.log", func(b []byte, err error) { early = result{w.Now(), len(b), err} })
	})
	w.Loop.After(40*sim.Millisecond, func() {
		s.Get("redo/a.log", func(b []byte, err error) {
			late = result{w.Now(), len(b), err}
			if len(b) == 1000 && (b[0] != 0 || b[999] != byte(999%256)) {
				t.Errorf("get returned altered bytes: b[0]=%d b[999]=%d", b[0], b[999])
			}
		})
	})
	run(t, w)
	if want := sim.Instant(31 * sim.Millisecond); putAt != want {
		t.Errorf("put completed at %v want %v", putAt, want)
	}
	if !errors.Is(early.err, objstore.ErrNotFound) || early.size != 0 || early.at != sim.Instant(35*sim.Millisecond) {
		t.Errorf("early get = (%d bytes, %v) at %v want not found at 35ms", early.size, early.err, early.at)
	}
	if late.err != nil || late.size != 1000 {
		t.Errorf("late get = (%d bytes, %v) want 1000 bytes", late.size, late.err)
	}
	if want := sim.Instant(56 * sim.Millisecond); late.at != want {
		t.Errorf("late get completed at %v want %v (40ms + 15ms + 1ms)", late.at, want)
	}
}

// TestFailedPutWritesNothing checks all-or-nothing on failure: a PUT that
// fails leaves the previous object in place.
func TestFailedPutWritesNothing(t *testing.T) {
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	s := objstore.New(w, constConfig())
	s.Put("k", []byte("old"), func(error) {})
	run(t, w)
	cfg := constConfig()
	cfg.PutFailProb = 1
	failing := objstore.New(w, cfg)
	var err error
	failing.Put("k", []byte("new"), func(e error) { err = e })
	run(t, w)
	if !errors.Is(err, objstore.ErrPutFailed) {
		t.Fatalf("put error = %v want ErrPutFailed", err)
	}
	if got, want := err.Error(), "sim/objstore: put k: put failed (internal error)"; got != want {
		t.Errorf("error = %q want %q", got, want)
	}
	if _, ok := failing.Object("k"); ok {
		t.Errorf("failed put created the object")
	}
	if b, _ := s.Object("k"); string(b) != "old" {
		t.Errorf("object = %q want old", b)
	}
}

// TestLatencyScalesWithSize checks latency = base + size/bandwidth for PUT
// and GET, rounded up to a nanosecond.
func TestLatencyScalesWithSize(t *testing.T) {
	tests := []struct {
		sizeBytes int
		put, get  sim.Duration
	}{
		{0, 30 * sim.Millisecond, 15 * sim.Millisecond},
		{1, 30*sim.Millisecond + sim.Microsecond, 15*sim.Millisecond + sim.Microsecond},
		{1000, 31 * sim.Millisecond, 16 * sim.Millisecond},
		{1_000_000, 1030 * sim.Millisecond, 1015 * sim.Millisecond},
		{64 << 20, 30*sim.Millisecond + 67108864*sim.Microsecond, 15*sim.Millisecond + 67108864*sim.Microsecond},
	}
	for _, tt := range tests {
		w := sim.NewWorld(sim.WorldConfig{Seed: 1})
		s := objstore.New(w, constConfig())
		var put, get sim.Duration
		s.Put("k", make([]byte, tt.sizeBytes), func(error) {
			put = sim.Duration(w.Now())
			start := w.Now()
			s.Get("k", func([]byte, error) { get = w.Now().Sub(start) })
		})
		run(t, w)
		if put != tt.put || get != tt.get {
			t.Errorf("size %d: put %v get %v, want put %v get %v", tt.sizeBytes, put, get, tt.put, tt.get)
		}
	}
}

// TestFaultProbabilities checks that throttling, PUT failure and slowness
// happen at the configured rates. Method: 20000 PUTs to distinct keys with a
// fixed seed; each rate must be within 1 percentage point.
func TestFaultProbabilities(t *testing.T) {
	const n = 20000
	cfg := constConfig()
	cfg.ThrottleProb, cfg.PutFailProb, cfg.SlowProb = 0.2, 0.1, 0.05
	w := sim.NewWorld(sim.WorldConfig{Seed: 42})
	s := objstore.New(w, cfg)
	var throttled, failed, ok int
	for i := range n {
		key := fmt.Sprintf("redo/%05d.log", i)
		s.Put(key, []byte("x"), func(err error) {
			var te *objstore.ThrottleError
			switch {
			case err == nil:
				ok++
			case errors.As(err, &te):
				if !errors.Is(err, objstore.ErrThrottled) || te.RetryAfter != sim.Second || te.Key != key {
					t.Fatalf("bad throttle error %#v", te)
				}
				throttled++
			case errors.Is(err, objstore.ErrPutFailed):
				failed++
			default:
				t.Fatalf("unexpected error %v", err)
			}
		})
	}
	run(t, w)
	st := s.Stats()
	checkRate(t, "throttle", throttled, n, 0.2)
	checkRate(t, "put failure", failed, n, 0.8*0.1)
	checkRate(t, "slow", int(st.SlowRequests), n, 0.8*0.05)
	if st.Puts != n || int(st.Throttles) != throttled || int(st.PutFailures) != failed || st.Objects != ok {
		t.Errorf("stats %+v disagree with callbacks: throttled %d failed %d ok %d", st, throttled, failed, ok)
	}
	if st.PutLatencyMax != 10*(30*sim.Millisecond+sim.Microsecond) {
		t.Errorf("max put latency %v want a slow request's 10 x 30.001ms", st.PutLatencyMax)
	}
	if st.InFlight != 0 {
		t.Errorf("in flight %d after the run", st.InFlight)
	}
}

func checkRate(t *testing.T, what string, got, n int, want float64) {
	t.Helper()
	rate := float64(got) / float64(n)
	if math.Abs(rate-want) > 0.01 {
		t.Errorf("%s rate = %.4f (%d of %d) want %.4f ± 0.01", what, rate, got, n, want)
	}
}

// testFaults is a FaultDecider that fires each point a set number of times
// and counts how often each point was asked.
type testFaults struct {
	remaining map[string]int
	values    map[string]string
	asked     map[string]int
}

func newTestFaults() *testFaults {
	return &testFaults{remaining: map[string]int{}, values: map[string]string{}, asked: map[string]int{}}
}

func (f *testFaults) arm(point string, times int, value string) {
	f.remaining[point] = times
	f.values[point] = value
}

func (f *testFaults) Fire(point string) (string, bool) {
	f.asked[point]++
	if f.remaining[point] > 0 {
		f.remaining[point]--
		return f.values[point], true
	}
	return "", false
}

// TestFaultPoints checks each fault point, its value, and the evaluation
// order (throttle first; a throttled request asks no other point).
func TestFaultPoints(t *testing.T) {
	w := sim.NewWorld(sim.WorldConfig{Seed: 7, KeepTrace: true})
	faults := newTestFaults()
	w.Faults = faults
	faults.arm(objstore.FaultThrottle, 1, "2s")
	faults.arm(objstore.FaultPutFail, 1, "")
	faults.arm(objstore.FaultSlow, 1, "5")
	s := objstore.New(w, constConfig())
	var errs []error
	var lat []sim.Duration
	for i := range 3 {
		start := w.Now()
		s.Put("redo/x.log", []byte{byte(i)}, func(err error) {
			errs = append(errs, err)
			lat = append(lat, w.Now().Sub(start))
		})
		run(t, w)
	}
	if got, want := fmt.Sprint(errs[0]), "sim/objstore: put redo/x.log: throttled, retry after 2s"; got != want {
		t.Errorf("put 1 error = %q want %q", got, want)
	}
	if !errors.Is(errs[1], objstore.ErrPutFailed) || errs[2] != nil {
		t.Errorf("put 2, 3 errors = %v, %v want ErrPutFailed, nil", errs[1], errs[2])
	}
	base := 30*sim.Millisecond + sim.Microsecond
	if lat[0] != 30*sim.Millisecond || lat[1] != 5*base || lat[2] != base {
		t.Errorf("latencies %v want [30ms %v %v]", lat, 5*base, base)
	}
	if faults.asked[objstore.FaultThrottle] != 3 || faults.asked[objstore.FaultPutFail] != 2 || faults.asked[objstore.FaultSlow] != 2 {
		t.Errorf("points asked %v want throttle 3, putFail 2, slow 2", faults.asked)
	}
	if b, _ := s.Object("redo/x.log"); len(b) != 1 || b[0] != 2 {
		t.Errorf("object = %v want [2]", b)
	}
	fired := 0
	for _, e := range w.Trace.Events() {
		if e.Kind == "fault" {
			fired++
		}
	}
	if fired != 3 {
		t.Errorf("trace holds %d fault firings want 3", fired)
	}
}

// TestGetListDelete checks the other requests: not found, sorted and
// prefix-filtered LIST, DELETE of a missing key, throttling of a GET.
func TestGetListDelete(t *testing.T) {
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	s := objstore.New(w, constConfig())
	for _, k := range []string{"redo/b", "redo/a", "meta/x", "redo/c"} {
		s.Put(k, []byte(k), func(error) {})
	}
	run(t, w)
	var getErr, delErr error
	var listed []string
	s.Get("redo/zz", func(_ []byte, err error) { getErr = err })
	s.List("redo/", func(keys []string, err error) { listed = keys })
	s.Delete("redo/missing", func(err error) { delErr = err })
	s.Delete("redo/b", func(error) {})
	run(t, w)
	if got, want := fmt.Sprint(getErr), "sim/objstore: get redo/zz: not found"; got != want || !errors.Is(getErr, objstore.ErrNotFound) {
		t.Errorf("get error = %q want %q", got, want)
	}
	if fmt.Sprint(listed) != "[redo/a redo/b redo/c]" {
		t.Errorf("list = %v want [redo/a redo/b redo/c] (snapshot at issue, sorted)", listed)
	}
	if delErr != nil {
		t.Errorf("delete of a missing key = %v want nil", delErr)
	}
	if got := fmt.Sprint(s.Keys("")); got != "[meta/x redo/a redo/c]" {
		t.Errorf("keys after delete = %s", got)
	}
	st := s.Stats()
	if st.Objects != 3 || st.ObjectBytes != 18 || st.NotFound != 1 || st.Lists != 1 || st.Deletes != 2 {
		t.Errorf("stats %+v", st)
	}

	w2 := sim.NewWorld(sim.WorldConfig{Seed: 1})
	cfg := constConfig()
	cfg.ThrottleProb = 1
	t2 := objstore.New(w2, cfg)
	t2.Get("k", func(_ []byte, err error) { getErr = err })
	run(t, w2)
	if got, want := fmt.Sprint(getErr), "sim/objstore: get k: throttled, retry after 1s"; got != want {
		t.Errorf("throttled get = %q want %q", got, want)
	}
}

// TestDeterminism checks that the same seed gives the same completion
// times and trace hash, and another seed does not. Method: a mixed workload
// on the default (random-latency) config with every fault turned on.
func TestDeterminism(t *testing.T) {
	a, ha := workload(t, 5)
	b, hb := workload(t, 5)
	c, hc := workload(t, 6)
	if fmt.Sprint(a) != fmt.Sprint(b) || ha != hb {
		t.Fatalf("same seed diverged: hashes %s %s", ha, hb)
	}
	if fmt.Sprint(a) == fmt.Sprint(c) || ha == hc {
		t.Errorf("seeds 5 and 6 gave the same run (hash %s)", ha)
	}
}

func workload(t *testing.T, seed uint64) ([]sim.Instant, string) {
	w := sim.NewWorld(sim.WorldConfig{Seed: seed})
	cfg := objstore.DefaultConfig()
	cfg.ThrottleProb, cfg.PutFailProb, cfg.SlowProb = 0.05, 0.05, 0.05
	s := objstore.New(w, cfg)
	var done []sim.Instant
	mark := func(error) { done = append(done, w.Now()) }
	r := w.Rand("test/workload")
	for i := range 200 {
		key := fmt.Sprintf("redo/%03d", r.IntN(50))
		w.Loop.After(sim.Duration(i)*sim.Millisecond, func() {
			switch r.IntN(4) {
			case 0:
				s.Put(key, make([]byte, r.IntN(1<<20)), mark)
			case 1:
				s.Get(key, func(_ []byte, err error) { mark(err) })
			case 2:
				s.List("redo/", func(_ []string, err error) { mark(err) })
			default:
				s.Delete(key, mark)
			}
		})
	}
	run(t, w)
	return done, w.Trace.HashString()
}

// TestConfigValidate checks that bad configurations are refused by name.
func TestConfigValidate(t *testing.T) {
	if err := objstore.DefaultConfig().Validate(); err != nil {
		t.Fatalf("default config: %v", err)
	}
	bad := []func(*objstore.Config){
		func(c *objstore.Config) { c.PutFailProb = 1.5 },
		func(c *objstore.Config) { c.ThrottleProb = math.NaN() },
		func(c *objstore.Config) { c.PutBytesPerSec = -1 },
		func(c *objstore.Config) { c.RetryAfter = -1 },
		func(c *objstore.Config) { c.SlowProb, c.SlowFactor = 0.1, 0.5 },
	}
	for i, mutate := range bad {
		c := objstore.DefaultConfig()
		mutate(&c)
		if c.Validate() == nil {
			t.Errorf("bad config %d validated", i)
		}
	}
}
