package scenarios

import (
	"fmt"
	"maps"
	"slices"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/simdriver"
	"github.com/redosim/redosim/results"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/disk"
	"github.com/redosim/redosim/sim/netsim"
	"github.com/redosim/redosim/sim/node"
)

// smoke is the kernel's end-to-end check: nodes ping each other over the
// network while one node writes a redo log on its disk, crashes at
// crash-at (its disk losing what was not synced), restarts and recovers.
func smoke() *Scenario {
	return &Scenario{
		Name:    "smoke",
		Summary: "kernel, disk, network and the redo engine end to end, with a crash and recovery",
		Doc: "Three nodes ping each other over the simulated network while node n1 appends rows to a " +
			"redo log on its simulated disk under the commit policy. At crash-at n1 crashes: its " +
			"timers die, its disk loses unsynced data (possibly tearing the last sectors), and it " +
			"restarts after restart-after, recovering the log. Checks that every acknowledged row " +
			"survives and that messages between each pair of nodes arrive in send order.",
		Params: []Param{
			{Key: "nodes", Kind: KindInt, Default: "3", Doc: "nodes pinging each other"},
			{Key: "ping-interval", Kind: KindDuration, Default: "10ms", Doc: "each node pings every peer this often"},
			{Key: "net-latency", Kind: KindDist, Default: "lognormal(250us,0.5)", Doc: "one-way network latency"},
			{Key: "rows-per-second", Kind: KindInt, Default: "2000", Doc: "rows n1 appends to its redo log"},
			{Key: "policy", Kind: KindString, Default: "commit", Doc: "redo flush policy", Choices: []string{"commit", "interval"}},
			{Key: "disk", Kind: KindString, Default: "nvme", Doc: "disk hardware profile", Choices: disk.Profiles()},
			{Key: "crash-at", Kind: KindDuration, Default: "12s", Doc: "when n1 crashes (0: never)"},
			{Key: "restart-after", Kind: KindDuration, Default: "2s", Doc: "how long n1 stays down"},
		},
		Variants: []Variant{{Name: "default", Doc: "the parameters as given"}},
		Metrics: []results.MetricDoc{
			{Name: "rows_acked", Unit: "rows", Doc: "rows acknowledged by the redo engine", Headline: true, HigherIsBetter: true},
			{Name: "commit_latency", Unit: "s", Doc: "append to acknowledgement", Headline: true, LowerIsBetter: true},
			{Name: "pings_delivered", Unit: "messages", Doc: "pings delivered", HigherIsBetter: true},
		},
		Invariants: []InvariantDoc{
			{Name: "durability", Doc: "every row acknowledged before the crash is in the recovered log"},
			{Name: "fifo", Doc: "messages between each pair of nodes arrive in send order"},
		},
		Duration: 30 * sim.Second,
		Build:    buildSmoke,
	}
}

func buildSmoke(env *Env) error {
	p := env.P
	net := netsim.New(env.W, netsim.Config{Default: netsim.LinkConfig{Latency: p.Dist("net-latency")}})
	fifo := env.Checks.Add("fifo", "messages between each pair of nodes arrive in send order")
	n := p.Int("nodes")
	if n < 2 {
		return fmt.Errorf("%w: nodes=%d: need at least 2", ErrConfig, n)
	}
	nodes := make([]*node.Node, n)
	for i := range nodes {
		nodes[i] = node.New(env.W, netsim.NodeID(fmt.Sprintf("n%d", i+1)), net)
	}
	pings := env.Metrics.Counter("pings_delivered")
	for _, nd := range nodes {
		startPinger(env, nd, nodes, fifo, pings)
		nd.OnRestart(func() { startPinger(env, nd, nodes, fifo, pings) })
	}
	return startRedoWriter(env, nodes[0])
}

// ping carries the sender's incarnation, so a restarted sender's new
// sequence is checked on its own.
type ping struct{ incarnation, seq uint64 }

type pingKey struct {
	from        netsim.NodeID
	incarnation uint64
}

// startPinger makes nd ping every peer each interval and checks that what
// it receives from each peer comes in sequence order.
func startPinger(env *Env, nd *node.Node, nodes []*node.Node, fifo interface{ Check(bool, string, ...any) }, pings interface{ Inc() }) {
	last := map[pingKey]uint64{}
	var seq uint64
	inc := nd.Incarnation()
	nd.Handle(func(from netsim.NodeID, m any) {
		pg := m.(ping)
		pings.Inc()
		k := pingKey{from, pg.incarnation}
		fifo.Check(pg.seq > last[k], "%s got ping %d from %s (incarnation %d) after %d", nd.ID(), pg.seq, from, pg.incarnation, last[k])
		last[k] = pg.seq
	})
	nd.Every(env.P.Duration("ping-interval"), func() {
		seq++
		for _, peer := range nodes {
			if peer != nd {
				nd.Send(peer.ID(), ping{incarnation: inc, seq: seq}, 64)
			}
		}
	})
}

// redoWriter is n1's redo workload: rows appended at a steady rate, each
// acknowledgement remembered, the meta kept at the newest acknowledged ts.
type redoWriter struct {
	env      *Env
	nd       *node.Node
	dk       *disk.Disk
	cfg      core.Config
	drv      *simdriver.Driver
	nextTs   uint64
	acked    map[uint64]bool
	ackedTop uint64
	durable  interface{ Check(bool, string, ...any) }
}

func startRedoWriter(env *Env, nd *node.Node) error {
	prof, err := disk.ProfileByName(env.P.String("disk"))
	if err != nil {
		return fmt.Errorf("%w: disk: %w", ErrConfig, err)
	}
	policy, err := core.ParsePolicy(env.P.String("policy"))
	if err != nil {
		return fmt.Errorf("%w: policy: %w", ErrConfig, err)
	}
	rw := &redoWriter{env: env, nd: nd, dk: disk.New(env.W, disk.Config{Name: "n1-disk", Profile: prof}),
		cfg:     core.Config{CaptureID: "n1", Changefeed: "smoke", Policy: policy, NameSeed: env.W.Streams.Seed()},
		nextTs:  1 << 20,
		acked:   map[uint64]bool{},
		durable: env.Checks.Add("durability", "every row acknowledged before the crash is in the recovered log")}
	if err := rw.open(); err != nil {
		return err
	}
	nd.OnCrash(func() {
		rw.drv.Stop()
		rw.dk.Crash(env.Rand("smoke/crash"))
	})
	nd.OnRestart(func() {
		if err := rw.open(); err != nil {
			rw.durable.Check(false, "recovery failed: %v", err)
			return
		}
		rw.checkRecovered()
	})
	if at := env.P.Duration("crash-at"); at > 0 {
		back := at + env.P.Duration("restart-after")
		env.W.Loop.At(sim.Instant(at), nd.Crash)
		env.W.Loop.At(sim.Instant(back), nd.Restart)
		env.Fault("node.crash", string(nd.ID()), sim.Instant(at), sim.Instant(back), "crash and restart with disk crash")
	}
	env.OnFinish(func() { env.Scalar("rows_acked", "rows", float64(len(rw.acked))) })
	return nil
}

func (rw *redoWriter) open() error {
	drv, _, err := simdriver.Open(rw.env.W, rw.cfg, simdriver.Target{Disk: rw.dk, Dir: "redo"})
	if err != nil {
		return err
	}
	rw.drv = drv
	rate := rw.env.P.Int("rows-per-second")
	if rate <= 0 {
		return nil
	}
	rw.nd.Every(sim.Second/sim.Duration(rate), rw.appendOne)
	rw.nd.Every(100*sim.Millisecond, func() { rw.drv.UpdateMeta(0, rw.ackedTop) })
	return nil
}

func (rw *redoWriter) appendOne() {
	rw.nextTs += 4
	ts := rw.nextTs
	row := codec.SizedRow(codec.Row{TableID: 1, Key: []byte(fmt.Sprint(ts)), Op: codec.OpInsert, StartTs: ts - 1, CommitTs: ts},
		codec.RowShape{FrameBytes: 256, Columns: 4})
	start := rw.env.W.Now()
	rw.drv.AppendRow(&row, func(err error) {
		if err != nil {
			return
		}
		rw.acked[ts] = true
		rw.ackedTop = max(rw.ackedTop, ts)
		rw.env.Metrics.Counter("rows_acked").Inc()
		rw.env.Observe("commit_latency", "s", rw.env.W.Now().Sub(start).Seconds())
	})
}

// checkRecovered compares the recovered log with every acknowledgement.
func (rw *redoWriter) checkRecovered() {
	acked := slices.Collect(maps.Keys(rw.acked))
	lost, err := lostRows(simdriver.Target{Disk: rw.dk, Dir: "redo"}, acked)
	if err != nil {
		rw.durable.Check(false, "list after recovery: %v", err)
		return
	}
	rw.durable.Check(lost == 0, "%d of %d acknowledged rows missing after recovery", lost, len(rw.acked))
}
