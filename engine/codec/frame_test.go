package codec

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// TestLengthFieldGolden pins the length field for payload lengths around the
// padding cutoffs. Reference: TiCDC pkg/redo/writer/writer.go EncodeFrameSize.
func TestLengthFieldGolden(t *testing.T) {
	for _, tc := range []struct {
		payloadLen int
		field      uint64
	}{
		{0, 0x0000000000000000},
		{1, 0x8700000000000001}, // pad 7
		{7, 0x8100000000000007}, // pad 1
		{8, 0x0000000000000008}, // no pad: top byte 0
		{9, 0x8700000000000009},
		{34, 0x8600000000000022},
		{4096, 0x0000000000001000},
		{MaxPayloadBytes, 0x81ffffffffffffff},
	} {
		if got := LengthField(tc.payloadLen); got != tc.field {
			t.Errorf("LengthField(%d) = %#016x want %#016x", tc.payloadLen, got, tc.field)
		}
	}
}

func TestFrameRoundTrip(t *testing.T) {
	for n := range 70 {
		payload := bytes.Repeat([]byte{0xab}, n)
		frame := AppendFrame([]byte("prefix"), payload)[len("prefix"):]
		if len(frame) != FrameSize(n) || len(frame)%FrameAlignBytes != 0 {
			t.Fatalf("n=%d: frame is %d bytes, FrameSize says %d", n, len(frame), FrameSize(n))
		}
		gotLen, gotPad, err := DecodeLength(frame)
		if err != nil {
			t.Fatalf("n=%d: DecodeLength: %v", n, err)
		}
		if gotLen != n || LengthFieldBytes+gotLen+gotPad != len(frame) {
			t.Fatalf("n=%d: DecodeLength = (%d, %d) for a %d-byte frame", n, gotLen, gotPad, len(frame))
		}
		if !bytes.Equal(frame[LengthFieldBytes:][:n], payload) || !AllZero(frame[LengthFieldBytes+n:]) {
			t.Fatalf("n=%d: frame %x does not hold the payload and zero padding", n, frame)
		}
	}
}

func TestDecodeLengthRejectsImpossibleFields(t *testing.T) {
	for _, tc := range []struct {
		name  string
		field uint64
	}{
		{"reserved bit without flag", 0x4000000000000008},
		{"reserved bits with flag", 0xc700000000000001},
		{"flag with pad 0", 0x8000000000000008},
		{"pad does not match", 0x8300000000000001},
		{"pad missing", 0x0000000000000001},
		{"pad on aligned length", 0x8100000000000008},
	} {
		var b [8]byte
		binary.LittleEndian.PutUint64(b[:], tc.field)
		if _, _, err := DecodeLength(b[:]); !errors.Is(err, ErrBadLength) {
			t.Errorf("%s: DecodeLength(%#016x) error = %v want ErrBadLength", tc.name, tc.field, err)
		}
	}
	if _, _, err := DecodeLength(make([]byte, 7)); !errors.Is(err, ErrBadLength) {
		t.Errorf("DecodeLength(7 bytes) error = %v want ErrBadLength", err)
	}
}

// TestDecodeLengthAcceptsOnlyCanonicalFields checks every top byte against
// every payload length modulo 8: exactly one top byte is accepted for each.
func TestDecodeLengthAcceptsOnlyCanonicalFields(t *testing.T) {
	for n := 8; n < 16; n++ {
		accepted := 0
		for top := range 256 {
			var b [8]byte
			binary.LittleEndian.PutUint64(b[:], uint64(top)<<56|uint64(n))
			if _, _, err := DecodeLength(b[:]); err == nil {
				accepted++
				if uint64(top)<<56|uint64(n) != LengthField(n) {
					t.Errorf("n=%d: accepted top byte %#02x, LengthField writes %#016x", n, top, LengthField(n))
				}
			}
		}
		if accepted != 1 {
			t.Errorf("n=%d: %d top bytes accepted want 1", n, accepted)
		}
	}
}

func TestLengthFieldPanicsOutOfRange(t *testing.T) {
	for _, n := range []int{-1, MaxPayloadBytes + 1} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("LengthField(%d) did not panic", n)
				}
			}()
			LengthField(n)
		}()
	}
}
