package sim

import (
	"fmt"
	"io"
)

// TraceEvent is one notable happening in a world: when, what kind, which
// actor, and a 64-bit digest of its payload.
type TraceEvent struct {
	At     Instant
	Kind   string
	Actor  string
	Digest uint64
}

// Trace is the ordered record of a world's notable events with a rolling
// 64-bit hash over all of them. Two runs of the same world (same seed and
// parameters) end with the same hash; that is the determinism check. The
// full record is kept only when asked for (timelines, debugging, finding the
// first divergence); otherwise only the hash and the count are kept.
type Trace struct {
	hash   uint64
	count  uint64
	keep   bool
	events []TraceEvent
}

const (
	traceHashSeed  = 0xcbf29ce484222325 // FNV-64 offset basis
	traceHashPrime = 0x100000001b3      // FNV-64 prime
)

// NewTrace returns an empty trace; keep selects whether events are stored.
func NewTrace(keep bool) *Trace {
	return &Trace{hash: traceHashSeed, keep: keep}
}

// Record appends an event and folds it into the rolling hash.
func (t *Trace) Record(at Instant, kind, actor string, digest uint64) {
	h := t.hash
	h = mix(h, uint64(at))
	h = mixString(h, kind)
	h = mixString(h, actor)
	h = mix(h, digest)
	t.hash = h
	t.count++
	if t.keep {
		t.events = append(t.events, TraceEvent{At: at, Kind: kind, Actor: actor, Digest: digest})
	}
}

// Hash returns the rolling hash of every event recorded so far.
func (t *Trace) Hash() uint64 { return t.hash }

// HashString returns Hash as 16 hex digits, the form simrun prints.
func (t *Trace) HashString() string { return fmt.Sprintf("%016x", t.hash) }

// Count returns the number of events recorded.
func (t *Trace) Count() uint64 { return t.count }

// Events returns the stored events (nil unless the trace keeps them). The
// slice belongs to the trace; do not modify it.
func (t *Trace) Events() []TraceEvent { return t.events }

// WriteTo writes the stored events one per line.
func (t *Trace) WriteTo(w io.Writer) (int64, error) {
	var n int64
	for _, e := range t.events {
		m, err := fmt.Fprintf(w, "%d %s %s %016x\n", e.At, e.Kind, e.Actor, e.Digest)
		n += int64(m)
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// FirstDivergence compares two kept traces and returns the index of the
// first event where they differ, or -1 when one is a prefix of the other
// and both have the same length.
func FirstDivergence(a, b []TraceEvent) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		if a[i] != b[i] {
			return i
		}
	}
	if len(a) != len(b) {
		return n
	}
	return -1
}

// mix folds one word into h, byte by byte in the manner of FNV-1a, then
// through a final avalanche so nearby values spread.
func mix(h, v uint64) uint64 {
	h ^= v
	h *= traceHashPrime
	h ^= h >> 29
	return h
}

func mixString(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= traceHashPrime
	}
	return mix(h, uint64(len(s)))
}

// Digest hashes a sequence of words into one payload digest for Record.
func Digest(words ...uint64) uint64 {
	h := uint64(traceHashSeed)
	for _, w := range words {
		h = mix(h, w)
	}
	return h
}

// DigestBytes hashes a byte slice into a payload digest for Record.
func DigestBytes(b []byte) uint64 {
	d := NewByteDigest()
	d.Write(b)
	return d.Sum()
}

// ByteDigest computes DigestBytes of a byte sequence given in pieces, with
// runs of zero bytes given by their length alone (a sparse file's holes):
// DigestBytes(b) equals the Sum of any split of b into Write and Zeros
// calls in order.
type ByteDigest struct {
	h uint64
	n uint64
}

// NewByteDigest returns the digest of no bytes.
func NewByteDigest() ByteDigest { return ByteDigest{h: traceHashSeed} }

// Write adds b.
func (d *ByteDigest) Write(b []byte) {
	h := d.h
	for _, c := range b {
		h ^= uint64(c)
		h *= traceHashPrime
	}
	d.h = h
	d.n += uint64(len(b))
}

// Zeros adds n zero bytes in O(log n): each multiplies the state by the
// prime (xor with 0 is the identity), so n of them multiply by prime^n.
func (d *ByteDigest) Zeros(n int64) {
	if n <= 0 {
		return
	}
	d.h *= powMod64(traceHashPrime, uint64(n))
	d.n += uint64(n)
}

// Sum returns the digest of the bytes added so far.
func (d *ByteDigest) Sum() uint64 { return mix(d.h, d.n) }

// powMod64 is b^e modulo 2^64.
func powMod64(b, e uint64) uint64 {
	r := uint64(1)
	for e > 0 {
		if e&1 == 1 {
			r *= b
		}
		b *= b
		e >>= 1
	}
	return r
}
