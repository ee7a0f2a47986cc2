package dispatcher

// Coverage probes of the dispatchers (sim.World.Probe): rare situations a
// campaign must show it reached (catalogue in scenarios/swarm).
const (
	// ProbeFenceCacheReleased: a batch waiting in an event dispatcher's
	// redo fence cache was handed on after redoGlobalTs rose.
	ProbeFenceCacheReleased = "model/dispatcher/fenceCacheReleased"
)
