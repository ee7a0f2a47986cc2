package codec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strconv"
	"strings"
	"testing"
)

// Walker tests: one per outcome and per way of reaching it. A log here is
// ten realistic records (rows of 200..560 bytes with four columns, and
// DDLs); sectors are 512 bytes unless a test says otherwise.

const testSectorBytes = 512

// wantClean fails unless res ended clean after n records of a dataLen log.
func wantClean(t *testing.T, res walkResult, n, dataLen int) {
	t.Helper()
	if res.err != nil || res.torn || res.valid != int64(dataLen) || len(res.recs) != n {
		t.Fatalf("walk = (%d records, valid %d, torn %v, err %v) want clean (%d records, valid %d)",
			len(res.recs), res.valid, res.torn, res.err, n, dataLen)
	}
}

// wantTorn fails unless res ended at a torn tail at offset valid after n records.
func wantTorn(t *testing.T, res walkResult, n, valid int) {
	t.Helper()
	if res.err != nil || !res.torn || res.valid != int64(valid) || len(res.recs) != n {
		t.Fatalf("walk = (%d records, valid %d, torn %v, err %v) want torn (%d records, valid %d)",
			len(res.recs), res.valid, res.torn, res.err, n, valid)
	}
}

// wantCorrupt fails unless res ended in corruption at offset off after n records.
func wantCorrupt(t *testing.T, res walkResult, n, off int) {
	t.Helper()
	var ce *Error
	if !errors.Is(res.err, ErrCorrupt) || !errors.As(res.err, &ce) || ce.Offset != int64(off) ||
		res.torn || res.valid != int64(off) || len(res.recs) != n {
		t.Fatalf("walk = (%d records, valid %d, torn %v, err %v) want corrupt at %d after %d records",
			len(res.recs), res.valid, res.torn, res.err, off, n)
	}
}

func TestWalkerClean(t *testing.T) {
	recs := testRecords(10)
	data, offsets := encodeLog(recs)
	res := walk("clean.log", data, testSectorBytes)
	wantClean(t, res, len(recs), len(data))
	for i := range recs {
		if !sameRecord(&res.recs[i], &recs[i]) || res.offsets[i] != int64(offsets[i]) {
			t.Fatalf("record %d at %d = %+v want %+v at %d", i, res.offsets[i], res.recs[i], recs[i], offsets[i])
		}
	}
	wantClean(t, walk("empty.log", nil, testSectorBytes), 0, 0)
}

// TestWalkerTruncatedEverywhere cuts the log at every byte offset: a cut on a
// frame boundary is clean, any other cut is a torn tail at the start of the
// cut frame. Reference: TiCDC pkg/redo/reader/file.go (short read => EOF).
func TestWalkerTruncatedEverywhere(t *testing.T) {
	recs := testRecords(10)
	data, offsets := encodeLog(recs)
	frame := 0 // index of the frame the cut falls in
	for cut := 0; cut <= len(data); cut++ {
		for frame+1 < len(offsets) && offsets[frame+1] <= cut {
			frame++
		}
		res := walk("cut.log", data[:cut], testSectorBytes)
		switch {
		case cut == len(data):
			wantClean(t, res, len(recs), cut)
		case cut == offsets[frame]:
			wantClean(t, res, frame, cut)
		default:
			wantTorn(t, res, frame, offsets[frame])
		}
	}
}

// TestWalkerZeroSectorInLastFrame zeroes each whole sector inside a large
// last frame, the way a crash drops an unsynced sector: a torn tail.
func TestWalkerZeroSectorInLastFrame(t *testing.T) {
	recs := testRecords(6)
	recs = append(recs, rowRecord(SizedRow(Row{Op: OpInsert, Key: []byte("big")}, RowShape{FrameBytes: 4096, Columns: 2})))
	data, offsets := encodeLog(recs)
	last := offsets[len(offsets)-1]
	for s := (last/testSectorBytes + 1) * testSectorBytes; s+testSectorBytes <= len(data); s += testSectorBytes {
		torn := bytes.Clone(data)
		clear(torn[s : s+testSectorBytes])
		res := walk("zero.log", torn, testSectorBytes)
		wantTorn(t, res, len(recs)-1, last)
	}
}

// TestWalkerZeroSectorBeforeValidFrames: a frame touching an all-zero
// sector with valid frames behind it is corruption, not a torn tail: the
// frames behind it were written (and maybe synced), so zeros decide
// nothing while a valid frame follows. AtStake counts the damaged frame
// and every valid one after it.
func TestWalkerZeroSectorBeforeValidFrames(t *testing.T) {
	recs := testRecords(10)
	data, offsets := encodeLog(recs)
	// The sector holding the end of frame 2 and the start of frame 3 is lost.
	s := offsets[3] / testSectorBytes * testSectorBytes
	torn := bytes.Clone(data)
	clear(torn[s : s+testSectorBytes])
	first := 0
	for first < len(offsets) && offsets[first]+RecordFrameSize(&recs[first]) <= s {
		first++
	}
	wantCorrupt(t, walk("hole.log", torn, testSectorBytes), first, offsets[first])
	w := NewWalker("hole.log", torn, testSectorBytes)
	drain(w)
	last := first
	for last < len(offsets) && offsets[last] < s+testSectorBytes {
		last++
	}
	if n, b := w.AtStake(); n != 1+len(recs)-last || b != int64(len(torn)-offsets[first]) {
		t.Fatalf("AtStake = %d records, %d bytes; want %d records, %d bytes", n, b, 1+len(recs)-last, len(torn)-offsets[first])
	}
}

// TestSealedWalkerEveryBadFrameIsCorrupt: in a sealed file the damage that
// reads as a torn tail in an open one (a flipped byte in the last record,
// a zeroed last sector, a cut, a zeroed first sector) is corruption.
func TestSealedWalkerEveryBadFrameIsCorrupt(t *testing.T) {
	recs := testRecords(10)
	data, offsets := encodeLog(recs)
	last := offsets[len(offsets)-1]
	damage := map[string]func([]byte) []byte{
		"flip in last record": func(b []byte) []byte { b[last+20] ^= 0x10; return b },
		"last sector zeroed":  func(b []byte) []byte { clear(b[len(b)-len(b)%testSectorBytes:]); return b },
		"cut in last record":  func(b []byte) []byte { return b[:last+12] },
		"first sector zeroed": func(b []byte) []byte { clear(b[:testSectorBytes]); return b },
	}
	for name, f := range damage {
		bad := f(bytes.Clone(data))
		open := walk("open.log", bad, testSectorBytes)
		w := NewSealedWalker("sealed.log", bad, testSectorBytes)
		n := 0
		for w.Next() {
			n++
		}
		if !errors.Is(w.Err(), ErrCorrupt) || w.Torn() || w.ValidBytes() != open.valid || n != len(open.recs) {
			t.Errorf("%s: sealed walk = %d records, valid %d, torn %v, err %v; want corrupt at %d", name, n, w.ValidBytes(), w.Torn(), w.Err(), open.valid)
		}
		if k, _ := w.AtStake(); k < 1 {
			t.Errorf("%s: AtStake = %d records, want at least the damaged one", name, k)
		}
	}
	w := NewSealedWalker("clean.log", data, testSectorBytes)
	for w.Next() {
	}
	if w.Err() != nil || w.Torn() || w.ValidBytes() != int64(len(data)) {
		t.Fatalf("clean sealed walk: err %v torn %v valid %d", w.Err(), w.Torn(), w.ValidBytes())
	}
}

// TestWalkerZeroColumnPlusFlip: a user's row whose column is 2 KiB of
// zeros, with one bit flipped elsewhere in it, is followed by acknowledged
// rows: corruption in an open file too, never a torn tail.
func TestWalkerZeroColumnPlusFlip(t *testing.T) {
	var recs []Record
	for i := range 40 {
		row := Row{TableID: 1, Key: []byte(strconv.Itoa(i)), Op: OpInsert, StartTs: uint64(i), CommitTs: uint64(i + 1),
			Columns: [][]byte{make([]byte, 2048)}}
		recs = append(recs, rowRecord(row))
	}
	data, offsets := encodeLog(recs)
	bad := bytes.Clone(data)
	bad[offsets[10]+12] ^= 1
	wantCorrupt(t, walk("zeros.log", bad, testSectorBytes), 10, offsets[10])
	w := NewWalker("zeros.log", bad, testSectorBytes)
	drain(w)
	if n, _ := w.AtStake(); n != 30 {
		t.Fatalf("AtStake = %d records, want 30 (the damaged row and the 29 after it)", n)
	}
}

// drain runs w to its end and reports whether it ended torn.
func drain(w *Walker) bool {
	for w.Next() {
	}
	return w.Torn()
}

// TestWalkerFlipInMiddleFrame flips a bit in the payload of a middle frame:
// valid frames follow, so this is corruption at that frame's offset.
func TestWalkerFlipInMiddleFrame(t *testing.T) {
	recs := testRecords(10)
	data, offsets := encodeLog(recs)
	bad := bytes.Clone(data)
	bad[offsets[4]+100] ^= 0x10
	res := walk("foo.log", bad, testSectorBytes)
	wantCorrupt(t, res, 4, offsets[4])
	want := "engine/codec: corrupt record at offset " + strconv.Itoa(offsets[4]) + " in foo.log: checksum mismatch"
	if !strings.HasPrefix(res.err.Error(), want) {
		t.Fatalf("error = %q want prefix %q", res.err, want)
	}
}

// TestWalkerFlipInLastFrame flips each byte of the last frame's payload in
// turn: nothing valid follows, so every one is a torn tail.
func TestWalkerFlipInLastFrame(t *testing.T) {
	recs := testRecords(10)
	data, offsets := encodeLog(recs)
	last := offsets[len(offsets)-1]
	for i := last; i < len(data); i++ {
		bad := bytes.Clone(data)
		bad[i] ^= 0x01
		wantTorn(t, walk("tail.log", bad, testSectorBytes), len(recs)-1, last)
	}
}

// TestWalkerEachBitOfMiddleFrameIsCorrupt is the planted-bug test of the
// corruption check: it flips every bit of a middle frame, length field and
// padding included, and requires ErrCorrupt at that frame every time. Most
// flips land in column values, where the body still decodes without the
// checksum; the test counts them, so it would fail if the CRC were not
// checked.
func TestWalkerEachBitOfMiddleFrameIsCorrupt(t *testing.T) {
	recs := testRecords(10)
	data, offsets := encodeLog(recs)
	const mid = 5
	start, end := offsets[mid], offsets[mid+1]
	silentWithoutCRC := 0
	for bit := 8 * start; bit < 8*end; bit++ {
		bad := bytes.Clone(data)
		bad[bit/8] ^= 1 << (bit % 8)
		wantCorrupt(t, walk("mid.log", bad, testSectorBytes), mid, start)
		if p, ok := payloadIfFramed(bad[start:end]); ok {
			var r Record
			if decodeBody(p, &r) == "" {
				silentWithoutCRC++
			}
		}
	}
	if silentWithoutCRC < 8*(end-start)/2 {
		t.Fatalf("only %d of %d flips decode without the checksum; the test no longer proves the CRC check",
			silentWithoutCRC, 8*(end-start))
	}
}

// payloadIfFramed returns the payload of frame if its length field still
// parses and fits.
func payloadIfFramed(frame []byte) ([]byte, bool) {
	n, pad, err := DecodeLength(frame)
	if err != nil || LengthFieldBytes+n+pad != len(frame) || n < PayloadHeaderBytes {
		return nil, false
	}
	return frame[LengthFieldBytes : LengthFieldBytes+n], true
}

// TestWalkerGarbageAfterValidData appends bytes that hold no valid frame:
// random-looking bytes, zeros (a preallocated tail), a lone length field.
func TestWalkerGarbageAfterValidData(t *testing.T) {
	recs := testRecords(10)
	data, _ := encodeLog(recs)
	garbage := make([]byte, 3000)
	x := uint64(0x9e3779b97f4a7c15)
	for i := range garbage {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		garbage[i] = byte(x)
	}
	for name, tail := range map[string][]byte{
		"random":       garbage,
		"zeros":        make([]byte, 8192),
		"odd zeros":    make([]byte, 13),
		"length field": binary.LittleEndian.AppendUint64(nil, LengthField(300)),
		"bad length":   binary.LittleEndian.AppendUint64(nil, 0x4000000000000010),
	} {
		res := walk("garbage.log", append(bytes.Clone(data), tail...), testSectorBytes)
		if res.err != nil || !res.torn || res.valid != int64(len(data)) || len(res.recs) != len(recs) {
			t.Errorf("%s: walk = (%d records, valid %d, torn %v, err %v) want torn at %d",
				name, len(res.recs), res.valid, res.torn, res.err, len(data))
		}
	}
	w := NewWalker("pre.log", append(bytes.Clone(data), make([]byte, 4096)...), 0)
	if !drain(w) || !strings.HasSuffix(w.TornCause().Error(), "zeroed tail") || !errors.Is(w.TornCause(), ErrTornTail) {
		t.Fatalf("TornCause = %v want a zeroed tail", w.TornCause())
	}
}

// TestWalkerBadLengthFieldInMiddle writes impossible length fields (and one
// that runs past the end) over a middle frame: valid data follows, so each is
// corruption. The same field on the last frame is a torn tail.
func TestWalkerBadLengthFieldInMiddle(t *testing.T) {
	recs := testRecords(10)
	data, offsets := encodeLog(recs)
	for _, field := range []uint64{
		0x4000000000000100,  // reserved bit set
		0x8000000000000100,  // flag without pad
		0x8300000000000101,  // pad does not match
		0x0000000000000000,  // zero length field
		0x0000010000000000,  // runs past the end
		LengthField(4),      // payload shorter than its header
		LengthField(1 << 9), // plausible length, wrong bytes under it
	} {
		bad := bytes.Clone(data)
		binary.LittleEndian.PutUint64(bad[offsets[3]:], field)
		wantCorrupt(t, walk("len.log", bad, testSectorBytes), 3, offsets[3])
		last := offsets[len(offsets)-1]
		bad = bytes.Clone(data)
		binary.LittleEndian.PutUint64(bad[last:], field)
		wantTorn(t, walk("len.log", bad, testSectorBytes), len(recs)-1, last)
	}
}

// TestWalkerNonZeroPadding: padding is part of the frame; a set byte there
// is caught although the payload's checksum still holds.
func TestWalkerNonZeroPadding(t *testing.T) {
	recs := testRecords(10)
	data, offsets := encodeLog(recs)
	for i := range recs {
		n, pad, _ := DecodeLength(data[offsets[i]:])
		if pad == 0 {
			continue
		}
		bad := bytes.Clone(data)
		bad[offsets[i]+LengthFieldBytes+n] = 1
		res := walk("pad.log", bad, testSectorBytes)
		if i == len(recs)-1 {
			wantTorn(t, res, i, offsets[i])
		} else {
			wantCorrupt(t, res, i, offsets[i])
		}
	}
}

// TestWalkerUndecodableFrameWithValidChecksum: a frame whose checksum holds
// was written as it is, so a body that does not decode is corruption even
// on the last frame.
func TestWalkerUndecodableFrameWithValidChecksum(t *testing.T) {
	recs := testRecords(10)
	data, offsets := encodeLog(recs)
	for _, i := range []int{2, len(recs) - 1} {
		bad := bytes.Clone(data)
		p := payloadOf(bad[offsets[i]:])
		p[versionOff] = 7
		reseal(p)
		res := walk("ver.log", bad, testSectorBytes)
		wantCorrupt(t, res, i, offsets[i])
		if !strings.Contains(res.err.Error(), "unsupported record version 7") {
			t.Fatalf("error = %v want the version named", res.err)
		}
	}
}

// TestWalkerFrameAliasesData: Frame is the record's exact bytes, which
// re-encode identically.
func TestWalkerFrameAliasesData(t *testing.T) {
	recs := testRecords(10)
	data, _ := encodeLog(recs)
	w := NewWalker("a.log", data, testSectorBytes)
	for w.Next() {
		if !bytes.Equal(EncodeRecord(nil, w.Record()), w.Frame()) {
			t.Fatalf("record at %d re-encodes differently", w.Offset())
		}
		if w.ValidBytes() != w.Offset()+int64(len(w.Frame())) {
			t.Fatalf("ValidBytes %d != end of frame at %d", w.ValidBytes(), w.Offset())
		}
	}
	if w.Next() {
		t.Fatalf("Next after the end returned true")
	}
}
