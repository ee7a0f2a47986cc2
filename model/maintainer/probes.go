package maintainer

// Coverage probes of the maintainer (sim.World.Probe): rare situations a
// campaign must show it reached (catalogue in scenarios/swarm).
const (
	// ProbeBarrierPassAfterRestart: a barrier event reported again after a
	// restart was answered with Pass because a covered node had already
	// passed it (the restarted-maintainer fix).
	ProbeBarrierPassAfterRestart = "model/maintainer/barrierPassAfterRestart"
)
