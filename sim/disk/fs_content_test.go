package disk

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/redosim/redosim/sim"
)

// TestContentMatchesByteSlices drives contents and a plain []byte model of
// each through random writes, truncations, shares, bit flips and range
// copies (the operations a page cache, its durable image and a crash image
// make), and checks every byte, size and digest after each step. Writes
// are mostly sparse, as redo rows with zero padding are, so pages pack.
func TestContentMatchesByteSlices(t *testing.T) {
	for seed := uint64(1); seed <= 16; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		const n = 3
		var cs [n]content
		var ms [n][]byte
		randBytes := func(k int) []byte {
			b := make([]byte, k)
			for i := range b {
				if r.IntN(8) == 0 {
					b[i] = byte(1 + r.IntN(255))
				}
			}
			return b
		}
		span := func() int64 { return int64(r.IntN(5 * pageBytes)) }
		for step := 0; step < 200; step++ {
			i := r.IntN(n)
			switch op := r.IntN(6); op {
			case 0, 1: // write, often an append
				off := span()
				if op == 1 {
					off = int64(len(ms[i]))
				}
				p := randBytes(1 + r.IntN(3*pageBytes/2))
				cs[i].writeAt(off, p)
				end := off + int64(len(p))
				if end > int64(len(ms[i])) {
					ms[i] = append(ms[i], make([]byte, end-int64(len(ms[i])))...)
				}
				copy(ms[i][off:], p)
			case 2: // truncate, shrinking or growing
				size := span()
				cs[i].setSize(size)
				if size <= int64(len(ms[i])) {
					ms[i] = ms[i][:size]
				} else {
					ms[i] = append(ms[i], make([]byte, size-int64(len(ms[i])))...)
				}
			case 3: // share: a sync or a clone
				j := r.IntN(n)
				cs[j] = cs[i].share()
				ms[j] = append([]byte(nil), ms[i]...)
			case 4: // bit flip
				if len(ms[i]) == 0 {
					continue
				}
				at := r.Int64N(int64(len(ms[i])))
				cs[i].xorByte(at, 0x10)
				ms[i][at] ^= 0x10
			case 5: // copy a range from another content (a crash applying sectors)
				j := r.IntN(n)
				if i == j || len(ms[j]) == 0 {
					continue
				}
				hi := 1 + r.Int64N(int64(len(ms[j])))
				lo := r.Int64N(hi)
				cs[i].copyFrom(&cs[j], lo, hi)
				if hi > int64(len(ms[i])) {
					ms[i] = append(ms[i], make([]byte, hi-int64(len(ms[i])))...)
				}
				copy(ms[i][lo:hi], ms[j][lo:hi])
			}
			for k := range cs {
				if cs[k].len() != int64(len(ms[k])) {
					t.Fatalf("seed %d step %d: content %d size %d, model %d", seed, step, k, cs[k].len(), len(ms[k]))
				}
				if got := cs[k].slice(0, cs[k].len()); !bytes.Equal(got, ms[k]) {
					t.Fatalf("seed %d step %d: content %d bytes differ from the model", seed, step, k)
				}
				if step%16 == 0 && cs[k].digest() != sim.DigestBytes(ms[k]) {
					t.Fatalf("seed %d step %d: content %d digest differs from DigestBytes", seed, step, k)
				}
			}
		}
	}
}

// TestContentPacksZeroPaddedLog: a log of 3 KB frames whose payload is a
// small header and zero padding (the rows the scenarios write) is held in
// a small fraction of its size once written, and reads back exactly.
func TestContentPacksZeroPaddedLog(t *testing.T) {
	var c content
	var want []byte
	frame := make([]byte, 3000)
	for i := 0; i < 8<<20/len(frame); i++ {
		clear(frame)
		for j := 0; j < 40; j++ {
			frame[j] = byte(i + j + 1)
		}
		c.writeAt(c.len(), frame)
		want = append(want, frame...)
	}
	var held int64
	for _, p := range c.pages {
		if p != nil {
			held += int64(len(p.raw) + len(p.lits))
		}
	}
	if held > c.len()/10 {
		t.Errorf("a zero-padded log of %d bytes holds %d bytes of pages, want at most a tenth", c.len(), held)
	}
	if !bytes.Equal(c.slice(0, c.len()), want) {
		t.Error("the packed log reads back different bytes")
	}
}
