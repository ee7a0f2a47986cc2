package apply

import (
	"encoding/binary"
	"slices"
)

// rowMap holds one stripe's entries by key. Keys of exactly eight bytes
// (every key the simulated upstream makes, and any BIGINT primary key) are
// words. A stripe's word keys share their low stripe bits (stripeOf), so a
// word key below denseIndexes<<stripeBits lives in a dense paged array
// indexed by the rest of its bits: no hashing, no probing, 24 bytes per
// key of a versions-only state and no pointers for the collector to scan.
// Other word keys live in a map by word, other keys in a map by string.
type rowMap struct {
	dense denseRows
	short map[uint64]entry
	long  map[string]entry
}

const (
	// stripeBits is log2(stripeCount): a word key's stripe is its low bits.
	stripeBits = 4
	// densePageShift sets a dense page's length: 256 keys.
	densePageShift = 8
	densePageLen   = 1 << densePageShift
	// denseIndexes bounds the dense index (key >> stripeBits): 16 M keys
	// per table, a page directory of at most 4096 pointers.
	denseIndexes = 1 << 20
)

// denseRows holds the word keys of one lane (one value of the low stripe
// bits) in pages of densePageLen consecutive indexes.
type denseRows struct {
	lane    uint64 // the low stripe bits every dense key has
	laneSet bool
	pages   []*densePage
	n       int
}

// densePage is densePageLen consecutive keys: their versions, and their
// columns once any entry of the page has some. A slot is present when its
// version's op is set (every row change has one), so a lookup reads one
// cache line; an entry without an op lives in the word map instead.
type densePage struct {
	vers []version  // grown on demand up to densePageLen: a stripe of a small table holds a few
	cols [][][]byte // nil, or as long as vers
}

// shortKey packs an eight-byte key into a word.
func shortKey(key []byte) (uint64, bool) {
	if len(key) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(key), true
}

// denseSlot is where word key k lives in d: ok is false for a key of
// another lane or beyond denseIndexes. A first key fixes the lane.
func (d *denseRows) denseSlot(k uint64, claim bool) (page, slot int, ok bool) {
	idx := k >> stripeBits
	if idx >= denseIndexes {
		return 0, 0, false
	}
	lane := k & (stripeCount - 1)
	if !d.laneSet {
		if !claim {
			return 0, 0, false
		}
		d.lane, d.laneSet = lane, true
	}
	if lane != d.lane {
		return 0, 0, false
	}
	return int(idx >> densePageShift), int(idx & (densePageLen - 1)), true
}

func (d *denseRows) get(page, slot int) (entry, bool) {
	if page >= len(d.pages) || d.pages[page] == nil {
		return entry{}, false
	}
	p := d.pages[page]
	if slot >= len(p.vers) || p.vers[slot].op == 0 {
		return entry{}, false
	}
	e := entry{ver: p.vers[slot]}
	if p.cols != nil {
		e.cols = p.cols[slot]
	}
	return e, true
}

// grow makes p hold slot, doubling its length (at least 8, at most
// densePageLen): keys are mostly taken in order, so a page's length
// follows the keys its stripe holds.
func (p *densePage) grow(slot int) {
	if slot < len(p.vers) {
		return
	}
	n := min(densePageLen, max(slot+1, 2*len(p.vers), 8))
	p.vers = append(p.vers, make([]version, n-len(p.vers))...)
	if p.cols != nil {
		p.cols = append(p.cols, make([][][]byte, n-len(p.cols))...)
	}
}

func (d *denseRows) set(page, slot int, e entry) {
	if page >= len(d.pages) {
		d.pages = append(d.pages, make([]*densePage, page+1-len(d.pages))...)
	}
	p := d.pages[page]
	if p == nil {
		p = &densePage{}
		d.pages[page] = p
	}
	p.grow(slot)
	if p.vers[slot].op == 0 {
		d.n++
	}
	p.vers[slot] = e.ver
	if e.cols != nil && p.cols == nil {
		p.cols = make([][][]byte, len(p.vers))
	}
	if p.cols != nil {
		p.cols[slot] = e.cols
	}
}

func (d *denseRows) remove(page, slot int) {
	if page >= len(d.pages) || d.pages[page] == nil {
		return
	}
	p := d.pages[page]
	if slot < len(p.vers) && p.vers[slot].op != 0 {
		p.vers[slot] = version{}
		if p.cols != nil {
			p.cols[slot] = nil
		}
		d.n--
	}
}

// each calls fn with every dense key (as a word) and entry.
func (d *denseRows) each(fn func(k uint64, e entry)) {
	for pi, p := range d.pages {
		if p == nil {
			continue
		}
		for slot := range p.vers {
			if p.vers[slot].op == 0 {
				continue
			}
			e := entry{ver: p.vers[slot]}
			if p.cols != nil {
				e.cols = p.cols[slot]
			}
			idx := uint64(pi)<<densePageShift | uint64(slot)
			fn(idx<<stripeBits|d.lane, e)
		}
	}
}

func (d *denseRows) clone() denseRows {
	c := denseRows{lane: d.lane, laneSet: d.laneSet, n: d.n, pages: make([]*densePage, len(d.pages))}
	for i, p := range d.pages {
		if p != nil {
			cp := *p
			cp.vers, cp.cols = slices.Clone(p.vers), slices.Clone(p.cols)
			c.pages[i] = &cp
		}
	}
	return c
}

// get returns key's entry.
func (m *rowMap) get(key []byte) (entry, bool) {
	if k, ok := shortKey(key); ok {
		if page, slot, ok := m.dense.denseSlot(k, false); ok {
			if e, found := m.dense.get(page, slot); found || len(m.short) == 0 {
				return e, found
			}
		}
		e, found := m.short[k]
		return e, found
	}
	e, found := m.long[string(key)]
	return e, found
}

// set stores e under key.
func (m *rowMap) set(key []byte, e entry) {
	if k, ok := shortKey(key); ok {
		if page, slot, ok := m.dense.denseSlot(k, e.ver.op != 0); ok {
			if e.ver.op != 0 {
				m.dense.set(page, slot, e)
				delete(m.short, k)
				return
			}
			m.dense.remove(page, slot)
		}
		if m.short == nil {
			m.short = make(map[uint64]entry)
		}
		m.short[k] = e
		return
	}
	if m.long == nil {
		m.long = make(map[string]entry)
	}
	m.long[string(key)] = e
}

// remove deletes key.
func (m *rowMap) remove(key []byte) {
	if k, ok := shortKey(key); ok {
		if page, slot, ok := m.dense.denseSlot(k, false); ok {
			m.dense.remove(page, slot)
		}
		delete(m.short, k)
		return
	}
	delete(m.long, string(key))
}

// len is the number of entries, tombstones included.
func (m *rowMap) len() int { return m.dense.n + len(m.short) + len(m.long) }

// each calls fn with every entry, in no particular order; fn may remove
// the entry it is given.
func (m *rowMap) each(fn func(key []byte, e entry)) {
	var buf [8]byte
	m.dense.each(func(k uint64, e entry) {
		binary.BigEndian.PutUint64(buf[:], k)
		fn(buf[:], e)
	})
	for k, e := range m.short {
		binary.BigEndian.PutUint64(buf[:], k)
		fn(buf[:], e)
	}
	for k, e := range m.long {
		fn([]byte(k), e)
	}
}

// clone returns a copy of m.
func (m *rowMap) clone() rowMap {
	c := rowMap{dense: m.dense.clone()}
	if m.short != nil {
		c.short = make(map[uint64]entry, len(m.short))
		for k, e := range m.short {
			c.short[k] = e
		}
	}
	if m.long != nil {
		c.long = make(map[string]entry, len(m.long))
		for k, e := range m.long {
			c.long[k] = e
		}
	}
	return c
}
