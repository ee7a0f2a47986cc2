package ticdc

import (
	"fmt"

	"github.com/redosim/redosim/engine/codec"
	"github.com/tinylib/msgp/msgp"
)

// MetaVersion is LogMeta's version field as TiCDC writes it.
const MetaVersion = 1

// AppendMeta appends the LogMeta of m (checkpoint, resolved ts, version
// MetaVersion) to dst.
func AppendMeta(dst []byte, m codec.Meta) []byte {
	dst = msgp.AppendMapHeader(dst, 3)
	dst = msgp.AppendString(dst, "checkpointTs")
	dst = msgp.AppendUint64(dst, m.CheckpointTs)
	dst = msgp.AppendString(dst, "resolvedTs")
	dst = msgp.AppendUint64(dst, m.ResolvedTs)
	dst = msgp.AppendString(dst, "version")
	return msgp.AppendInt(dst, MetaVersion)
}

// DecodeMeta decodes a LogMeta object. Both timestamps must be there and
// nothing may follow the map; unknown keys are skipped. A failure is an
// *codec.Error wrapping codec.ErrCorrupt with Object "meta".
func DecodeMeta(b []byte) (codec.Meta, error) {
	var m codec.Meta
	d := &dec{b: b}
	var ckpt, resolved bool
	d.mapKeys("log meta", func(k string) {
		switch k {
		case "checkpointTs":
			m.CheckpointTs, ckpt = d.uint64(k), true
		case "resolvedTs":
			m.ResolvedTs, resolved = d.uint64(k), true
		case "version":
			m.Version = uint32(d.int64(k))
		default:
			d.skip(k)
		}
	})
	reason := ""
	switch {
	case len(b) == 0 || !isMap(b[0]):
		reason = "not a msgpack map"
	case d.err != nil:
		reason = d.err.Error()
	case len(d.b) != 0:
		reason = fmt.Sprintf("%d trailing bytes after the log meta", len(d.b))
	case !ckpt || !resolved:
		reason = "checkpointTs or resolvedTs missing"
	}
	if reason != "" {
		return codec.Meta{}, &codec.Error{Class: codec.ErrCorrupt, Object: "meta", Offset: -1, Reason: "TiCDC LogMeta: " + reason}
	}
	return m, nil
}

// isMap reports whether c starts a msgpack map.
func isMap(c byte) bool { return c&0xf0 == 0x80 || c == 0xde || c == 0xdf }

// IsMeta reports whether b looks like a LogMeta rather than this engine's
// own meta: a msgpack map.
func IsMeta(b []byte) bool { return len(b) > 0 && isMap(b[0]) }
