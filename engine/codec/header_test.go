package codec

import (
	"encoding/binary"
	"encoding/hex"
	"testing"
)

// TestHeaderGolden pins a file header frame: length field (16-byte
// payload, no padding), crc, version 1, type 3, reserved, startLSN 4096.
func TestHeaderGolden(t *testing.T) {
	frame := EncodeRecord(nil, &Record{Type: TypeHeader, Header: Header{StartLSN: 4096}})
	got := hex.EncodeToString(frame)
	const want = "1000000000000000" + got16crc + "01030000" + "0010000000000000"
	if got[:16] != want[:16] || got[24:] != want[24:] {
		t.Fatalf("header frame = %s\nwant layout %s", got, want)
	}
	w := NewWalker("h.log", frame, DefaultSectorBytes)
	if !w.Next() || w.Record().Type != TypeHeader || w.Record().Header.StartLSN != 4096 {
		t.Fatalf("header did not walk back: err=%v", w.Err())
	}
	if w.Record().CommitTs() != 0 {
		t.Fatal("a header has no commit ts")
	}
}

// got16crc stands for the 8 hex digits of the checksum, which the test
// does not pin (the round trip checks it).
const got16crc = "xxxxxxxx"

// TestHeaderMaxTsBefore: a header with a max ts before it carries it in a
// 16-byte body and walks back; a 16-byte body holding 0 is not the
// canonical encoding and is refused.
func TestHeaderMaxTsBefore(t *testing.T) {
	h := Record{Type: TypeHeader, Header: Header{StartLSN: 4096, MaxTsBefore: 777}}
	frame := EncodeRecord(nil, &h)
	if len(frame) != LengthFieldBytes+PayloadHeaderBytes+16 {
		t.Fatalf("frame of %d bytes, want a 16-byte body", len(frame))
	}
	var back Record
	if err := DecodeRecord(frame[LengthFieldBytes:], &back); err != nil || back.Header != h.Header {
		t.Fatalf("decoded %+v, %v", back.Header, err)
	}
	payload := append([]byte(nil), frame[LengthFieldBytes:]...)
	clear(payload[PayloadHeaderBytes+8:])
	binary.LittleEndian.PutUint32(payload, checksum(payload[crcBytes:]))
	if err := DecodeRecord(payload, &back); err == nil {
		t.Fatal("a 16-byte header body holding 0 decoded")
	}
}
