package netsim

import "github.com/redosim/redosim/sim"

// Fault points of the network, asked once per Send that passes the
// unknown-node, down-node and partition checks; drop is asked first, delay
// only for a message that is not dropped.
const (
	// FaultDrop drops the message at send, as if lost; Send returns false.
	// The value is ignored.
	FaultDrop = "sim/net/drop"
	// FaultDelay adds a delay to the message's latency. Later messages on
	// the pair queue behind it (FIFO). A non-empty value is the delay, e.g.
	// "200ms"; empty means FaultDelayDefault.
	FaultDelay = "sim/net/delay"
)

// FaultDelayDefault is the delay FaultDelay adds when it carries no value:
// long against LAN latencies (well beyond a p99.9), short against the
// timeouts of the modelled system, so it exposes ordering bugs without
// looking like a partition.
const FaultDelayDefault = sim.Second
