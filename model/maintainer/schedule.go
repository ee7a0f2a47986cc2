package maintainer

import (
	"slices"

	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/netsim"
)

// TiCDC's capture-failure and scheduling constants, for the capture
// failure semantics of issue 11 (not yet wired into model/cluster; see
// Placement).
const (
	// DefaultSessionTTL is a capture's etcd session TTL (TiCDC
	// pkg/config/server.go, CaptureSessionTTL 10, in seconds; at least 5).
	// A crashed capture's key vanishes when its lease expires: between
	// 2/3 of the TTL and the TTL after the crash, keep-alives being sent
	// every TTL/3.
	DefaultSessionTTL = 10 * sim.Second
	// DefaultCaptureRemoveDelay is how long the node manager keeps a capture
	// whose key vanished before it reports it gone (TiCDC
	// pkg/orchestrator/reactor_state.go, captureRemoveTTL = max(TTL/2, 5 s)).
	DefaultCaptureRemoveDelay = 5 * sim.Second
	// DefaultCheckBalanceInterval is the balance scheduler's period (TiCDC
	// pkg/config/scheduler_config.go, CheckBalanceInterval 15 s).
	DefaultCheckBalanceInterval = 15 * sim.Second
	// DefaultBalanceMoveBatchSize bounds the moves of one balance round
	// (BalanceMoveBatchSize 1024).
	DefaultBalanceMoveBatchSize = 1024
	// DefaultAddTableBatchSize bounds the add operators in flight
	// (AddTableBatchSize 10000, the basic scheduler's batchSize).
	DefaultAddTableBatchSize = 10000
)

// Move is one scheduling decision: table goes to node To (From is empty
// for an absent table).
type Move struct {
	Table    int64
	From, To netsim.NodeID
}

// Placement is the span controller of the model's scheduler: which node
// replicates each table, which tables are absent (their node was removed)
// and which are being added (an add operator in flight). Every table is in
// exactly one of the three. Nodes are kept sorted, tables by id, so every
// decision is deterministic.
//
// TiCDC keeps separate span controllers and schedulers for event and redo
// dispatchers (maintainer/scheduler.go); the model moves a table's two
// dispatchers together.
type Placement struct {
	nodes      []netsim.NodeID
	on         map[int64]netsim.NodeID // replicating
	absent     map[int64]uint64        // table -> checkpoint it restarts from
	scheduling map[int64]scheduled     // add operator in flight
}

type scheduled struct {
	node    netsim.NodeID
	startTs uint64
}

// NewPlacement returns a placement over the alive nodes, with no tables.
func NewPlacement(nodes []netsim.NodeID) *Placement {
	ns := slices.Clone(nodes)
	slices.Sort(ns)
	return &Placement{nodes: slices.Compact(ns), on: map[int64]netsim.NodeID{},
		absent: map[int64]uint64{}, scheduling: map[int64]scheduled{}}
}

// Place records table as replicating on node id.
func (p *Placement) Place(table int64, id netsim.NodeID) {
	delete(p.absent, table)
	delete(p.scheduling, table)
	p.on[table] = id
}

// AddNode adds an alive node (a new capture joins empty).
func (p *Placement) AddNode(id netsim.NodeID) {
	if i, ok := slices.BinarySearch(p.nodes, id); !ok {
		p.nodes = slices.Insert(p.nodes, i, id)
	}
}

// RemoveNode removes a node whose session expired: its tables, replicating
// or being added there, become absent at checkpointTs (TiCDC
// Controller.RemoveNode: the operators of the node end and its spans are
// marked absent).
func (p *Placement) RemoveNode(id netsim.NodeID, checkpointTs uint64) {
	if i, ok := slices.BinarySearch(p.nodes, id); ok {
		p.nodes = slices.Delete(p.nodes, i, i+1)
	}
	for _, t := range tableKeys(p.on) {
		if p.on[t] == id {
			delete(p.on, t)
			p.absent[t] = checkpointTs
		}
	}
	for _, t := range tableKeys(p.scheduling) {
		if s := p.scheduling[t]; s.node == id {
			delete(p.scheduling, t)
			p.absent[t] = min(s.startTs, checkpointTs)
		}
	}
}

// Nodes returns the alive nodes, sorted.
func (p *Placement) Nodes() []netsim.NodeID { return slices.Clone(p.nodes) }

// Tables returns the tables replicating on id, sorted.
func (p *Placement) Tables(id netsim.NodeID) []int64 {
	var ts []int64
	for _, t := range tableKeys(p.on) {
		if p.on[t] == id {
			ts = append(ts, t)
		}
	}
	return ts
}

// Absent returns the absent tables, sorted.
func (p *Placement) Absent() []int64 { return tableKeys(p.absent) }

// Done completes table's add operator: it replicates where it was sent.
// It reports whether an add was in flight.
func (p *Placement) Done(table int64) bool {
	s, ok := p.scheduling[table]
	if ok {
		p.Place(table, s.node)
	}
	return ok
}

// MinCheckpointTs is the scheduler's bound on the changefeed checkpoint
// (TiCDC Controller.GetMinCheckpointTs: operators that block ts forward and
// non-replicating spans): the lowest checkpoint of an absent table or
// start ts of a table being added; ok is false when every table
// replicates. While a table has no dispatcher the checkpoint cannot pass
// it, which is what keeps a crash from losing its rows.
func (p *Placement) MinCheckpointTs() (ts uint64, ok bool) {
	ts = noWatermark
	for _, c := range p.absent {
		ts = min(ts, c)
	}
	for _, s := range p.scheduling {
		ts = min(ts, s.startTs)
	}
	return ts, ts != noWatermark
}

// ScheduleAbsent is TiCDC's basic scheduler (maintainer/scheduler/basic.go
// with pkg/scheduler/basic.go BasicSchedule): up to batch absent tables,
// in table order, each to the alive node with the fewest add operators in
// flight (ties to the lowest node id; TiCDC's heap breaks them by map
// order). It does not weigh the tables a node already replicates, so a
// new empty capture gets its share of absent tables only if it is alive
// when they are scheduled. Each chosen table moves to scheduling at its
// absent checkpoint.
func (p *Placement) ScheduleAbsent(batch int) []Move {
	if len(p.nodes) == 0 {
		return nil
	}
	load := make([]int, len(p.nodes))
	for _, s := range p.scheduling {
		if i, ok := slices.BinarySearch(p.nodes, s.node); ok {
			load[i]++
		}
	}
	var moves []Move
	for _, t := range tableKeys(p.absent) {
		if len(moves) >= batch || len(p.scheduling) >= batch {
			break
		}
		i := 0
		for j := range load {
			if load[j] < load[i] {
				i = j
			}
		}
		load[i]++
		p.scheduling[t] = scheduled{node: p.nodes[i], startTs: p.absent[t]}
		delete(p.absent, t)
		moves = append(moves, Move{Table: t, To: p.nodes[i]})
	}
	return moves
}

// Balance is TiCDC's balance scheduler round (maintainer/scheduler/balance.go
// with pkg/scheduler/balance.go Balance): only when nothing is absent or
// being added, every node below floor(tables/nodes) takes tables from the
// most loaded nodes (their tables shuffled with r, as TiCDC shuffles them)
// until it reaches that floor, at most batch moves. The moves are returned
// for the caller to run as move operators (remove at the source, add at
// the target); the placement records them as being added at checkpointTs.
func (p *Placement) Balance(batch int, checkpointTs uint64, r *sim.Rand) []Move {
	if len(p.nodes) == 0 || len(p.absent) > 0 || len(p.scheduling) > 0 {
		return nil
	}
	tasks := make([][]int64, len(p.nodes))
	for i, id := range p.nodes {
		tasks[i] = p.Tables(id)
	}
	floor := len(p.on) / len(p.nodes)
	for i := range tasks {
		if len(tasks[i]) >= floor {
			r.Shuffle(len(tasks[i]), func(a, b int) { tasks[i][a], tasks[i][b] = tasks[i][b], tasks[i][a] })
		}
	}
	var moves []Move
	for len(moves) < batch {
		lo, hi := 0, 0
		for j := range tasks {
			if len(tasks[j]) < len(tasks[lo]) {
				lo = j
			}
			if len(tasks[j]) > len(tasks[hi]) {
				hi = j
			}
		}
		if len(tasks[lo]) >= floor || len(tasks[hi]) <= floor {
			break
		}
		t := tasks[hi][0]
		tasks[hi] = tasks[hi][1:]
		tasks[lo] = append(tasks[lo], t)
		moves = append(moves, Move{Table: t, From: p.nodes[hi], To: p.nodes[lo]})
	}
	for _, mv := range moves {
		delete(p.on, mv.Table)
		p.scheduling[mv.Table] = scheduled{node: mv.To, startTs: checkpointTs}
	}
	return moves
}

// tableKeys returns m's keys in order.
func tableKeys[V any](m map[int64]V) []int64 {
	ks := make([]int64, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
