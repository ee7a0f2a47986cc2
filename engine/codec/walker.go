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
	format      Format
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
	return NewFormatWalker(name, data, sectorBytes, false, Native)
}

// NewFormatWalker returns a Walker over data whose payloads are in format
// f; sealed says whether the file is sealed (see NewSealedWalker).
func NewFormatWalker(name string, data []byte, sectorBytes int, sealed bool, f Format) *Walker {
	if sectorBytes <= 0 {
		sectorBytes = DefaultSectorBytes
	}
	return &Walker{name: name, format: f, data: data, sectorBytes: sectorBytes, sealed: sealed}
}

// NewSealedWalker returns a Walker over a sealed file's data: one that was
// synced whole before it was renamed to its final name (or uploaded as one
// atomic object), so no crash can have torn it. Every bad frame in it is
// corruption, wherever it lies and whatever bytes follow it.
func NewSealedWalker(name string, data []byte, sectorBytes int) *Walker {
	return NewFormatWalker(name, data, sectorBytes, true, Native)
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
	f := w.checkFrame(off)
	if f.fault == "" {
		if reason := w.format.Decode(f.payload, &w.rec); reason != "" {
			// Verified, so these are the bytes a writer wrote.
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
		q = next + w.checkFrame(next).size - FrameAlignBytes
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
// the data, its zero padding and that its payload verifies (a checksum, or
// for a format without one a decode).
func (w *Walker) checkFrame(off int) frameCheck {
	data := w.data
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
	if reason := w.format.Verify(payload); reason != "" {
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
	for q := off + FrameAlignBytes; q+LengthFieldBytes < len(w.data); q += FrameAlignBytes {
		if !w.format.Plausible(w.data[q+LengthFieldBytes:]) {
			continue
		}
		if w.checkFrame(q).fault == "" {
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

// Format is a payload format a Walker reads inside the frames.
type Format interface {
	// Plausible is a cheap first look at the bytes after a length field
	// (at least one byte, maybe fewer than a payload): false rules the
	// frame out before Verify runs.
	Plausible(payload []byte) bool
	// Verify returns why a payload is not one a writer wrote, or "": a
	// checksum check, or for a format without one a whole decode.
	Verify(payload []byte) string
	// Decode decodes a verified payload into r, returning why it does not
	// decode, or "" (see DecodeRecord for how r's memory is reused).
	Decode(payload []byte, r *Record) string
}

// Native is this package's payload format: a CRC-32C header, then the body.
var Native Format = nativeFormat{}

type nativeFormat struct{}

// Plausible checks the version, record type and reserved bytes of the
// payload header.
func (nativeFormat) Plausible(h []byte) bool {
	if len(h) < PayloadHeaderBytes || h[versionOff] != RecordVersion || h[reservedOff] != 0 || h[reservedOff+1] != 0 {
		return false
	}
	t := RecordType(h[typeOff])
	return t == TypeRow || t == TypeDDL || t == TypeHeader
}

func (nativeFormat) Verify(p []byte) string            { return checkPayload(p) }
func (nativeFormat) Decode(p []byte, r *Record) string { return decodeBody(p, r) }
