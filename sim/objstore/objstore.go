package objstore

import (
	"bytes"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/dist"
)

// Config describes an object store's service: latencies, bandwidth and
// fault probabilities. DefaultConfig gives an S3-like store; the zero value
// is a store with zero latency, unbounded bandwidth and no faults.
type Config struct {
	// Name names the store in traces, stream names and errors. Empty means "s3".
	Name string
	// PutLatency is the service time of a PUT before its transfer time, in
	// nanoseconds. Default lognormal(30ms,0.5). Nil means zero.
	PutLatency dist.Dist
	// GetLatency is the time to first byte of a GET, in nanoseconds.
	// Default lognormal(15ms,0.5). Nil means zero.
	GetLatency dist.Dist
	// ListLatency is the service time of a LIST, in nanoseconds. Default
	// lognormal(20ms,0.5). Nil means zero.
	ListLatency dist.Dist
	// DeleteLatency is the service time of a DELETE, in nanoseconds.
	// Default lognormal(15ms,0.5). Nil means zero.
	DeleteLatency dist.Dist
	// PutBytesPerSec is the upload bandwidth of one PUT, in bytes per second.
	// Default 100e6. Zero means unbounded. Must not be negative.
	PutBytesPerSec float64
	// GetBytesPerSec is the download bandwidth of one GET, in bytes per
	// second. Default 100e6. Zero means unbounded. Must not be negative.
	GetBytesPerSec float64
	// PutFailProb is the probability that a PUT fails with ErrPutFailed.
	// Default 0. In [0,1].
	PutFailProb float64
	// ThrottleProb is the probability that any request is throttled with a
	// *ThrottleError. Default 0. In [0,1].
	ThrottleProb float64
	// RetryAfter is the retry-after a throttled request carries. Default 1s.
	// Must not be negative.
	RetryAfter sim.Duration
	// SlowProb is the probability that a request is slow. Default 0. In [0,1].
	SlowProb float64
	// SlowFactor multiplies the latency of a slow request. Default 10. Must
	// be at least 1 when SlowProb is positive.
	SlowFactor float64
}

// DefaultConfig returns an S3-like store in one region: PUT ~ lognormal
// with median 30ms plus size at 100 MB/s, GET ~ median 15ms plus size at
// 100 MB/s, LIST ~ median 20ms, DELETE ~ median 15ms; no faults, a
// retry-after of 1s and a slow factor of 10 for when faults are turned on.
func DefaultConfig() Config {
	return Config{
		Name:           "s3",
		PutLatency:     dist.LogNormal{Median: float64(30 * sim.Millisecond), Sigma: 0.5},
		GetLatency:     dist.LogNormal{Median: float64(15 * sim.Millisecond), Sigma: 0.5},
		ListLatency:    dist.LogNormal{Median: float64(20 * sim.Millisecond), Sigma: 0.5},
		DeleteLatency:  dist.LogNormal{Median: float64(15 * sim.Millisecond), Sigma: 0.5},
		PutBytesPerSec: 100e6,
		GetBytesPerSec: 100e6,
		RetryAfter:     sim.Second,
		SlowFactor:     10,
	}
}

// Validate reports the first field out of its bound, or nil.
func (c Config) Validate() error {
	probs := []struct {
		name string
		v    float64
	}{{"PutFailProb", c.PutFailProb}, {"ThrottleProb", c.ThrottleProb}, {"SlowProb", c.SlowProb}}
	for _, p := range probs {
		if !(p.v >= 0 && p.v <= 1) {
			return fmt.Errorf("sim/objstore: config %s = %v, want a probability in [0,1]", p.name, p.v)
		}
	}
	if !(c.PutBytesPerSec >= 0) || !(c.GetBytesPerSec >= 0) {
		return fmt.Errorf("sim/objstore: config bandwidth put=%v get=%v bytes/s, want >= 0", c.PutBytesPerSec, c.GetBytesPerSec)
	}
	if c.RetryAfter < 0 {
		return fmt.Errorf("sim/objstore: config RetryAfter = %v, want >= 0", c.RetryAfter)
	}
	if c.SlowProb > 0 && !(c.SlowFactor >= 1) {
		return fmt.Errorf("sim/objstore: config SlowFactor = %v, want >= 1 when SlowProb > 0", c.SlowFactor)
	}
	return nil
}

// Stats counts a store's requests. Counts include failed requests; bytes
// count only successful transfers.
type Stats struct {
	// Puts, Gets, Lists and Deletes count completed requests of each kind.
	Puts, Gets, Lists, Deletes uint64
	// PutBytes and GetBytes sum the payloads of successful PUTs and GETs.
	PutBytes, GetBytes uint64
	// PutFailures counts PUTs that failed with ErrPutFailed.
	PutFailures uint64
	// Throttles counts requests of any kind throttled with a *ThrottleError.
	Throttles uint64
	// SlowRequests counts requests whose latency was multiplied.
	SlowRequests uint64
	// NotFound counts GETs of a missing key.
	NotFound uint64
	// LatencySum and LatencyMax are over every completed request.
	LatencySum, LatencyMax sim.Duration
	// PutLatencySum and PutLatencyMax are over completed PUTs.
	PutLatencySum, PutLatencyMax sim.Duration
	// InFlight is the number of requests issued and not yet completed.
	InFlight int
	// Objects and ObjectBytes describe what the store holds now.
	Objects     int
	ObjectBytes int64
}

// Store is a simulated object store in one world. Create it with New.
type Store struct {
	w       *sim.World
	cfg     Config
	objects map[string][]byte // stored bodies are never mutated, only replaced
	stats   Stats
}

// New returns an empty store in w. It panics if cfg does not validate: a
// scenario checks its configuration before it builds a world.
func New(w *sim.World, cfg Config) *Store {
	if w == nil {
		panic("sim/objstore: New with a nil world")
	}
	if err := cfg.Validate(); err != nil {
		panic(err)
	}
	if cfg.Name == "" {
		cfg.Name = "s3"
	}
	return &Store{w: w, cfg: cfg, objects: make(map[string][]byte)}
}

// Name returns the store's name.
func (s *Store) Name() string { return s.cfg.Name }

// Config returns the store's configuration.
func (s *Store) Config() Config { return s.cfg }

// Put uploads data as the whole object key. data is copied at the call.
// The object becomes visible at completion, when done(nil) is called; on
// error (ErrPutFailed, *ThrottleError) nothing is written.
func (s *Store) Put(key string, data []byte, done func(error)) {
	checkRequest("put", key, done == nil)
	body := bytes.Clone(data)
	if body == nil {
		body = []byte{}
	}
	rq := s.plan(opPut, key, len(body))
	s.stats.InFlight++
	s.w.Loop.After(rq.latency, func() {
		err := rq.err()
		if err == nil {
			s.store(key, body)
		}
		s.complete(rq, len(body), err)
		done(err)
	})
}

// Get downloads the object key as it was when Get was called. done gets a
// copy of the whole object, or ErrNotFound or a *ThrottleError.
func (s *Store) Get(key string, done func([]byte, error)) {
	checkRequest("get", key, done == nil)
	body, found := s.objects[key]
	rq := s.plan(opGet, key, len(body))
	rq.notFound = !found
	s.stats.InFlight++
	s.w.Loop.After(rq.latency, func() {
		err := rq.err()
		var out []byte
		if err == nil {
			out = bytes.Clone(body)
		}
		s.complete(rq, len(out), err)
		done(out, err)
	})
}

// List returns, through done, the sorted keys that start with prefix as
// they were when List was called, or a *ThrottleError.
func (s *Store) List(prefix string, done func([]string, error)) {
	if done == nil {
		panic("sim/objstore: list with a nil done func")
	}
	keys := s.Keys(prefix)
	rq := s.plan(opList, prefix, 0)
	s.stats.InFlight++
	s.w.Loop.After(rq.latency, func() {
		err := rq.err()
		if err != nil {
			keys = nil
		}
		s.complete(rq, len(keys), err)
		done(keys, err)
	})
}

// Delete removes the object key at completion. Deleting a missing key
// succeeds, as in S3. A PUT to key that completes later brings it back.
func (s *Store) Delete(key string, done func(error)) {
	checkRequest("delete", key, done == nil)
	rq := s.plan(opDelete, key, 0)
	s.stats.InFlight++
	s.w.Loop.After(rq.latency, func() {
		err := rq.err()
		if err == nil {
			s.remove(key)
		}
		s.complete(rq, 0, err)
		done(err)
	})
}

// Keys returns the sorted keys that start with prefix, now, with no
// latency and no faults: a view for tests, recovery checks and reports.
// O(n log n) in the number of objects.
func (s *Store) Keys(prefix string) []string {
	keys := make([]string, 0, 8)
	for k := range s.objects {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// Object returns a copy of the object key as it is now, with no latency
// and no faults, and whether it exists.
func (s *Store) Object(key string) ([]byte, bool) {
	body, ok := s.objects[key]
	if !ok {
		return nil, false
	}
	return bytes.Clone(body), true
}

// Stats returns the store's counters.
func (s *Store) Stats() Stats { return s.stats }

// checkRequest panics on a caller's bug: an empty key or a nil done func.
func checkRequest(op, key string, doneNil bool) {
	if key == "" {
		panic("sim/objstore: " + op + " with an empty key")
	}
	if doneNil {
		panic("sim/objstore: " + op + " " + key + " with a nil done func")
	}
}

func (s *Store) store(key string, body []byte) {
	if old, ok := s.objects[key]; ok {
		s.stats.ObjectBytes -= int64(len(old))
	} else {
		s.stats.Objects++
	}
	s.objects[key] = body
	s.stats.ObjectBytes += int64(len(body))
}

func (s *Store) remove(key string) {
	old, ok := s.objects[key]
	if !ok {
		return
	}
	delete(s.objects, key)
	s.stats.Objects--
	s.stats.ObjectBytes -= int64(len(old))
}

// op is the kind of a request.
type op uint8

const (
	opPut op = iota
	opGet
	opList
	opDelete
)

func (o op) String() string {
	return [...]string{"put", "get", "list", "delete"}[o]
}

// request is the plan of one request, fixed when it is issued.
type request struct {
	op         op
	key        string
	latency    sim.Duration
	throttled  bool
	failed     bool
	slow       bool
	notFound   bool
	retryAfter sim.Duration
}

// err returns the error the request completes with, or nil.
func (rq *request) err() error {
	switch {
	case rq.throttled:
		return &ThrottleError{Op: rq.op.String(), Key: rq.key, RetryAfter: rq.retryAfter}
	case rq.failed:
		return &opError{op: rq.op.String(), key: rq.key, err: ErrPutFailed}
	case rq.notFound:
		return &opError{op: rq.op.String(), key: rq.key, err: ErrNotFound}
	}
	return nil
}

// plan draws a request's fate and latency. It always draws three uniforms
// and one latency from the key's stream, whatever the outcome, so the
// stream advances by the same amount per request.
func (s *Store) plan(o op, key string, sizeBytes int) request {
	r := s.w.Rand("sim/objstore/" + s.cfg.Name + "/" + key)
	uThrottle, uFail, uSlow := r.Float64(), r.Float64(), r.Float64()
	latencyDist, bytesPerSec := s.opConfig(o)
	base := sim.Duration(0)
	if latencyDist != nil {
		base = dist.Duration(latencyDist, r)
	}
	rq := request{op: o, key: key, retryAfter: s.cfg.RetryAfter}
	if v, fired := s.w.Fire(FaultThrottle); fired || uThrottle < s.cfg.ThrottleProb {
		rq.throttled = true
		if fired && v != "" {
			rq.retryAfter = parseRetryAfter(v)
		}
		rq.latency = base
		return rq
	}
	if o == opPut {
		_, fired := s.w.Fire(FaultPutFail)
		rq.failed = fired || uFail < s.cfg.PutFailProb
	}
	factor := 1.0
	if v, fired := s.w.Fire(FaultSlow); fired || uSlow < s.cfg.SlowProb {
		rq.slow = true
		factor = s.cfg.SlowFactor
		if fired && v != "" {
			factor = parseSlowFactor(v)
		}
	}
	total := float64(base) + float64(transferTime(sizeBytes, bytesPerSec))
	rq.latency = clampDuration(total * factor)
	return rq
}

func (s *Store) opConfig(o op) (dist.Dist, float64) {
	switch o {
	case opPut:
		return s.cfg.PutLatency, s.cfg.PutBytesPerSec
	case opGet:
		return s.cfg.GetLatency, s.cfg.GetBytesPerSec
	case opList:
		return s.cfg.ListLatency, 0
	default:
		return s.cfg.DeleteLatency, 0
	}
}

// complete counts and traces a finished request.
func (s *Store) complete(rq request, size int, err error) {
	st := &s.stats
	st.InFlight--
	switch rq.op {
	case opPut:
		st.Puts++
		st.PutLatencySum += rq.latency
		st.PutLatencyMax = max(st.PutLatencyMax, rq.latency)
		if err == nil {
			st.PutBytes += uint64(size)
		}
	case opGet:
		st.Gets++
		if err == nil {
			st.GetBytes += uint64(size)
		}
	case opList:
		st.Lists++
	case opDelete:
		st.Deletes++
	}
	st.LatencySum += rq.latency
	st.LatencyMax = max(st.LatencyMax, rq.latency)
	outcome := uint64(0)
	switch {
	case rq.throttled:
		st.Throttles++
		outcome = 3
	case rq.failed:
		st.PutFailures++
		outcome = 2
	case rq.notFound:
		st.NotFound++
		outcome = 1
	}
	if rq.slow {
		st.SlowRequests++
		outcome |= 4
	}
	s.w.Record("objstore/"+rq.op.String(), s.cfg.Name, sim.Digest(sim.StreamKey(rq.key), uint64(size), outcome))
}

// transferTime is the time to move sizeBytes at bytesPerSec, rounded up to
// a whole nanosecond; zero bandwidth means unbounded.
func transferTime(sizeBytes int, bytesPerSec float64) sim.Duration {
	if bytesPerSec <= 0 || sizeBytes <= 0 {
		return 0
	}
	return clampDuration(math.Ceil(float64(sizeBytes) * float64(sim.Second) / bytesPerSec))
}

func clampDuration(ns float64) sim.Duration {
	if !(ns > 0) {
		return 0
	}
	if ns > math.MaxInt64/2 {
		return sim.Duration(math.MaxInt64 / 2)
	}
	return sim.Duration(ns)
}

func parseRetryAfter(v string) sim.Duration {
	d, err := sim.ParseDuration(v)
	if err != nil || d < 0 {
		panic(fmt.Sprintf("sim/objstore: fault %s value %q: want a retry-after duration such as 2s", FaultThrottle, v))
	}
	return d
}

func parseSlowFactor(v string) float64 {
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || !(f >= 1) || math.IsInf(f, 0) {
		panic(fmt.Sprintf("sim/objstore: fault %s value %q: want a factor >= 1 such as 20", FaultSlow, v))
	}
	return f
}
