package core_test

import (
	"bytes"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/simdriver"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/disk"
	"github.com/redosim/redosim/sim/dist"
	"github.com/redosim/redosim/sim/objstore"
)

// Crash-state enumeration (ALICE, CrashMonkey's B3 bound, gosim's
// IterCrashes), not random crashes: a short engine workload (appends
// under group commit, a DDL, three rotations, meta replaces, GC) runs
// once per persistence step k, and at the k-th step (the driver's fault
// points engine/<stream>/before<Op> with the value "crash", so the crash
// lands exactly before that write, sync, truncate, rename, directory
// sync, remove, upload or delete) the harness takes every state the disk
// may be in after a power loss (FS.CrashStates: each file's unsynced
// sectors kept as any prefix, the next one torn or garbage), and recovers
// the engine on each. Every recovery must give:
//   - recovered ⊆ appended, byte for byte (recovery invents nothing);
//   - acknowledged ⊆ recovered, above the recovered checkpoint (under the
//     commit policy an acknowledgement means durable);
//   - recovered meta ≥ the meta the engine had reported flushed;
//   - the same again after the repair chain has run.
// The object backend has no partial state (uploads are atomic): each step
// is one state, the store as the earlier ops left it.

// enumStep is the harness's fault decider: it counts evaluations of the
// engine's fault points and answers "crash" at the k-th (0: never).
type enumStep struct {
	k, evals int
	points   []string
}

func (s *enumStep) Fire(point string) (string, bool) {
	if !strings.HasPrefix(point, "engine/") {
		return "", false
	}
	s.evals++
	s.points = append(s.points, point)
	if s.evals == s.k {
		return "crash", true
	}
	return "", false
}

// enumSetup is one enumerated configuration.
type enumSetup struct {
	name   string
	cfg    core.Config
	object bool
	plant  func(*core.Engine)
}

func enumConfig(syncChains int) core.Config {
	return core.Config{Policy: core.PolicyCommit, MaxLogBytes: 4096, FlushInterval: 5 * sim.Millisecond,
		FlushRows: 8, MetaFlushInterval: 3 * sim.Millisecond, NameSeed: 7, SyncChainsMax: syncChains}
}

// intervalConfig flushes every 5 ms or 16 rows: larger writes, more
// dirty sectors per crash, more states.
func intervalConfig() core.Config {
	c := enumConfig(0)
	c.Policy, c.FlushRows = core.PolicyInterval, 16
	return c
}

// ticdcConfig writes TiCDC's format: no headers, no checksums.
func ticdcConfig() core.Config {
	c := enumConfig(0)
	c.Format = core.FormatTiCDC
	return c
}

// ticdcLZ4Config uploads each object as one LZ4 frame.
func ticdcLZ4Config() core.Config {
	c := ticdcConfig()
	c.Compression = core.CompressionLZ4
	return c
}

// enumRowID names a row; rows are compared by their full encoding.
type enumRowID struct {
	commitTs uint64
	key      string
}

// enumRun is one run of the workload up to the crash.
type enumRun struct {
	w        *sim.World
	dk       *disk.Disk
	store    *objstore.Store
	target   simdriver.Target
	drv      *simdriver.Driver
	appended map[enumRowID][]byte
	acked    map[enumRowID]bool
	nextTs   uint64
	crashed  bool
	// At the crash: the meta reported flushed, the states to recover, and
	// whether the crash cut a meta replace or a rotation (the driver's
	// probes counted at its Stop).
	flushed          core.Meta
	states           []enumState
	complete         bool
	point            string
	inMetaReplace    bool
	inRotation       bool
	statesPerStepMax int
	// processCrash takes the state a process crash leaves (the page cache
	// intact) instead of the power-loss states.
	processCrash bool
}

// enumWorkload is the script: batches of appends, a DDL, meta updates
// that move the checkpoint (so GC removes sealed files), time passing.
var enumWorkload = []struct {
	rows int
	ddl  bool
	meta bool
	run  sim.Duration
}{
	{rows: 3, ddl: true, run: 2 * sim.Millisecond},
	{rows: 12, meta: true, run: 4 * sim.Millisecond},
	{rows: 20, run: 3 * sim.Millisecond},
	{meta: true, run: 5 * sim.Millisecond},
	{rows: 25, meta: true, run: 6 * sim.Millisecond},
	{meta: true, run: 20 * sim.Millisecond},
	{rows: 6, meta: true, run: 150 * sim.Millisecond},
	{rows: 6, meta: true, run: 300 * sim.Millisecond},
}

func newEnumRun(s enumSetup, k, statesMax int) *enumRun {
	w := sim.NewWorld(sim.WorldConfig{Seed: 11})
	w.Faults = &enumStep{k: k}
	r := &enumRun{w: w, appended: map[enumRowID][]byte{}, acked: map[enumRowID]bool{}, nextTs: 1000, statesPerStepMax: statesMax}
	if s.object {
		oc := objstore.DefaultConfig()
		oc.PutLatency, oc.DeleteLatency = dist.MustParse("const(1ms)"), dist.MustParse("const(1ms)")
		r.store = objstore.New(w, oc)
		r.target = simdriver.Target{Store: r.store, Dir: "redo"}
	} else {
		prof, _ := disk.ProfileByName("nvme")
		r.dk = disk.New(w, disk.Config{Name: "d0", Profile: prof})
		r.target = simdriver.Target{Disk: r.dk, Dir: "redo"}
	}
	return r
}

// play runs the workload, crashing at the k-th persistence step.
func (r *enumRun) play(s enumSetup) error {
	drv, _, err := simdriver.Open(r.w, s.cfg, r.target)
	if err != nil {
		return err
	}
	if s.plant != nil {
		s.plant(drv.Engine())
	}
	r.drv = drv
	drv.OnCrashPoint = r.onCrash
	for _, step := range enumWorkload {
		if r.crashed {
			break
		}
		r.appendRows(step.rows)
		if step.ddl {
			drv.AppendDDL(&codec.DDL{Kind: codec.DDLCreate, Added: []int64{2}, CommitTs: r.nextTs + 1, StartTs: r.nextTs}, func(error) {})
		}
		if step.meta {
			r.updateMeta()
		}
		r.w.Loop.RunUntil(r.w.Now().Add(step.run))
	}
	return nil
}

func (r *enumRun) appendRows(n int) {
	for range n {
		r.nextTs += 10
		row := makeEnumRow(r.nextTs)
		id := enumRowID{commitTs: row.CommitTs, key: string(row.Key)}
		r.appended[id] = codec.EncodeRecord(nil, &codec.Record{Type: codec.TypeRow, Row: row})
		r.drv.AppendRow(&row, func(err error) {
			if err == nil && !r.crashed {
				r.acked[id] = true
			}
		})
	}
}

// updateMeta sets resolved to the newest acknowledged row and the
// checkpoint to all but the last ten of them, so GC has work.
func (r *enumRun) updateMeta() {
	var ts []uint64
	for id := range r.acked {
		ts = append(ts, id.commitTs)
	}
	if len(ts) == 0 {
		return
	}
	sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
	r.drv.UpdateMeta(ts[max(0, len(ts)-10)], ts[len(ts)-1])
}

func makeEnumRow(ts uint64) codec.Row {
	return codec.SizedRow(codec.Row{TableID: 1, Key: []byte(fmt.Sprintf("k%d", ts)), Op: codec.OpInsert,
		StartTs: ts - 5, CommitTs: ts}, codec.RowShape{FrameBytes: 200, Columns: 2})
}

// onCrash is the crash at the k-th step: the driver stops (its probes
// say whether a meta replace or a rotation was in flight) and the states
// a power loss may leave are taken.
func (r *enumRun) onCrash(point string) {
	r.crashed, r.point = true, point
	r.flushed = r.drv.FlushedMeta()
	before := probeCounts(r.w)
	r.drv.Stop()
	after := probeCounts(r.w)
	r.inMetaReplace = after[simdriver.ProbeCrashDuringMetaReplace] > before[simdriver.ProbeCrashDuringMetaReplace]
	r.inRotation = after[simdriver.ProbeCrashDuringRotation] > before[simdriver.ProbeCrashDuringRotation]
	if r.store != nil {
		r.states, r.complete = []enumState{copyStore(r.store)}, true
		return
	}
	if r.processCrash {
		r.states, r.complete = []enumState{onDisk(r.dk.FS().Clone())}, true
		return
	}
	fss, complete := r.dk.FS().CrashStates(r.statesPerStepMax)
	r.complete = complete
	for _, fs := range fss {
		r.states = append(r.states, onDisk(fs))
	}
}

func probeCounts(w *sim.World) map[string]uint64 {
	out := map[string]uint64{}
	for _, p := range w.Probes() {
		out[p.Name] = p.Count
	}
	return out
}

// enumState is one crash state to recover: storage in a fresh world.
type enumState struct {
	w *sim.World
	t simdriver.Target
}

// onDisk puts a file system on a disk of a fresh world.
func onDisk(fs *disk.FS) enumState {
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	prof, _ := disk.ProfileByName("nvme")
	d := disk.New(w, disk.Config{Name: "d1", Profile: prof})
	d.SetFS(fs)
	return enumState{w: w, t: simdriver.Target{Disk: d, Dir: "redo"}}
}

// copyStore copies every object of s into a store of a fresh world.
func copyStore(s *objstore.Store) enumState {
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	c := objstore.New(w, objstore.DefaultConfig())
	for _, k := range s.Keys("") {
		data, _ := s.Object(k)
		c.Put(k, append([]byte(nil), data...), func(error) {})
	}
	w.Loop.Run()
	return enumState{w: w, t: simdriver.Target{Store: c, Dir: "redo"}}
}

// enumVerdict is what recovering one state found.
type enumVerdict struct {
	problems []string
	torn     bool
	metas    bool // recovery met an interrupted meta replace
}

// recoverState recovers the engine on one crash state and checks it, once
// after recovery and once after the repair chain ran.
func (r *enumRun) recoverState(cfg core.Config, st enumState) enumVerdict {
	var v enumVerdict
	w, t := st.w, st.t
	drv, rep, err := simdriver.Open(w, cfg, t)
	if err != nil {
		v.problems = append(v.problems, "recover: "+err.Error())
		return v
	}
	for _, f := range rep.Files {
		v.torn = v.torn || f.TornBytes > 0
	}
	v.metas = len(rep.MetaFiles)+len(rep.MetaUnfinished) > 1
	// What recovery found; it becomes the flushed meta once the repair
	// chain has made it durable (checked after the repair below).
	meta := rep.Meta
	if meta.CheckpointTs < r.flushed.CheckpointTs || meta.ResolvedTs < r.flushed.ResolvedTs {
		v.problems = append(v.problems, fmt.Sprintf("meta went back: recovered %+v, reported flushed %+v", meta, r.flushed))
	}
	v.problems = append(v.problems, r.compare(t, meta, "after recovery")...)
	w.Loop.RunUntil(w.Now().Add(50 * sim.Millisecond))
	if err := drv.Engine().Err(); err != nil {
		v.problems = append(v.problems, "repair: "+err.Error())
	}
	v.problems = append(v.problems, r.compare(t, meta, "after repair")...)
	return v
}

// compare checks recovered ⊆ appended (byte for byte) and acknowledged ⊆
// recovered above the checkpoint.
func (r *enumRun) compare(t simdriver.Target, meta core.Meta, when string) []string {
	recovered, err := enumScan(simdriver.Storage(t))
	if err != nil {
		return []string{when + ": scan: " + err.Error()}
	}
	var problems []string
	for id, enc := range recovered {
		if want, ok := r.appended[id]; !ok || !bytes.Equal(enc, want) {
			problems = append(problems, fmt.Sprintf("%s: recovered row %v was never appended as such", when, id))
		}
	}
	lost := 0
	for id := range r.acked {
		if id.commitTs > meta.CheckpointTs && recovered[id] == nil {
			lost++
		}
	}
	if lost > 0 {
		problems = append(problems, fmt.Sprintf("%s: %d acknowledged rows lost (checkpoint %d)", when, lost, meta.CheckpointTs))
	}
	return problems
}

// enumScan returns every row record in the valid prefix of every log
// file (of either format), encoded in this engine's format.
func enumScan(st core.Storage) (map[enumRowID][]byte, error) {
	out := map[enumRowID][]byte{}
	a, err := core.AuditStorage(st, core.AuditOptions{SkipMetas: true, SectorBytes: 512,
		OnRecord: func(_ *core.Audit, _ *core.FileAudit, rec *codec.Record) {
			if rec.Type == codec.TypeRow {
				out[enumRowID{commitTs: rec.Row.CommitTs, key: string(rec.Row.Key)}] = codec.EncodeRecord(nil, rec)
			}
		}})
	if err != nil {
		return nil, err
	}
	for _, f := range a.Files {
		if f.State == core.FileCorrupt {
			return nil, fmt.Errorf("%s is corrupt: %w", f.Name, a.Err("scan"))
		}
	}
	return out, nil
}

// enumTotals sums an enumeration.
type enumTotals struct {
	steps, states, incomplete  int
	tornAtRotation, metaStates int
	tornStates                 int
	problems                   []string
	kinds                      map[string]bool
}

// enumerate crashes the workload at every persistence step and checks
// every crash state; it stops collecting problems after problemsMax.
func enumerate(t *testing.T, s enumSetup, statesMax int) enumTotals {
	t.Helper()
	tot := enumTotals{kinds: map[string]bool{}}
	probe := newEnumRun(s, 0, statesMax)
	if err := probe.play(s); err != nil {
		t.Fatalf("%s: clean run: %v", s.name, err)
	}
	steps := probe.w.Faults.(*enumStep).evals
	if steps < 20 {
		t.Fatalf("%s: only %d persistence steps: the workload changed", s.name, steps)
	}
	for k := 1; k <= steps; k++ {
		r := newEnumRun(s, k, statesMax)
		if err := r.play(s); err != nil {
			t.Fatalf("%s: step %d: %v", s.name, k, err)
		}
		if !r.crashed {
			continue // a step of the clean run that timing moved past the end
		}
		tot.steps++
		if !r.complete {
			tot.incomplete++
		}
		for _, st := range r.states {
			tot.states++
			v := r.recoverState(s.cfg, st)
			if v.torn {
				tot.tornStates++
				if r.inRotation {
					tot.tornAtRotation++
				}
			}
			if r.inMetaReplace && v.metas {
				tot.metaStates++
			}
			for _, p := range v.problems {
				kind := p[:strings.IndexAny(p+":", ":")]
				tot.kinds[kind] = true
				if len(tot.problems) < 5 {
					tot.problems = append(tot.problems, fmt.Sprintf("step %d (%s): %s", k, r.point, p))
				}
			}
		}
	}
	return tot
}

// TestCrashStatesAtEveryPersistenceStep: for the file backend (one chain
// per flush, and the pipelined sync chains) and the object backend, every
// crash state at every persistence step recovers correctly. It also
// checks the enumeration reached the rare states it exists for: a torn
// tail while a rotated file was being sealed, and a meta replace cut in
// the middle.
func TestCrashStatesAtEveryPersistenceStep(t *testing.T) {
	setups := []enumSetup{
		{name: "file", cfg: enumConfig(0)},
		{name: "file-pipelined", cfg: enumConfig(2)},
		{name: "file-interval", cfg: intervalConfig()},
		{name: "object", cfg: enumConfig(0), object: true},
		{name: "file-ticdc", cfg: ticdcConfig()},
		{name: "object-ticdc-lz4", cfg: ticdcLZ4Config(), object: true},
	}
	for _, s := range setups {
		t.Run(s.name, func(t *testing.T) {
			tot := enumerate(t, s, 256)
			t.Logf("%s: %d steps, %d crash states recovered (%d steps over the 256-state bound); %d torn, %d torn at a rotation, %d with an interrupted meta replace",
				s.name, tot.steps, tot.states, tot.incomplete, tot.tornStates, tot.tornAtRotation, tot.metaStates)
			for _, p := range tot.problems {
				t.Error(p)
			}
			if !s.object && tot.tornAtRotation == 0 {
				t.Error("no crash state tore the tail of a file being sealed at rotation: the workload no longer rotates under a crash")
			}
			if tot.metaStates == 0 {
				t.Error("no crash state cut a meta replace in the middle")
			}
		})
	}
}

// TestCrashEnumerationCatchesPlantedBugs: the enumeration must catch the
// engine's planted bugs: an acknowledgement before the sync, and a new
// file whose directory entry is never synced.
func TestCrashEnumerationCatchesPlantedBugs(t *testing.T) {
	for _, s := range []enumSetup{
		{name: "ackBeforeSync", cfg: enumConfig(0), plant: core.PlantAckBeforeSync},
		{name: "skipDirSync", cfg: enumConfig(0), plant: core.PlantSkipDirSync},
	} {
		t.Run(s.name, func(t *testing.T) {
			tot := enumerate(t, s, 64)
			if len(tot.problems) == 0 {
				t.Fatalf("planted %s went unnoticed in %d crash states", s.name, tot.states)
			}
			t.Logf("caught: %s", tot.problems[0])
		})
	}
}

// TestCrashEnumerationBitFlips flips one bit in each 61st byte of every
// log file at the end of the workload: recovery must either refuse the
// file (corruption inside the valid region is an error) or return only
// records that were appended, byte for byte; a flip is never handed out.
func TestCrashEnumerationBitFlips(t *testing.T) {
	s := enumSetup{name: "file", cfg: enumConfig(0)}
	r := newEnumRun(s, 0, 1)
	if err := r.play(s); err != nil {
		t.Fatal(err)
	}
	r.drv.Stop()
	base := r.dk.FS()
	names, _ := base.List("redo")
	flips, refused := 0, 0
	for _, n := range names {
		if _, ok := core.ParseFileName(n); !ok {
			continue
		}
		size, _ := base.Size("redo/" + n)
		for off := int64(0); off < size; off += 61 {
			fs := base.Clone()
			if err := fs.FlipBit("redo/"+n, off*8+int64(off%8)); err != nil {
				t.Fatal(err)
			}
			flips++
			st := onDisk(fs)
			if _, _, err := simdriver.Open(st.w, s.cfg, st.t); err != nil {
				refused++
				continue
			}
			recovered, err := enumScan(simdriver.Storage(st.t))
			if err != nil {
				continue // the walker stops at the flip: a torn tail, not a record
			}
			for id, enc := range recovered {
				if want, ok := r.appended[id]; !ok || !bytes.Equal(enc, want) {
					t.Fatalf("flip at %s+%d: recovery handed out row %v that was never appended as such", n, off, id)
				}
			}
		}
	}
	if flips < 50 {
		t.Fatalf("only %d flips: the workload wrote too little", flips)
	}
	t.Logf("%d single-bit flips: %d refused by recovery, none handed out", flips, refused)
}

// TestCrashEnumerationProcessCrashThenPowerLoss: a process crash at every
// persistence step (the page cache survives), recovery and its repair,
// then a power loss in every state it may leave. Recovery reports the
// meta it read as flushed; a power loss must not take it back.
//
// This found recovered-meta-not-durable (scenarios/swarm Fixed): a crash
// between a meta file's write and its sync left that meta in the page
// cache only, recovery adopted it without syncing it, and the power loss
// brought back the older meta. Recovery now rewrites and syncs every meta
// it reads, and the check is strict.
func TestCrashEnumerationProcessCrashThenPowerLoss(t *testing.T) {
	s := enumSetup{name: "file", cfg: enumConfig(0)}
	probe := newEnumRun(s, 0, 1)
	if err := probe.play(s); err != nil {
		t.Fatal(err)
	}
	steps := probe.w.Faults.(*enumStep).evals
	var states int
	kinds := map[string]int{}
	var first string
	for k := 1; k <= steps; k++ {
		r := newEnumRun(s, k, 1)
		r.processCrash = true
		if err := r.play(s); err != nil {
			t.Fatal(err)
		}
		if !r.crashed {
			continue
		}
		st := r.states[0]
		drv, _, err := simdriver.Open(st.w, s.cfg, st.t)
		if err != nil {
			t.Fatalf("step %d: recover after a process crash: %v", k, err)
		}
		st.w.Loop.RunUntil(st.w.Now().Add(50 * sim.Millisecond))
		r.flushed = drv.FlushedMeta() // what recovery now reports as durable
		drv.Stop()
		fss, _ := st.t.Disk.FS().CrashStates(32)
		for _, fs := range fss {
			states++
			for _, p := range r.recoverState(s.cfg, onDisk(fs)).problems {
				kind := p[:strings.IndexAny(p+":", ":")]
				kinds[kind]++
				if first == "" {
					first = fmt.Sprintf("step %d (%s): %s", k, r.point, p)
				}
			}
		}
	}
	t.Logf("%d steps, %d power-loss states after a process crash and recovery; problems by kind: %v; first: %s", steps, states, kinds, first)
	if len(kinds) > 0 {
		t.Errorf("recovery after a process crash then a power loss: %v; first: %s", kinds, first)
	}
}
