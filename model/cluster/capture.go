package cluster

import (
	"fmt"
	"github.com/redosim/redosim/engine/core"

	"github.com/redosim/redosim/model/collector"
	"github.com/redosim/redosim/model/dispatcher"
	"github.com/redosim/redosim/model/eventservice"
	"github.com/redosim/redosim/model/maintainer"
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/model/redosink"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/dist"
	"github.com/redosim/redosim/sim/netsim"
	"github.com/redosim/redosim/sim/node"
)

// capture is one node and the actors it runs. The actors are rebuilt from
// scratch at every restart: nothing volatile survives a crash.
type capture struct {
	cl     *Cluster
	node   *node.Node
	index  int
	tables []int64
	es     *eventservice.Service
	col    *collector.Collector
	mgr    *dispatcher.Manager
	redo   *redosink.Sink
	maint  *maintainer.Maintainer
}

func (c *capture) isMaintainer() bool { return c.index == 0 }

// allTables are the tables whose dispatchers live here: the table trigger
// first on the maintainer's node.
func (c *capture) allTables() []int64 {
	if c.isMaintainer() {
		return append([]int64{msg.TableTrigger}, c.tables...)
	}
	return c.tables
}

// start builds the node's actors, with every dispatcher starting at
// startTs, and registers the node's message handler.
func (c *capture) start(startTs uint64) error {
	cfg := c.cl.cfg
	n := c.node
	var err error
	if cfg.Redo.Enabled {
		rc := redosink.Config{Capture: string(n.ID()), Changefeed: cfg.Changefeed, Owner: c.isMaintainer(), Engine: cfg.Redo.Engine}
		cfg.redoSinkMutants(&rc.TestingKnobs)
		cfg.engineMutants(&rc.Engine.TestingKnobs)
		if cfg.TickPhases {
			// The redo writer's flush and meta tickers start when its
			// process did: a phase per node and incarnation.
			r := c.cl.w.Rand("model/cluster/phase/redo/" + string(n.ID()))
			rc.Engine.FlushPhase = node.DrawPhase(r, engineInterval(rc.Engine.FlushInterval, core.DefaultFlushInterval))
			rc.Engine.MetaFlushPhase = node.DrawPhase(r, engineInterval(rc.Engine.MetaFlushInterval, core.DefaultMetaFlushInterval))
		}
		if c.redo, _, err = redosink.Open(c.cl.w, rc, c.cl.target); err != nil {
			return err
		}
		c.redo.OnOp = c.cl.watch.onRedoOp(string(n.ID()))
		if c.isMaintainer() {
			// TiCDC's initMeta: the meta starts at (startTs, startTs) and is
			// flushed before anything else (a restart's lower value is
			// ignored: meta only grows).
			c.redo.UpdateMeta(startTs, startTs)
		}
	}
	if c.isMaintainer() {
		if err := c.startMaintainer(startTs); err != nil {
			return err
		}
	}
	if c.es, err = eventservice.New(n, c.cl.up, c.cl.reg, c.eventServiceConfig()); err != nil {
		return fmt.Errorf("%w: event service: %v", ErrConfig, err)
	}
	if c.col, err = collector.New(n, c.cl.reg, c.collectorConfig()); err != nil {
		return fmt.Errorf("%w: collector: %v", ErrConfig, err)
	}
	if err := c.startDispatchers(startTs); err != nil {
		return err
	}
	n.Handle(c.handle)
	return nil
}

func (c *capture) startMaintainer(startTs uint64) error {
	cfg := c.cl.cfg
	mc := cfg.Maintainer
	mc.StartTs, mc.Nodes, mc.RedoEnabled, mc.Epoch = startTs, c.cl.nodeIDs(), cfg.Redo.Enabled, c.cl.maintEpoch
	mc.StartPhysicalMs = c.cl.up.Config().StartPhysicalMs
	mc.TestingKnobs.CheckpointFromLastHeartbeat = cfg.bug(BugCheckpointRegress)
	cfg.maintainerMutants(&mc.TestingKnobs)
	mc.ForwardUnflushedMeta = mc.ForwardUnflushedMeta || cfg.bug(MutForwardUnflushed) // the mutant is the pre-#3426 knob
	m, err := maintainer.New(c.node, c.cl.reg, mc)
	if err != nil {
		return fmt.Errorf("%w: maintainer: %v", ErrConfig, err)
	}
	for _, other := range c.cl.captures {
		if err := m.SetTables(other.node.ID(), other.allTables()); err != nil {
			return fmt.Errorf("%w: maintainer tables: %v", ErrConfig, err)
		}
	}
	c.maint = m
	return nil
}

func (c *capture) eventServiceConfig() eventservice.Config {
	ec := c.cl.cfg.EventService
	if q := c.cl.cfg.MemoryQuotaBytes; c.cl.cfg.ScaledThresholds {
		// The opt-in scaling: TiCDC's 256 MiB low-memory mark and 1 MiB
		// largest scan budget are a quarter and 1/1024 of its 1 GiB quota.
		ec.LowMemoryBytes, ec.ScanLimitMaxBytes = q/4, max(q/1024, 1<<10)
	}
	ec.Window.SyncPointInterval = c.cl.cfg.SyncPointInterval
	ec.Window.StartTime = c.cl.w.Now()
	c.cl.cfg.eventServiceMutants(&ec.TestingKnobs)
	return ec
}

func (c *capture) collectorConfig() collector.Config {
	cfg := c.cl.cfg
	cc := cfg.Collector
	cc.MainQuotaBytes, cc.RedoQuotaBytes = cfg.MemoryQuotaBytes, 0
	if cfg.Redo.Enabled {
		cc.MainQuotaBytes, cc.RedoQuotaBytes = collector.SplitQuota(cfg.MemoryQuotaBytes, cfg.RedoQuotaPercent)
	}
	if cfg.ScaledThresholds {
		// The opt-in scaling: TiCDC's 1 MiB path floor is 1/1024 of 1 GiB.
		cc.PathMinBytes = max(cfg.MemoryQuotaBytes/1024, 4<<10)
	}
	cc.TestingKnobs.ForgetPopDecrement = cfg.bug(BugForgetPopDecrement)
	cfg.collectorMutants(&cc.TestingKnobs)
	return cc
}

// startDispatchers creates the manager and every dispatcher of the node
// and registers them with the collector, served by the node's own event
// service.
func (c *capture) startDispatchers(startTs uint64) error {
	cfg := c.cl.cfg
	dc := cfg.Dispatcher
	dc.RedoEnabled = cfg.Redo.Enabled
	dc.TestingKnobs.BypassFence = cfg.bug(BugBypassFence)
	dc.TestingKnobs.SkipSyncPointBarrier = cfg.bug(BugSkipSyncPointBarrier)
	dc.TestingKnobs.CheckpointGoesBack = cfg.bug(BugDispatcherCheckpointGoesBack)
	cfg.dispatcherMutants(&dc.TestingKnobs)
	mc := dispatcher.ManagerConfig{Maintainer: c.cl.maintainerNode(), MaintainerEpoch: c.cl.maintEpoch, Dispatcher: dc}
	if cfg.Redo.Enabled {
		mc.FlushInterval = cfg.Redo.Engine.FlushInterval
		if c.isMaintainer() {
			mc.Meta = redoMeta{c.redo}
		}
	}
	var err error
	if c.mgr, err = dispatcher.NewManager(c.node, c.cl.reg, mc); err != nil {
		return fmt.Errorf("%w: dispatcher manager: %v", ErrConfig, err)
	}
	for _, t := range c.allTables() {
		if err := c.addTable(t, startTs); err != nil {
			return err
		}
	}
	return nil
}

// addTable creates table t's dispatchers, starting at startTs, and
// registers them with the collector, served by the node's event service.
func (c *capture) addTable(t int64, startTs uint64) error {
	cfg := c.cl.cfg
	spIntervalSec := cfg.syncPointIntervalSec()
	ed, err := c.mgr.AddEventDispatcher(t, startTs, &mainSink{c: c})
	if err != nil {
		return err
	}
	c.col.AddDispatcher(msg.DispatcherID{Table: t, Mode: msg.ModeMain}, ed, c.node.ID(), startTs, spIntervalSec)
	if !cfg.Redo.Enabled {
		return nil
	}
	rd, err := c.mgr.AddRedoDispatcher(t, startTs, &redoSink{c: c})
	if err != nil {
		return err
	}
	c.col.AddDispatcher(msg.DispatcherID{Table: t, Mode: msg.ModeRedo}, rd, c.node.ID(), startTs, spIntervalSec)
	return nil
}

// handle routes a message to the first actor that knows it.
func (c *capture) handle(from netsim.NodeID, m any) {
	switch {
	case c.es != nil && c.es.Handle(from, m):
	case c.col != nil && c.col.Handle(from, m):
	case c.mgr != nil && c.mgr.Handle(from, m):
	case c.maint != nil && c.maint.Handle(from, m):
	}
}

// stop is the crash hook: the actors and their volatile state are gone;
// the node's timers are already dead.
func (c *capture) stop() {
	if c.redo != nil {
		c.redo.Stop()
	}
	c.es, c.col, c.mgr, c.redo, c.maint = nil, nil, nil, nil, nil
	c.cl.watch.onCrash(c)
}

// restart rebuilds the node from the persisted changefeed checkpoint. A
// restarted maintainer takes a higher epoch, so managers drop the old one's
// late broadcasts.
func (c *capture) restart() {
	if c.isMaintainer() {
		c.cl.maintEpoch++
	}
	startTs := c.cl.pdCheckpoint
	if c.cl.cfg.bug(BugRestartFromRedoTs) {
		startTs = max(startTs, c.cl.watch.durableRedo) // planted bug: the redo resolved ts is not a checkpoint
	}
	c.cl.watch.checkRestartTs(string(c.node.ID()), startTs)
	if err := c.start(startTs); err != nil {
		panic(fmt.Sprintf("model/cluster: restart %s: %v", c.node.ID(), err)) // config was valid at Build: a bug
	}
}

// scaled multiplies a distribution's draws by f.
func scaled(d dist.Dist, f float64) dist.Dist {
	if d == nil || f == 1 {
		return d
	}
	return scaledDist{d: d, f: f}
}

type scaledDist struct {
	d dist.Dist
	f float64
}

func (s scaledDist) Sample(r *sim.Rand) float64 { return s.d.Sample(r) * s.f }
func (s scaledDist) Mean() float64              { return s.d.Mean() * s.f }
func (s scaledDist) String() string             { return fmt.Sprintf("%v*%g", s.d, s.f) }

// engineInterval returns an engine interval with its default filled in.
func engineInterval(d, def sim.Duration) sim.Duration {
	if d <= 0 {
		return def
	}
	return d
}
