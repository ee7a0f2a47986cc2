package reader_test

import (
	"fmt"
	"sort"
	"testing"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/reader"
)

// memStorage is a core.Storage over a map.
type memStorage map[string][]byte

func (m memStorage) List() ([]string, error) {
	var names []string
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

func (m memStorage) ReadFile(name string) ([]byte, error) {
	b, ok := m[name]
	if !ok {
		return nil, fmt.Errorf("no file %s", name)
	}
	return b, nil
}

// logFile encodes a log file: the header at startLSN, then rows.
func logFile(startLSN uint64, rows ...codec.Row) (data []byte, end uint64) {
	data = codec.EncodeRecord(nil, &codec.Record{Type: codec.TypeHeader, Header: codec.Header{StartLSN: startLSN}})
	end = startLSN
	for _, r := range rows {
		rec := codec.Record{Type: codec.TypeRow, Row: r}
		data = codec.EncodeRecord(data, &rec)
		end += uint64(codec.RecordFrameSize(&rec))
	}
	return data, end
}

// TestMergeOrdersByCommitThenStartTs: rows of two captures' files share a
// commit ts; the merge orders them by start ts, then delete before insert,
// whatever file they come from (the file holding the later start ts sorts
// first by name).
func TestMergeOrdersByCommitThenStartTs(t *testing.T) {
	r := func(key string, start, commit uint64, op codec.Op) codec.Row {
		return codec.Row{TableID: 1, Key: []byte(key), Op: op, StartTs: start, CommitTs: commit}
	}
	a, _ := logFile(0, r("late-start", 90, 100, codec.OpInsert), r("next", 110, 120, codec.OpInsert))
	b, _ := logFile(0, r("early-insert", 80, 100, codec.OpInsert), r("early-delete", 80, 100, codec.OpDelete))
	st := memStorage{
		"a_cf_row_120_u1.log": a,
		"b_cf_row_100_u2.log": b,
		"a_cf_meta_m1.meta":   codec.EncodeMeta(nil, codec.Meta{CheckpointTs: 1, ResolvedTs: 200, Version: codec.MetaVersion}),
	}
	log, err := reader.Read(st, reader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, rec := range log.Rows {
		got = append(got, string(rec.Row.Key))
	}
	want := []string{"early-delete", "early-insert", "late-start", "next"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("merge order %v, want %v", got, want)
	}
	if log.Meta != (core.Meta{CheckpointTs: 1, ResolvedTs: 200}) {
		t.Fatalf("meta %+v", log.Meta)
	}
}
