package netsim

import (
	"fmt"
	"math"

	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/dist"
)

// DropCause says why a message was dropped.
type DropCause uint8

// Causes of a drop, indexes of Stats.Dropped.
const (
	// DropUnknown: the destination was never registered.
	DropUnknown DropCause = iota
	// DropDown: the sender or destination was down at send, or the
	// destination was down or had crashed since the send at arrival.
	DropDown
	// DropPartition: the link was cut at send or at arrival.
	DropPartition
	// DropFault: the FaultDrop point fired.
	DropFault
	// DropLoss: random loss per LinkConfig.Loss.
	DropLoss
	// DropCauses is the number of causes.
	DropCauses
)

// String returns the cause's name as reports print it, e.g. "partition".
func (c DropCause) String() string {
	if c >= DropCauses {
		return fmt.Sprintf("DropCause(%d)", uint8(c))
	}
	return [...]string{"unknown", "down", "partition", "fault", "loss"}[c]
}

// Stats counts a network's messages.
type Stats struct {
	// Sends counts calls of Send.
	Sends uint64
	// Delivered counts messages handed to a handler.
	Delivered uint64
	// Dropped counts dropped messages by cause, at send or on arrival.
	Dropped [DropCauses]uint64
	// BytesSent sums the sizes of messages that left their sender.
	BytesSent uint64
	// BytesDelivered sums the sizes of delivered messages.
	BytesDelivered uint64
	// InFlight is the number of messages sent and not yet arrived.
	InFlight int
}

// DroppedTotal returns the number of dropped messages of every cause.
func (s Stats) DroppedTotal() uint64 {
	var sum uint64
	for _, d := range s.Dropped {
		sum += d
	}
	return sum
}

// message is one message in flight.
type message struct {
	link      *link
	from, to  NodeID
	msg       any
	sizeBytes int
	seq       uint64
	epoch     uint64 // the destination's epoch at send
}

// Send sends msg of sizeBytes from -> to. It reports false when the message
// is dropped at send (see the package doc for the causes); otherwise the
// message is delivered as a loop event, unless dropped on arrival. from need
// not be registered (an outside client); it cannot then be down.
func (n *Network) Send(from, to NodeID, msg any, sizeBytes int) bool {
	if sizeBytes < 0 {
		panic(fmt.Sprintf("sim/netsim: send %s->%s with size %d", from, to, sizeBytes))
	}
	n.stats.Sends++
	n.seq++
	l := n.link(from, to)
	// Draw first, whatever happens next, so the pair's stream advances by
	// one uniform and one latency per Send.
	uLoss := l.rand.Float64()
	latency := sim.Duration(0)
	if l.cfg.Latency != nil {
		latency = dist.Duration(l.cfg.Latency, l.rand)
	}
	m := &message{link: l, from: from, to: to, msg: msg, sizeBytes: sizeBytes, seq: n.seq}
	if cause, dropped := n.dropAtSend(l, m, uLoss); dropped {
		n.drop(m, cause)
		return false
	}
	if v, fired := n.w.Fire(FaultDelay); fired {
		latency += parseDelay(v)
	}
	m.epoch = n.nodes[to].epoch
	at := n.schedule(l, sizeBytes, latency)
	n.stats.BytesSent += uint64(sizeBytes)
	n.stats.InFlight++
	n.w.Loop.At(at, func() { n.arrive(m) })
	return true
}

// dropAtSend applies the checks made at send, in the documented order.
func (n *Network) dropAtSend(l *link, m *message, uLoss float64) (DropCause, bool) {
	dst, ok := n.nodes[m.to]
	if !ok {
		return DropUnknown, true
	}
	if dst.down || n.Down(m.from) {
		return DropDown, true
	}
	if n.blocked[pair{m.from, m.to}] {
		return DropPartition, true
	}
	if _, fired := n.w.Fire(FaultDrop); fired {
		return DropFault, true
	}
	if uLoss < l.cfg.Loss {
		return DropLoss, true
	}
	return 0, false
}

// schedule books the link for a transfer of sizeBytes and returns the
// delivery instant, clamped so the pair stays FIFO.
func (n *Network) schedule(l *link, sizeBytes int, latency sim.Duration) sim.Instant {
	start := max(n.w.Now(), l.busyUntil)
	l.busyUntil = start.Add(transferTime(sizeBytes, l.cfg.BytesPerSec))
	at := l.busyUntil.Add(latency)
	if n.fifoClampOff {
		return at
	}
	at = max(at, l.lastDelivery)
	l.lastDelivery = at
	return at
}

// arrive delivers m unless its destination went down or the link was cut
// while it was in flight.
func (n *Network) arrive(m *message) {
	n.stats.InFlight--
	dst := n.nodes[m.to]
	if dst.down || dst.epoch != m.epoch {
		n.drop(m, DropDown)
		return
	}
	if n.blocked[pair{m.from, m.to}] {
		n.drop(m, DropPartition)
		return
	}
	n.stats.Delivered++
	n.stats.BytesDelivered += uint64(m.sizeBytes)
	n.w.Record("net/deliver", m.link.name, sim.Digest(m.seq, uint64(m.sizeBytes)))
	dst.handler(m.from, m.msg)
}

func (n *Network) drop(m *message, cause DropCause) {
	n.stats.Dropped[cause]++
	n.w.Record("net/drop", m.link.name, sim.Digest(m.seq, uint64(m.sizeBytes), uint64(cause)))
}

// transferTime is the time sizeBytes occupy a link of bytesPerSec, rounded
// up to a whole nanosecond; zero bandwidth means unbounded.
func transferTime(sizeBytes int, bytesPerSec float64) sim.Duration {
	if bytesPerSec <= 0 || sizeBytes <= 0 {
		return 0
	}
	ns := math.Ceil(float64(sizeBytes) * float64(sim.Second) / bytesPerSec)
	if ns > math.MaxInt64/4 {
		return sim.Duration(math.MaxInt64 / 4)
	}
	return sim.Duration(ns)
}

func parseDelay(v string) sim.Duration {
	if v == "" {
		return FaultDelayDefault
	}
	d, err := sim.ParseDuration(v)
	if err != nil || d < 0 {
		panic(fmt.Sprintf("sim/netsim: fault %s value %q: want a delay such as 200ms", FaultDelay, v))
	}
	return d
}
