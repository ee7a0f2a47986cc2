package dispatcher

import (
	"fmt"
	"slices"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/metrics"
	"github.com/redosim/redosim/sim/netsim"
	"github.com/redosim/redosim/sim/node"
)

// Message sizes on the wire, in bytes, for the network's bandwidth model.
const (
	msgBytesBase    = 64 // header, ids, timestamps
	msgBytesPerItem = 8  // one table id of a list
)

// Manager is a node's dispatcher manager (TiCDC DispatcherManager): it holds
// the node's dispatchers, heartbeats their watermarks to the maintainer,
// carries their block statuses and the maintainer's answers, keeps the
// node's redoGlobalTs and, on the maintainer's node, the redo meta loop.
// It acts only on its node's loop, through the node's timers and network.
type Manager struct {
	n          *node.Node
	w          *sim.World
	cfg        ManagerConfig
	maintainer netsim.NodeID
	epoch      uint64
	fence      RedoGlobalTs
	met        *Metrics
	reg        *metrics.Registry

	events      map[int64]*EventDispatcher
	eventTables []int64            // sorted keys of events
	eventList   []*EventDispatcher // events in eventTables order: sweeps need no lookup
	redos       map[int64]*RedoDispatcher
	redoTables  []int64 // sorted keys of redos
	redoList    []*RedoDispatcher

	// lastSentRedoTs is the flushed meta resolved ts last reported.
	lastSentRedoTs uint64

	gRedoGlobalTs, gWatermark, gRedoWatermark *metrics.Gauge
	forwardsDropped                           *metrics.Counter
}

// NewManager returns the dispatcher manager of node n and starts its
// heartbeat (and, with a Meta, its collect-flushed-meta ticker). The
// wiring layer routes the node's messages to Handle.
func NewManager(n *node.Node, reg *metrics.Registry, cfg ManagerConfig) (*Manager, error) {
	if n == nil || reg == nil {
		return nil, fmt.Errorf("%w: nil node or registry", ErrConfig)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	l := metrics.L("node", string(n.ID()))
	m := &Manager{
		n: n, w: n.World(), cfg: cfg, reg: reg,
		maintainer: cfg.Maintainer, epoch: cfg.MaintainerEpoch,
		met:             NewMetrics(reg, n.ID()),
		events:          make(map[int64]*EventDispatcher),
		redos:           make(map[int64]*RedoDispatcher),
		gRedoGlobalTs:   reg.Gauge(MetricRedoGlobalTs, l),
		gWatermark:      reg.Gauge(MetricWatermark, l),
		gRedoWatermark:  reg.Gauge(MetricRedoWatermark, l),
		forwardsDropped: reg.Counter(MetricForwardsDropped, l),
	}
	n.Every(cfg.HeartbeatInterval, m.heartbeat)
	if cfg.Meta != nil {
		n.Every(cfg.FlushInterval, m.collectRedoMeta)
	}
	return m, nil
}

// deps returns the collaborators of a new dispatcher.
func (m *Manager) deps(id msg.DispatcherID, startTs uint64, sink Sink) Deps {
	return Deps{ID: id, StartTs: startTs, Sink: sink, Reporter: statusSender{m}, Fence: &m.fence, Metrics: m.met}
}

// AddEventDispatcher creates the event dispatcher of table (msg.TableTrigger
// for the table trigger), starting at startTs and writing to sink.
func (m *Manager) AddEventDispatcher(table int64, startTs uint64, sink Sink) (*EventDispatcher, error) {
	if _, ok := m.events[table]; ok {
		return nil, fmt.Errorf("%w: event dispatcher of table %d exists on %s", ErrConfig, table, m.n.ID())
	}
	id := msg.DispatcherID{Table: table, Mode: msg.ModeMain}
	d, err := NewEventDispatcher(m.n, m.cfg.Dispatcher, m.deps(id, startTs, sink))
	if err != nil {
		return nil, err
	}
	m.events[table] = d
	m.eventTables, m.eventList = insertSorted(m.eventTables, m.eventList, table, d)
	return d, nil
}

// AddRedoDispatcher creates the redo dispatcher of table, starting at
// startTs and writing to the redo sink.
func (m *Manager) AddRedoDispatcher(table int64, startTs uint64, sink Sink) (*RedoDispatcher, error) {
	if !m.cfg.Dispatcher.RedoEnabled {
		return nil, fmt.Errorf("%w: redo dispatcher of table %d with redo disabled", ErrConfig, table)
	}
	if _, ok := m.redos[table]; ok {
		return nil, fmt.Errorf("%w: redo dispatcher of table %d exists on %s", ErrConfig, table, m.n.ID())
	}
	id := msg.DispatcherID{Table: table, Mode: msg.ModeRedo}
	d, err := NewRedoDispatcher(m.n, m.cfg.Dispatcher, m.deps(id, startTs, sink))
	if err != nil {
		return nil, err
	}
	m.redos[table] = d
	m.redoTables, m.redoList = insertSorted(m.redoTables, m.redoList, table, d)
	return d, nil
}

// Remove drops dispatcher id: its resends stop and a cached batch is
// discarded (TiCDC closes the cache). It reports whether id existed.
func (m *Manager) Remove(id msg.DispatcherID) bool {
	var b *basic
	switch id.Mode {
	case msg.ModeMain:
		d, ok := m.events[id.Table]
		if !ok {
			return false
		}
		d.cache = nil
		b = &d.basic
		delete(m.events, id.Table)
		m.eventTables, m.eventList = removeSorted(m.eventTables, m.eventList, id.Table)
	case msg.ModeRedo:
		d, ok := m.redos[id.Table]
		if !ok {
			return false
		}
		b = &d.basic
		delete(m.redos, id.Table)
		m.redoTables, m.redoList = removeSorted(m.redoTables, m.redoList, id.Table)
	default:
		return false
	}
	for _, r := range b.resends {
		r.timer.Stop()
	}
	b.resends = nil
	return true
}

// EventDispatcher returns the event dispatcher of table, or nil.
func (m *Manager) EventDispatcher(table int64) *EventDispatcher { return m.events[table] }

// RedoDispatcher returns the redo dispatcher of table, or nil.
func (m *Manager) RedoDispatcher(table int64) *RedoDispatcher { return m.redos[table] }

// Tables returns the tables with an event dispatcher on the node, sorted.
func (m *Manager) Tables() []int64 { return slices.Clone(m.eventTables) }

// RedoGlobalTs returns the node's redoGlobalTs.
func (m *Manager) RedoGlobalTs() uint64 { return m.fence.Load() }

// Maintainer returns the node and epoch of the maintainer the manager
// reports to.
func (m *Manager) Maintainer() (netsim.NodeID, uint64) { return m.maintainer, m.epoch }

// SetMaintainer points the manager at a new maintainer (after a failover).
// An epoch lower than the current one is ignored.
func (m *Manager) SetMaintainer(id netsim.NodeID, epoch uint64) {
	if epoch < m.epoch {
		return
	}
	m.maintainer, m.epoch = id, epoch
}

// Handle handles the messages of the node that are the manager's
// (BlockAck, BlockAction, RedoResolvedForward, RedoMetaUpdate, by value)
// and reports whether msg was one.
func (m *Manager) Handle(from netsim.NodeID, message any) bool {
	switch v := message.(type) {
	case msg.BlockAck:
		if b := m.basicOf(v.Dispatcher); b != nil {
			b.HandleBlockAck(v)
		}
	case msg.BlockAction:
		m.onAction(v)
	case msg.RedoResolvedForward:
		m.onForward(from, v)
	case msg.RedoMetaUpdate:
		m.onMetaUpdate(from, v)
	default:
		return false
	}
	return true
}

// onAction hands an action to its addressees: the listed dispatchers, or
// every dispatcher of its mode on the node when the list is empty, in
// table order.
func (m *Manager) onAction(a msg.BlockAction) {
	if len(a.Dispatchers) == 0 {
		tables := m.eventTables
		if a.Mode == msg.ModeRedo {
			tables = m.redoTables
		}
		for _, t := range slices.Clone(tables) {
			if b := m.basicOf(msg.DispatcherID{Table: t, Mode: a.Mode}); b != nil {
				b.HandleBlockAction(a)
			}
		}
		return
	}
	for _, id := range a.Dispatchers {
		if id.Mode != a.Mode {
			continue
		}
		if b := m.basicOf(id); b != nil {
			b.HandleBlockAction(a)
		}
	}
}

// basicOf returns the shared core of dispatcher id, or nil.
func (m *Manager) basicOf(id msg.DispatcherID) *basic {
	switch id.Mode {
	case msg.ModeMain:
		if d := m.events[id.Table]; d != nil {
			return &d.basic
		}
	case msg.ModeRedo:
		if d := m.redos[id.Table]; d != nil {
			return &d.basic
		}
	}
	return nil
}

// statusSender is the Reporter of the manager's dispatchers.
type statusSender struct{ m *Manager }

// ReportBlockStatus sends s to the maintainer's node.
func (s statusSender) ReportBlockStatus(st msg.BlockStatus) {
	s.m.n.Send(s.m.maintainer, st, msgBytesBase+msgBytesPerItem*len(st.Blocked))
}

// insertSorted inserts v into the sorted slice s, and val at the same index
// into the aligned vals.
func insertSorted[T any](s []int64, vals []T, v int64, val T) ([]int64, []T) {
	i, found := slices.BinarySearch(s, v)
	if found {
		return s, vals
	}
	return slices.Insert(s, i, v), slices.Insert(vals, i, val)
}

// removeSorted removes v from the sorted slice s, and its value from the
// aligned vals.
func removeSorted[T any](s []int64, vals []T, v int64) ([]int64, []T) {
	i, found := slices.BinarySearch(s, v)
	if !found {
		return s, vals
	}
	return slices.Delete(s, i, i+1), slices.Delete(vals, i, i+1)
}
