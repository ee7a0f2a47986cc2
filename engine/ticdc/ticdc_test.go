package ticdc_test

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/ticdc"
)

// hexBytes decodes fixture lines: hex bytes, spaces ignored, "//" comments.
// String keys are spelled out as their bytes: 0xa0|len, then the ASCII.
func hexBytes(lines ...string) []byte {
	var s strings.Builder
	for _, l := range lines {
		l, _, _ = strings.Cut(l, "//")
		s.WriteString(strings.ReplaceAll(l, " ", ""))
	}
	b, err := hex.DecodeString(s.String())
	if err != nil {
		panic(err)
	}
	return b
}

// Fixtures written by hand from the format description (package doc):
// tinylib/msgp's struct encoding, field by field.
var (
	binaryStr = "a6 62696e617279" // "binary"

	rowFixture = hexBytes(
		"ff ff 00 02",                         // FF FF, version 2 (big-endian)
		"83",                                  // RedoLog: map of 3
		"a3 726f77",                           // "row"
		"83",                                  //   RedoDMLEvent: map of 3
		"a3 726f77",                           //   "row"
		"86",                                  //     DMLEventInRedoLog: map of 6
		"a8 73746172742d7473 63",              // "start-ts": 99
		"a9 636f6d6d69742d7473 64",            // "commit-ts": 100
		"a5 7461626c65 84",                    // "table": TableName, map of 4
		"a7 64622d6e616d65 a7 7265646f73696d", //   "db-name": "redosim"
		"a8 74626c2d6e616d65 a2 7437",         //   "tbl-name": "t7"
		"a6 74626c2d6964 07",                  //   "tbl-id": 7
		"ac 69732d706172746974696f6e c2",      //   "is-partition": false
		"a7 636f6c756d6e73 92",                // "columns": array of 2 RedoColumn
		"84 a4 6e616d65 a1 6b a4 74797065 cc fd a7 63686172736574 "+binaryStr+" a9 636f6c6c6174696f6e "+binaryStr,   // k, varbinary (253)
		"84 a4 6e616d65 a2 6331 a4 74797065 cc fc a7 63686172736574 "+binaryStr+" a9 636f6c6c6174696f6e "+binaryStr, // c1, blob (252)
		"ab 7072652d636f6c756d6e73 c0",           // "pre-columns": nil
		"ad 696e6465782d636f6c756d6e73 91 91 00", // "index-columns": [[0]]
		"a7 636f6c756d6e73 92",                   //   "columns": array of 2 RedoColumnValue
		"83 a6 636f6c756d6e c4 02 6b31 b4 76616c75652d69732d656d7074792d6279746573 c2 a4 666c6167 0b", // key "k1", flags binary|handle|primary
		"83 a6 636f6c756d6e c4 01 76 b4 76616c75652d69732d656d7074792d6279746573 c2 a4 666c6167 41",   // "v", flags binary|nullable
		"ab 7072652d636f6c756d6e73 c0", //   "pre-columns": nil
		"a3 64646c c0",                 // "ddl": nil
		"a4 74797065 01",               // "type": 1 (row)
	)
	rowRecord = codec.Record{Type: codec.TypeRow, Row: codec.Row{TableID: 7, Key: []byte("k1"), Op: codec.OpInsert,
		Columns: [][]byte{[]byte("v")}, StartTs: 99, CommitTs: 100}}

	ddlFixture = hexBytes(
		"ff ff 00 02 83",
		"a3 726f77 c0",                // "row": nil
		"a3 64646c 84",                // "ddl": RedoDDLEvent, map of 4
		"a3 64646c 85",                //   "ddl": DDLEventInRedoLog, map of 5
		"a8 73746172742d7473 cc cc",   // "start-ts": 204
		"a9 636f6d6d69742d7473 cc cd", // "commit-ts": 205
		"a5 7175657279 af 637265617465207461626c65207439", // "query": "create table t9"
		"ac 626c6f636b2d7461626c6573 c0",                  // "block-tables": nil
		"b3 6e6565642d64726f707065642d7461626c6573 c0",    // "need-dropped-tables": nil
		"a4 74797065 03",             //   "type": 3 (create table)
		"aa 7461626c652d6e616d65 84", //   "table-name": map of 4
		"a7 64622d6e616d65 a7 7265646f73696d a8 74626c2d6e616d65 a2 7439 a6 74626c2d6964 09 ac 69732d706172746974696f6e c2",
		"b2 7461626c652d736368656d612d73746f7265 c0", //   "table-schema-store": nil
		"a4 74797065 02", // "type": 2 (ddl)
	)
	ddlRecord = codec.Record{Type: codec.TypeDDL, DDL: codec.DDL{StartTs: 204, CommitTs: 205, Kind: codec.DDLCreate,
		Added: []int64{9}, Query: "create table t9"}}

	metaFixture = hexBytes(
		"83",
		"ac 636865636b706f696e745473 64", // "checkpointTs": 100
		"aa 7265736f6c7665645473 cc c8",  // "resolvedTs": 200
		"a7 76657273696f6e 01",           // "version": 1
	)
)

func TestPayloadFixturesBothWays(t *testing.T) {
	for _, c := range []struct {
		name    string
		fixture []byte
		rec     codec.Record
	}{{"row", rowFixture, rowRecord}, {"ddl", ddlFixture, ddlRecord}} {
		t.Run(c.name, func(t *testing.T) {
			if got := ticdc.AppendPayload(nil, &c.rec); !bytes.Equal(got, c.fixture) {
				t.Fatalf("AppendPayload =\n%x\nwant\n%x", got, c.fixture)
			}
			var back codec.Record
			if reason := ticdc.DecodePayload(c.fixture, &back); reason != "" {
				t.Fatal(reason)
			}
			if !reflect.DeepEqual(back, c.rec) {
				t.Fatalf("decoded %+v\nwant    %+v", back, c.rec)
			}
		})
	}
}

func TestMetaFixtureBothWays(t *testing.T) {
	m := codec.Meta{CheckpointTs: 100, ResolvedTs: 200}
	if got := ticdc.AppendMeta(nil, m); !bytes.Equal(got, metaFixture) {
		t.Fatalf("AppendMeta = %x\nwant %x", got, metaFixture)
	}
	back, err := ticdc.DecodeMeta(metaFixture)
	m.Version = ticdc.MetaVersion
	if err != nil || back != m {
		t.Fatalf("DecodeMeta = %+v, %v", back, err)
	}
	for _, bad := range [][]byte{nil, metaFixture[:len(metaFixture)-1], append(bytes.Clone(metaFixture), 0), hexBytes("81 a7 76657273696f6e 01")} {
		if _, err := ticdc.DecodeMeta(bad); err == nil {
			t.Errorf("DecodeMeta(%x) accepted", bad)
		}
	}
}

// TestDecodeToleratesTiCDCShapes: keys in another order, unknown keys
// (newer TiCDC fields), an integer primary key, a delete with its old
// values, a drop with need-dropped-tables, and an unknown DDL action.
func TestDecodeToleratesTiCDCShapes(t *testing.T) {
	del := hexBytes(
		"ff ff 00 02 84",
		"a4 74797065 01",         // "type" first
		"a5 6578747261 92 01 02", // "extra": unknown, skipped
		"a3 64646c c0",
		"a3 726f77 83",
		"ab 7072652d636f6c756d6e73 92", // "pre-columns" before "row"
		"83 a6 636f6c756d6e d3 0000000000000005 b4 76616c75652d69732d656d7074792d6279746573 c2 a4 666c6167 0a", // int64 5, handle|primary
		"83 a6 636f6c756d6e a3 616263 b4 76616c75652d69732d656d7074792d6279746573 c2 a4 666c6167 40",           // "abc"
		"a3 726f77 83",
		"a9 636f6d6d69742d7473 cd 0200", // commit-ts 512
		"a5 7461626c65 82 a6 74626c2d6964 05 af 7461726765742d64622d6e616d65 a1 78", // tbl-id 5 and a newer key
		"a8 73746172742d7473 cd 01ff",
		"a7 636f6c756d6e73 c0",
	)
	var rec codec.Record
	if reason := ticdc.DecodePayload(del, &rec); reason != "" {
		t.Fatal(reason)
	}
	want := codec.Row{TableID: 5, Key: []byte{0x05}, Op: codec.OpDelete, StartTs: 511, CommitTs: 512} // the key: 5 in msgpack's smallest form
	if rec.Type != codec.TypeRow || fmt.Sprint(rec.Row) != fmt.Sprint(want) {
		t.Fatalf("decoded %+v, want %+v", rec.Row, want)
	}
	drop := hexBytes(
		"ff ff 00 02 83 a3 726f77 c0 a4 74797065 02",
		"a3 64646c 83",
		"a4 74797065 04", // drop table
		"aa 7461626c652d6e616d65 81 a6 74626c2d6964 09", // table 9
		"a3 64646c 83",
		"a9 636f6d6d69742d7473 0a a8 73746172742d7473 09",
		"b3 6e6565642d64726f707065642d7461626c6573 83 ae 696e666c75656e63652d74797065 02 a6 7461626c6573 91 09 a6 736368656d61 00",
	)
	if reason := ticdc.DecodePayload(drop, &rec); reason != "" || rec.DDL.Kind != codec.DDLDrop || fmt.Sprint(rec.DDL.Dropped) != "[9]" {
		t.Fatalf("drop: %s %+v", reason, rec.DDL)
	}
	other := bytes.Clone(drop)
	other[bytes.Index(other, hexBytes("a4 74797065 04"))+5] = 0x07 // the DDL's action: add index
	if reason := ticdc.DecodePayload(other, &rec); reason != "" || rec.DDL.Kind != codec.DDLAddColumn || fmt.Sprint(rec.DDL.Blocked) != "[9]" {
		t.Fatalf("add index: %s %+v", reason, rec.DDL)
	}
}

// TestPayloadRoundTrip: every op, NULL and empty values, DDLs of every
// kind survive encode then decode.
func TestPayloadRoundTrip(t *testing.T) {
	recs := []codec.Record{
		{Type: codec.TypeRow, Row: codec.Row{TableID: 1, Key: []byte("a"), Op: codec.OpInsert, Columns: [][]byte{nil, {}, []byte("x")}, StartTs: 1, CommitTs: 2}},
		{Type: codec.TypeRow, Row: codec.Row{TableID: 2, Key: []byte("b"), Op: codec.OpUpdate, Columns: [][]byte{[]byte("y")}, StartTs: 3, CommitTs: 4}},
		{Type: codec.TypeRow, Row: codec.Row{TableID: 3, Key: []byte("c"), Op: codec.OpDelete, StartTs: 1 << 60, CommitTs: 1<<60 + 1}},
		{Type: codec.TypeRow, Row: codec.Row{TableID: -4, Key: []byte{}, Op: codec.OpInsert, StartTs: 5, CommitTs: 6}},
		{Type: codec.TypeDDL, DDL: codec.DDL{StartTs: 7, CommitTs: 8, Kind: codec.DDLDrop, Blocked: []int64{3}, Dropped: []int64{3}, Query: "drop table t3"}},
		{Type: codec.TypeDDL, DDL: codec.DDL{StartTs: 9, CommitTs: 10, Kind: codec.DDLTruncate, Blocked: []int64{1, 2}}},
		{Type: codec.TypeDDL, DDL: codec.DDL{StartTs: 11, CommitTs: 12, Kind: codec.DDLAddColumn, Blocked: []int64{2}, Query: "alter table t2 add column c2 blob"}},
	}
	for _, rec := range recs {
		var back codec.Record
		if reason := ticdc.DecodePayload(ticdc.AppendPayload(nil, &rec), &back); reason != "" {
			t.Fatalf("%+v: %s", rec, reason)
		}
		// DeepEqual tells NULL (nil) from empty values.
		if !reflect.DeepEqual(back, rec) {
			t.Errorf("round trip\n%+v\nwant\n%+v", back, rec)
		}
	}
}

// tiCDCFile frames recs as a TiCDC log file.
func tiCDCFile(recs ...codec.Record) []byte {
	var data []byte
	for i := range recs {
		data = codec.AppendFrame(data, ticdc.AppendPayload(nil, &recs[i]))
	}
	return data
}

// TestWalkTiCDCFiles: a TiCDC file is detected and walked; an LZ4 one
// after Decompress; a cut open file is a torn tail, a cut sealed one and
// a flipped byte with frames after it corruption; this engine's own files
// are never taken for TiCDC's.
func TestWalkTiCDCFiles(t *testing.T) {
	var recs []codec.Record
	for i := range 20 {
		r := rowRecord
		r.Row.CommitTs, r.Row.Key = uint64(100+i), []byte(fmt.Sprint("k", i))
		recs = append(recs, r)
	}
	data := tiCDCFile(recs...)
	if !ticdc.Detect(data) {
		t.Fatal("a TiCDC file is not detected")
	}
	walk := func(data []byte, sealed bool) (n int, w *codec.Walker) {
		w = codec.NewFormatWalker("f.log", data, 512, sealed, ticdc.Format)
		for w.Next() {
			n++
		}
		return n, w
	}
	if n, w := walk(data, true); n != 20 || w.Err() != nil || w.Torn() {
		t.Fatalf("clean walk: %d records, %v, torn %v", n, w.Err(), w.Torn())
	}
	packed, err := ticdc.Compress(data)
	if err != nil || !ticdc.Detect(packed) || !ticdc.IsLZ4(packed) {
		t.Fatalf("compress: %v", err)
	}
	if plain, err := ticdc.Decompress(packed); err != nil || !bytes.Equal(plain, data) {
		t.Fatalf("decompress: %v", err)
	}
	if _, err := ticdc.Decompress(packed[:len(packed)-6]); err == nil {
		t.Error("a cut LZ4 frame decompressed without error")
	}
	cut := data[:len(data)-5]
	if n, w := walk(cut, false); n != 19 || !w.Torn() || w.Err() != nil {
		t.Errorf("cut open file: %d records, torn %v, %v", n, w.Torn(), w.Err())
	}
	if _, w := walk(cut, true); w.Err() == nil {
		t.Error("a cut sealed file is not corruption")
	}
	flipped := bytes.Clone(data)
	flipped[len(data)/2] ^= 0x20
	if _, w := walk(flipped, false); w.Err() == nil {
		t.Error("a flipped byte with frames after it is not corruption")
	}
	own := codec.EncodeRecord(nil, &codec.Record{Type: codec.TypeHeader})
	own = codec.EncodeRecord(own, &rowRecord)
	if ticdc.Detect(own) {
		t.Error("this engine's file was taken for TiCDC's")
	}
}
