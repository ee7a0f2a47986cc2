package disk

import (
	"bytes"
	"fmt"
	"path"
	"sort"
)

// The reference model of the crash semantics, written independently of the
// implementation's data structures: per file, the page cache, the durable
// image and a byte map of what was written since the last sync; per file,
// its volatile and durable path instead of directory maps. The property
// test runs it in lockstep with FS and checks every crash image against
// the set of images it allows.

const modelSectorBytes = 64

type refFile struct {
	vol, dur  []byte
	touched   []bool // len(vol): written since the last sync or drop
	sizeDirty bool
	wbErr     bool
	vp, dp    string // volatile and durable path; "" when none
}

type refModel struct {
	files []*refFile
}

func (m *refModel) at(p string, durable bool) *refFile {
	for _, f := range m.files {
		if (!durable && f.vp == p) || (durable && f.dp == p) {
			return f
		}
	}
	return nil
}

// paths returns the sorted paths of the volatile or durable namespace.
func (m *refModel) paths(durable bool) []string {
	var out []string
	for _, f := range m.files {
		if p := f.vp; durable {
			p = f.dp
			if p != "" {
				out = append(out, p)
			}
		} else if p != "" {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

func (m *refModel) create(p string) {
	if f := m.at(p, false); f != nil {
		if len(f.vol) > 0 {
			f.sizeDirty = true
		}
		f.vol, f.touched = f.vol[:0], f.touched[:0]
		return
	}
	m.files = append(m.files, &refFile{vp: p})
}

func (f *refFile) write(off int, b []byte) {
	if len(b) == 0 {
		return
	}
	end := off + len(b)
	for len(f.vol) < end {
		f.vol = append(f.vol, 0)
		f.touched = append(f.touched, true)
		f.sizeDirty = true
	}
	copy(f.vol[off:], b)
	for i := off; i < end; i++ {
		f.touched[i] = true
	}
}

func (f *refFile) truncate(size int) {
	if size == len(f.vol) {
		return
	}
	f.sizeDirty = true
	if size < len(f.vol) {
		f.vol, f.touched = f.vol[:size], f.touched[:size]
		return
	}
	for len(f.vol) < size {
		f.vol = append(f.vol, 0)
		f.touched = append(f.touched, true)
	}
}

// limit: writeback stops at the page-cache size.
func (f *refFile) limit() int { return len(f.vol) }

// dirtySectors lists sectors holding a touched byte and starting below
// limit.
func (f *refFile) dirtySectors() []int {
	var out []int
	for i, t := range f.touched {
		s := i / modelSectorBytes
		if t && s*modelSectorBytes < f.limit() && (len(out) == 0 || out[len(out)-1] != s) {
			out = append(out, s)
		}
	}
	return out
}

// image returns the durable image with the first keep units applied.
func (f *refFile) image(keep int) []byte {
	img := append([]byte{}, f.dur...)
	secs := f.dirtySectors()
	for _, s := range secs[:min(keep, len(secs))] {
		hi := min((s+1)*modelSectorBytes, f.limit())
		for len(img) < hi {
			img = append(img, 0)
		}
		copy(img[s*modelSectorBytes:hi], f.vol[s*modelSectorBytes:hi])
	}
	if f.sizeDirty && keep > len(secs) {
		for len(img) < len(f.vol) {
			img = append(img, 0)
		}
		img = img[:len(f.vol)]
	}
	return img
}

// units is the number of crash units: dirty sectors, plus the size change
// if the sectors alone do not reach it.
func (f *refFile) units() int {
	n := len(f.dirtySectors())
	if f.sizeDirty && len(f.image(n)) != len(f.vol) {
		n++
	}
	return n
}

func (m *refModel) sync(p string) error {
	f := m.at(p, false)
	if f == nil {
		return ErrNotExist
	}
	if f.wbErr {
		f.wbErr = false
		f.touched = make([]bool, len(f.vol))
		f.sizeDirty = false
		return ErrIO
	}
	f.dur = f.image(f.units())
	f.touched = make([]bool, len(f.vol))
	f.sizeDirty = false
	return nil
}

// syncDir: files named in d get their volatile name as durable name; files
// whose durable name was in d and changed are displaced: they take their
// volatile name (committing a rename), displacing any file durable there,
// or lose their name if removed.
func (m *refModel) syncDir(d string) {
	var displaced []*refFile
	for _, f := range m.files {
		if f.dp != "" && path.Dir(f.dp) == d && f.vp != f.dp {
			displaced = append(displaced, f)
		}
	}
	for _, f := range m.files {
		if f.vp != "" && path.Dir(f.vp) == d {
			f.dp = f.vp
		}
	}
	for len(displaced) > 0 {
		g := displaced[0]
		displaced = displaced[1:]
		if g.vp == g.dp || (g.vp != "" && path.Dir(g.vp) == d) {
			continue
		}
		if g.vp == "" {
			g.dp = ""
			continue
		}
		if h := m.at(g.vp, true); h != nil && h != g {
			displaced = append(displaced, h)
		}
		g.dp = g.vp
	}
}

func (m *refModel) rename(from, to string) error {
	f := m.at(from, false)
	if f == nil {
		return ErrNotExist
	}
	if from == to {
		return nil
	}
	if g := m.at(to, false); g != nil {
		g.vp = ""
	}
	f.vp = to
	return nil
}

// checkCrash compares a crash image with what the model allows, and on
// success returns the model of the restarted system.
func (m *refModel) checkCrash(c *FS) (*refModel, error) {
	got := listFiles(c)
	want := m.paths(true)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		return nil, fmt.Errorf("crash namespace %v, model says %v", got, want)
	}
	next := &refModel{}
	for _, p := range want {
		b, err := c.ReadFile(p)
		if err != nil {
			return nil, err
		}
		if err := m.at(p, true).allows(b); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		next.files = append(next.files, &refFile{vol: b, dur: append([]byte{}, b...), touched: make([]bool, len(b)), vp: p, dp: p})
	}
	return next, nil
}

// allows checks one crashed file. Two checks: the general one (every byte
// whose synced value the page cache still holds survives, unless rewritten
// since) and the exact one (the image is a kept prefix of units, perhaps
// with garbage in the written bytes of the next dirty sector).
func (f *refFile) allows(c []byte) error {
	for i := 0; i < min(len(c), len(f.dur), len(f.vol)); i++ {
		if !f.touched[i] && f.vol[i] == f.dur[i] && c[i] != f.dur[i] {
			return fmt.Errorf("synced byte %d lost: %d, want %d", i, c[i], f.dur[i])
		}
	}
	for k := 0; k <= f.units(); k++ {
		if bytes.Equal(c, f.image(k)) {
			return nil
		}
	}
	secs := f.dirtySectors()
	for k, s := range secs {
		img := f.image(k)
		lo, hi := s*modelSectorBytes, min((s+1)*modelSectorBytes, f.limit())
		for len(img) < hi {
			img = append(img, 0)
		}
		if len(img) != len(c) {
			continue
		}
		match := true
		for i := range c {
			inGarbage := i >= lo && i < hi && i < len(f.touched) && f.touched[i]
			if !inGarbage && c[i] != img[i] {
				match = false
				break
			}
		}
		if match {
			return nil
		}
	}
	return fmt.Errorf("image of %d bytes is no allowed crash state (durable %d, page cache %d, %d dirty sectors)",
		len(c), len(f.dur), len(f.vol), len(secs))
}

// listFiles returns the sorted paths of every file in the page cache's view.
func listFiles(fs *FS) []string {
	var out []string
	dirs := []string{"/"}
	for len(dirs) > 0 {
		d := dirs[0]
		dirs = dirs[1:]
		names, _ := fs.List(d)
		for _, n := range names {
			p := path.Join(d, n)
			if fs.IsDir(p) {
				dirs = append(dirs, p)
			} else {
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out
}
