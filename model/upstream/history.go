package upstream

import (
	"fmt"
	"math"

	"github.com/redosim/redosim/engine/codec"
)

// historyChunkShift sizes a history chunk: 1<<14 rows (1.3 MiB).
// Chunks never move once allocated, so Event.Rows and DDL pointers into
// them stay valid, and appending costs no copy of what came before.
const historyChunkShift = 14

const historyChunkLen = 1 << historyChunkShift

// history is the committed change log as fixed-size chunks addressed by
// absolute position (the index of a change among all ever committed).
// Trim drops whole chunks below a position no reader needs any more, so
// memory follows the data a world can still look at, not everything it
// ever wrote. Each position holds a codec.Row (80 bytes, not a 200-byte
// codec.Record): a DDL's position holds a placeholder with Op 0 and the
// DDL's timestamps, and the DDL itself is kept beside (Upstream.ddls).
type history struct {
	chunks [][]codec.Row // chunks[i] holds positions (first+i)<<shift ...
	first  int           // chunk number of chunks[0]
	end    int           // position after the last change
}

// isDDLSlot reports whether a history row is a DDL's placeholder.
func isDDLSlot(r *codec.Row) bool { return r.Op == 0 }

// append adds rec at position end and returns a pointer to the stored copy.
func (h *history) append(rec codec.Row) *codec.Row {
	if h.end >= math.MaxUint32 {
		panic(fmt.Sprintf("model/upstream: history holds %d records, the index bound", h.end))
	}
	off := h.end & (historyChunkLen - 1)
	if off == 0 {
		h.chunks = append(h.chunks, make([]codec.Row, 0, historyChunkLen))
	}
	c := &h.chunks[len(h.chunks)-1]
	*c = append(*c, rec)
	h.end++
	return &(*c)[off]
}

// start is the first position still held.
func (h *history) start() int { return h.first << historyChunkShift }

// at returns the change at position p, which must be held.
func (h *history) at(p int) *codec.Row {
	if p < h.start() || p >= h.end {
		panic(fmt.Sprintf("model/upstream: history position %d outside the held range [%d, %d) (trimmed below a reader's need?)", p, h.start(), h.end))
	}
	return &h.chunks[(p>>historyChunkShift)-h.first][p&(historyChunkLen-1)]
}

// span returns positions [p, p+n) as one slice when they lie in one chunk
// (capacity clipped), and false when they straddle two.
func (h *history) span(p, n int) ([]codec.Row, bool) {
	if p>>historyChunkShift != (p+n-1)>>historyChunkShift {
		return nil, false
	}
	h.at(p + n - 1) // bounds
	c := h.chunks[(p>>historyChunkShift)-h.first]
	off := p & (historyChunkLen - 1)
	return c[off : off+n : off+n], true
}

// trimBelow drops every chunk whose positions are all below p.
func (h *history) trimBelow(p int) {
	drop := (p >> historyChunkShift) - h.first
	if drop <= 0 {
		return
	}
	drop = min(drop, len(h.chunks)-1) // keep the chunk being appended to
	if drop <= 0 {
		return
	}
	clear(h.chunks[:drop])
	h.chunks = h.chunks[drop:]
	h.first += drop
}
