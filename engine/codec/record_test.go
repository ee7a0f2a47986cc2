package codec

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// goldenHex joins lines of "hex bytes // comment" into one hex string.
func goldenHex(lines ...string) []byte {
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

// TestGoldenFrames pins the exact bytes of a row frame and a DDL frame. The
// checksums were cross-checked with an independent bitwise CRC-32C
// (polynomial 0x82F63B78) over payload bytes 4..end.
func TestGoldenFrames(t *testing.T) {
	for _, tc := range []struct {
		name string
		rec  Record
		want []byte
	}{{
		name: "row",
		rec: rowRecord(Row{TableID: 42, Key: []byte("k1"), Op: OpInsert,
			Columns: [][]byte{[]byte("v"), nil, {}}, StartTs: 100, CommitTs: 101}),
		want: goldenHex(
			"22 00 00 00 00 00 00 86", // length field: payload 0x22 = 34 bytes; top byte 0x80|pad 6
			"d7 c4 b1 76",             // crc32c 0x76b1c4d7 (LE) over the 30 bytes after it
			"01",                      // version 1
			"01",                      // record type 1 = row
			"00 00",                   // reserved
			"64 00 00 00 00 00 00 00", // startTs 100 (fixed64 LE)
			"65 00 00 00 00 00 00 00", // commitTs 101 (fixed64 LE)
			"03",                      // op 3 = insert
			"54",                      // tableID 42, zig-zag varint = 84
			"02 6b 31",                // key: length 2, "k1"
			"03",                      // 3 columns
			"02 76",                   // column 0: tag 2 = length 1, "v"
			"00",                      // column 1: tag 0 = NULL
			"01",                      // column 2: tag 1 = empty value
			"00 00 00 00 00 00",       // 6 bytes of padding: frame is 48 bytes
		),
	}, {
		name: "ddl",
		rec: ddlRecord(DDL{StartTs: 200, CommitTs: 201, Kind: DDLCreate,
			Added: []int64{7}, Query: "create table t"}),
		want: goldenHex(
			"2c 00 00 00 00 00 00 84", // length field: payload 0x2c = 44 bytes; pad 4
			"91 88 1c 82",             // crc32c 0x821c8891 (LE)
			"01 02 00 00",             // version 1, record type 2 = ddl, reserved
			"c8 00 00 00 00 00 00 00", // startTs 200
			"c9 00 00 00 00 00 00 00", // commitTs 201
			"01",                      // kind 1 = create
			"00",                      // Blocked: 0 tables
			"01 0e",                   // Added: 1 table, id 7 (zig-zag 14)
			"00",                      // Dropped: 0 tables
			"0e",                      // query length 14
			"63 72 65 61 74 65 20 74 61 62 6c 65 20 74", // "create table t"
			"00 00 00 00", // 4 bytes of padding: frame is 56 bytes
		),
	}} {
		t.Run(tc.name, func(t *testing.T) {
			got := EncodeRecord(nil, &tc.rec)
			if !bytes.Equal(got, tc.want) {
				t.Fatalf("EncodeRecord = %x\nwant %x", got, tc.want)
			}
			if n := RecordFrameSize(&tc.rec); n != len(tc.want) {
				t.Errorf("RecordFrameSize = %d want %d", n, len(tc.want))
			}
			var back Record
			if err := DecodeRecord(payloadOf(got), &back); err != nil || !sameRecord(&back, &tc.rec) {
				t.Errorf("DecodeRecord = %+v, %v want %+v", back, err, tc.rec)
			}
		})
	}
}

func TestRoundTripTable(t *testing.T) {
	huge := bytes.Repeat([]byte{0xee}, 70_000) // 3-byte length prefix
	for _, tc := range []struct {
		name string
		rec  Record
	}{
		{"empty row", rowRecord(Row{Op: OpDelete})},
		{"negative table", rowRecord(Row{TableID: -1 << 63, Op: OpUpdate, Key: []byte{0}})},
		{"max ts", rowRecord(Row{TableID: 1<<63 - 1, Op: OpInsert, StartTs: ^uint64(0), CommitTs: ^uint64(0)})},
		{"null and empty columns", rowRecord(Row{Op: OpInsert, Columns: [][]byte{nil, {}, nil, {1}}})},
		{"127 and 128 byte values", rowRecord(Row{Op: OpInsert, Columns: [][]byte{make([]byte, 126), make([]byte, 127), make([]byte, 128)}})},
		{"huge value", rowRecord(Row{Op: OpInsert, Key: huge[:300], Columns: [][]byte{huge}})},
		{"empty ddl", ddlRecord(DDL{Kind: DDLTruncate})},
		{"ddl lists", ddlRecord(DDL{Kind: DDLDrop, Blocked: []int64{1, -2, 1 << 40}, Dropped: []int64{-1 << 63, 1<<63 - 1}, Query: "drop table a, b"})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			frame := EncodeRecord(nil, &tc.rec)
			if len(frame) != RecordFrameSize(&tc.rec) {
				t.Fatalf("frame is %d bytes, RecordFrameSize says %d", len(frame), RecordFrameSize(&tc.rec))
			}
			var back Record
			if err := DecodeRecord(payloadOf(frame), &back); err != nil {
				t.Fatalf("DecodeRecord: %v", err)
			}
			if !sameRecord(&back, &tc.rec) {
				t.Fatalf("DecodeRecord = %+v want %+v", back, tc.rec)
			}
			if again := EncodeRecord(nil, &back); !bytes.Equal(again, frame) {
				t.Fatalf("re-encoding differs")
			}
		})
	}
}

// TestDecodeRecordReusesAcrossTypes decodes records of both types, in turn,
// into one Record: nothing of a previous record may leak into the next.
func TestDecodeRecordReusesAcrossTypes(t *testing.T) {
	recs := append(testRecords(8),
		rowRecord(Row{Op: OpInsert, Columns: [][]byte{nil, {}}}),
		rowRecord(Row{Op: OpDelete}))
	var r Record
	for round := range 2 {
		for i := range recs {
			if err := DecodeRecord(payloadOf(EncodeRecord(nil, &recs[i])), &r); err != nil {
				t.Fatalf("round %d record %d: %v", round, i, err)
			}
			if !sameRecord(&r, &recs[i]) {
				t.Fatalf("round %d record %d: got %+v want %+v", round, i, r, recs[i])
			}
		}
	}
}

// TestDecodeRecordRejects covers every body check. Each case edits a valid
// payload and reseals its checksum, so only the check named can fail.
func TestDecodeRecordRejects(t *testing.T) {
	row := rowRecord(Row{TableID: 42, Key: []byte("k1"), Op: OpInsert, Columns: [][]byte{[]byte("v")}})
	base := payloadOf(EncodeRecord(nil, &row))
	// Body offsets: 8 startTs, 16 commitTs, 24 op, 25 tableID, 26 key len,
	// 27 key, 29 column count, 30 column tag, 31 value.
	edit := func(f func(p []byte) []byte) []byte { return f(append([]byte(nil), base...)) }
	for _, tc := range []struct {
		name    string
		payload []byte
		reason  string
	}{
		{"short", base[:7], "shorter than its 8-byte header"},
		{"checksum", edit(func(p []byte) []byte { p[31] ^= 1; return p }), "checksum mismatch"},
		{"version", edit(func(p []byte) []byte { p[versionOff] = 2; return reseal(p) }), "unsupported record version 2"},
		{"type", edit(func(p []byte) []byte { p[typeOff] = 9; return reseal(p) }), "unknown record type 9"},
		{"reserved", edit(func(p []byte) []byte { p[reservedOff+1] = 1; return reseal(p) }), "reserved header bytes"},
		{"op", edit(func(p []byte) []byte { p[24] = 0; return reseal(p) }), "invalid op 0"},
		{"trailing", edit(func(p []byte) []byte { return reseal(append(p, 0)) }), "1 trailing bytes"},
		{"cut", edit(func(p []byte) []byte { return reseal(p[:31]) }), "column value of 1 bytes runs past the end"},
		{"cut in ts", edit(func(p []byte) []byte { return reseal(p[:12]) }), "start ts runs past the end"},
		{"cut before op", edit(func(p []byte) []byte { return reseal(p[:24]) }), "op runs past the end"},
		{"cut count", edit(func(p []byte) []byte { return reseal(p[:30]) }), "column count 1 exceeds the 0 bytes left"},
		{"key too long", edit(func(p []byte) []byte { p[26] = 0x7f; return reseal(p) }), "key of 127 bytes runs past the end"},
		{"count too big", edit(func(p []byte) []byte { p[29] = 0x7f; return reseal(p) }), "column count 127 exceeds"},
		{"non-minimal varint", edit(func(p []byte) []byte {
			p = append(p[:26:26], append([]byte{0x82, 0x00}, p[27:]...)...) // key length 2 as 2 bytes
			return reseal(p)
		}), "key length is not a minimal varint"},
		{"overflow", edit(func(p []byte) []byte {
			p = append(p[:25:25], bytes.Repeat([]byte{0xff}, 11)...)
			return reseal(p)
		}), "table id overflows 64 bits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var r Record
			err := DecodeRecord(tc.payload, &r)
			var ce *Error
			if !errors.Is(err, ErrCorrupt) || !errors.As(err, &ce) || !strings.Contains(ce.Reason, tc.reason) {
				t.Fatalf("DecodeRecord error = %v want ErrCorrupt with reason %q", err, tc.reason)
			}
			if !strings.HasPrefix(err.Error(), "engine/codec: corrupt record: ") {
				t.Errorf("error text %q lacks the prefix", err)
			}
		})
	}
}

func TestDecodeRecordRejectsBadDDLKind(t *testing.T) {
	d := ddlRecord(DDL{Kind: DDLCreate})
	p := payloadOf(EncodeRecord(nil, &d))
	p[PayloadHeaderBytes+16] = 5
	var r Record
	if err := DecodeRecord(reseal(p), &r); err == nil || !strings.Contains(err.Error(), "invalid ddl kind 5") {
		t.Fatalf("DecodeRecord error = %v want invalid ddl kind", err)
	}
}

func TestEncodeRecordPanicsOnInvalidRecord(t *testing.T) {
	for _, r := range []Record{{Type: 0}, {Type: TypeRow}, {Type: TypeDDL, DDL: DDL{Kind: 9}}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("EncodeRecord(%+v) did not panic", r)
				}
			}()
			EncodeRecord(nil, &r)
		}()
	}
}

func TestEncodeDecodeDoNotAllocate(t *testing.T) {
	recs := testRecords(8)
	buf := make([]byte, 0, 1<<16)
	if n := testing.AllocsPerRun(100, func() {
		buf = buf[:0]
		for i := range recs {
			buf = EncodeRecord(buf, &recs[i])
		}
	}); n != 0 {
		t.Errorf("EncodeRecord: %v allocs per run want 0", n)
	}
	var r Record
	w := NewWalker("x.log", buf, 0)
	for w.Next() { // warm r up to the largest sizes
		_ = DecodeRecord(payloadOf(w.Frame()), &r)
	}
	if n := testing.AllocsPerRun(100, func() {
		for i := range recs {
			if recs[i].Type == TypeRow {
				_ = DecodeRecord(payloadOf(EncodeRecord(buf[:0], &recs[i])), &r)
			}
		}
	}); n != 0 {
		t.Errorf("DecodeRecord of rows into a warm record: %v allocs per run want 0", n)
	}
}

func TestCloneSharesNoMemory(t *testing.T) {
	r := rowRecord(Row{Op: OpInsert, Key: []byte("k"), Columns: [][]byte{[]byte("a"), nil, {}}})
	c := r.Clone()
	r.Row.Key[0], r.Row.Columns[0][0] = 'x', 'x'
	if !sameRecord(&c, &Record{Type: TypeRow, Row: Row{Op: OpInsert, Key: []byte("k"), Columns: [][]byte{[]byte("a"), nil, {}}}}) {
		t.Fatalf("clone changed with its source: %+v", c)
	}
	d := ddlRecord(DDL{Kind: DDLDrop, Dropped: []int64{1}})
	cd := d.Clone()
	d.DDL.Dropped[0] = 2
	if cd.DDL.Dropped[0] != 1 {
		t.Fatalf("ddl clone changed with its source")
	}
}

// TestFixedOffsetsMatchLayout keeps the doc's layout and the code in step.
func TestFixedOffsetsMatchLayout(t *testing.T) {
	r := rowRecord(Row{Op: OpUpdate, StartTs: 0x1111, CommitTs: 0x2222})
	p := payloadOf(EncodeRecord(nil, &r))
	if binary.LittleEndian.Uint64(p[PayloadHeaderBytes:]) != 0x1111 ||
		binary.LittleEndian.Uint64(p[PayloadHeaderBytes+8:]) != 0x2222 ||
		Op(p[PayloadHeaderBytes+16]) != OpUpdate {
		t.Fatalf("row body does not start with startTs, commitTs, op: %x", p)
	}
}
