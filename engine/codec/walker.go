package codec

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// DefaultSectorBytes is the sector size NewWalker uses when given 0: the
// smallest unit a disk writes whole, as in TiCDC's torn-write check.
const DefaultSectorBytes = 512

// Walker reads the records of one log file's bytes in order, one at a time,
// and ends in exactly one of three ways:
//
//   - clean: every byte belongs to a valid frame; Err is nil, Torn is false
//     and ValidBytes is the length of the data;
//   - torn tail: the log ends in a frame a crash left incomplete; Err is nil,
//     Torn is true, and ValidBytes is where that frame starts;
//   - corruption: a bad frame lies inside the valid log; Err returns an
//     *Error wrapping ErrCorrupt, and ValidBytes is where that frame starts.
//
// The package doc says how a torn tail is told from corruption. A Walker
// never panics on any input and never allocates by a length it read; it
// reads data only and is not safe for concurrent use.
type Walker struct {
	name        string
	data        []byte
	sectorBytes int
	off         int  // start of the current record's frame
	next        int  // start of the next frame; the valid length so far
	sealed      bool // every bad frame is corruption (NewSealedWalker)
	rec         Record
	err         error
	errOff      int // where the corruption in err starts
	torn        error
	done        bool
}

// NewWalker returns a Walker over data, the whole contents of the file
// called name (used in error messages only). sectorBytes is the disk's
// sector size for the torn-write check; 0 or less means DefaultSectorBytes.
func NewWalker(name string, data []byte, sectorBytes int) *Walker {
	if sectorBytes <= 0 {
		sectorBytes = DefaultSectorBytes
	}
	return &Walker{name: name, data: data, sectorBytes: sectorBytes}
}

// NewSealedWalker returns a Walker over a sealed file's data: one that was
// synced whole before it was renamed to its final name (or uploaded as one
// atomic object), so no crash can have torn it. Every bad frame in it is
// corruption, wherever it lies and whatever bytes follow it.
func NewSealedWalker(name string, data []byte, sectorBytes int) *Walker {
	w := NewWalker(name, data, sectorBytes)
	w.sealed = true
	return w
}

// Next reads the next record and reports whether there is one. When it
// returns false the walk is over: see Err, Torn and ValidBytes.
func (w *Walker) Next() bool {
	if w.done {
		return false
	}
	off := w.next
	if off == len(w.data) {
		w.done = true
		return false
	}
	f := checkFrame(w.data, off)
	if f.fault == "" {
		if reason := decodeBody(f.payload, &w.rec); reason != "" {
			// The checksum holds, so these are the bytes a writer wrote.
			w.done = true
			w.err, w.errOff = w.newError(ErrCorrupt, off, reason), off
			return false
		}
		w.off, w.next = off, off+f.size
		return true
	}
	w.done = true
	w.classify(off, f)
	return false
}

// classify decides whether the bad frame f at off is a torn tail or
// corruption, and records the outcome. In a sealed file it is always
// corruption. In an open file it is corruption when a frame with a valid
// checksum starts anywhere after it, zeros or not (a user's all-zero
// column looks like a lost sector, yet the frames behind it were written,
// and maybe synced); only when nothing valid follows is it a torn tail.
func (w *Walker) classify(off int, f frameCheck) {
	if w.sealed {
		w.err, w.errOff = w.newError(ErrCorrupt, off, f.fault+"; the file is sealed (synced whole before it was named), so no crash tore it"), off
		return
	}
	if q, ok := w.validFrameAfter(off); ok {
		w.err, w.errOff = w.newError(ErrCorrupt, off, fmt.Sprintf("%s; a valid frame follows at offset %d", f.fault, q)), off
		return
	}
	reason := f.fault
	if AllZero(w.data[off:]) {
		reason = "zeroed tail"
	} else if z, ok := w.zeroSector(off, off+f.extent); ok {
		reason = fmt.Sprintf("%s; sector at offset %d is all zero", f.fault, z)
	}
	w.torn = w.newError(ErrTornTail, off, reason)
}

// AtStake says what a corruption puts at risk: the records from the bad
// frame to the end of the data (the bad frame counts as one, plus every
// frame with a valid checksum found after it), and those bytes. It is 0, 0
// unless Err is set.
func (w *Walker) AtStake() (records int, bytes int64) {
	if w.err == nil {
		return 0, 0
	}
	records = 1
	for q := w.errOff; ; {
		next, ok := w.validFrameAfter(q)
		if !ok {
			break
		}
		records++
		q = next + checkFrame(w.data, next).size - FrameAlignBytes
	}
	return records, int64(len(w.data) - w.errOff)
}

func (w *Walker) newError(class error, off int, reason string) *Error {
	return &Error{Class: class, Object: "record", File: w.name, Offset: int64(off), Reason: reason}
}

// Record returns the current record. It and its slices stay valid only
// until the next call to Next; Clone it to keep it.
func (w *Walker) Record() *Record { return &w.rec }

// Offset returns the byte offset of the current record's frame.
func (w *Walker) Offset() int64 { return int64(w.off) }

// Frame returns the bytes of the current record's whole frame (length field,
// payload and padding). They alias the data given to NewWalker.
func (w *Walker) Frame() []byte { return w.data[w.off:w.next] }

// ValidBytes returns the length of the valid log read so far: the end of the
// current record while walking, and after the walk the offset where the
// valid log ends (the length of the data when the walk ended clean).
func (w *Walker) ValidBytes() int64 { return int64(w.next) }

// Err returns the corruption that ended the walk, an *Error wrapping
// ErrCorrupt, or nil when the walk ended clean or at a torn tail.
func (w *Walker) Err() error { return w.err }

// Torn reports whether the walk ended at a torn tail.
func (w *Walker) Torn() bool { return w.torn != nil }

// TornCause returns why the walk ended at a torn tail, an *Error wrapping
// ErrTornTail, or nil when it did not.
func (w *Walker) TornCause() error { return w.torn }

// frameCheck is what checkFrame found at one offset.
type frameCheck struct {
	payload []byte // the payload, when fault is ""
	size    int    // the whole frame's size, when fault is ""
	extent  int    // bytes from the offset the bad frame is known to cover
	fault   string // why the frame is bad, or ""
}

// checkFrame checks the frame at off: its length field, that it fits in
// data, its zero padding and its payload checksum. It does not decode the
// body.
func checkFrame(data []byte, off int) frameCheck {
	left := len(data) - off
	if left < LengthFieldBytes {
		return frameCheck{extent: left, fault: fmt.Sprintf("length field cut short at %d bytes", left)}
	}
	n, pad, err := DecodeLength(data[off:])
	switch {
	case err != nil:
		return frameCheck{extent: LengthFieldBytes, fault: lengthFault(err)}
	case binary.LittleEndian.Uint64(data[off:]) == 0:
		return frameCheck{extent: LengthFieldBytes, fault: "zero length field"}
	case n+pad > left-LengthFieldBytes:
		return frameCheck{extent: left, fault: fmt.Sprintf("frame of %d bytes runs past the end of the data", LengthFieldBytes+n+pad)}
	}
	size := LengthFieldBytes + n + pad
	frame := data[off : off+size]
	if !AllZero(frame[LengthFieldBytes+n:]) {
		return frameCheck{extent: size, fault: "padding is not zero"}
	}
	payload := frame[LengthFieldBytes : LengthFieldBytes+n]
	if reason := checkPayload(payload); reason != "" {
		return frameCheck{extent: size, fault: reason}
	}
	return frameCheck{payload: payload, size: size, extent: size}
}

// lengthFault turns a DecodeLength error into a reason without the package
// prefix, e.g. "bad frame length field: pad 3 does not match length 8".
func lengthFault(err error) string {
	return strings.TrimPrefix(err.Error(), "engine/codec: ")
}

// zeroSector returns the start of the first sector overlapping data[from:to]
// whose bytes (all of them, as far as data goes) are zero: a sector the
// disk never wrote.
func (w *Walker) zeroSector(from, to int) (int, bool) {
	to = min(to, len(w.data))
	for s := from - from%w.sectorBytes; s < to; s += w.sectorBytes {
		if AllZero(w.data[s:min(s+w.sectorBytes, len(w.data))]) {
			return s, true
		}
	}
	return 0, false
}

// validFrameAfter returns the first 8-aligned offset after off where a frame
// with a valid checksum starts. A cheap look at the header skips most
// offsets before any checksum is computed.
func (w *Walker) validFrameAfter(off int) (int, bool) {
	minFrame := LengthFieldBytes + PayloadHeaderBytes
	for q := off + FrameAlignBytes; q+minFrame <= len(w.data); q += FrameAlignBytes {
		h := w.data[q+LengthFieldBytes:]
		if h[versionOff] != RecordVersion || h[reservedOff] != 0 || h[reservedOff+1] != 0 {
			continue
		}
		if t := RecordType(h[typeOff]); t != TypeRow && t != TypeDDL && t != TypeHeader {
			continue
		}
		if checkFrame(w.data, q).fault == "" {
			return q, true
		}
	}
	return 0, false
}

// AllZero reports whether every byte of b is zero.
func AllZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// lz4FrameMagic opens every LZ4 frame (little-endian 0x184D2204).
const lz4FrameMagic = 0x184D2204

// ForeignFormat names the format of a log file that is not in this
// package's format, judged by its first bytes: "lz4" for an LZ4 frame
// (TiCDC's compressed redo), "ticdc" for TiCDC's redo framing whose first
// payload starts with the FF FF version prefix, a version of 1 or 2 and a
// msgpack map. It returns "" for anything else, a damaged file of ours
// included, so a caller never mistakes damage for a foreign file.
func ForeignFormat(data []byte) string {
	if len(data) >= 4 && binary.LittleEndian.Uint32(data) == lz4FrameMagic {
		return "lz4"
	}
	n, pad, err := DecodeLength(data)
	if err != nil || n < 5 || LengthFieldBytes+n+pad > len(data) {
		return ""
	}
	p := data[LengthFieldBytes : LengthFieldBytes+n]
	version := binary.BigEndian.Uint16(p[2:])
	isMap := p[4]&0xf0 == 0x80 || p[4] == 0xde || p[4] == 0xdf
	if p[0] == 0xff && p[1] == 0xff && (version == 1 || version == 2) && isMap {
		return "ticdc"
	}
	return ""
}
