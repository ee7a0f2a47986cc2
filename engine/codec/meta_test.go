package codec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"strings"
	"testing"
)

// TestMetaGolden pins the meta layout. The checksum was cross-checked with an
// independent bitwise CRC-32C over bytes 8..47.
func TestMetaGolden(t *testing.T) {
	m := Meta{CheckpointTs: 100, ResolvedTs: 200, Version: MetaVersion, RowLSN: 4096, DDLLSN: 80}
	want := goldenHex(
		"52 44 4d 54",             // magic "RDMT"
		"25 16 27 cd",             // crc32c 0xcd271625 (LE) over bytes 8..47 (independent bitwise CRC-32C)
		"02",                      // format 2
		"00 00 00",                // reserved
		"01 00 00 00",             // version 1 (uint32 LE)
		"64 00 00 00 00 00 00 00", // checkpointTs 100
		"c8 00 00 00 00 00 00 00", // resolvedTs 200
		"00 10 00 00 00 00 00 00", // rowLSN 4096
		"50 00 00 00 00 00 00 00", // ddlLSN 80
	)
	got := EncodeMeta(nil, m)
	if !bytes.Equal(got, want) {
		t.Fatalf("EncodeMeta = %x\nwant %x", got, want)
	}
	back, err := DecodeMeta(got)
	if err != nil || back != m {
		t.Fatalf("DecodeMeta = %+v, %v want %+v", back, err, m)
	}
}

func TestDecodeMetaErrors(t *testing.T) {
	good := EncodeMeta(nil, Meta{CheckpointTs: 5, ResolvedTs: 9, Version: 1})
	edit := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(good)) }
	resealMeta := func(b []byte) []byte {
		binary.LittleEndian.PutUint32(b[metaCRCOff:], checksum(b[metaFormatOff:]))
		return b
	}
	for _, tc := range []struct {
		name   string
		b      []byte
		reason string
	}{
		{"empty", nil, "0 bytes, shorter than the 9-byte header"},
		{"short", good[:8], "8 bytes, shorter"},
		{"magic", edit(func(b []byte) []byte { b[0] = 'X'; return b }), `bad magic "XDMT"`},
		{"checksum", edit(func(b []byte) []byte { b[20] ^= 4; return b }), "checksum mismatch"},
		{"cut", good[:47], "checksum mismatch"},
		{"format", edit(func(b []byte) []byte { b[metaFormatOff] = 1; return resealMeta(b) }), "unsupported meta format 1"},
		{"long", edit(func(b []byte) []byte { return resealMeta(append(b, 0)) }), "49 bytes, want 48"},
		{"reserved", edit(func(b []byte) []byte { b[10] = 1; return resealMeta(b) }), "reserved bytes are not zero"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeMeta(tc.b)
			var ce *Error
			if !errors.Is(err, ErrCorrupt) || !errors.As(err, &ce) || ce.Object != "meta" || !strings.Contains(ce.Reason, tc.reason) {
				t.Fatalf("DecodeMeta error = %v want ErrCorrupt with reason %q", err, tc.reason)
			}
			if !strings.HasPrefix(err.Error(), "engine/codec: corrupt meta: ") {
				t.Fatalf("error text %q lacks the prefix", err)
			}
		})
	}
}

func TestEncodeMetaAppends(t *testing.T) {
	m := Meta{CheckpointTs: 1, ResolvedTs: 2, Version: 3}
	b := EncodeMeta([]byte("xy"), m)
	if string(b[:2]) != "xy" || len(b) != 2+MetaBytes {
		t.Fatalf("EncodeMeta did not append: %x", b)
	}
	if got, err := DecodeMeta(b[2:]); err != nil || got != m {
		t.Fatalf("DecodeMeta = %+v, %v", got, err)
	}
}
