package upstream

import "github.com/redosim/redosim/sim"

// keyPool tracks one table's keys so that updates and deletes hit only keys
// that exist and inserts only keys that do not. Keys below next have been
// used at least once; each is either live, free (deleted or truncated) or
// touched by the transaction being built. A transaction moves the keys it
// touches out of live, so it never touches one key twice; finish returns
// them. Every operation is O(1) and the memory is 4 bytes per key ever
// used, whatever the key space.
type keyPool struct {
	next  uint32 // the next never-used key
	space uint32 // keys are 0..space-1
	live  []uint32
	free  []uint32
	// keys the current transaction touched: kept live (insert, update) or
	// deleted.
	touchedLive []uint32
	touchedFree []uint32
}

func newKeyPool(space uint32) *keyPool { return &keyPool{space: space} }

// takeLive removes a random live key and reports it; ok is false when none
// is left.
func (p *keyPool) takeLive(r *sim.Rand) (key uint32, ok bool) {
	if len(p.live) == 0 {
		return 0, false
	}
	return takeAt(&p.live, r.IntN(len(p.live))), true
}

// takeFresh returns a key that is not live: a never-used one while any is
// left, else a random free one.
func (p *keyPool) takeFresh(r *sim.Rand) (key uint32, ok bool) {
	if p.next < p.space {
		p.next++
		return p.next - 1, true
	}
	if len(p.free) == 0 {
		return 0, false
	}
	return takeAt(&p.free, r.IntN(len(p.free))), true
}

// takeAt swap-removes (*s)[i] and returns it.
func takeAt(s *[]uint32, i int) uint32 {
	v := (*s)[i]
	last := len(*s) - 1
	(*s)[i] = (*s)[last]
	*s = (*s)[:last]
	return v
}

// finish ends the current transaction: touched keys go back to live or to
// free.
func (p *keyPool) finish() {
	p.live = append(p.live, p.touchedLive...)
	p.free = append(p.free, p.touchedFree...)
	p.touchedLive, p.touchedFree = p.touchedLive[:0], p.touchedFree[:0]
}

// truncate frees every live key.
func (p *keyPool) truncate() {
	p.free = append(p.free, p.live...)
	p.live = p.live[:0]
}

// Arena block sizes: large enough that a block's allocation cost spreads
// over hundreds of rows, small enough that a tiny world stays tiny.
const (
	byteBlockBytes   = 64 << 10
	columnBlockSlots = 4096
)

// arena carves the small byte slices (keys, column values) and the column
// lists of rows out of shared blocks, so that a row costs no allocation of
// its own. Slices are capped at their length, so an append by a reader
// copies instead of spilling into a neighbour. Blocks live as long as any
// row in them, which is as long as the history: rows are never freed.
type arena struct {
	bytes   []byte
	columns [][]byte
	// zeros is the shared, read-only padding every column value of filler
	// slices from. It only grows (a new, longer buffer; rows keep the old).
	zeros []byte
}

// alloc returns n zeroed bytes.
func (a *arena) alloc(n int) []byte {
	if n > byteBlockBytes/8 {
		return make([]byte, n)
	}
	if cap(a.bytes)-len(a.bytes) < n {
		a.bytes = make([]byte, 0, byteBlockBytes)
	}
	s := a.bytes[len(a.bytes) : len(a.bytes)+n : len(a.bytes)+n]
	a.bytes = a.bytes[:len(a.bytes)+n]
	return s
}

// allocColumns returns a column list of n nil values.
func (a *arena) allocColumns(n int) [][]byte {
	if n > columnBlockSlots/8 {
		return make([][]byte, n)
	}
	if cap(a.columns)-len(a.columns) < n {
		a.columns = make([][]byte, 0, columnBlockSlots)
	}
	s := a.columns[len(a.columns) : len(a.columns)+n : len(a.columns)+n]
	a.columns = a.columns[:len(a.columns)+n]
	return s
}

// padding returns n bytes of the shared zero buffer. Never write to them.
func (a *arena) padding(n int) []byte {
	if a.zeros == nil || n > len(a.zeros) {
		a.zeros = make([]byte, max(n, 2*len(a.zeros), 1024))
	}
	return a.zeros[:n:n]
}
