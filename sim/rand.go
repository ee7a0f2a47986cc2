package sim

import (
	"hash/fnv"
	"math/rand/v2"
)

// Streams hands out independent random streams, one per component name,
// all derived from one world seed. Adding a component (a new name) does not
// change the draws of any other stream, and the same (seed, name) always
// yields the same stream.
type Streams struct {
	seed    uint64
	streams map[string]*Rand
}

// NewStreams returns the stream set of a world seeded with seed.
func NewStreams(seed uint64) *Streams {
	return &Streams{seed: seed, streams: make(map[string]*Rand)}
}

// Seed returns the world seed the streams derive from.
func (s *Streams) Seed() uint64 { return s.seed }

// Get returns the stream named name, creating it on first use. Names follow
// the fault-point form "<layer>/<component>[/<object>]", e.g. "disk/nvme0".
func (s *Streams) Get(name string) *Rand {
	if r, ok := s.streams[name]; ok {
		return r
	}
	r := rand.New(rand.NewPCG(s.seed, StreamKey(name)))
	s.streams[name] = r
	return r
}

// StreamKey is the 64-bit FNV-1a hash of a stream name, the second PCG seed
// word of that stream.
func StreamKey(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

// Rand is a seeded random stream (math/rand/v2 over PCG).
type Rand = rand.Rand
