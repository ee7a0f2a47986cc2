package codec

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math/bits"
	"slices"
)

// Payload header layout. Wire format: never change.
const (
	// PayloadHeaderBytes is the size of the header that starts every
	// payload: crc32c (4B), version (1B), record type (1B), reserved (2B).
	PayloadHeaderBytes = 8
	// RecordVersion is the payload version this package writes and reads.
	RecordVersion = 1

	crcOff      = 0 // crc32c, little-endian, over payload bytes 4..end
	crcBytes    = 4
	versionOff  = 4
	typeOff     = 5
	reservedOff = 6 // two zero bytes
)

// rowFixedBytes is the fixed part of a row body: startTs, commitTs, op.
// ddlFixedBytes is the fixed part of a DDL body: startTs, commitTs, kind.
// Wire format: never change.
const (
	rowFixedBytes = 8 + 8 + 1
	ddlFixedBytes = 8 + 8 + 1
)

// castagnoli is the CRC-32C table. Castagnoli has better error detection
// than IEEE and runs in hardware on amd64 and arm64. Immutable after init.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// checksum returns the CRC-32C of b.
func checksum(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// headerBodyBytes is the size of a Header body: startLSN 8B LE, and
// maxTsBefore 8B LE when it is not 0.
func headerBodyBytes(h *Header) int {
	if h.MaxTsBefore == 0 {
		return 8
	}
	return 16
}

// uvarintLen returns the size of v as a uvarint.
func uvarintLen(v uint64) int { return (bits.Len64(v|1) + 6) / 7 }

// zigzag maps a signed integer to the unsigned one binary.AppendVarint writes.
func zigzag(v int64) uint64 { return uint64(v<<1) ^ uint64(v>>63) }

// RecordFrameSize returns the size in bytes of the frame EncodeRecord
// appends for r, without encoding it. It panics on an invalid record, as
// EncodeRecord does.
func RecordFrameSize(r *Record) int {
	return FrameSize(PayloadHeaderBytes + bodySize(r))
}

// bodySize returns the size of r's body and panics if r cannot be encoded.
func bodySize(r *Record) int {
	switch r.Type {
	case TypeRow:
		return rowBodySize(&r.Row)
	case TypeDDL:
		return ddlBodySize(&r.DDL)
	case TypeHeader:
		return headerBodyBytes(&r.Header)
	}
	panic(fmt.Sprintf("engine/codec: encode record of unknown type %d", r.Type))
}

func rowBodySize(row *Row) int {
	if row.Op < OpDelete || row.Op > OpInsert {
		panic(fmt.Sprintf("engine/codec: encode row with invalid op %d", row.Op))
	}
	n := rowFixedBytes + uvarintLen(zigzag(row.TableID))
	n += uvarintLen(uint64(len(row.Key))) + len(row.Key)
	n += uvarintLen(uint64(len(row.Columns)))
	for _, c := range row.Columns {
		n += uvarintLen(columnTag(c)) + len(c)
	}
	return n
}

// columnTag is the uvarint written before a column: 0 for NULL (nil), else
// the value's length plus one.
func columnTag(c []byte) uint64 {
	if c == nil {
		return 0
	}
	return uint64(len(c)) + 1
}

func ddlBodySize(ddl *DDL) int {
	if ddl.Kind < DDLCreate || ddl.Kind > DDLAddColumn {
		panic(fmt.Sprintf("engine/codec: encode ddl with invalid kind %d", ddl.Kind))
	}
	n := ddlFixedBytes
	for _, ids := range [...][]int64{ddl.Blocked, ddl.Added, ddl.Dropped} {
		n += uvarintLen(uint64(len(ids)))
		for _, id := range ids {
			n += uvarintLen(zigzag(id))
		}
	}
	return n + uvarintLen(uint64(len(ddl.Query))) + len(ddl.Query)
}

// EncodeRecord appends to dst one whole frame holding r and returns the
// extended slice. It does not allocate when dst has room for
// RecordFrameSize(r) more bytes. It panics if r is not encodable (unknown
// type, op or DDL kind): that is a bug in the caller, and the decoder would
// reject the frame.
func EncodeRecord(dst []byte, r *Record) []byte {
	payloadLen := PayloadHeaderBytes + bodySize(r)
	start := len(dst)
	dst = slices.Grow(dst, FrameSize(payloadLen))
	dst = binary.LittleEndian.AppendUint64(dst, LengthField(payloadLen))
	p := len(dst)
	dst = append(dst, 0, 0, 0, 0, RecordVersion, byte(r.Type), 0, 0)
	switch r.Type {
	case TypeRow:
		dst = appendRow(dst, &r.Row)
	case TypeDDL:
		dst = appendDDL(dst, &r.DDL)
	default:
		dst = binary.LittleEndian.AppendUint64(dst, r.Header.StartLSN)
		if r.Header.MaxTsBefore != 0 {
			dst = binary.LittleEndian.AppendUint64(dst, r.Header.MaxTsBefore)
		}
	}
	binary.LittleEndian.PutUint32(dst[p+crcOff:], checksum(dst[p+crcBytes:]))
	dst = append(dst, make([]byte, padBytes(payloadLen))...)
	if len(dst)-start != FrameSize(payloadLen) {
		panic(fmt.Sprintf("engine/codec: encoded frame is %d bytes, sized %d", len(dst)-start, FrameSize(payloadLen)))
	}
	return dst
}

func appendRow(dst []byte, row *Row) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, row.StartTs)
	dst = binary.LittleEndian.AppendUint64(dst, row.CommitTs)
	dst = append(dst, byte(row.Op))
	dst = binary.AppendVarint(dst, row.TableID)
	dst = binary.AppendUvarint(dst, uint64(len(row.Key)))
	dst = append(dst, row.Key...)
	dst = binary.AppendUvarint(dst, uint64(len(row.Columns)))
	for _, c := range row.Columns {
		dst = binary.AppendUvarint(dst, columnTag(c))
		dst = append(dst, c...)
	}
	return dst
}

func appendDDL(dst []byte, ddl *DDL) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, ddl.StartTs)
	dst = binary.LittleEndian.AppendUint64(dst, ddl.CommitTs)
	dst = append(dst, byte(ddl.Kind))
	dst = appendIDs(dst, ddl.Blocked)
	dst = appendIDs(dst, ddl.Added)
	dst = appendIDs(dst, ddl.Dropped)
	dst = binary.AppendUvarint(dst, uint64(len(ddl.Query)))
	return append(dst, ddl.Query...)
}

func appendIDs(dst []byte, ids []int64) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(ids)))
	for _, id := range ids {
		dst = binary.AppendVarint(dst, id)
	}
	return dst
}
