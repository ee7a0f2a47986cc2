// Package cluster wires a TiCDC changefeed world: the upstream oracle, K
// capture nodes each running an event service, an event collector, a
// dispatcher manager with an event dispatcher (and, with redo, a redo
// dispatcher) per table, a redo sink over the redo engine on shared
// storage, the maintainer on the first node, and the downstream. Nodes talk
// only through the simulated network. A crashed node loses its actors and
// volatile state; on restart it recovers its redo files and recreates its
// dispatchers from the persisted changefeed checkpoint.
//
// The invariant checkers of the catalogue (checks.go) watch as events
// happen. Planted bugs (Bugs) switch single behaviours off so tests can
// prove each checker fires.
//
// Usage:
//
//	cl, err := cluster.Build(w, reg, checks, rec, cluster.Config{Nodes: 3, ...})
//	cl.Start()
//	w.Loop.RunUntil(sim.Instant(10 * sim.Minute))
//	cl.Finish()
package cluster

import (
	"errors"
	"fmt"

	"github.com/redosim/redosim/engine/simdriver"
	"github.com/redosim/redosim/model/downstream"
	"github.com/redosim/redosim/model/maintainer"
	"github.com/redosim/redosim/model/upstream"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/check"
	"github.com/redosim/redosim/sim/disk"
	"github.com/redosim/redosim/sim/metrics"
	"github.com/redosim/redosim/sim/netsim"
	"github.com/redosim/redosim/sim/node"
	"github.com/redosim/redosim/sim/objstore"
)

// ErrConfig is wrapped by every configuration error.
var ErrConfig = errors.New("model/cluster: bad config")

// Recorder takes the results a world reports besides metrics: samples of
// distributions and timeline events. scenarios.Env implements it.
type Recorder interface {
	Observe(metric, unit string, v float64)
	Span(process, track, name string, start, end sim.Instant)
	Instant(process, track, name string, at sim.Instant)
}

// Cluster is one changefeed world.
type Cluster struct {
	w        *sim.World
	reg      *metrics.Registry
	checks   *check.Set
	rec      Recorder
	cfg      Config
	up       *upstream.Upstream
	down     *downstream.Downstream
	net      *netsim.Network
	target   simdriver.Target // the redo storage, shared by every capture
	captures []*capture
	startTs  uint64
	// pdCheckpoint is the changefeed checkpoint persisted outside the
	// nodes (TiCDC keeps it in etcd); a restarted maintainer starts there.
	pdCheckpoint uint64
	maintEpoch   uint64
	// nextAssign is the round-robin cursor for placing tables on captures.
	nextAssign int
	watch      *watch
}

// Build wires a world from cfg. Nothing runs until Start.
func Build(w *sim.World, reg *metrics.Registry, checks *check.Set, rec Recorder, cfg Config) (*Cluster, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	ucfg := cfg.Upstream
	if cfg.TickPhases {
		ri := ucfg.ResolvedInterval
		if ri <= 0 {
			ri = upstream.DefaultResolvedInterval
		}
		ucfg.ResolvedPhase = node.DrawPhase(w.Rand("model/cluster/phase/upstream"), ri)
	}
	up, err := upstream.New(w, ucfg)
	if err != nil {
		return nil, fmt.Errorf("%w: upstream: %v", ErrConfig, err)
	}
	dsc := cfg.Downstream
	cfg.downstreamMutants(&dsc.TestingKnobs)
	down, err := downstream.New(w, dsc)
	if err != nil {
		return nil, fmt.Errorf("%w: downstream: %v", ErrConfig, err)
	}
	cl := &Cluster{w: w, reg: reg, checks: checks, rec: rec, cfg: cfg, up: up, down: down,
		net: netsim.New(w, cfg.Network), maintEpoch: 1}
	cl.startTs = up.Clock().At(0)
	cl.pdCheckpoint = cl.startTs
	cl.setLatencies()
	if cfg.Redo.Enabled {
		if err := cl.buildStorage(); err != nil {
			return nil, err
		}
	}
	for i := 0; i < cfg.Nodes; i++ {
		id := netsim.NodeID(fmt.Sprintf("n%d", i+1))
		c := &capture{cl: cl, node: node.New(w, id, cl.net), index: i}
		if cfg.TickPhases {
			c.node.SeedPhases()
		}
		cl.captures = append(cl.captures, c)
	}
	cl.assignTables()
	cl.watch = newWatch(cl)
	return cl, nil
}

// setLatencies puts every k-th table behind a slow downstream (their
// latencies times SlowFactor), k = round(1/SlowShare), so the slow tables
// are spread over the load's skew rather than all cold.
func (cl *Cluster) setLatencies() {
	if cl.cfg.SlowShare <= 0 {
		return
	}
	dc := cl.down.Config()
	k := int(1/cl.cfg.SlowShare + 0.5)
	for i, t := range cl.up.Tables() {
		if i%k == k-1 {
			cl.down.SetTableLatency(t, scaled(dc.TxnLatency, cl.cfg.SlowFactor), scaled(dc.RowLatency, cl.cfg.SlowFactor))
		}
	}
}

func (cl *Cluster) buildStorage() error {
	if cl.cfg.Redo.Storage == "object" {
		oc := cl.cfg.Redo.Object
		if oc.PutLatency == nil {
			oc = objstore.DefaultConfig()
		}
		cl.target = simdriver.Target{Store: objstore.New(cl.w, oc), Dir: "redo/" + cl.cfg.Changefeed}
		return nil
	}
	prof, err := disk.ProfileByName(cl.cfg.Redo.DiskProfile)
	if err != nil {
		return fmt.Errorf("%w: redo disk: %v", ErrConfig, err)
	}
	cl.target = simdriver.Target{Disk: disk.New(cl.w, disk.Config{Name: "redo-disk", Profile: prof}), Dir: "redo"}
	return nil
}

// assignTables spreads the tables over the nodes round robin; the table
// trigger lives with the maintainer on the first node.
func (cl *Cluster) assignTables() {
	for i, t := range cl.up.Tables() {
		c := cl.captures[i%len(cl.captures)]
		c.tables = append(c.tables, t)
		cl.nextAssign = i + 1
	}
}

// Start starts the upstream and every node.
func (cl *Cluster) Start() error {
	for _, c := range cl.captures {
		if err := c.start(cl.startTs); err != nil {
			return err
		}
		c.node.OnCrash(c.stop)
		c.node.OnRestart(c.restart)
	}
	cl.up.OnDDL(cl.onDDL)
	cl.up.Start()
	cl.watch.start()
	return nil
}

// onDDL schedules the tables an upstream DDL creates, as TiCDC's
// maintainer schedules new spans: the next capture in round robin gets an
// event dispatcher (and a redo dispatcher) starting at the DDL's commit
// ts, and the maintainer learns the node's new table set. A dropped
// table's dispatchers stay: they receive nothing but resolved ts.
func (cl *Cluster) onDDL(ev upstream.DDLEvent) {
	for _, t := range ev.Added {
		c := cl.captures[cl.nextAssign%len(cl.captures)]
		cl.nextAssign++
		c.tables = append(c.tables, t)
		if c.mgr != nil {
			if err := c.addTable(t, ev.CommitTs); err != nil {
				panic(fmt.Sprintf("model/cluster: add table %d: %v", t, err)) // config was valid at Build: a bug
			}
		}
		if m := cl.Maintainer(); m != nil {
			if err := m.SetTables(c.node.ID(), c.allTables()); err != nil {
				panic(fmt.Sprintf("model/cluster: maintainer tables: %v", err))
			}
		}
	}
}

// maintainerNode is where the maintainer and the table trigger run.
func (cl *Cluster) maintainerNode() netsim.NodeID { return cl.captures[0].node.ID() }

// nodeIDs lists every node.
func (cl *Cluster) nodeIDs() []netsim.NodeID {
	ids := make([]netsim.NodeID, len(cl.captures))
	for i, c := range cl.captures {
		ids[i] = c.node.ID()
	}
	return ids
}

// Maintainer returns the running maintainer (nil while its node is down).
func (cl *Cluster) Maintainer() *maintainer.Maintainer { return cl.captures[0].maint }

// Upstream returns the upstream.
func (cl *Cluster) Upstream() *upstream.Upstream { return cl.up }

// Downstream returns the downstream.
func (cl *Cluster) Downstream() *downstream.Downstream { return cl.down }

// Node returns the i-th node (0-based), for fault injection.
func (cl *Cluster) Node(i int) *node.Node { return cl.captures[i].node }

// Nodes returns the number of nodes.
func (cl *Cluster) Nodes() int { return len(cl.captures) }

// Network returns the network, for partitions.
func (cl *Cluster) Network() *netsim.Network { return cl.net }

// RedoTarget returns the redo storage (zero Target when redo is off).
func (cl *Cluster) RedoTarget() simdriver.Target { return cl.target }

// StartTs returns the changefeed's start ts.
func (cl *Cluster) StartTs() uint64 { return cl.startTs }

// CheckpointTs returns the persisted changefeed checkpoint.
func (cl *Cluster) CheckpointTs() uint64 { return cl.pdCheckpoint }

// Finish runs the end-of-world checks and records summary metrics.
func (cl *Cluster) Finish() { cl.watch.finish() }

// powerLossRestart is how long a power loss keeps the cluster down.
const powerLossRestart = sim.Second

// CrashStorage is a power loss: every node and the shared redo disk crash
// together (the disk keeps only what was synced, maybe torn), and every
// node restarts a second later, recovering from durable state. A disk that
// crashed under running engines would leave them writing at offsets of
// files that are gone, so the storage never crashes alone.
func (cl *Cluster) CrashStorage() {
	for _, c := range cl.captures {
		c.node.Crash()
	}
	if dk := cl.target.Disk; dk != nil {
		dk.Crash(nil)
	}
	if cl.cfg.Redo.Enabled {
		// A power loss is a disaster moment: what survived on the redo disk
		// must take the downstream to the upstream as of the meta.
		cl.CheckDisaster()
	}
	cl.w.Loop.After(powerLossRestart, func() {
		for _, c := range cl.captures {
			c.node.Restart()
		}
	})
}
