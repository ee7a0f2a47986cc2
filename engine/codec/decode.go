package codec

import (
	"encoding/binary"
	"fmt"
)

// DecodeRecord decodes one frame's payload (without length field and
// padding) into r. It checks the checksum first, then decodes strictly: a
// payload that decodes re-encodes to the same bytes. Failures return an
// *Error wrapping ErrCorrupt with Offset -1.
//
// DecodeRecord overwrites all of r and reuses the memory of r's slices
// (Key, Columns and their values, the table ID lists), so it allocates
// nothing once r has grown to the sizes it meets. The slices it fills never
// alias payload. Do not pass a Record whose slices are still in use or share
// memory with each other; Clone a record to keep it. On error r's contents
// are unspecified.
func DecodeRecord(payload []byte, r *Record) error {
	reason := checkPayload(payload)
	if reason == "" {
		reason = decodeBody(payload, r)
	}
	if reason != "" {
		return &Error{Class: ErrCorrupt, Object: "record", Offset: -1, Reason: reason}
	}
	return nil
}

// checkPayload checks the payload's length and checksum; it returns why the
// payload is bad, or "".
func checkPayload(p []byte) string {
	if len(p) < PayloadHeaderBytes {
		return fmt.Sprintf("payload of %d bytes is shorter than its %d-byte header", len(p), PayloadHeaderBytes)
	}
	if binary.LittleEndian.Uint32(p[crcOff:]) != checksum(p[crcBytes:]) {
		return "checksum mismatch"
	}
	return ""
}

// decodeBody decodes a payload whose checksum holds into r; it returns why
// the payload does not decode, or "".
func decodeBody(p []byte, r *Record) string {
	if v := p[versionOff]; v != RecordVersion {
		return fmt.Sprintf("unsupported record version %d", v)
	}
	if p[reservedOff] != 0 || p[reservedOff+1] != 0 {
		return "reserved header bytes are not zero"
	}
	d := bodyReader{buf: p, off: PayloadHeaderBytes}
	switch t := RecordType(p[typeOff]); t {
	case TypeRow:
		r.Type, r.DDL, r.Header = TypeRow, DDL{}, Header{}
		d.row(&r.Row)
	case TypeDDL:
		r.Type, r.Row, r.Header = TypeDDL, Row{}, Header{}
		d.ddl(&r.DDL)
	case TypeHeader:
		r.Type, r.Row, r.DDL = TypeHeader, Row{}, DDL{}
		r.Header.StartLSN = d.fixed64("header start lsn")
		r.Header.MaxTsBefore = 0
		if d.left() > 0 {
			if r.Header.MaxTsBefore = d.fixed64("header max ts before"); r.Header.MaxTsBefore == 0 && d.bad == "" {
				d.fail("header max ts before is 0 in its 16-byte form")
			}
		}
	default:
		return fmt.Sprintf("unknown record type %d", t)
	}
	if d.bad == "" && d.off != len(d.buf) {
		return fmt.Sprintf("%d trailing bytes after the body", len(d.buf)-d.off)
	}
	return d.bad
}

// bodyReader reads a body. The first failure is kept in bad and ends the
// input, so later reads return zero values and the caller checks once.
type bodyReader struct {
	buf []byte
	off int
	bad string
}

func (d *bodyReader) fail(reason string) {
	if d.bad == "" {
		d.bad = reason
	}
	d.off = len(d.buf)
}

func (d *bodyReader) left() int { return len(d.buf) - d.off }

func (d *bodyReader) u8(what string) byte {
	if d.left() < 1 {
		d.fail(what + " runs past the end")
		return 0
	}
	d.off++
	return d.buf[d.off-1]
}

func (d *bodyReader) fixed64(what string) uint64 {
	if d.left() < 8 {
		d.fail(what + " runs past the end")
		return 0
	}
	d.off += 8
	return binary.LittleEndian.Uint64(d.buf[d.off-8:])
}

// uvarint reads a minimal uvarint: the canonical form is the only one
// accepted, so that decoding and re-encoding give the same bytes.
func (d *bodyReader) uvarint(what string) uint64 {
	v, n := binary.Uvarint(d.buf[d.off:])
	switch {
	case n == 0:
		d.fail(what + " runs past the end")
		return 0
	case n < 0:
		d.fail(what + " overflows 64 bits")
		return 0
	case n > 1 && d.buf[d.off+n-1] == 0:
		d.fail(what + " is not a minimal varint")
		return 0
	}
	d.off += n
	return v
}

func (d *bodyReader) varint(what string) int64 {
	u := d.uvarint(what)
	return int64(u>>1) ^ -int64(u&1)
}

// count reads an element count and rejects one that cannot fit in the bytes
// left, each element taking at least one byte: no allocation is ever sized
// by an unchecked count.
func (d *bodyReader) count(what string) int {
	v := d.uvarint(what)
	if v > uint64(d.left()) {
		d.fail(fmt.Sprintf("%s %d exceeds the %d bytes left", what, v, d.left()))
		return 0
	}
	return int(v)
}

// raw returns the next n bytes, checked against the bytes left.
func (d *bodyReader) raw(what string, n uint64) []byte {
	if n > uint64(d.left()) {
		d.fail(fmt.Sprintf("%s of %d bytes runs past the end", what, n))
		return nil
	}
	d.off += int(n)
	return d.buf[d.off-int(n) : d.off]
}

func (d *bodyReader) row(row *Row) {
	row.StartTs = d.fixed64("start ts")
	row.CommitTs = d.fixed64("commit ts")
	row.Op = Op(d.u8("op"))
	if d.bad == "" && (row.Op < OpDelete || row.Op > OpInsert) {
		d.fail(fmt.Sprintf("invalid op %d", row.Op))
	}
	row.TableID = d.varint("table id")
	row.Key = append(row.Key[:0], d.raw("key", d.uvarint("key length"))...)
	row.Columns = d.columns(row.Columns)
}

// columns reads the column count and values into cols, reusing the memory
// of cols and of its values, and keeping NULL (nil) apart from empty.
func (d *bodyReader) columns(cols [][]byte) [][]byte {
	n := d.count("column count")
	if cap(cols) < n {
		grown := make([][]byte, n)
		copy(grown, cols[:cap(cols)])
		cols = grown
	}
	cols = cols[:n]
	for i := range cols {
		tag := d.uvarint("column tag")
		if tag == 0 {
			cols[i] = nil
			continue
		}
		c := append(cols[i][:0], d.raw("column value", tag-1)...)
		if c == nil {
			c = []byte{}
		}
		cols[i] = c
	}
	return cols
}

func (d *bodyReader) ddl(ddl *DDL) {
	ddl.StartTs = d.fixed64("start ts")
	ddl.CommitTs = d.fixed64("commit ts")
	ddl.Kind = DDLKind(d.u8("ddl kind"))
	if d.bad == "" && (ddl.Kind < DDLCreate || ddl.Kind > DDLAddColumn) {
		d.fail(fmt.Sprintf("invalid ddl kind %d", ddl.Kind))
	}
	ddl.Blocked = d.ids("blocked table count", ddl.Blocked)
	ddl.Added = d.ids("added table count", ddl.Added)
	ddl.Dropped = d.ids("dropped table count", ddl.Dropped)
	q := d.raw("query", d.uvarint("query length"))
	if ddl.Query != string(q) { // the comparison does not allocate
		ddl.Query = string(q)
	}
}

func (d *bodyReader) ids(what string, dst []int64) []int64 {
	n := d.count(what)
	if cap(dst) < n {
		dst = make([]int64, n)
	}
	dst = dst[:n]
	for i := range dst {
		dst[i] = d.varint("table id")
	}
	return dst
}

// Clone returns a deep copy of r that shares no memory with it, for keeping
// a record past the next DecodeRecord or Walker.Next into the same Record.
func (r *Record) Clone() Record {
	c := *r
	c.Row.Key = cloneBytes(r.Row.Key)
	if r.Row.Columns != nil {
		c.Row.Columns = make([][]byte, len(r.Row.Columns))
		for i, col := range r.Row.Columns {
			c.Row.Columns[i] = cloneBytes(col)
		}
	}
	c.DDL.Blocked = cloneIDs(r.DDL.Blocked)
	c.DDL.Added = cloneIDs(r.DDL.Added)
	c.DDL.Dropped = cloneIDs(r.DDL.Dropped)
	return c
}

// cloneBytes copies b, keeping nil apart from empty.
func cloneBytes(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}

func cloneIDs(ids []int64) []int64 {
	if ids == nil {
		return nil
	}
	return append([]int64{}, ids...)
}
