package codec

import (
	"encoding/binary"
	"fmt"
)

// Meta layout. Wire format: never change.
const (
	// MetaBytes is the size of an encoded format-2 meta object.
	MetaBytes = 48
	// MetaFormat is the meta layout version this package writes and reads.
	// Format 1 (32 bytes, no LSNs) is refused as unsupported.
	MetaFormat = 2
	// MetaMagic opens every meta object, so a meta is never mistaken for a
	// log file or another object.
	MetaMagic = "RDMT"

	metaCRCOff        = 4  // crc32c, little-endian, over bytes 8..end
	metaFormatOff     = 8  // 1 byte
	metaReservedOff   = 9  // 3 zero bytes
	metaVersionOff    = 12 // uint32 LE
	metaCheckpointOff = 16 // uint64 LE
	metaResolvedOff   = 24 // uint64 LE
	metaRowLSNOff     = 32 // uint64 LE
	metaDDLLSNOff     = 40 // uint64 LE
	metaHeaderBytes   = 9  // magic, crc32c and format: enough to read the format
)

// MetaVersion is the Version a writer of this package's log stores in its
// Meta: the record payload version of the files the meta describes.
const MetaVersion = RecordVersion

// Meta is the redo log's progress, replaced atomically as a whole small
// object (after TiCDC's LogMeta). The codec does not check that
// CheckpointTs <= ResolvedTs: that is the meta owner's invariant.
type Meta struct {
	// CheckpointTs: every change with commitTs <= CheckpointTs is in the
	// downstream.
	CheckpointTs uint64
	// ResolvedTs: every change with commitTs <= ResolvedTs is durable in the
	// log.
	ResolvedTs uint64
	// Version is the record version of the log the meta describes
	// (MetaVersion today), as TiCDC's LogMeta.Version.
	Version uint32
	// RowLSN and DDLLSN are the LSNs (end of the last record) up to which
	// the row and DDL logs of the capture that wrote the meta were durable
	// when it was written: a log that ends below them lost synced records.
	RowLSN, DDLLSN uint64
}

// EncodeMeta appends m's encoding, MetaBytes long, to dst and returns the
// extended slice.
func EncodeMeta(dst []byte, m Meta) []byte {
	start := len(dst)
	dst = append(dst, MetaMagic...)
	dst = append(dst, 0, 0, 0, 0, MetaFormat, 0, 0, 0)
	dst = binary.LittleEndian.AppendUint32(dst, m.Version)
	dst = binary.LittleEndian.AppendUint64(dst, m.CheckpointTs)
	dst = binary.LittleEndian.AppendUint64(dst, m.ResolvedTs)
	dst = binary.LittleEndian.AppendUint64(dst, m.RowLSN)
	dst = binary.LittleEndian.AppendUint64(dst, m.DDLLSN)
	b := dst[start:]
	binary.LittleEndian.PutUint32(b[metaCRCOff:], checksum(b[metaFormatOff:]))
	return dst
}

// DecodeMeta decodes a meta object encoded by EncodeMeta. Any failure (short
// or long object, bad magic, checksum mismatch, unknown format, reserved
// bytes set) returns an *Error wrapping ErrCorrupt with Object "meta"; the
// caller wraps it with the file name.
func DecodeMeta(b []byte) (Meta, error) {
	if reason := checkMeta(b); reason != "" {
		return Meta{}, &Error{Class: ErrCorrupt, Object: "meta", Offset: -1, Reason: reason}
	}
	return Meta{
		CheckpointTs: binary.LittleEndian.Uint64(b[metaCheckpointOff:]),
		ResolvedTs:   binary.LittleEndian.Uint64(b[metaResolvedOff:]),
		Version:      binary.LittleEndian.Uint32(b[metaVersionOff:]),
		RowLSN:       binary.LittleEndian.Uint64(b[metaRowLSNOff:]),
		DDLLSN:       binary.LittleEndian.Uint64(b[metaDDLLSNOff:]),
	}, nil
}

// checkMeta returns why b is not a valid meta object, or "".
func checkMeta(b []byte) string {
	switch {
	case len(b) < metaHeaderBytes:
		return fmt.Sprintf("%d bytes, shorter than the %d-byte header", len(b), metaHeaderBytes)
	case string(b[:len(MetaMagic)]) != MetaMagic:
		return fmt.Sprintf("bad magic %q, want %q", b[:len(MetaMagic)], MetaMagic)
	case binary.LittleEndian.Uint32(b[metaCRCOff:]) != checksum(b[metaFormatOff:]):
		return "checksum mismatch"
	case b[metaFormatOff] != MetaFormat:
		return fmt.Sprintf("unsupported meta format %d", b[metaFormatOff])
	case len(b) != MetaBytes:
		return fmt.Sprintf("%d bytes, want %d", len(b), MetaBytes)
	case !AllZero(b[metaReservedOff:metaVersionOff]):
		return "reserved bytes are not zero"
	}
	return ""
}
