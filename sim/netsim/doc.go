// Package netsim simulates the network between a world's nodes: messages
// with drawn latency, per-link bandwidth, random loss, symmetric and
// one-way partitions, and nodes that are down.
//
// A message is delivered as a loop event that calls the destination's
// Handler. Per ordered pair (from, to) delivery is FIFO, like a TCP or
// gRPC stream, with
//
//	start     = max(now, end of the previous transfer on the pair)
//	delivery  = max(start + size/bandwidth + latency draw, last delivery on the pair)
//
// so the pair's link serialises transfers (bandwidth is shared by the
// pair's messages, not per message) and a fast message waits behind a slow
// one instead of overtaking it (head-of-line blocking). Pairs are
// independent of each other.
//
// What drops a message, and when it is checked:
//
//   - at send: an unknown destination, a down sender or destination, a
//     partition from sender to destination, the "sim/net/drop" fault point,
//     and random loss (LinkConfig.Loss), in that order; Send returns false;
//   - on arrival: a destination that is down, or that went down (crashed)
//     after the send even if it has restarted since (a new incarnation does
//     not receive its predecessor's messages, as a broken connection would
//     lose them), and a partition from sender to destination in force at
//     that instant.
//
// A message already in flight when its sender goes down is still
// delivered: it left the machine. Send's result is for statistics and
// tests; the model's actors must not use it as a failure detector, which
// no real network offers.
//
// Payloads are passed by reference and never copied: a sender must not
// mutate a message after Send. Each Send draws one loss uniform and one
// latency from the pair's stream "sim/net/<from>-><to>", whatever becomes
// of the message, so traffic on other pairs and the fate of this one never
// shift the pair's draws. Deliveries and drops are recorded in the trace
// (kinds "net/deliver" and "net/drop", actor "<from>-><to>").
//
// Usage:
//
//	net := netsim.New(w, netsim.Config{Default: netsim.LinkConfig{Latency: dist.MustParse("exp(500us)")}})
//	net.AddNode("n1", func(from netsim.NodeID, msg any) { ... })
//	net.AddNode("n2", handler2)
//	net.Send("n2", "n1", ping{}, 64)
//	net.Partition([]netsim.NodeID{"n1"}, []netsim.NodeID{"n2"})
//	net.Heal()
//
// A Network is not safe for concurrent use: one world, one goroutine.
package netsim
