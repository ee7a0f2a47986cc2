package apply

import (
	"errors"
	"math/rand/v2"
	"testing"

	"github.com/redosim/redosim/engine/codec"
)

// TestSortForApply: rows by (commitTs, startTs, delete<update<insert), each
// DDL after every row with commitTs <= its own. Reference: TiCDC reader heap
// Less and applier main loop (pingcap/ticdc:cmd/redo/reader/reader.go, docs/FIDELITY.md, redo apply).
func TestSortForApply(t *testing.T) {
	want := []codec.Record{
		rowRec(1, "a", codec.OpInsert, 10),
		rowRec(2, "x", codec.OpDelete, 12), // one txn: delete < update < insert
		rowRec(2, "y", codec.OpUpdate, 12),
		rowRec(2, "x", codec.OpInsert, 12),
		ddlRec(codec.DDLTruncate, 12, 1), // rows at its commitTs come first
		ddlRec(codec.DDLAddColumn, 13, 2),
		rowRec(1, "b", codec.OpInsert, 14),
	}
	in := append([]codec.Record(nil), want...)
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		rng.Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
		got, err := SortForApply(in)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if got[i].Type != want[i].Type || got[i].CommitTs() != want[i].CommitTs() ||
				got[i].Row.Op != want[i].Row.Op || string(got[i].Row.Key) != string(want[i].Row.Key) {
				t.Fatalf("position %d: got %+v, want %+v", i, got[i], want[i])
			}
		}
	}
	if _, err := SortForApply([]codec.Record{{Type: 7}}); !errors.Is(err, ErrBadRecord) {
		t.Errorf("unknown type: err %v, want ErrBadRecord", err)
	}
}

// TestMergeForApply: rows and DDLs handed over apart, sorted or not, come
// out as SortForApply orders their concatenation, and the inputs are left
// as they were.
func TestMergeForApply(t *testing.T) {
	recs := []codec.Record{
		rowRec(1, "a", codec.OpInsert, 10),
		rowRec(2, "x", codec.OpDelete, 12),
		rowRec(2, "y", codec.OpUpdate, 12),
		rowRec(3, "y", codec.OpUpdate, 12), // a tie with the row before: input order holds
		rowRec(2, "x", codec.OpInsert, 12),
		ddlRec(codec.DDLTruncate, 12, 1),
		ddlRec(codec.DDLAddColumn, 13, 2),
		rowRec(1, "b", codec.OpInsert, 14),
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for round := range 20 {
		in := append([]codec.Record(nil), recs...)
		if round > 0 {
			rng.Shuffle(len(in), func(i, j int) { in[i], in[j] = in[j], in[i] })
		}
		var rows, ddls []codec.Record
		for _, r := range in {
			if r.Type == codec.TypeDDL {
				ddls = append(ddls, r)
			} else {
				rows = append(rows, r)
			}
		}
		rowsBefore := append([]codec.Record(nil), rows...)
		want, _ := SortForApply(append(append([]codec.Record(nil), rows...), ddls...))
		got, err := MergeForApply(rows, ddls)
		if err != nil {
			t.Fatal(err)
		}
		for i := range want {
			if got[i].Type != want[i].Type || got[i].CommitTs() != want[i].CommitTs() || got[i].Row.TableID != want[i].Row.TableID ||
				got[i].Row.Op != want[i].Row.Op || string(got[i].Row.Key) != string(want[i].Row.Key) {
				t.Fatalf("round %d position %d: got %+v, want %+v", round, i, got[i], want[i])
			}
		}
		for i := range rows {
			if rows[i].Row.TableID != rowsBefore[i].Row.TableID || string(rows[i].Row.Key) != string(rowsBefore[i].Row.Key) {
				t.Fatalf("round %d: MergeForApply reordered its input", round)
			}
		}
	}
	if _, err := MergeForApply([]codec.Record{ddlRec(codec.DDLTruncate, 1, 1)}, nil); !errors.Is(err, ErrBadRecord) {
		t.Errorf("a DDL among the rows: err %v, want ErrBadRecord", err)
	}
}

// TestLogChecker: logs out of apply order or against a table's life are
// refused, by ApplySerial (which then changes nothing) and by NewPlan.
func TestLogChecker(t *testing.T) {
	for _, tc := range []struct {
		name string
		log  []codec.Record
		want error
	}{
		{"regression within table", []codec.Record{rowRec(1, "a", codec.OpInsert, 20),
			rowRec(1, "b", codec.OpInsert, 10)}, ErrOrder},
		{"op order within txn", []codec.Record{rowRec(1, "a", codec.OpInsert, 20),
			rowRec(1, "a", codec.OpDelete, 20)}, ErrOrder},
		{"row at ddl ts after ddl", []codec.Record{ddlRec(codec.DDLTruncate, 20, 1),
			rowRec(1, "a", codec.OpInsert, 20)}, ErrOrder},
		{"newer row before ddl", []codec.Record{rowRec(1, "a", codec.OpInsert, 30),
			ddlRec(codec.DDLTruncate, 20, 1)}, ErrOrder},
		{"ddl regression", []codec.Record{ddlRec(codec.DDLAddColumn, 30, 1),
			ddlRec(codec.DDLAddColumn, 20, 2)}, ErrOrder},
		{"row after drop", []codec.Record{ddlRec(codec.DDLDrop, 20, 1),
			rowRec(1, "a", codec.OpInsert, 30)}, ErrLifecycle},
		{"truncate after drop", []codec.Record{ddlRec(codec.DDLDrop, 20, 1),
			ddlRec(codec.DDLTruncate, 30, 1)}, ErrLifecycle},
		{"create of used table", []codec.Record{rowRec(1, "a", codec.OpInsert, 10),
			ddlRec(codec.DDLCreate, 20, 1)}, ErrLifecycle},
		{"bad op", []codec.Record{{Type: codec.TypeRow, Row: codec.Row{Op: 4}}}, ErrBadRecord},
		{"ddl without tables", []codec.Record{{Type: codec.TypeDDL,
			DDL: codec.DDL{Kind: codec.DDLTruncate, CommitTs: 5}}}, ErrBadRecord},
	} {
		st := newTestState(t, StateConfig{})
		if _, err := ApplySerial(st, tc.log); !errors.Is(err, tc.want) {
			t.Errorf("%s: ApplySerial err %v, want %v", tc.name, err, tc.want)
		}
		if st.RowCount() != 0 || len(st.DDLs()) != 0 {
			t.Errorf("%s: ApplySerial changed the state of a refused log", tc.name)
		}
		if _, err := NewPlan(tc.log, Config{}); !errors.Is(err, tc.want) {
			t.Errorf("%s: NewPlan err %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestLogCheckerAllowsCrossTableDisorder: order is per table (as TiCDC's
// applier requires), so rows of different tables may interleave freely, and
// a DDL only constrains the rows of its own tables.
func TestLogCheckerAllowsCrossTableDisorder(t *testing.T) {
	log := []codec.Record{rowRec(1, "a", codec.OpInsert, 30), rowRec(2, "a", codec.OpInsert, 10),
		ddlRec(codec.DDLTruncate, 20, 2), rowRec(1, "b", codec.OpInsert, 31), ddlRec(codec.DDLDrop, 40, 1),
		ddlRec(codec.DDLCreate, 50, 1), rowRec(1, "c", codec.OpInsert, 51)}
	st := newTestState(t, StateConfig{})
	if _, err := ApplySerial(st, log); err != nil {
		t.Fatal(err)
	}
	wantRow(t, st, 1, "c", 51)
	if st.RowCount() != 1 {
		t.Errorf("rows %d, want 1", st.RowCount())
	}
}

// TestSerialStreaming: Serial checks each record against those before it
// and refuses a bad one without applying it.
func TestSerialStreaming(t *testing.T) {
	st := newTestState(t, StateConfig{})
	s, err := NewSerial(st)
	if err != nil {
		t.Fatal(err)
	}
	good, bad := rowRec(1, "a", codec.OpInsert, 20), rowRec(1, "b", codec.OpInsert, 10)
	if err := s.Apply(&good); err != nil {
		t.Fatal(err)
	}
	if err := s.Apply(&bad); !errors.Is(err, ErrOrder) {
		t.Fatalf("err %v, want ErrOrder", err)
	}
	wantRow(t, st, 1, "b", 0)
	if got := s.Stats(); got.RowsApplied != 1 {
		t.Errorf("stats %+v", got)
	}
	if _, err := NewSerial(nil); !errors.Is(err, ErrBadConfig) {
		t.Errorf("nil state: err %v", err)
	}
}
