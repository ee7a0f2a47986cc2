package maintainer

import (
	"fmt"
	"math"
	"slices"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/metrics"
	"github.com/redosim/redosim/sim/netsim"
	"github.com/redosim/redosim/sim/node"
)

// noWatermark is a heartbeat's watermark when the node has no dispatcher of
// that kind (TiCDC MaxUint64): left out of the minimum.
const noWatermark uint64 = math.MaxUint64

// msgBytes is the wire size of a control message, for the network's
// bandwidth model.
const msgBytes = 64

// nodeProgress is the latest heartbeat of a node.
type nodeProgress struct {
	watermark, redoWatermark uint64
}

// Maintainer is a changefeed's maintainer on one node (TiCDC Maintainer):
// it computes the changefeed checkpoint from the nodes' heartbeats, runs
// the block-event barriers (one per mode), and drives the redo meta and
// the redoGlobalTs broadcast. It acts only through its node's timers and
// network.
type Maintainer struct {
	n     *node.Node
	w     *sim.World
	cfg   Config
	actor string

	progress map[netsim.NodeID]nodeProgress
	// tables holds each node's tables as SetTables gave them, sorted.
	tables    map[netsim.NodeID][]int64
	tableNode map[int64]netsim.NodeID
	// tablesGen counts SetTables calls: barriers recount their coverage
	// when it moves.
	tablesGen uint64

	checkpointTs uint64
	// bugTick counts checkpoint ticks for the planted bug.
	bugTick int

	redoMeta       redoMeta
	redoResolvedTs uint64
	redoGlobalTs   uint64

	barriers map[msg.Mode]*barrier
	met      maintainerMetrics
}

// New returns the maintainer on node n and starts its checkpoint (and
// barrier resend) ticker and, with redo enabled, its redo tick. The wiring
// layer routes the node's messages to Handle and tells it the tables of
// each node with SetTables.
func New(n *node.Node, reg *metrics.Registry, cfg Config) (*Maintainer, error) {
	if n == nil || reg == nil {
		return nil, fmt.Errorf("%w: nil node or registry", ErrConfig)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	m := &Maintainer{
		n: n, w: n.World(), cfg: cfg, actor: "maintainer/" + string(n.ID()),
		progress:       make(map[netsim.NodeID]nodeProgress),
		tables:         make(map[netsim.NodeID][]int64),
		tableNode:      make(map[int64]netsim.NodeID),
		checkpointTs:   cfg.StartTs,
		redoMeta:       redoMeta{checkpointTs: cfg.StartTs, resolvedTs: cfg.StartTs},
		redoResolvedTs: cfg.StartTs,
		met:            newMaintainerMetrics(reg, n.ID()),
	}
	m.barriers = map[msg.Mode]*barrier{
		msg.ModeMain: newBarrier(m, msg.ModeMain),
		msg.ModeRedo: newBarrier(m, msg.ModeRedo),
	}
	m.met.checkpoint.Set(float64(m.checkpointTs))
	n.Every(cfg.CheckpointInterval, m.tick)
	if cfg.RedoEnabled {
		n.Every(cfg.RedoTick, m.redoTick)
		if cfg.ForwardResend > 0 {
			n.Every(cfg.ForwardResend, m.resendForward)
		}
	}
	return m, nil
}

// Handle handles the messages of the node that are the maintainer's
// (HeartBeat, BlockStatus, RedoResolvedProgress, by value) and reports
// whether msg was one.
func (m *Maintainer) Handle(from netsim.NodeID, message any) bool {
	switch v := message.(type) {
	case msg.HeartBeat:
		m.onHeartbeat(from, v)
	case msg.BlockStatus:
		b := m.barriers[v.Dispatcher.Mode]
		if b == nil {
			return true
		}
		b.handleStatus(from, v)
	case msg.RedoResolvedProgress:
		m.onRedoPersisted(v)
	default:
		return false
	}
	return true
}

// SetTables tells the maintainer which tables have dispatchers on node: an
// event dispatcher each and, with redo enabled, a redo dispatcher each.
// The maintainer's node lists msg.TableTrigger. It replaces the node's
// previous list. Barriers take their coverage from these sets: a syncpoint
// covers every table listed when the table trigger reports it, a DDL the
// listed tables among its Blocked ones.
func (m *Maintainer) SetTables(id netsim.NodeID, tables []int64) error {
	if _, ok := slices.BinarySearch(m.cfg.Nodes, id); !ok {
		return fmt.Errorf("%w: SetTables for node %s, not in Nodes %v", ErrConfig, id, m.cfg.Nodes)
	}
	ts := slices.Clone(tables)
	slices.Sort(ts)
	ts = slices.Compact(ts)
	for _, t := range ts {
		if other, ok := m.tableNode[t]; ok && other != id {
			return fmt.Errorf("%w: table %d on %s and %s", ErrConfig, t, other, id)
		}
	}
	for _, t := range m.tables[id] {
		delete(m.tableNode, t)
	}
	m.tables[id] = ts
	for _, t := range ts {
		m.tableNode[t] = id
	}
	m.tablesGen++
	return nil
}

// registered returns every table with a dispatcher of mode, sorted.
func (m *Maintainer) registered(mode msg.Mode) []int64 {
	if mode == msg.ModeRedo && !m.cfg.RedoEnabled {
		return nil
	}
	var all []int64
	for _, id := range m.cfg.Nodes {
		all = append(all, m.tables[id]...)
	}
	slices.Sort(all)
	return all
}

// isRegistered reports whether table has a dispatcher of mode.
func (m *Maintainer) isRegistered(mode msg.Mode, table int64) bool {
	if mode == msg.ModeRedo && !m.cfg.RedoEnabled {
		return false
	}
	_, ok := m.tableNode[table]
	return ok
}

// CheckpointTs returns the changefeed checkpoint.
func (m *Maintainer) CheckpointTs() uint64 { return m.checkpointTs }

// RedoResolvedTs returns the redo resolved ts known persisted (TiCDC
// m.redoResolvedTs): StartTs until the first progress report.
func (m *Maintainer) RedoResolvedTs() uint64 { return m.redoResolvedTs }

// RedoGlobalTs returns the redoGlobalTs last broadcast, 0 before the first
// broadcast.
func (m *Maintainer) RedoGlobalTs() uint64 { return m.redoGlobalTs }

// RedoMeta returns the redo meta the maintainer computed (and asked the
// table-trigger redo dispatcher's manager to persist).
func (m *Maintainer) RedoMeta() (checkpointTs, resolvedTs uint64) {
	return m.redoMeta.checkpointTs, m.redoMeta.resolvedTs
}

// Epoch returns the maintainer's epoch.
func (m *Maintainer) Epoch() uint64 { return m.cfg.Epoch }

// PendingBarriers returns the number of block events whose barrier of mode
// is not finished.
func (m *Maintainer) PendingBarriers(mode msg.Mode) int {
	if b := m.barriers[mode]; b != nil {
		return len(b.events)
	}
	return 0
}

// OldestPendingBarrier returns how long the oldest unfinished barrier of
// mode has waited since its first WAITING, and whether there is one: a
// barrier the world ended inside, whose duration is only known to be at
// least this long.
func (m *Maintainer) OldestPendingBarrier(mode msg.Mode) (sim.Duration, bool) {
	b := m.barriers[mode]
	if b == nil {
		return 0, false
	}
	var oldest sim.Duration
	found := false
	for _, ev := range b.events {
		if age := m.w.Now().Sub(ev.firstWaiting); !found || age > oldest {
			oldest, found = age, true
		}
	}
	return oldest, found
}

// tick is the 100 ms period task: checkpoint, then barrier resends.
func (m *Maintainer) tick() {
	m.updateCheckpoint()
	m.barriers[msg.ModeMain].resend()
	m.barriers[msg.ModeRedo].resend()
}
