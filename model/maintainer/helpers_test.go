package maintainer_test

import (
	"testing"

	"github.com/redosim/redosim/model/maintainer"
	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/metrics"
	"github.com/redosim/redosim/sim/netsim"
	"github.com/redosim/redosim/sim/node"
)

// unit is a maintainer on n1 with nodes n1, n2 whose other messages are
// recorded per node.
type unit struct {
	w   *sim.World
	m   *maintainer.Maintainer
	reg *metrics.Registry
	got map[netsim.NodeID][]any
}

func newUnit(t *testing.T, cfg maintainer.Config) *unit {
	t.Helper()
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	net := netsim.New(w, netsim.Config{})
	u := &unit{w: w, reg: metrics.NewRegistry(), got: make(map[netsim.NodeID][]any)}
	n1 := node.New(w, "n1", net)
	n2 := node.New(w, "n2", net)
	if cfg.Nodes == nil {
		cfg.Nodes = []netsim.NodeID{"n1", "n2"}
	}
	if cfg.StartTs == 0 {
		cfg.StartTs = 100
	}
	m, err := maintainer.New(n1, u.reg, cfg)
	if err != nil {
		t.Fatal(err)
	}
	u.m = m
	n1.Handle(func(from netsim.NodeID, msg any) {
		if !m.Handle(from, msg) {
			u.got["n1"] = append(u.got["n1"], msg)
		}
	})
	n2.Handle(func(_ netsim.NodeID, msg any) { u.got["n2"] = append(u.got["n2"], msg) })
	return u
}

func (u *unit) run(t *testing.T, d sim.Duration) {
	t.Helper()
	if err := u.w.Loop.RunUntil(u.w.Now().Add(d)); err != nil {
		t.Fatal(err)
	}
}

// take returns and forgets the messages of type T node id got.
func take[T any](u *unit, id netsim.NodeID) []T {
	var out []T
	var rest []any
	for _, m := range u.got[id] {
		if v, ok := m.(T); ok {
			out = append(out, v)
		} else {
			rest = append(rest, m)
		}
	}
	u.got[id] = rest
	return out
}

func hb(node netsim.NodeID, wm, rwm uint64) msg.HeartBeat {
	return msg.HeartBeat{Node: node, Watermark: wm, RedoWatermark: rwm}
}

func status(table int64, mode msg.Mode, ts uint64, isSync bool, stage msg.BlockStage, blocked ...int64) msg.BlockStatus {
	return msg.BlockStatus{Dispatcher: msg.DispatcherID{Table: table, Mode: mode}, BlockTs: ts, IsSyncPoint: isSync, Stage: stage, Blocked: blocked}
}

const noWatermark = ^uint64(0)
