package codec

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Frame layout constants (TiCDC's redo framing). Wire format: never change.
const (
	// LengthFieldBytes is the size of a frame's little-endian length field.
	LengthFieldBytes = 8
	// FrameAlignBytes is the alignment of every frame: payloads are padded
	// with zeros to it, so a length field never straddles a sector.
	FrameAlignBytes = 8
	// MaxPayloadBytes is the largest payload length the 56-bit field holds.
	MaxPayloadBytes = 1<<56 - 1

	// padFlag is set in the top byte of the length field when pad != 0.
	padFlag = 0x80
	// padMask selects the pad from the top byte.
	padMask = 0x07
)

// padBytes returns the zero padding that follows a payload of n bytes.
func padBytes(n int) int {
	return (FrameAlignBytes - n%FrameAlignBytes) % FrameAlignBytes
}

// FrameSize returns the size in bytes of a whole frame (length field, payload
// and padding) that carries payloadLen bytes of payload: always a multiple of
// 8.
func FrameSize(payloadLen int) int {
	return LengthFieldBytes + payloadLen + padBytes(payloadLen)
}

// LengthField returns the length field of a frame with payloadLen bytes of
// payload: the length in the low 56 bits and, when the payload needs
// padding, 0x80|pad in the top byte. It panics if payloadLen is negative or
// above MaxPayloadBytes (a bug in the caller).
func LengthField(payloadLen int) uint64 {
	if payloadLen < 0 || uint64(payloadLen) > MaxPayloadBytes {
		panic(fmt.Sprintf("engine/codec: payload length %d out of range", payloadLen))
	}
	field := uint64(payloadLen)
	if pad := padBytes(payloadLen); pad != 0 {
		field |= uint64(padFlag|pad) << 56
	}
	return field
}

// DecodeLength parses the 8-byte little-endian length field at the start of
// b and returns the payload length and the padding that follows it. An
// impossible field (reserved bits set, 0x80 with no pad, a pad that does not
// match the length) returns an error wrapping ErrBadLength; so does b shorter
// than 8 bytes. DecodeLength does not check the lengths against any data.
func DecodeLength(b []byte) (payloadLen, padLen int, err error) {
	if len(b) < LengthFieldBytes {
		return 0, 0, fmt.Errorf("%w: %d bytes, want %d", ErrBadLength, len(b), LengthFieldBytes)
	}
	field := binary.LittleEndian.Uint64(b)
	n := field & MaxPayloadBytes
	top := byte(field >> 56)
	if n > math.MaxInt-2*FrameAlignBytes {
		return 0, 0, fmt.Errorf("%w: length %d too large", ErrBadLength, n)
	}
	want := padBytes(int(n))
	pad := int(top & padMask)
	switch {
	case top == 0 && want == 0:
		return int(n), 0, nil
	case top == 0:
		return 0, 0, fmt.Errorf("%w: length %d needs pad %d but the top byte is 0", ErrBadLength, n, want)
	case top&padFlag == 0 || top&^(padFlag|padMask) != 0:
		return 0, 0, fmt.Errorf("%w: reserved bits set in top byte %#02x", ErrBadLength, top)
	case pad == 0:
		return 0, 0, fmt.Errorf("%w: pad flag set with pad 0", ErrBadLength)
	case pad != want:
		return 0, 0, fmt.Errorf("%w: pad %d does not match length %d (want pad %d)", ErrBadLength, pad, n, want)
	}
	return int(n), want, nil
}

// AppendFrame appends to dst a frame carrying payload: the length field, the
// payload and its zero padding. It returns the extended slice.
func AppendFrame(dst, payload []byte) []byte {
	dst = binary.LittleEndian.AppendUint64(dst, LengthField(len(payload)))
	dst = append(dst, payload...)
	return append(dst, make([]byte, padBytes(len(payload)))...)
}
