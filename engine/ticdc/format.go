package ticdc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/pierrec/lz4/v4"
	"github.com/redosim/redosim/engine/codec"
)

// Format is TiCDC's payload format for codec walkers: no checksum, so a
// payload verifies when it decodes whole.
var Format codec.Format = format{}

type format struct{}

// Plausible checks the FF FF prefix, the version and that a msgpack map
// follows.
func (format) Plausible(p []byte) bool {
	return len(p) > prefixBytes && p[0] == 0xff && p[1] == 0xff &&
		binary.BigEndian.Uint16(p[2:]) == PayloadVersion && isMap(p[prefixBytes])
}

func (format) Verify(p []byte) string {
	var r codec.Record
	return DecodePayload(p, &r)
}

func (format) Decode(p []byte, r *codec.Record) string { return DecodePayload(p, r) }

// lz4Magic opens an LZ4 frame (little-endian 0x184D2204).
const lz4Magic = 0x184D2204

// IsLZ4 reports whether data is an LZ4 frame.
func IsLZ4(data []byte) bool { return len(data) >= 4 && binary.LittleEndian.Uint32(data) == lz4Magic }

// Detect reports whether a log file's data is in TiCDC's format: an LZ4
// frame, or a first frame whose payload starts as a TiCDC payload. A file
// of this engine's own format (a checksummed header first) never is.
func Detect(data []byte) bool {
	if IsLZ4(data) {
		return true
	}
	n, pad, err := codec.DecodeLength(data)
	if err != nil || codec.LengthFieldBytes+n+pad > len(data) {
		return false
	}
	return Format.Plausible(data[codec.LengthFieldBytes : codec.LengthFieldBytes+n])
}

// Decompress undoes the LZ4 frame over a whole file. On damage it returns
// what decompressed before it and an error naming the offset reached.
func Decompress(data []byte) ([]byte, error) {
	out, err := io.ReadAll(lz4.NewReader(bytes.NewReader(data)))
	if err != nil {
		return out, fmt.Errorf("engine/ticdc: lz4 frame damaged after %d decompressed bytes: %w", len(out), err)
	}
	return out, nil
}

// Compress wraps data in one LZ4 frame, as TiCDC's compression = "lz4"
// writes a whole file.
func Compress(data []byte) ([]byte, error) {
	var buf bytes.Buffer
	w := lz4.NewWriter(&buf)
	if _, err := w.Write(data); err != nil {
		return nil, fmt.Errorf("engine/ticdc: lz4: %w", err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("engine/ticdc: lz4: %w", err)
	}
	return buf.Bytes(), nil
}
