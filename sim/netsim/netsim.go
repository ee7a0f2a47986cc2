package netsim

import (
	"fmt"
	"math"

	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/dist"
)

// NodeID names a node on the network, e.g. "capture-1".
type NodeID string

// Message is any payload a node sends. It is an alias of any, so a func
// taking a Message is a Handler.
type Message = any

// Handler receives the messages delivered to a node.
type Handler func(from NodeID, msg any)

// LinkConfig describes one direction of a link between two nodes.
type LinkConfig struct {
	// Latency is the one-way propagation delay in nanoseconds. Nil means zero.
	Latency dist.Dist
	// Loss is the probability that a message is lost at send. In [0,1].
	Loss float64
	// BytesPerSec is the link's bandwidth in bytes per second; a message of
	// size s occupies the link for s/BytesPerSec. Zero means unbounded.
	BytesPerSec float64
}

// Validate reports the first field out of its bound, or nil.
func (lc LinkConfig) Validate() error {
	if !(lc.Loss >= 0 && lc.Loss <= 1) {
		return fmt.Errorf("sim/netsim: link Loss = %v, want a probability in [0,1]", lc.Loss)
	}
	if !(lc.BytesPerSec >= 0) || math.IsInf(lc.BytesPerSec, 0) {
		return fmt.Errorf("sim/netsim: link BytesPerSec = %v, want a finite value >= 0", lc.BytesPerSec)
	}
	return nil
}

// Config configures a Network.
type Config struct {
	// Default is the configuration of every link not set by SetLink.
	Default LinkConfig
}

// DefaultConfig returns a LAN inside one data center: latency lognormal
// with median 250µs (a p99 near 800µs), 1 GB/s per pair, no loss.
func DefaultConfig() Config {
	return Config{Default: LinkConfig{
		Latency:     dist.LogNormal{Median: float64(250 * sim.Microsecond), Sigma: 0.5},
		BytesPerSec: 1e9,
	}}
}

// pair is an ordered (from, to) pair of nodes.
type pair struct{ from, to NodeID }

// link is the state of one direction between two nodes.
type link struct {
	cfg          LinkConfig
	name         string    // "from->to", the trace actor
	rand         *sim.Rand // "sim/net/from->to"
	busyUntil    sim.Instant
	lastDelivery sim.Instant
}

// endpoint is a registered node.
type endpoint struct {
	handler Handler
	down    bool
	epoch   uint64 // incremented whenever the node goes down
}

// Network is the simulated network of one world. Create it with New.
type Network struct {
	w       *sim.World
	cfg     Config
	nodes   map[NodeID]*endpoint
	links   map[pair]*link
	blocked map[pair]bool
	stats   Stats
	seq     uint64 // messages sent, numbers each message for the trace

	// fifoClampOff turns off the clamp to the pair's last delivery, so
	// messages may overtake one another. Only tests set it (planted bug).
	fifoClampOff bool
}

// New returns a network with no nodes in w. It panics if the default link
// configuration does not validate.
func New(w *sim.World, cfg Config) *Network {
	if w == nil {
		panic("sim/netsim: New with a nil world")
	}
	if err := cfg.Default.Validate(); err != nil {
		panic(err)
	}
	return &Network{
		w:       w,
		cfg:     cfg,
		nodes:   make(map[NodeID]*endpoint),
		links:   make(map[pair]*link),
		blocked: make(map[pair]bool),
	}
}

// AddNode registers id with handler h, or replaces the handler of a
// registered node (keeping its down state). Messages in flight to id are
// delivered to the handler registered when they arrive.
func (n *Network) AddNode(id NodeID, h Handler) {
	if h == nil {
		panic("sim/netsim: AddNode " + string(id) + " with a nil handler")
	}
	if e, ok := n.nodes[id]; ok {
		e.handler = h
		return
	}
	n.nodes[id] = &endpoint{handler: h}
}

// SetLink sets the configuration of the link from -> to. The pair's FIFO
// order holds across the change. It panics if lc does not validate.
func (n *Network) SetLink(from, to NodeID, lc LinkConfig) {
	if err := lc.Validate(); err != nil {
		panic(fmt.Errorf("link %s->%s: %w", from, to, err))
	}
	n.link(from, to).cfg = lc
}

// link returns the state of from -> to, creating it with the default
// configuration on first use.
func (n *Network) link(from, to NodeID) *link {
	p := pair{from, to}
	if l, ok := n.links[p]; ok {
		return l
	}
	name := string(from) + "->" + string(to)
	l := &link{cfg: n.cfg.Default, name: name, rand: n.w.Rand("sim/net/" + name)}
	n.links[p] = l
	return l
}

// Partition cuts every link between a node of a and a node of b, both
// ways. Partitions add up until Heal.
func (n *Network) Partition(a, b []NodeID) {
	n.PartitionOneWay(a, b)
	n.PartitionOneWay(b, a)
}

// PartitionOneWay cuts every link from a node of from to a node of to;
// the other direction still works.
func (n *Network) PartitionOneWay(from, to []NodeID) {
	digest := sim.Digest(uint64(len(from)), uint64(len(to)))
	for _, f := range from {
		for _, t := range to {
			if f != t {
				n.blocked[pair{f, t}] = true
				digest = sim.Digest(digest, sim.StreamKey(string(f)), sim.StreamKey(string(t)))
			}
		}
	}
	n.w.Record("net/partition", "net", digest)
}

// Heal removes every partition.
func (n *Network) Heal() {
	clear(n.blocked)
	n.w.Record("net/heal", "net", 0)
}

// Partitioned reports whether the link from -> to is cut now.
func (n *Network) Partitioned(from, to NodeID) bool { return n.blocked[pair{from, to}] }

// SetDown takes a registered node down (it crashed: it neither sends nor
// receives, and messages in flight to it are lost) or brings it back up.
func (n *Network) SetDown(id NodeID, down bool) {
	e, ok := n.nodes[id]
	if !ok {
		panic("sim/netsim: SetDown of unknown node " + string(id))
	}
	if down && !e.down {
		e.epoch++
	}
	e.down = down
}

// Down reports whether id is registered and down.
func (n *Network) Down(id NodeID) bool {
	e, ok := n.nodes[id]
	return ok && e.down
}

// Stats returns the network's counters.
func (n *Network) Stats() Stats { return n.stats }
