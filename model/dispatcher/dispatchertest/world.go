package dispatchertest

import (
	"fmt"

	"github.com/redosim/redosim/model/dispatcher"
	"github.com/redosim/redosim/model/maintainer"
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/model/tso"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/dist"
	"github.com/redosim/redosim/sim/metrics"
	"github.com/redosim/redosim/sim/netsim"
	"github.com/redosim/redosim/sim/node"
)

// WorldConfig configures a test World. Zero fields take the documented
// defaults.
type WorldConfig struct {
	// Seed is the world seed.
	Seed uint64
	// Nodes is the number of nodes, n1..nN; the maintainer and the table
	// trigger live on n1. Default 2.
	Nodes int
	// Tables is the number of tables, 1..Tables; table i lives on node
	// i mod Nodes. Default 2.
	Tables int
	// RedoEnabled adds redo dispatchers, the redo meta and the fence.
	RedoEnabled bool
	// FencePrefix selects the prefix fence variant.
	FencePrefix bool
	// Gen configures the streams.
	Gen GenConfig
	// MainLatency is the main sink's write latency in ns. Default
	// uniform(2ms,20ms).
	MainLatency dist.Dist
	// RedoLatency is the redo sink's write latency in ns. Default
	// uniform(1ms,5ms).
	RedoLatency dist.Dist
	// RedoFlushEvery makes redo writes durable only at multiples of it
	// (the redo writer's flush ticker). Default 0: no ticker.
	RedoFlushEvery sim.Duration
	// MetaFlushEvery is the redo meta's flush period. Default 200 ms.
	MetaFlushEvery sim.Duration
	// FlushInterval is the managers' collect-flushed-meta period. Default 2 s.
	FlushInterval sim.Duration
	// NetLatency is the one-way network latency in ns. Default exp(500us).
	NetLatency dist.Dist
	// Loss is the loss probability of the links from n2..nN to n1, which
	// carry heartbeats and block statuses (both resent). Default 0.
	Loss float64
	// BatchMax is the driver's batch size. Default 16.
	BatchMax int
	// DispatcherKnobs and MaintainerKnobs plant bugs.
	DispatcherKnobs dispatcher.TestingKnobs
	MaintainerKnobs maintainer.TestingKnobs
	// KeepTrace keeps the trace events.
	KeepTrace bool
}

func (c *WorldConfig) defaults() {
	if c.Nodes <= 0 {
		c.Nodes = 2
	}
	if c.Tables <= 0 {
		c.Tables = 2
	}
	if c.MainLatency == nil {
		c.MainLatency = dist.Uniform{Lo: float64(2 * sim.Millisecond), Hi: float64(20 * sim.Millisecond)}
	}
	if c.RedoLatency == nil {
		c.RedoLatency = dist.Uniform{Lo: float64(sim.Millisecond), Hi: float64(5 * sim.Millisecond)}
	}
	if c.MetaFlushEvery <= 0 {
		c.MetaFlushEvery = 200 * sim.Millisecond
	}
	if c.NetLatency == nil {
		c.NetLatency = dist.Exp{M: float64(500 * sim.Microsecond)}
	}
	if c.BatchMax <= 0 {
		c.BatchMax = 16
	}
}

// World is a small world: managers on every node, the maintainer on n1,
// fake sinks and meta, a driver fed by a generator, and the checkers.
type World struct {
	Cfg        WorldConfig
	W          *sim.World
	Net        *netsim.Network
	Reg        *metrics.Registry
	Nodes      []*node.Node
	Managers   []*dispatcher.Manager
	Maintainer *maintainer.Maintainer
	MainSink   *Sink
	RedoSink   *Sink
	Meta       *Meta
	Driver     *Driver
	Gen        *Gen
	Check      *Checker
	StartTs    uint64
	// Unhandled counts messages no actor took.
	Unhandled int
	tableNode map[int64]int
}

// NewWorld builds and starts a world.
func NewWorld(cfg WorldConfig) (*World, error) {
	cfg.defaults()
	w := sim.NewWorld(sim.WorldConfig{Seed: cfg.Seed, KeepTrace: cfg.KeepTrace})
	clock := tso.NewClock(tso.DefaultStartPhysicalMs)
	tw := &World{
		Cfg: cfg, W: w, Reg: metrics.NewRegistry(),
		Net:       netsim.New(w, netsim.Config{Default: netsim.LinkConfig{Latency: cfg.NetLatency}}),
		StartTs:   clock.At(0),
		tableNode: map[int64]int{msg.TableTrigger: 0},
	}
	tw.MainSink = NewSink(w, "main", cfg.MainLatency, 0)
	tw.RedoSink = NewSink(w, "redo", cfg.RedoLatency, cfg.RedoFlushEvery)
	tw.Driver = NewDriver(w, cfg.BatchMax)
	var tables []int64
	for t := int64(1); t <= int64(cfg.Tables); t++ {
		tables = append(tables, t)
		tw.tableNode[t] = int(t) % cfg.Nodes
	}
	tw.Gen = NewGen(w, clock, tables, cfg.Gen)
	if err := tw.build(); err != nil {
		return nil, err
	}
	if err := tw.place(append([]int64{msg.TableTrigger}, tables...)); err != nil {
		return nil, err
	}
	tw.Check = newChecker(tw)
	tw.Gen.Start()
	return tw, nil
}

// build creates the nodes, the maintainer and the managers.
func (tw *World) build() error {
	cfg := tw.Cfg
	ids := make([]netsim.NodeID, cfg.Nodes)
	for i := range ids {
		ids[i] = netsim.NodeID(fmt.Sprintf("n%d", i+1))
	}
	for i, id := range ids {
		n := node.New(tw.W, id, tw.Net)
		tw.Nodes = append(tw.Nodes, n)
		if i > 0 && cfg.Loss > 0 {
			tw.Net.SetLink(id, ids[0], netsim.LinkConfig{Latency: cfg.NetLatency, Loss: cfg.Loss})
		}
	}
	m, err := maintainer.New(tw.Nodes[0], tw.Reg, maintainer.Config{
		Epoch: 1, RedoEnabled: cfg.RedoEnabled, StartTs: tw.StartTs, Nodes: ids, TestingKnobs: cfg.MaintainerKnobs,
	})
	if err != nil {
		return err
	}
	tw.Maintainer = m
	for i, n := range tw.Nodes {
		mc := dispatcher.ManagerConfig{
			Maintainer: ids[0], MaintainerEpoch: 1, FlushInterval: cfg.FlushInterval,
			Dispatcher: dispatcher.Config{RedoEnabled: cfg.RedoEnabled, FencePrefix: cfg.FencePrefix, TestingKnobs: cfg.DispatcherKnobs},
		}
		if i == 0 && cfg.RedoEnabled {
			tw.Meta = NewMeta(n, cfg.MetaFlushEvery, tw.StartTs)
			mc.Meta = tw.Meta
		}
		mgr, err := dispatcher.NewManager(n, tw.Reg, mc)
		if err != nil {
			return err
		}
		tw.Managers = append(tw.Managers, mgr)
		n.Handle(tw.mux(i))
	}
	return nil
}

// mux routes node i's messages to its maintainer (n1) and manager.
func (tw *World) mux(i int) netsim.Handler {
	return func(from netsim.NodeID, m any) {
		if i == 0 && tw.Maintainer.Handle(from, m) {
			return
		}
		if tw.Managers[i].Handle(from, m) {
			return
		}
		tw.Unhandled++
	}
}

// place creates each table's dispatchers, their paths, and tells the
// maintainer.
func (tw *World) place(tables []int64) error {
	perNode := make([][]int64, len(tw.Nodes))
	for _, t := range tables {
		i := tw.tableNode[t]
		perNode[i] = append(perNode[i], t)
		mgr := tw.Managers[i]
		ed, err := mgr.AddEventDispatcher(t, tw.StartTs, tw.MainSink)
		if err != nil {
			return err
		}
		tw.Gen.Attach(t, tw.Driver.Add(ed.ID(), ed))
		if !tw.Cfg.RedoEnabled {
			continue
		}
		rd, err := mgr.AddRedoDispatcher(t, tw.StartTs, tw.RedoSink)
		if err != nil {
			return err
		}
		tw.Gen.Attach(t, tw.Driver.Add(rd.ID(), rd))
	}
	for i, n := range tw.Nodes {
		if err := tw.Maintainer.SetTables(n.ID(), perNode[i]); err != nil {
			return err
		}
	}
	return nil
}

// ManagerOf returns the manager of table's node.
func (tw *World) ManagerOf(table int64) *dispatcher.Manager {
	return tw.Managers[tw.tableNode[table]]
}

// Tables returns the trigger and the real tables.
func (tw *World) Tables() []int64 { return tw.Gen.all() }

// Run runs the world until instant t.
func (tw *World) Run(t sim.Instant) error { return tw.W.Loop.RunUntil(t) }

// Drained reports why the world has not finished its work: events still
// queued or blocked, barriers pending, or a checkpoint short of the last
// resolved ts. nil when everything was replicated.
func (tw *World) Drained() error {
	for _, p := range tw.Driver.Paths() {
		if p.Queued() > 0 || p.Waiting() {
			return fmt.Errorf("path %s: %d queued, waiting %v", p.ID, p.Queued(), p.Waiting())
		}
	}
	for _, mode := range []msg.Mode{msg.ModeMain, msg.ModeRedo} {
		if n := tw.Maintainer.PendingBarriers(mode); n > 0 {
			return fmt.Errorf("%d %s barriers pending", n, mode)
		}
	}
	if c := tw.Maintainer.CheckpointTs(); c != tw.Gen.LastResolved {
		return fmt.Errorf("checkpoint %d, last resolved %d", c, tw.Gen.LastResolved)
	}
	return nil
}
