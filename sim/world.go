package sim

// World is one simulated universe: a loop, a seed split into named random
// streams, and a trace. Everything inside a world runs on one goroutine and
// draws randomness only from its streams, so a world with the same seed and
// parameters always ends with the same trace hash. Many worlds may run at
// once, one per goroutine; they share nothing.
type World struct {
	Loop    *Loop
	Streams *Streams
	Trace   *Trace
	// Faults decides whether a named fault point fires in this world. It is
	// never nil: a world without a plan fires nothing.
	Faults FaultDecider
	// probes counts the rare situations the world reached (probe.go).
	probes map[string]uint64
}

// FaultDecider is the world's side of fault injection: asked whether the
// named fault point fires now, it answers from the world's own plan and
// seeded randomness, never from global state. Package sim/fault implements
// it on top of github.com/pingcap/failpoint.
type FaultDecider interface {
	// Fire reports whether the point fires at this evaluation, and the value
	// it carries (for example an errno name or a latency factor).
	Fire(point string) (value string, fired bool)
}

// WorldConfig configures NewWorld. The zero value is a world with seed 0, a
// hash-only trace and no step bound.
type WorldConfig struct {
	// Seed is the world seed every random stream derives from.
	Seed uint64
	// KeepTrace stores every trace event (for timelines and divergence
	// reports) instead of only the rolling hash.
	KeepTrace bool
	// StepsMax bounds the events the loop may run; 0 means unbounded.
	StepsMax uint64
}

// NewWorld builds a world from cfg.
func NewWorld(cfg WorldConfig) *World {
	return &World{
		Loop:    NewLoop(cfg.StepsMax),
		Streams: NewStreams(cfg.Seed),
		Trace:   NewTrace(cfg.KeepTrace),
		Faults:  NoFaults{},
	}
}

// Now returns the world's virtual time.
func (w *World) Now() Instant { return w.Loop.Now() }

// Rand returns the world's random stream named name.
func (w *World) Rand(name string) *Rand { return w.Streams.Get(name) }

// Record adds an event at the current time to the world's trace.
func (w *World) Record(kind, actor string, digest uint64) {
	w.Trace.Record(w.Loop.Now(), kind, actor, digest)
}

// Fire asks the world's fault decider whether point fires now; a firing is
// recorded in the trace so a replay can be checked against it.
func (w *World) Fire(point string) (string, bool) {
	v, ok := w.Faults.Fire(point)
	if ok {
		w.Record("fault", point, DigestBytes([]byte(v)))
	}
	return v, ok
}

// NoFaults is the FaultDecider of a world without a fault plan.
type NoFaults struct{}

// Fire never fires.
func (NoFaults) Fire(string) (string, bool) { return "", false }
