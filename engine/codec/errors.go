package codec

import (
	"errors"
	"strconv"
	"strings"
)

// ErrCorrupt classes an error as corruption: bytes inside the valid region of
// a log, or a whole meta object, failed their checks. Recovery must stop and
// must never truncate past it. Test with errors.Is.
var ErrCorrupt = errors.New("engine/codec: corrupt record")

// ErrTornTail classes an error as a torn tail: the log ends in a record that a
// crash left incomplete, and everything before it is valid. Recovery may
// truncate the file to Walker.ValidBytes. Test with errors.Is.
var ErrTornTail = errors.New("engine/codec: torn record")

// ErrBadLength reports an impossible frame length field: reserved bits set in
// the top byte, or a pad that does not match the payload length.
var ErrBadLength = errors.New("engine/codec: bad frame length field")

// Error says which record or meta object could not be read, where, and why.
// Its Class is ErrCorrupt or ErrTornTail, which errors.Is reports through
// Unwrap; errors.As gives the fields.
type Error struct {
	// Class is ErrCorrupt or ErrTornTail.
	Class error
	// Object names what was read: "record" or "meta".
	Object string
	// File is the file name the caller gave, or "" when not known.
	File string
	// Offset is the byte offset of the frame in the file, or -1 when not known.
	Offset int64
	// Reason says which check failed, e.g. "checksum mismatch".
	Reason string
}

// Error returns a message such as
// "engine/codec: corrupt record at offset 4096 in foo.log: checksum mismatch".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("engine/codec: ")
	if e.Class == ErrTornTail {
		b.WriteString("torn ")
	} else {
		b.WriteString("corrupt ")
	}
	b.WriteString(e.Object)
	if e.Offset >= 0 {
		b.WriteString(" at offset ")
		b.WriteString(strconv.FormatInt(e.Offset, 10))
	}
	if e.File != "" {
		b.WriteString(" in ")
		b.WriteString(e.File)
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	return b.String()
}

// Unwrap returns the error's class, ErrCorrupt or ErrTornTail.
func (e *Error) Unwrap() error { return e.Class }
