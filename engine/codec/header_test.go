package codec

import (
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
