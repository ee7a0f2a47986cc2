package disk

import (
	"encoding/binary"
	"math/bits"

	"github.com/redosim/redosim/internal/invariants"
	"github.com/redosim/redosim/sim"
)

// A file's bytes live in fixed pages so that a world can hold gigabytes of
// redo log at TiCDC's rates: a page the file has grown past is packed (its
// all-zero blocks dropped, which is most of a log whose rows carry a zero
// padding column), pages are shared between the page cache, the durable
// image and clones instead of copied, and growth never moves old bytes.
const (
	// pageBytes is the size of one content page.
	pageBytes = 64 << 10
	// blockBytes is the unit a packed page keeps or drops: 16 bytes keep
	// about a quarter of a 300-byte zero-padded row frame (its header, key,
	// value and timestamps), where 64 kept over half. A multiple of 8.
	blockBytes = 16
	// pageBlocks is the number of blocks in a page.
	pageBlocks = pageBytes / blockBytes
)

// page is one pageBytes range of a file. A nil *page reads as zeros.
//
// A page is raw (raw holds its pageBytes bytes) or packed (raw is nil, mask
// marks the blocks that are not all zero and lits holds those blocks in
// order). Packed pages are immutable: more than one content may hold them,
// and a writer copies them first. A frozen raw page is shared too, but
// only its first sealed bytes are what the sharers see: the content that
// froze it (writer) may go on appending at or past sealed in place, as a
// log does between two syncs, and every other content copies it first.
type page struct {
	raw    []byte
	frozen bool
	sealed int
	writer *writerToken
	mask   [pageBlocks / 64]uint64
	lits   []byte
}

// writerToken identifies the content that may append to its frozen raw
// pages in place. It is not zero-sized: distinct tokens have distinct
// addresses.
type writerToken struct{ _ byte }

// content is a file's bytes: size bytes in pages; every byte at or past size
// in the last page reads as zero (so growth needs no clearing).
type content struct {
	pages []*page
	size  int64
	// tok is this content's writer identity, made at its first write; a
	// share or clone starts without one, so it never writes in place into
	// pages another content appends to.
	tok *writerToken
}

// len is the content's size in bytes.
func (c *content) len() int64 { return c.size }

// share returns a content with the same bytes that shares every page: the
// raw ones are frozen, so whichever side writes next copies its page. It is
// how a sync makes the durable image the page cache's in O(pages), and how
// a clone is taken.
func (c *content) share() content {
	for k, p := range c.pages {
		if p != nil && p.raw != nil {
			p.sealed = max(p.sealed, c.visible(k))
			p.frozen = true
		}
	}
	return content{pages: append([]*page(nil), c.pages...), size: c.size}
}

// visible is how many bytes of page k lie below the size.
func (c *content) visible(k int) int {
	return int(min(int64(pageBytes), max(0, c.size-int64(k)*pageBytes)))
}

// own returns page k ready to be written from in-page offset lo on: the
// page itself when it is private, or frozen by this content and lo is at
// or past what the sharers see; else a private raw page, copied (the bytes
// below the size only) or unpacked from a shared one, or fresh zeros.
func (c *content) own(k, lo int) []byte {
	if c.tok == nil {
		c.tok = &writerToken{}
	}
	p := c.pages[k]
	switch {
	case p == nil:
		p = &page{raw: make([]byte, pageBytes)}
	case p.raw == nil:
		p = &page{raw: p.unpack()}
	case !p.frozen || (p.writer == c.tok && lo >= p.sealed):
		p.writer = c.tok
		return p.raw
	default:
		raw := make([]byte, pageBytes)
		copy(raw, p.raw[:c.visible(k)])
		p = &page{raw: raw}
	}
	p.writer = c.tok
	c.pages[k] = p
	return p.raw
}

// unpack returns a packed page's bytes.
func (p *page) unpack() []byte {
	out := make([]byte, pageBytes)
	p.readBlocks(out, 0)
	return out
}

// readBlocks copies the page's bytes from offset lo into dst, which must be
// zero (a packed page writes only its stored blocks).
func (p *page) readBlocks(dst []byte, lo int) {
	if p.raw != nil {
		copy(dst, p.raw[lo:])
		return
	}
	hi := lo + len(dst)
	b := lo / blockBytes
	idx := p.rank(b)
	for ; b*blockBytes < hi; b++ {
		if p.mask[b/64]&(1<<(b%64)) == 0 {
			if b%64 == 0 && p.mask[b/64] == 0 {
				b += 63 // a word of zero blocks
			}
			continue
		}
		blk := p.lits[idx*blockBytes : (idx+1)*blockBytes]
		idx++
		bl := b * blockBytes
		from := max(lo, bl)
		copy(dst[from-lo:], blk[from-bl:min(hi, bl+blockBytes)-bl])
	}
}

// rank is the number of stored blocks before block b.
func (p *page) rank(b int) int {
	n := 0
	for w := 0; w < b/64; w++ {
		n += bits.OnesCount64(p.mask[w])
	}
	if r := b % 64; r > 0 {
		n += bits.OnesCount64(p.mask[b/64] & (1<<r - 1))
	}
	return n
}

// pack returns raw's bytes as a packed page, or nil when they are all zero.
func pack(raw []byte) *page {
	p := &page{}
	n := 0
	for b := 0; b < pageBlocks; b++ {
		if !zeroBlock(raw[b*blockBytes : (b+1)*blockBytes]) {
			p.mask[b/64] |= 1 << (b % 64)
			n++
		}
	}
	if n == 0 {
		return nil
	}
	p.lits = make([]byte, n*blockBytes)
	at := 0
	for w, word := range p.mask {
		for ; word != 0; word &= word - 1 {
			b := w*64 + bits.TrailingZeros64(word)
			at += copy(p.lits[at:], raw[b*blockBytes:(b+1)*blockBytes])
		}
	}
	return p
}

// zeroBlock reports whether a block is all zeros, a word at a time.
func zeroBlock(blk []byte) bool {
	var or uint64
	for i := 0; i < len(blk); i += 8 {
		or |= binary.LittleEndian.Uint64(blk[i:])
	}
	return or == 0
}

// setSize grows the content with zeros or shrinks it, keeping the bytes
// past size zero.
func (c *content) setSize(n int64) {
	if n >= c.size {
		// Growing inside a frozen raw page whose writer is another content
		// would expose that writer's bytes past this content's size: own it
		// first (which copies only the bytes below the size).
		if k, r := int(c.size/pageBytes), int(c.size%pageBytes); r > 0 && n > c.size {
			if p := c.pages[k]; p != nil && p.raw != nil && p.frozen && (c.tok == nil || p.writer != c.tok) {
				c.own(k, 0)
			}
		}
		c.size = n
		c.pages = growPages(c.pages, pagesFor(n))
		return
	}
	c.size = n
	c.pages = c.pages[:pagesFor(n)]
	if r := int(n % pageBytes); r > 0 {
		if k := len(c.pages) - 1; c.pages[k] != nil {
			clear(c.own(k, r)[r:])
		}
	}
}

// pagesFor is the number of pages n bytes occupy.
func pagesFor(n int64) int { return int((n + pageBytes - 1) / pageBytes) }

// growPages extends pages with nil (zero) pages to n entries.
func growPages(pages []*page, n int) []*page {
	for len(pages) < n {
		pages = append(pages, nil)
	}
	return pages
}

// writeAt copies p into the content at off, growing it with zeros first
// when off+len(p) is past the end, and packs each page the write touched
// that now lies wholly below the size.
func (c *content) writeAt(off int64, p []byte) {
	if len(p) == 0 {
		return
	}
	end := off + int64(len(p))
	if end > c.size {
		c.setSize(end)
	}
	first, last := int(off/pageBytes), int((end-1)/pageBytes)
	for k := first; k <= last; k++ {
		base := int64(k) * pageBytes
		lo, hi := max(off, base), min(end, base+pageBytes)
		copy(c.own(k, int(lo-base))[lo-base:hi-base], p[lo-off:hi-off])
		if base+pageBytes <= c.size {
			c.pages[k] = pack(c.pages[k].raw)
		}
	}
}

// readAt copies the content's bytes at off into dst, which must be zero
// (freshly made). The range must lie within the size.
func (c *content) readAt(dst []byte, off int64) {
	if invariants.Enabled && off+int64(len(dst)) > c.size {
		invariants.Failf("sim/disk: a content read stays within its size: [%d, %d) of %d", off, off+int64(len(dst)), c.size)
	}
	end := off + int64(len(dst))
	for k := int(off / pageBytes); k < len(c.pages) && int64(k)*pageBytes < end; k++ {
		p := c.pages[k]
		if p == nil {
			continue
		}
		base := int64(k) * pageBytes
		lo, hi := max(off, base), min(end, base+pageBytes)
		p.readBlocks(dst[lo-off:hi-off], int(lo-base))
	}
}

// slice returns a fresh copy of the bytes in [lo, hi).
func (c *content) slice(lo, hi int64) []byte {
	out := make([]byte, hi-lo)
	c.readAt(out, lo)
	return out
}

// copyFrom makes the bytes [lo, hi) those of src, growing the content with
// zeros to hi first if needed. src must hold at least hi bytes.
func (c *content) copyFrom(src *content, lo, hi int64) {
	if hi <= lo {
		return
	}
	if hi > c.size {
		c.setSize(hi)
	}
	for k := int(lo / pageBytes); int64(k)*pageBytes < hi; k++ {
		base := int64(k) * pageBytes
		a, b := max(lo, base), min(hi, base+pageBytes)
		sp := src.pages[k]
		if a == base && b == base+pageBytes && (sp == nil || sp.raw == nil) {
			c.pages[k] = sp // a whole immutable page: share it
			continue
		}
		if sp == nil && c.pages[k] == nil {
			continue
		}
		dst := c.own(k, int(a-base))
		clear(dst[a-base : b-base])
		if sp != nil {
			sp.readBlocks(dst[a-base:b-base], int(a-base))
		}
	}
}

// xorByte flips the bits of mask in byte i, which must lie within the size.
func (c *content) xorByte(i int64, mask byte) {
	c.own(int(i/pageBytes), int(i%pageBytes))[i%pageBytes] ^= mask
}

// digest is sim.DigestBytes of the content's bytes.
func (c *content) digest() uint64 {
	d := sim.NewByteDigest()
	var buf []byte
	for k, p := range c.pages {
		n := min(int64(pageBytes), c.size-int64(k)*pageBytes)
		switch {
		case p == nil:
			d.Zeros(n)
		case p.raw != nil:
			d.Write(p.raw[:n])
		default:
			if buf == nil {
				buf = make([]byte, pageBytes)
			}
			clear(buf)
			p.readBlocks(buf[:n], 0)
			d.Write(buf[:n])
		}
	}
	return d.Sum()
}
