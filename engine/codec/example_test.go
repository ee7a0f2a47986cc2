package codec_test

import (
	"errors"
	"fmt"

	"github.com/redosim/redosim/engine/codec"
)

// ExampleWalker writes three records, tears the last one as a crash would,
// and walks the file: two records, then a torn tail to truncate.
func ExampleWalker() {
	row := codec.SizedRow(codec.Row{TableID: 7, Key: []byte("k1"), Op: codec.OpInsert, StartTs: 10, CommitTs: 11},
		codec.RowShape{FrameBytes: 300, Columns: 3})
	ddl := codec.DDL{StartTs: 12, CommitTs: 13, Kind: codec.DDLAddColumn, Blocked: []int64{7}, Query: "alter table t add column c int"}

	var log []byte
	log = codec.EncodeRecord(log, &codec.Record{Type: codec.TypeRow, Row: row})
	log = codec.EncodeRecord(log, &codec.Record{Type: codec.TypeDDL, DDL: ddl})
	log = codec.EncodeRecord(log, &codec.Record{Type: codec.TypeRow, Row: row})
	log = log[:len(log)-100] // the crash kept only part of the last frame

	w := codec.NewWalker("000001.log", log, codec.DefaultSectorBytes)
	for w.Next() {
		rec := w.Record()
		fmt.Printf("offset %d: type %d, commitTs %d\n", w.Offset(), rec.Type, rec.CommitTs())
	}
	if err := w.Err(); errors.Is(err, codec.ErrCorrupt) {
		fmt.Println("corrupt:", err)
		return
	}
	fmt.Printf("torn %v, truncate to %d of %d bytes\n", w.Torn(), w.ValidBytes(), len(log))
	fmt.Println(w.TornCause())
	// Output:
	// offset 0: type 1, commitTs 11
	// offset 304: type 2, commitTs 13
	// torn true, truncate to 376 of 580 bytes
	// engine/codec: torn record at offset 376 in 000001.log: frame of 304 bytes runs past the end of the data
}

// ExampleEncodeMeta round-trips the meta object.
func ExampleEncodeMeta() {
	b := codec.EncodeMeta(nil, codec.Meta{CheckpointTs: 100, ResolvedTs: 200, Version: codec.MetaVersion, RowLSN: 4096, DDLLSN: 80})
	m, err := codec.DecodeMeta(b)
	fmt.Println(len(b), m, err)
	b[20] ^= 1
	_, err = codec.DecodeMeta(b)
	fmt.Println(err)
	// Output:
	// 48 {100 200 1 4096 80} <nil>
	// engine/codec: corrupt meta: checksum mismatch
}
