package reader

import "github.com/redosim/redosim/engine/codec"

// cloner copies decoded records out of the file buffer they alias, into
// chunks shared by many records instead of an allocation per key and
// column; a column of zeros (a padding column) shares one read-only slab.
// A log of millions of 300-byte rows then costs a fraction of the bytes
// and allocations Record.Clone would. The copies are read-only, as every
// Log's records are: nothing a reader returns is written to.
type cloner struct {
	chunk []byte
	cols  [][]byte // column headers, carved like chunk
	zeros []byte
}

// clonerChunkBytes is the size of one chunk of copied bytes.
const clonerChunkBytes = 256 << 10

// clone returns a copy of rec that shares nothing with its buffer.
func (c *cloner) clone(rec *codec.Record) codec.Record {
	d := &rec.DDL
	if rec.Type != codec.TypeRow || d.Blocked != nil || d.Added != nil || d.Dropped != nil {
		return rec.Clone()
	}
	out := *rec
	out.Row.Key = c.bytes(rec.Row.Key)
	if rec.Row.Columns != nil {
		out.Row.Columns = c.headers(len(rec.Row.Columns))
		for i, col := range rec.Row.Columns {
			out.Row.Columns[i] = c.bytes(col)
		}
	}
	return out
}

// bytes copies b into the current chunk (or shares the zero slab), keeping
// nil apart from empty; a copy's capacity is its length, so an append to
// it never writes into its neighbour.
func (c *cloner) bytes(b []byte) []byte {
	switch {
	case b == nil:
		return nil
	case isZero(b):
		if len(c.zeros) < len(b) {
			c.zeros = make([]byte, max(len(b), 4<<10))
		}
		return c.zeros[:len(b):len(b)]
	}
	if len(b) > clonerChunkBytes/8 {
		return append([]byte(nil), b...)
	}
	if cap(c.chunk)-len(c.chunk) < len(b) {
		c.chunk = make([]byte, 0, clonerChunkBytes)
	}
	n := len(c.chunk)
	c.chunk = append(c.chunk, b...)
	return c.chunk[n : n+len(b) : n+len(b)]
}

// headers carves n column headers from a shared block.
func (c *cloner) headers(n int) [][]byte {
	if cap(c.cols)-len(c.cols) < n {
		c.cols = make([][]byte, 0, max(n, 4096))
	}
	k := len(c.cols)
	c.cols = c.cols[:k+n]
	return c.cols[k : k+n : k+n]
}

// isZero reports whether b is all zero bytes.
func isZero(b []byte) bool {
	for _, x := range b {
		if x != 0 {
			return false
		}
	}
	return true
}
