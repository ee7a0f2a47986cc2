package codec

import (
	"fmt"
	"testing"
)

// benchRecord returns a row whose frame is recordBytes long, with four
// columns (one for the smallest size).
func benchRecord(recordBytes int) Record {
	columns := 4
	if recordBytes < 200 {
		columns = 1
	}
	base := Row{TableID: 1001, Key: []byte("user-0000000042"), Op: OpUpdate, StartTs: 450 << 40, CommitTs: 450<<40 + 7}
	return rowRecord(SizedRow(base, RowShape{FrameBytes: recordBytes, Columns: columns}))
}

var benchSizes = []int{128, 4096}

func BenchmarkEncode(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("recordBytes=%d", size), func(b *testing.B) {
			r := benchRecord(size)
			buf := make([]byte, 0, RecordFrameSize(&r))
			b.SetBytes(int64(RecordFrameSize(&r)))
			b.ReportAllocs()
			for b.Loop() {
				buf = EncodeRecord(buf[:0], &r)
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("recordBytes=%d", size), func(b *testing.B) {
			r := benchRecord(size)
			payload := payloadOf(EncodeRecord(nil, &r))
			var out Record
			if err := DecodeRecord(payload, &out); err != nil { // warm out up
				b.Fatal(err)
			}
			b.SetBytes(int64(RecordFrameSize(&r)))
			b.ReportAllocs()
			for b.Loop() {
				if err := DecodeRecord(payload, &out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkWalker walks a 4 MiB log of records of one size.
func BenchmarkWalker(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(fmt.Sprintf("recordBytes=%d", size), func(b *testing.B) {
			r := benchRecord(size)
			var data []byte
			for len(data) < 4<<20 {
				data = EncodeRecord(data, &r)
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				w := NewWalker("bench.log", data, 0)
				for w.Next() {
				}
				if w.Err() != nil || w.Torn() {
					b.Fatal("walk did not end clean")
				}
			}
		})
	}
}
