package core_test

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/simdriver"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/disk"
	"github.com/redosim/redosim/sim/objstore"
)

// The engine's durability properties, tested statefully: random sequences
// of appends, time passing, flushes, meta updates, faults (fsync error,
// ENOSPC), crashes with torn writes, and restarts, against a model that
// remembers every appended and every acknowledged row. After every
// recovery:
//   - acknowledged ⊆ recovered, for rows above the recovered checkpoint
//     (under the durable policies commit and interval; below the
//     checkpoint GC may have collected them);
//   - recovered ⊆ appended: recovery never returns a record not written;
//   - the recovered meta is at least the meta last reported flushed.

type rowID struct {
	commitTs uint64
	key      string
}

// world is the system under test: one engine on one simulated store.
type world struct {
	w        *sim.World
	dk       *disk.Disk
	store    *objstore.Store
	target   simdriver.Target
	cfg      core.Config
	plant    func(*core.Engine)
	drv      *simdriver.Driver
	nextTs   uint64
	appended map[rowID]bool
	acked    map[rowID]bool
	flushed  core.Meta
	problems []string
	crashes  int
	// recovered is the meta the last recovery found.
	recovered core.Meta
	rowBytes  int
}

// setup is the generated initial configuration of a world.
type setup struct {
	Policy        core.Policy
	Object        bool
	MaxLogBytes   int64
	Seed          uint64
	SyncChainsMax int
	RowBytes      int // framed size of each row; 0 means 200
}

func (s setup) String() string {
	return fmt.Sprintf("{policy=%s object=%v maxLog=%d seed=%d syncChains=%d rowBytes=%d}", s.Policy, s.Object, s.MaxLogBytes, s.Seed, s.SyncChainsMax, s.RowBytes)
}

func newWorld(s setup, plant func(*core.Engine)) *world {
	w := sim.NewWorld(sim.WorldConfig{Seed: s.Seed})
	cw := &world{w: w, plant: plant, appended: map[rowID]bool{}, acked: map[rowID]bool{}, nextTs: 1000, rowBytes: s.RowBytes}
	cw.cfg = core.Config{Policy: s.Policy, MaxLogBytes: s.MaxLogBytes, FlushInterval: 50 * sim.Millisecond,
		MetaFlushInterval: 20 * sim.Millisecond, FlushRows: 16, NameSeed: s.Seed, SyncChainsMax: s.SyncChainsMax}
	if s.Object {
		cfg := objstore.DefaultConfig()
		cw.store = objstore.New(w, cfg)
		cw.target = simdriver.Target{Store: cw.store, Dir: "redo"}
	} else {
		prof, _ := disk.ProfileByName("nvme")
		cw.dk = disk.New(w, disk.Config{Name: "d0", Profile: prof})
		cw.target = simdriver.Target{Disk: cw.dk, Dir: "redo"}
	}
	cw.open()
	return cw
}

func (cw *world) open() {
	drv, rep, err := simdriver.Open(cw.w, cw.cfg, cw.target)
	if err != nil {
		cw.problems = append(cw.problems, "open: "+err.Error())
		return
	}
	if cw.plant != nil {
		cw.plant(drv.Engine())
	}
	cw.drv = drv
	cw.recovered = rep.Meta
}

func (cw *world) durable() bool { return cw.cfg.Policy.Durable() }

func (cw *world) appendRows(n int) {
	if cw.drv == nil {
		return
	}
	for i := 0; i < n; i++ {
		cw.nextTs += 10
		row := makeRow(cw.nextTs)
		if cw.rowBytes > 0 {
			row = codec.SizedRow(row, codec.RowShape{FrameBytes: cw.rowBytes, Columns: 3})
		}
		id := rowID{commitTs: row.CommitTs, key: string(row.Key)}
		cw.appended[id] = true
		cw.drv.AppendRow(&row, func(err error) {
			if err == nil && cw.durable() {
				cw.acked[id] = true
			}
		})
	}
}

func (cw *world) run(d sim.Duration) { cw.w.Loop.RunUntil(cw.w.Now().Add(d)) }

// updateMeta sets resolved to the newest acknowledged row and the
// checkpoint to half way, as a replication system would.
func (cw *world) updateMeta() {
	if cw.drv == nil {
		return
	}
	var top uint64
	for id := range cw.acked {
		top = max(top, id.commitTs)
	}
	if top > 0 {
		cw.drv.UpdateMeta(1000+(top-1000)/2, top)
	}
}

func (cw *world) injectFsyncError() {
	if cw.dk == nil {
		return
	}
	names, _ := cw.dk.FS().List("redo")
	for _, n := range names {
		if strings.HasSuffix(n, core.ExtTmp) {
			cw.dk.FS().InjectWritebackError(path.Join("redo", n))
		}
	}
}

func (cw *world) fillDisk() {
	if cw.dk != nil {
		cw.dk.FS().SetCapacity(cw.dk.FS().UsedBytes() + 1024)
	}
}

// crash crashes the store (disk: torn unsynced writes; object store:
// nothing in flight is lost but callbacks die with the node), restarts
// the engine and checks what recovery found.
func (cw *world) crash(torn bool) {
	if cw.drv != nil {
		cw.flushed = maxMeta(cw.flushed, cw.drv.FlushedMeta())
		cw.drv.Stop()
	}
	cw.crashes++
	if cw.dk != nil {
		if torn {
			cw.dk.Crash(cw.w.Rand(fmt.Sprintf("test/crash/%d", cw.crashes)))
		}
		cw.dk.FS().SetCapacity(0)
	}
	cw.drv = nil
	cw.open()
	cw.check(torn || cw.store != nil)
	cw.run(100 * sim.Millisecond) // let the repair chain finish
}

func maxMeta(a, b core.Meta) core.Meta {
	return core.Meta{CheckpointTs: max(a.CheckpointTs, b.CheckpointTs), ResolvedTs: max(a.ResolvedTs, b.ResolvedTs)}
}

// check compares what storage holds with the model.
func (cw *world) check(crashed bool) {
	if cw.drv == nil {
		return
	}
	st := simdriver.Storage(cw.target)
	recovered, err := scanAll(st)
	if err != nil {
		cw.problems = append(cw.problems, "scan: "+err.Error())
		return
	}
	meta := cw.recovered // becomes the flushed meta once the repair has made it durable
	if meta.CheckpointTs < cw.flushed.CheckpointTs || meta.ResolvedTs < cw.flushed.ResolvedTs {
		cw.problems = append(cw.problems, fmt.Sprintf("meta went back: recovered %+v, flushed before %+v", meta, cw.flushed))
	}
	for id := range recovered {
		if !cw.appended[id] {
			cw.problems = append(cw.problems, fmt.Sprintf("recovered row %v was never appended", id))
		}
	}
	if !crashed {
		return
	}
	var lost []rowID
	for id := range cw.acked {
		if id.commitTs > meta.CheckpointTs && !recovered[id] {
			lost = append(lost, id)
		}
	}
	if len(lost) > 0 {
		sort.Slice(lost, func(i, j int) bool { return lost[i].commitTs < lost[j].commitTs })
		cw.problems = append(cw.problems, fmt.Sprintf("%d acknowledged rows lost, first %v (checkpoint %d)", len(lost), lost[0], meta.CheckpointTs))
	}
}

// scanAll returns every row in the valid prefix of every log file.
func scanAll(st core.Storage) (map[rowID]bool, error) {
	names, err := st.List()
	if err != nil {
		return nil, err
	}
	out := map[rowID]bool{}
	for _, n := range names {
		if _, ok := core.ParseFileName(n); !ok {
			continue
		}
		data, err := st.ReadFile(n)
		if err != nil {
			return nil, err
		}
		w := codec.NewWalker(n, data, 512)
		for w.Next() {
			if r := w.Record(); r.Type == codec.TypeRow {
				out[rowID{commitTs: r.Row.CommitTs, key: string(r.Row.Key)}] = true
			}
		}
		if err := w.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

type codecRow = codec.Row

// makeRow builds the test row committed at ts: 200 bytes framed.
func makeRow(ts uint64) codec.Row {
	return codec.SizedRow(codec.Row{TableID: 1, Key: []byte(fmt.Sprintf("k%d", ts)), Op: codec.OpInsert,
		StartTs: ts - 5, CommitTs: ts}, codec.RowShape{FrameBytes: 200, Columns: 3})
}

// checkOpenFiles: a stream has at most two open (.log.tmp) files, one
// being sealed and the new one; more means a rotation never sealed.
func (cw *world) checkOpenFiles() {
	if cw.dk == nil {
		return
	}
	names, _ := cw.dk.FS().List("redo")
	open := map[string]int{}
	for _, n := range names {
		if fn, ok := core.ParseFileName(n); ok && fn.Tmp {
			open[fn.Type]++
		}
	}
	for typ, n := range open {
		if n > 2 {
			cw.problems = append(cw.problems, fmt.Sprintf("%d open %s files: a rotation was never sealed", n, typ))
		}
	}
}
