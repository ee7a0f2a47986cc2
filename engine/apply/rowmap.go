package apply

import "encoding/binary"

// rowMap holds one stripe's entries by key. Keys of exactly eight bytes
// (every key the simulated upstream makes, and any BIGINT primary key) live
// in a map keyed by the key's bits: no string is allocated per key and a
// lookup hashes one word. Other keys live in a map by string.
type rowMap struct {
	short map[uint64]entry
	long  map[string]entry
}

// shortKey packs an eight-byte key into a word.
func shortKey(key []byte) (uint64, bool) {
	if len(key) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(key), true
}

// get returns key's entry.
func (m *rowMap) get(key []byte) (entry, bool) {
	if k, ok := shortKey(key); ok {
		e, found := m.short[k]
		return e, found
	}
	e, found := m.long[string(key)]
	return e, found
}

// set stores e under key.
func (m *rowMap) set(key []byte, e entry) {
	if k, ok := shortKey(key); ok {
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
		delete(m.short, k)
		return
	}
	delete(m.long, string(key))
}

// len is the number of entries, tombstones included.
func (m *rowMap) len() int { return len(m.short) + len(m.long) }

// each calls fn with every entry, in no particular order; fn may remove
// the entry it is given.
func (m *rowMap) each(fn func(key []byte, e entry)) {
	var buf [8]byte
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
	var c rowMap
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
