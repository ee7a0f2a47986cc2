// Package codec encodes redo log records into frames, decodes them again,
// and walks a whole log file telling a clean end, a torn tail and corruption
// apart. It also encodes the small checksummed meta object.
//
// # Frames
//
// The framing is TiCDC's redo format (tiflow/ticdc pkg/redo/writer), so a
// TiCDC frame walker still walks our files. Every frame starts at a multiple
// of 8 bytes from the start of the file, so its length field never straddles
// a sector and is never torn:
//
//	+-----------------------+---------------------+-----------------+
//	| length field (8B, LE) | payload (N bytes)   | zero pad (0-7B) |
//	+-----------------------+---------------------+-----------------+
//
//	length field, as a little-endian uint64:
//	  bits  0..55  N, the payload length without padding
//	  bits 56..63  0 when pad = 0, else 0x80|pad  (pad = (8 - N%8) % 8)
//
// Any other top byte (reserved bits set, 0x80 alone, or a pad that does not
// match N) is an impossible length field.
//
// # Payload
//
// Unlike TiCDC's payload (a version prefix and msgpack, no checksum), ours
// starts with an 8-byte header carrying a CRC-32C (Castagnoli) of everything
// after the checksum itself:
//
//	+---------------+-------------+-----------------+---------------+------+
//	| crc32c (4B LE)| version (1B)| record type (1B)| reserved (2B) | body |
//	+---------------+-------------+-----------------+---------------+------+
//	  crc32c covers payload bytes 4..N-1; version = 1; reserved = 0
//
// The body depends on the record type. uvarint is Go's encoding/binary
// unsigned varint, which must be minimal; varint is the zig-zag signed one;
// fixed64 is a little-endian uint64; bytes(n) is n raw bytes.
//
//	row (type 1):
//	  startTs fixed64 | commitTs fixed64 | op (1B: 1 delete, 2 update, 3 insert)
//	  | tableID varint | len(key) uvarint | key bytes
//	  | column count uvarint | per column: m uvarint, then m-1 bytes
//	    (m = 0 is a NULL column, stored as a nil slice; m = 1 an empty value)
//
//	ddl (type 2):
//	  startTs fixed64 | commitTs fixed64 | kind (1B: 1 create, 2 drop,
//	  3 truncate, 4 add-column)
//	  | count uvarint, table IDs varint...   (Blocked)
//	  | count uvarint, table IDs varint...   (Added)
//	  | count uvarint, table IDs varint...   (Dropped)
//	  | len(query) uvarint | query bytes
//
//	header (type 3, the first record of every file):
//	  startLSN fixed64 [| maxTsBefore fixed64, only when not 0]
//
// Decoding is strict (minimal varints, zero padding and reserved bytes, no
// trailing bytes, known op and kind), so a record that decodes re-encodes to
// exactly the same frame.
//
// # Meta
//
// The meta object is a whole small file, not a framed stream:
//
//	+------------+----------------+------------+----------------+
//	| magic (4B) | crc32c (4B LE) | format (1B)| reserved (3B)  |
//	+------------+----------------+------------+----------------+
//	| version (4B LE) | checkpointTs (8B LE) | resolvedTs (8B LE) |
//	+-----------------+----------------------+--------------------+
//	| rowLSN (8B LE)  | ddlLSN (8B LE)       |
//	+-----------------+----------------------+
//	  magic = "RDMT"; crc32c covers bytes 8..47; format = 2; 48 bytes in all
//
// # Torn tail or corruption
//
// A Walker reads records off a whole file's bytes. When a frame is bad (short,
// impossible length field, checksum mismatch, non-zero padding) it decides:
//
//   - in a sealed file (NewSealedWalker: synced whole before it was renamed
//     or uploaded), always corruption: no crash can tear synced data.
//   - in an open file, corruption when a frame with a valid checksum starts
//     at any later 8-aligned offset: the bad frame lies inside the log.
//     Zeros decide nothing (a column of zeros looks like a lost sector).
//   - in an open file, a torn tail when nothing valid follows. Recovery
//     may truncate to ValidBytes.
//
// Corruption makes Err return an *Error wrapping ErrCorrupt, and AtStake
// says how many records and bytes lie from the bad frame on. A frame whose
// checksum holds but whose body does not decode is always corruption: the
// bytes are what a writer wrote, so no crash tore them.
//
// Two limits follow from the format: damage to the last synced records of
// an open file, with nothing valid after it, reads as a torn tail (the
// walker does not know which offset was synced; the meta's LSN, checked by
// engine/core, covers what the meta promised), and a log file must not be
// recycled, since stale valid frames after a torn tail would read as
// corruption.
//
// # Usage
//
//	var buf []byte
//	buf = codec.EncodeRecord(buf, &codec.Record{Type: codec.TypeRow, Row: row})
//	w := codec.NewWalker("000001.log", buf, codec.DefaultSectorBytes)
//	for w.Next() {
//		rec := w.Record() // valid until the next call to Next
//		_ = rec
//	}
//	if err := w.Err(); err != nil {
//		return err // errors.Is(err, codec.ErrCorrupt)
//	}
//	if w.Torn() {
//		truncate(w.ValidBytes())
//	}
package codec
