package apply

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/redosim/redosim/engine/codec"
)

func TestConfigValidate(t *testing.T) {
	bad := []Config{
		{Workers: -1},
		{Workers: WorkersMax + 1},
		{QueueLen: -3},
		{QueueLen: 4, BatchLen: 5},
		{Hot: []HotTable{{TableID: 1}, {TableID: 1}}},
		{Hot: []HotTable{{TableID: 1, Partitions: PartitionsMax + 1}}},
		{Hot: []HotTable{{TableID: 1, Splits: [][]byte{[]byte("b"), []byte("a")}}}},
		{Hot: []HotTable{{TableID: 1, Partitions: 3, Splits: [][]byte{[]byte("a")}}}},
	}
	for i, cfg := range bad {
		if _, err := NewPlan(nil, cfg); !errors.Is(err, ErrBadConfig) {
			t.Errorf("config %d: err %v, want ErrBadConfig", i, err)
		}
	}
	p, err := NewPlan(nil, Config{Hot: []HotTable{{TableID: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	got := p.Config()
	if got.Workers != 4 || got.QueueLen != 1024 || got.BatchLen != 64 || got.Hot[0].Partitions != 4 {
		t.Errorf("defaults: %+v", got)
	}
}

// TestPlanBarriersAndDiscards: every DDL is a barrier; rows that a later
// drop or truncate of their table erases are discarded, other rows are
// dispatched; KeepDoomedRows dispatches them all.
func TestPlanBarriersAndDiscards(t *testing.T) {
	log := []codec.Record{
		rowRec(1, "a", codec.OpInsert, 10), // erased by the truncate of 1
		rowRec(2, "a", codec.OpInsert, 10), // erased by the drop of 2
		rowRec(3, "a", codec.OpInsert, 10), // survives: add-column erases nothing
		ddlRec(codec.DDLTruncate, 20, 1),
		ddlRec(codec.DDLAddColumn, 22, 3),
		rowRec(1, "b", codec.OpInsert, 30), // survives
		rowRec(2, "b", codec.OpInsert, 30), // erased by the drop of 2
		ddlRec(codec.DDLDrop, 40, 2),
		ddlRec(codec.DDLCreate, 50, 2),
		rowRec(2, "c", codec.OpInsert, 60), // survives: after the drop
	}
	want := []StepKind{StepDiscard, StepDiscard, StepDispatch, StepBarrier, StepBarrier,
		StepDispatch, StepDiscard, StepBarrier, StepBarrier, StepDispatch}
	for _, keep := range []bool{false, true} {
		p, err := NewPlan(log, Config{Workers: 3, KeepDoomedRows: keep})
		if err != nil {
			t.Fatal(err)
		}
		for i, w := range want {
			if keep && w == StepDiscard {
				w = StepDispatch
			}
			if got := p.Step(i).Kind; got != w {
				t.Errorf("keep=%v record %d: step %s, want %s", keep, i, got, w)
			}
		}
		s := p.Summary()
		if s.Barriers != 4 || s.Dispatched+s.Discarded != 6 {
			t.Errorf("keep=%v summary %+v", keep, s)
		}
	}
}

// TestPlanPartitions: a table's rows share one worker; a hot table's rows
// spread by key, and one key always lands in one partition.
func TestPlanPartitions(t *testing.T) {
	var log []codec.Record
	for i := range 400 {
		key := string(rune('a'+i%26)) + string(rune('a'+i/26%26))
		log = append(log, rowRec(int64(1+i%3), key, codec.OpUpdate, uint64(10+i)))
	}
	splits := [][]byte{[]byte("h"), []byte("p")}
	for _, hot := range [][]HotTable{
		{{TableID: 1, Partitions: 8}},
		{{TableID: 1, Splits: splits}},
	} {
		p, err := NewPlan(log, Config{Workers: 8, Hot: hot})
		if err != nil {
			t.Fatal(err)
		}
		keyPart := map[string]int{}
		tableWorker := map[int64]int{}
		parts := map[int]bool{}
		for i := range log {
			r, s := &log[i].Row, p.Step(i)
			if r.TableID != 1 {
				if w, ok := tableWorker[r.TableID]; ok && w != s.Worker {
					t.Fatalf("table %d on workers %d and %d", r.TableID, w, s.Worker)
				}
				tableWorker[r.TableID] = s.Worker
				continue
			}
			if pt, ok := keyPart[string(r.Key)]; ok && pt != s.Partition {
				t.Fatalf("key %q in partitions %d and %d", r.Key, pt, s.Partition)
			}
			keyPart[string(r.Key)] = s.Partition
			parts[s.Partition] = true
			if hot[0].Splits != nil {
				want := 0
				for _, sp := range splits {
					if bytes.Compare(r.Key, sp) >= 0 {
						want++
					}
				}
				if s.Partition != want {
					t.Fatalf("key %q in partition %d, want %d", r.Key, s.Partition, want)
				}
			}
		}
		if len(parts) != hot[0].Partitions && len(parts) != len(splits)+1 {
			t.Errorf("hot table used %d partitions", len(parts))
		}
	}
}

// TestBarrierOrderingInVirtualTime: a barrier waits for every worker to
// drain and runs alone; the rows after it start only when it is done.
func TestBarrierOrderingInVirtualTime(t *testing.T) {
	log := []codec.Record{
		rowRec(1, "a", codec.OpInsert, 10), rowRec(1, "b", codec.OpInsert, 10),
		rowRec(2, "a", codec.OpInsert, 10),
		ddlRec(codec.DDLAddColumn, 20, 9),
		rowRec(2, "b", codec.OpInsert, 30),
	}
	p, err := NewPlan(log, Config{Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if p.Step(0).Worker == p.Step(2).Worker {
		t.Fatal("tables 1 and 2 share a worker under this hash; pick other ids")
	}
	st := newTestState(t, StateConfig{})
	res, err := RunVirtual(st, p, VirtualConfig{
		RowCostNs: func(*codec.Row) int64 { return 10 },
		DDLCostNs: func(*codec.DDL) int64 { return 100 },
	})
	if err != nil {
		t.Fatal(err)
	}
	// Worker of table 1: 20 ns; table 2: 10 ns; barrier at 20, DDL to 120,
	// last row to 130.
	if res.MakespanNs != 130 || res.BarrierWaitNs != 20 || res.Stats.Barriers != 1 {
		t.Errorf("result %+v", res)
	}
	// A crash at 119 ns leaves the rows before the DDL and nothing after.
	crashed := newTestState(t, StateConfig{})
	res, err = RunVirtual(crashed, p, VirtualConfig{RowCostNs: func(*codec.Row) int64 { return 10 },
		DDLCostNs: func(*codec.DDL) int64 { return 100 }, CrashAtNs: 119})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Crashed || res.MakespanNs != 119 || crashed.RowCount() != 3 || len(crashed.DDLs()) != 0 {
		t.Errorf("crash: result %+v, rows %d, ddls %d", res, crashed.RowCount(), len(crashed.DDLs()))
	}
}

// TestVirtualQueueBound: a full queue stops the reader, which delays rows
// for other, idle workers (head-of-line blocking, as in openGauss).
func TestVirtualQueueBound(t *testing.T) {
	var log []codec.Record
	for i := range 10 {
		log = append(log, rowRec(1, "a", codec.OpUpdate, uint64(10+i)))
	}
	log = append(log, rowRec(2, "a", codec.OpInsert, 100))
	cost := VirtualConfig{RowCostNs: func(*codec.Row) int64 { return 10 }}
	for _, tc := range []struct {
		queueLen              int
		makespan, readerBlock int64
	}{
		{queueLen: 2, makespan: 100, readerBlock: 80},
		{queueLen: 100, makespan: 100, readerBlock: 0},
	} {
		p, err := NewPlan(log, Config{Workers: 2, QueueLen: tc.queueLen, BatchLen: 1})
		if err != nil {
			t.Fatal(err)
		}
		if p.Step(0).Worker == p.Step(10).Worker {
			t.Fatal("tables 1 and 2 share a worker under this hash; pick other ids")
		}
		res, err := RunVirtual(newTestState(t, StateConfig{}), p, cost)
		if err != nil {
			t.Fatal(err)
		}
		if res.MakespanNs != tc.makespan || res.ReaderBlockedNs != tc.readerBlock {
			t.Errorf("queue %d: makespan %d blocked %d, want %d and %d",
				tc.queueLen, res.MakespanNs, res.ReaderBlockedNs, tc.makespan, tc.readerBlock)
		}
	}
}

func TestVirtualConfigErrors(t *testing.T) {
	p, err := NewPlan([]codec.Record{rowRec(1, "a", codec.OpInsert, 10)}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	for i, cfg := range []VirtualConfig{
		{ReadCostNs: -1},
		{CrashAtNs: -1},
		{RowCostNs: func(*codec.Row) int64 { return -5 }},
		{RowCostNs: func(*codec.Row) int64 { return CostNsMax + 1 }},
	} {
		if _, err := RunVirtual(newTestState(t, StateConfig{}), p, cfg); !errors.Is(err, ErrBadConfig) {
			t.Errorf("config %d: err %v, want ErrBadConfig", i, err)
		}
	}
	if _, err := RunVirtual(nil, p, VirtualConfig{}); !errors.Is(err, ErrBadConfig) {
		t.Errorf("nil state: err %v", err)
	}
}

// TestRunParallelRefusesUnbarrieredDDL: the goroutine executor will not run
// a DDL beside rows on other goroutines.
func TestRunParallelRefusesUnbarrieredDDL(t *testing.T) {
	log := []codec.Record{rowRec(1, "a", codec.OpInsert, 10), ddlRec(codec.DDLTruncate, 20, 1)}
	p, err := NewPlan(log, Config{KeepDoomedRows: true, bug: bugDDLNotBarrier})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := RunParallel(newTestState(t, StateConfig{}), p); !errors.Is(err, ErrBadPlan) {
		t.Errorf("err %v, want ErrBadPlan", err)
	}
}

// TestParallelErrorsMatchSerial: a row for a table the state (not the log)
// has dropped fails serially, in parallel and in virtual time alike.
func TestParallelErrorsMatchSerial(t *testing.T) {
	log := []codec.Record{rowRec(2, "a", codec.OpInsert, 10), rowRec(1, "a", codec.OpInsert, 30)}
	for _, run := range []func(*State, *Plan) error{
		func(st *State, p *Plan) error { _, err := ApplySerial(st, log); return err },
		func(st *State, p *Plan) error { _, err := RunParallel(st, p); return err },
		func(st *State, p *Plan) error { _, err := RunVirtual(st, p, VirtualConfig{}); return err },
	} {
		st := newTestState(t, StateConfig{})
		applyAll(t, st, ddlRec(codec.DDLDrop, 20, 1))
		p, err := NewPlan(log, Config{Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		if err := run(st, p); !errors.Is(err, ErrLifecycle) {
			t.Errorf("err %v, want ErrLifecycle", err)
		}
	}
}

// TestRunParallelBarrierDrains: with goroutines, a truncate must wait until
// every row before it is applied. A blind state would keep any row that
// arrived after the truncate, so exactly the rows after it must remain.
func TestRunParallelBarrierDrains(t *testing.T) {
	var log []codec.Record
	tables := []int64{1, 2, 3, 4, 5, 6, 7, 8}
	for i := range 4000 {
		log = append(log, rowRec(tables[i%8], fmt.Sprintf("k%d", i), codec.OpInsert, uint64(10+i)))
	}
	log = append(log, ddlRec(codec.DDLTruncate, 5000, tables...))
	for _, id := range tables {
		log = append(log, rowRec(id, "after", codec.OpInsert, 6000))
	}
	p, err := NewPlan(log, Config{Workers: 8, KeepDoomedRows: true, BatchLen: 7,
		Hot: []HotTable{{TableID: 1, Partitions: 8}}})
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		st := newTestState(t, StateConfig{Blind: true, RowSpin: 50})
		stats, err := RunParallel(st, p)
		if err != nil {
			t.Fatal(err)
		}
		if st.RowCount() != len(tables) || stats.RowsApplied != int64(len(log)-1) || stats.Barriers != 1 {
			t.Fatalf("rows %d, stats %+v", st.RowCount(), stats)
		}
	}
}
