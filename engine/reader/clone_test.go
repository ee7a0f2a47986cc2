package reader

import (
	"bytes"
	"testing"

	"github.com/redosim/redosim/engine/codec"
)

// TestClonerCopiesOutOfTheBuffer: a cloned row equals its record, shares
// no byte with the buffer it was decoded from (the buffer is scribbled on
// after), and no copy can grow into its neighbour.
func TestClonerCopiesOutOfTheBuffer(t *testing.T) {
	var c cloner
	var recs, want []codec.Record
	for i := range 2000 {
		buf := []byte{byte(i), byte(i >> 8), 7, 0, 0, 0, 0, 0, 0, 0, 9}
		rec := codec.Record{Type: codec.TypeRow, Row: codec.Row{TableID: int64(i % 7), Key: buf[0:2],
			Columns: [][]byte{buf[2:3], buf[3:10], {}, nil, bytes.Repeat([]byte{byte(i)}, i%300)}, CommitTs: uint64(i)}}
		want = append(want, rec.Clone())
		recs = append(recs, c.clone(&rec))
		clear(buf) // the decoder's buffer is reused
	}
	ddl := codec.Record{Type: codec.TypeDDL, DDL: codec.DDL{CommitTs: 5, Blocked: []int64{1, 2}}}
	recs, want = append(recs, c.clone(&ddl)), append(want, ddl.Clone())
	ddl.DDL.Blocked[0] = 99
	for i := range recs {
		got, w := &recs[i], &want[i]
		if !bytes.Equal(got.Row.Key, w.Row.Key) || len(got.Row.Columns) != len(w.Row.Columns) || got.Row.CommitTs != w.Row.CommitTs {
			t.Fatalf("record %d: %+v, want %+v", i, got.Row, w.Row)
		}
		for j, col := range got.Row.Columns {
			if !bytes.Equal(col, w.Row.Columns[j]) || (col == nil) != (w.Row.Columns[j] == nil) || cap(col) != len(col) {
				t.Fatalf("record %d column %d: %v (cap %d), want %v", i, j, col, cap(col), w.Row.Columns[j])
			}
		}
		if len(got.DDL.Blocked) > 0 && got.DDL.Blocked[0] != 1 {
			t.Fatalf("a DDL clone shares its table list")
		}
	}
}
