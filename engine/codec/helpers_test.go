package codec

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"
)

// rowRecord and ddlRecord build records for tests.
func rowRecord(row Row) Record { return Record{Type: TypeRow, Row: row} }
func ddlRecord(ddl DDL) Record { return Record{Type: TypeDDL, DDL: ddl} }

// testRecords returns a deterministic mix of realistic rows (a few hundred
// bytes, a few columns) and DDLs.
func testRecords(count int) []Record {
	recs := make([]Record, 0, count)
	for i := range count {
		ts := uint64(450_000_000_000_000_000 + 1000*i)
		if i%4 == 3 {
			recs = append(recs, ddlRecord(DDL{
				StartTs: ts, CommitTs: ts + 1, Kind: DDLAddColumn,
				Blocked: []int64{int64(100 + i)}, Query: fmt.Sprintf("alter table t%d add column c int", i),
			}))
			continue
		}
		base := Row{TableID: int64(100 + i%3), Key: fmt.Appendf(nil, "key-%06d", i), Op: OpInsert, StartTs: ts, CommitTs: ts + 5}
		recs = append(recs, rowRecord(SizedRow(base, RowShape{FrameBytes: 200 + 40*i, Columns: 4})))
	}
	return recs
}

// encodeLog encodes recs into one log and returns it with each frame's offset.
func encodeLog(recs []Record) (data []byte, offsets []int) {
	for i := range recs {
		offsets = append(offsets, len(data))
		data = EncodeRecord(data, &recs[i])
	}
	return data, offsets
}

// walkResult is everything a walk reports.
type walkResult struct {
	recs    []Record
	offsets []int64
	valid   int64
	torn    bool
	err     error
}

func walk(name string, data []byte, sectorBytes int) walkResult {
	w := NewWalker(name, data, sectorBytes)
	var res walkResult
	for w.Next() {
		res.recs = append(res.recs, w.Record().Clone())
		res.offsets = append(res.offsets, w.Offset())
	}
	res.valid, res.torn, res.err = w.ValidBytes(), w.Torn(), w.Err()
	return res
}

// sameRecord compares records, treating nil and empty Key and table ID
// lists alike but keeping NULL (nil) columns apart from empty ones.
func sameRecord(a, b *Record) bool {
	if a.Type != b.Type {
		return false
	}
	if a.Type == TypeDDL {
		x, y := a.DDL, b.DDL
		return x.StartTs == y.StartTs && x.CommitTs == y.CommitTs && x.Kind == y.Kind &&
			slices.Equal(x.Blocked, y.Blocked) && slices.Equal(x.Added, y.Added) &&
			slices.Equal(x.Dropped, y.Dropped) && x.Query == y.Query
	}
	x, y := a.Row, b.Row
	if x.TableID != y.TableID || !bytes.Equal(x.Key, y.Key) || x.Op != y.Op ||
		x.StartTs != y.StartTs || x.CommitTs != y.CommitTs || len(x.Columns) != len(y.Columns) {
		return false
	}
	for i := range x.Columns {
		if (x.Columns[i] == nil) != (y.Columns[i] == nil) || !bytes.Equal(x.Columns[i], y.Columns[i]) {
			return false
		}
	}
	return true
}

// payloadOf returns the payload of the single frame in frame.
func payloadOf(frame []byte) []byte {
	n, _, err := DecodeLength(frame)
	if err != nil {
		panic(err)
	}
	return frame[LengthFieldBytes : LengthFieldBytes+n]
}

// reseal recomputes the checksum of a payload edited in place, so a test
// can reach the body checks behind it.
func reseal(payload []byte) []byte {
	binary.LittleEndian.PutUint32(payload, checksum(payload[crcBytes:]))
	return payload
}
