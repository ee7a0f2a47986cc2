package apply

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/redosim/redosim/engine/codec"
)

func newTestState(t *testing.T, cfg StateConfig) *State {
	t.Helper()
	st, err := NewState(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func applyAll(t *testing.T, st *State, recs ...codec.Record) {
	t.Helper()
	for i := range recs {
		if err := st.Apply(&recs[i]); err != nil {
			t.Fatalf("record %d: %v", i, err)
		}
	}
}

func wantRow(t *testing.T, st *State, table int64, key string, commitTs uint64) {
	t.Helper()
	got, ok := st.Get(table, []byte(key))
	switch {
	case commitTs == 0 && ok:
		t.Errorf("table %d key %s: got row @%d, want none", table, key, got.CommitTs)
	case commitTs != 0 && !ok:
		t.Errorf("table %d key %s: got none, want row @%d", table, key, commitTs)
	case ok && got.CommitTs != commitTs:
		t.Errorf("table %d key %s: got row @%d, want @%d", table, key, got.CommitTs, commitTs)
	}
}

// randomLog returns a valid generated log; seeds make it repeatable.
func randomLog(seed uint64, n int) []codec.Record {
	rng := rand.New(rand.NewPCG(seed, 1))
	spec := make([]opSpec, n)
	for i := range spec {
		spec[i] = opSpec{Kind: uint8(rng.IntN(24)), Table: uint8(rng.IntN(8)),
			Key: uint8(rng.IntN(16)), Txn: uint8(rng.IntN(3))}
	}
	return buildLog(spec)
}

func TestNewStateRejectsBadSpin(t *testing.T) {
	for _, spin := range []int{-1, RowSpinMax + 1} {
		if _, err := NewState(StateConfig{RowSpin: spin}); !errors.Is(err, ErrBadConfig) {
			t.Errorf("spin %d: err %v, want ErrBadConfig", spin, err)
		}
	}
}

// TestApplyTwiceEqualsOnce: with the version check, running a whole log
// again changes nothing, serially, in parallel and in virtual time.
func TestApplyTwiceEqualsOnce(t *testing.T) {
	for seed := uint64(1); seed <= 20; seed++ {
		recs := randomLog(seed, 200)
		once := newTestState(t, StateConfig{})
		if _, err := ApplySerial(once, recs); err != nil {
			t.Fatal(err)
		}
		twice := once.Clone()
		stats, err := ApplySerial(twice, recs)
		if err != nil {
			t.Fatal(err)
		}
		if stats.RowsApplied != 0 || stats.DDLsApplied != 0 {
			t.Errorf("seed %d: second apply changed %d rows and %d ddls", seed, stats.RowsApplied, stats.DDLsApplied)
		}
		plan, err := NewPlan(recs, Config{Workers: 3, Hot: hotConfig(1)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := RunParallel(twice, plan); err != nil {
			t.Fatal(err)
		}
		if _, err := RunVirtual(twice, plan, VirtualConfig{}); err != nil {
			t.Fatal(err)
		}
		if d := once.Diff(twice, 3); d != nil {
			t.Errorf("seed %d: applying again changed the state: %v", seed, d)
		}
	}
}

// TestPrefixThenWholeEqualsWhole: an apply interrupted after any record and
// then run again from the start ends where one apply ends.
func TestPrefixThenWholeEqualsWhole(t *testing.T) {
	recs := randomLog(7, 300)
	whole := newTestState(t, StateConfig{})
	if _, err := ApplySerial(whole, recs); err != nil {
		t.Fatal(err)
	}
	for cut := 0; cut <= len(recs); cut++ {
		st := newTestState(t, StateConfig{})
		if _, err := ApplySerial(st, recs[:cut]); err != nil {
			t.Fatal(err)
		}
		if _, err := ApplySerial(st, recs); err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		if d := whole.Diff(st, 3); d != nil {
			t.Fatalf("cut %d: %v", cut, d)
		}
	}
}

// TestDeleteLeavesTombstone: a replayed older insert must not bring a
// deleted row back, and a tombstone is invisible to Equal and Digest.
func TestDeleteLeavesTombstone(t *testing.T) {
	st := newTestState(t, StateConfig{})
	applyAll(t, st, rowRec(1, "a", codec.OpInsert, 10), rowRec(1, "a", codec.OpDelete, 20),
		rowRec(1, "a", codec.OpInsert, 10))
	wantRow(t, st, 1, "a", 0)
	empty := newTestState(t, StateConfig{})
	if !st.Equal(empty) || st.Digest() != empty.Digest() || st.RowCount() != 0 {
		t.Errorf("tombstone visible: diff %v", st.Diff(empty, 3))
	}
}

// TestSplitUpdateInOneTxn: an update that moves a key is a delete and an
// insert of one transaction (same commitTs and startTs); both must apply,
// also when the apply is interrupted between them.
func TestSplitUpdateInOneTxn(t *testing.T) {
	del, ins := rowRec(1, "a", codec.OpDelete, 20), rowRec(1, "a", codec.OpInsert, 20)
	st := newTestState(t, StateConfig{})
	applyAll(t, st, rowRec(1, "a", codec.OpInsert, 10), del)
	wantRow(t, st, 1, "a", 0)
	applyAll(t, st, del, ins)
	wantRow(t, st, 1, "a", 20)
	applyAll(t, st, del) // replayed: older than the insert
	wantRow(t, st, 1, "a", 20)
}

// TestTruncateWatermark: a truncate at T removes the rows with commitTs <= T,
// keeps newer ones (written after it by an earlier run), and keeps replayed
// older rows out.
func TestTruncateWatermark(t *testing.T) {
	st := newTestState(t, StateConfig{})
	applyAll(t, st, rowRec(1, "a", codec.OpInsert, 10), rowRec(1, "b", codec.OpInsert, 40),
		rowRec(2, "a", codec.OpInsert, 10), ddlRec(codec.DDLTruncate, 30, 1))
	wantRow(t, st, 1, "a", 0)
	wantRow(t, st, 1, "b", 40)
	wantRow(t, st, 2, "a", 10)
	applyAll(t, st, rowRec(1, "a", codec.OpInsert, 10), rowRec(1, "c", codec.OpUpdate, 30),
		rowRec(1, "d", codec.OpInsert, 31))
	wantRow(t, st, 1, "a", 0)
	wantRow(t, st, 1, "c", 0)
	wantRow(t, st, 1, "d", 31)
}

// TestDropAndCreate: drop removes a table and its rows; a replayed older row
// is skipped, a newer one is an error until the table is created again.
func TestDropAndCreate(t *testing.T) {
	st := newTestState(t, StateConfig{})
	applyAll(t, st, rowRec(1, "a", codec.OpInsert, 10), ddlRec(codec.DDLDrop, 20, 1),
		rowRec(1, "a", codec.OpUpdate, 15))
	if !st.Dropped(1) || st.RowCount() != 0 {
		t.Fatalf("after drop: dropped %v, rows %d", st.Dropped(1), st.RowCount())
	}
	late := rowRec(1, "a", codec.OpInsert, 25)
	if err := st.Apply(&late); !errors.Is(err, ErrLifecycle) {
		t.Errorf("row after drop: err %v, want ErrLifecycle", err)
	}
	trunc := ddlRec(codec.DDLTruncate, 26, 1)
	if err := st.Apply(&trunc); !errors.Is(err, ErrLifecycle) {
		t.Errorf("truncate after drop: err %v, want ErrLifecycle", err)
	}
	applyAll(t, st, ddlRec(codec.DDLCreate, 30, 1), rowRec(1, "b", codec.OpInsert, 35),
		rowRec(1, "a", codec.OpInsert, 10))
	wantRow(t, st, 1, "a", 0)
	wantRow(t, st, 1, "b", 35)
	if st.Dropped(1) || len(st.DDLs()) != 2 {
		t.Errorf("after create: dropped %v, ddls %d", st.Dropped(1), len(st.DDLs()))
	}
}

// TestDDLAppliedOnce: a replayed DDL is skipped: a replayed create must not
// revive a table that a later drop removed.
func TestDDLAppliedOnce(t *testing.T) {
	st := newTestState(t, StateConfig{})
	log := []codec.Record{ddlRec(codec.DDLCreate, 10, 7), ddlRec(codec.DDLAddColumn, 12, 7),
		ddlRec(codec.DDLDrop, 14, 7)}
	applyAll(t, st, log...)
	applyAll(t, st, log...)
	if !st.Dropped(7) || len(st.DDLs()) != 3 {
		t.Errorf("dropped %v, ddls %d; want true, 3", st.Dropped(7), len(st.DDLs()))
	}
}

// TestBlindState: a blind state applies whatever arrives and truncates
// everything, so order matters and replays are not skipped.
func TestBlindState(t *testing.T) {
	st := newTestState(t, StateConfig{Blind: true})
	applyAll(t, st, rowRec(1, "a", codec.OpInsert, 40), ddlRec(codec.DDLTruncate, 30, 1),
		rowRec(1, "b", codec.OpInsert, 20), rowRec(1, "b", codec.OpUpdate, 10))
	wantRow(t, st, 1, "a", 0)
	wantRow(t, st, 1, "b", 10)
}

func TestBadRecords(t *testing.T) {
	st := newTestState(t, StateConfig{})
	bad := []codec.Record{
		{Type: 9},
		{Type: codec.TypeRow, Row: codec.Row{TableID: 1, Op: 0}},
		{Type: codec.TypeDDL, DDL: codec.DDL{Kind: 9, Blocked: []int64{1}}},
		{Type: codec.TypeDDL, DDL: codec.DDL{Kind: codec.DDLDrop, Blocked: []int64{1}}},
	}
	for i := range bad {
		if err := st.Apply(&bad[i]); !errors.Is(err, ErrBadRecord) {
			t.Errorf("bad record %d: err %v, want ErrBadRecord", i, err)
		}
	}
}

// TestDigestIgnoresApplyOrder: states holding the same rows have one
// digest, whatever order the rows (of different keys) arrived in.
func TestDigestIgnoresApplyOrder(t *testing.T) {
	var recs []codec.Record
	for i := range 500 {
		recs = append(recs, rowRec(int64(1+i%7), fmt.Sprintf("k%d", i), codec.OpInsert, uint64(10+i)))
	}
	a := newTestState(t, StateConfig{})
	applyAll(t, a, recs...)
	rng := rand.New(rand.NewPCG(3, 4))
	rng.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
	b := newTestState(t, StateConfig{})
	applyAll(t, b, recs...)
	if a.Digest() != b.Digest() || !a.Equal(b) {
		t.Errorf("digest %x vs %x, diff %v", a.Digest(), b.Digest(), a.Diff(b, 3))
	}
	c := a.Clone()
	applyAll(t, c, rowRec(3, "k3", codec.OpUpdate, 10_000))
	if a.Digest() == c.Digest() || a.Equal(c) {
		t.Error("an update did not change digest or Equal")
	}
	if d := a.Diff(c, 5); len(d) != 1 {
		t.Errorf("diff %v, want one line", d)
	}
}

func TestVersionSeesRowsTombstonesAndClears(t *testing.T) {
	st, _ := NewState(StateConfig{})
	row := codec.Row{TableID: 1, Key: []byte("a"), Op: codec.OpInsert, StartTs: 9, CommitTs: 10}
	if _, ok := st.Version(1, []byte("a")); ok {
		t.Fatal("empty state knows a version")
	}
	st.ApplyRow(&row)
	if v, ok := st.Version(1, []byte("a")); !ok || v != 10 {
		t.Fatalf("version = %d %v, want 10", v, ok)
	}
	del := codec.Row{TableID: 1, Key: []byte("a"), Op: codec.OpDelete, StartTs: 19, CommitTs: 20}
	st.ApplyRow(&del)
	if v, _ := st.Version(1, []byte("a")); v != 20 {
		t.Fatalf("tombstone version = %d, want 20", v)
	}
	trunc := codec.DDL{StartTs: 29, CommitTs: 30, Kind: codec.DDLTruncate, Blocked: []int64{1}}
	if st.HasDDL(&trunc) {
		t.Fatal("HasDDL before apply")
	}
	st.ApplyDDL(&trunc)
	if v, _ := st.Version(1, []byte("zz")); v != 30 || !st.HasDDL(&trunc) {
		t.Fatalf("cleared version = %d, want 30; HasDDL %v", v, st.HasDDL(&trunc))
	}
}

func TestNoDigestStateKeepsRowsButRefusesDigest(t *testing.T) {
	st, _ := NewState(StateConfig{NoDigest: true})
	row := codec.Row{TableID: 1, Key: []byte("a"), Op: codec.OpInsert, StartTs: 9, CommitTs: 10}
	st.ApplyRow(&row)
	if v, ok := st.Version(1, []byte("a")); !ok || v != 10 {
		t.Fatalf("version = %d %v", v, ok)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Digest of a NoDigest state must panic")
		}
	}()
	st.Digest()
}

// TestVersionsOnly: a versions-only state orders changes as the default
// one does (Version, RowCount, deletes) but keeps no column values.
func TestVersionsOnly(t *testing.T) {
	full, _ := NewState(StateConfig{})
	lean, _ := NewState(StateConfig{VersionsOnly: true})
	rows := []codec.Row{
		{TableID: 1, Key: []byte("a"), Op: codec.OpInsert, StartTs: 9, CommitTs: 10, Columns: [][]byte{[]byte("x")}},
		{TableID: 1, Key: []byte("b"), Op: codec.OpInsert, StartTs: 9, CommitTs: 10, Columns: [][]byte{[]byte("y")}},
		{TableID: 1, Key: []byte("a"), Op: codec.OpUpdate, StartTs: 11, CommitTs: 12, Columns: [][]byte{[]byte("z")}},
		{TableID: 1, Key: []byte("b"), Op: codec.OpDelete, StartTs: 11, CommitTs: 12},
		{TableID: 1, Key: []byte("a"), Op: codec.OpInsert, StartTs: 9, CommitTs: 10, Columns: [][]byte{[]byte("x")}}, // stale
	}
	for i := range rows {
		if err := full.ApplyRow(&rows[i]); err != nil {
			t.Fatal(err)
		}
		if err := lean.ApplyRow(&rows[i]); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"a", "b", "c"} {
		fv, fok := full.Version(1, []byte(k))
		lv, lok := lean.Version(1, []byte(k))
		if fv != lv || fok != lok {
			t.Errorf("key %s: versions-only %d/%v, full %d/%v", k, lv, lok, fv, fok)
		}
	}
	if full.RowCount() != 1 || lean.RowCount() != 1 {
		t.Errorf("row counts %d and %d, want 1 and 1", full.RowCount(), lean.RowCount())
	}
	if r, ok := lean.Get(1, []byte("a")); !ok || r.CommitTs != 12 || r.Columns != nil {
		t.Errorf("versions-only Get = %+v, %v: want commit 12 and no columns", r, ok)
	}
}
