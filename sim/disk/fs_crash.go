package disk

import (
	"fmt"
	"math/rand/v2"
	"path"
	"sort"

	"github.com/redosim/redosim/sim"
)

// CrashConfig tunes the random choices Crash makes. Probabilities are in
// [0, 1]; the zero value of each field selects its default.
type CrashConfig struct {
	// KeepProbability is the chance that a file with unsynced writes keeps
	// some of them: a prefix of 1 to all of its crash units, uniformly.
	// 0 means 0.5; a negative value means never (a clean crash).
	KeepProbability float64
	// GarbageProbability is the chance that the first dirty sector past
	// the kept prefix holds random bytes. 0 means 0.2; a negative value
	// means never.
	GarbageProbability float64
	// GarbageWholeSector makes garbage fill the whole sector, destroying
	// bytes of it that were synced before and not rewritten since (a disk
	// without atomic sector writes). By default garbage replaces only the
	// bytes written since the last sync, so synced bytes always survive.
	GarbageWholeSector bool
}

// DefaultCrashConfig returns the crash behaviour of the zero CrashConfig.
func DefaultCrashConfig() CrashConfig {
	return CrashConfig{KeepProbability: 0.5, GarbageProbability: 0.2}
}

func (c CrashConfig) withDefaults() CrashConfig {
	d := DefaultCrashConfig()
	if c.KeepProbability == 0 {
		c.KeepProbability = d.KeepProbability
	}
	if c.GarbageProbability == 0 {
		c.GarbageProbability = d.GarbageProbability
	}
	return c
}

// SetCrashConfig replaces the configuration Crash draws with.
func (fs *FS) SetCrashConfig(c CrashConfig) { fs.crash = c.withDefaults() }

// FileCrash fixes the crash outcome of one file.
type FileCrash struct {
	// Keep is how many of the file's crash units survive, in order: its
	// dirty sectors by offset, then (if pending) its new size. 0 keeps
	// only the durable image; KeepMax keeps everything the page cache had.
	Keep int
	// Garbage fills the dirty sector right after the kept prefix with
	// random bytes (only when Keep < Sectors).
	Garbage bool
	// GarbageSeed seeds the garbage bytes.
	GarbageSeed uint64
}

// CrashChoice fixes every decision of one crash: per durable file path,
// what survives of its unsynced writes. A file not listed keeps nothing.
type CrashChoice struct {
	Files map[string]FileCrash
}

// FileCrashSpace describes the crash outcomes of one file that has
// unsynced writes: Keep ranges over [0, KeepMax]; Garbage is possible for
// Keep in [0, Sectors).
type FileCrashSpace struct {
	// Path is the file's durable path (the one it has after a crash).
	Path string
	// KeepMax is the number of crash units: dirty sectors plus one if a
	// size change is pending and the sectors alone do not reach it.
	KeepMax int
	// Sectors is the number of dirty sectors.
	Sectors int
}

// Outcomes returns how many distinct choices CrashChoices enumerates for
// this file: KeepMax+1 prefixes plus Sectors garbage variants.
func (s FileCrashSpace) Outcomes() int { return s.KeepMax + 1 + s.Sectors }

// fileUnits lists a file's crash units.
type fileUnits struct {
	sectorBytes int64
	runs        []span // dirty sectors as aligned runs, in offset order
	sectors     int
	limit       int64 // writeback never writes at or past this byte
	sizeUnit    bool  // a size change remains after all sectors
}

func (u fileUnits) keepMax() int {
	if u.sizeUnit {
		return u.sectors + 1
	}
	return u.sectors
}

// sector returns the byte range of the k-th dirty sector, clipped to limit.
func (u fileUnits) sector(k int) (int64, int64) {
	for _, r := range u.runs {
		n := int((r.hi - r.lo) / u.sectorBytes)
		if k < n {
			lo := r.lo + int64(k)*u.sectorBytes
			return lo, min(lo+u.sectorBytes, u.limit)
		}
		k -= n
	}
	panic(fmt.Sprintf("sim/disk: dirty sector %d out of range", k))
}

func (f *fileData) units(sectorBytes int64) fileUnits {
	u := fileUnits{sectorBytes: sectorBytes, limit: f.limit()}
	u.runs = f.dirty.sectorRuns(sectorBytes, u.limit)
	after := f.durable.len()
	for _, r := range u.runs {
		u.sectors += int((r.hi - r.lo) / sectorBytes)
		after = max(after, min(r.hi, u.limit))
	}
	u.sizeUnit = f.sizeDirty && after != f.data.len()
	return u
}

// garbageFill writes random bytes into a torn sector.
type garbageFill struct {
	r     *rand.Rand
	whole bool
}

// garbageStreamKey is the second PCG word of garbage streams ("garbage").
const garbageStreamKey = 0x67617262616765

// apply writes the first keep units of u from the page cache into img
// (growing it with zeros as needed) and, when g is set, garbage into the
// next dirty sector. It returns the new image; img must not share pages
// with a content that is written later unless they are frozen (share()).
// Applying every unit is exactly what a successful fsync does.
func (f *fileData) apply(img content, u fileUnits, keep int, g *garbageFill) content {
	left := keep
	for _, r := range u.runs {
		if left == 0 {
			break
		}
		n := min(left, int((r.hi-r.lo)/u.sectorBytes))
		hi := min(r.lo+int64(n)*u.sectorBytes, u.limit)
		img.copyFrom(&f.data, r.lo, hi)
		left -= n
	}
	if u.sizeUnit && keep == u.keepMax() {
		img.setSize(f.data.len())
	}
	if g != nil && keep < u.sectors {
		lo, hi := u.sector(keep)
		if hi > img.len() {
			img.setSize(hi)
		}
		fill := func(lo, hi int64) {
			junk := make([]byte, hi-lo)
			for i := range junk {
				junk[i] = byte(g.r.Uint32())
			}
			img.writeAt(lo, junk)
		}
		if g.whole {
			fill(lo, hi)
		} else {
			f.dirty.each(lo, hi, fill)
		}
	}
	return img
}

// durableEntry is one synced directory entry reached from the root.
type durableEntry struct {
	path   string
	parent *node
	name   string
	node   *node
}

// durableWalk lists the durable namespace breadth first, each directory's
// names sorted: what a crash leaves. The walk is bounded by the number of
// directories (each is queued once).
func (fs *FS) durableWalk() []durableEntry {
	type item struct {
		path string
		dir  *node
	}
	var out []durableEntry
	queue := []item{{"/", fs.root}}
	seen := map[*node]bool{fs.root: true}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		m := it.dir.dir.synced
		if fs.bugs.crashKeepsUnsyncedEntries {
			m = it.dir.dir.entries
		}
		for _, name := range sortedNames(m) {
			c := m[name]
			p := path.Join(it.path, name)
			out = append(out, durableEntry{path: p, parent: it.dir, name: name, node: c})
			if c.dir != nil && !seen[c] {
				seen[c] = true
				queue = append(queue, item{p, c})
			}
		}
	}
	return out
}

// CrashSpace lists, sorted by path, every durable file that has unsynced
// writes, with the range of its crash outcomes. Files not listed come back
// exactly as their durable image. Together with CrashWith it lets a test
// enumerate every crash state of a small workload.
func (fs *FS) CrashSpace() []FileCrashSpace {
	var out []FileCrashSpace
	seen := map[*node]bool{}
	for _, e := range fs.durableWalk() {
		if e.node.file == nil || seen[e.node] {
			continue
		}
		seen[e.node] = true
		u := e.node.file.units(fs.sectorBytes)
		if u.keepMax() > 0 {
			out = append(out, FileCrashSpace{Path: e.path, KeepMax: u.keepMax(), Sectors: u.sectors})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// Crash returns the file system as a machine would find it after power
// loss, drawing every choice from r: for each file of CrashSpace, in path
// order, whether it keeps a prefix of its unsynced units (and how many)
// and whether the next dirty sector holds garbage (see CrashConfig).
// Everything else not synced is lost: unsynced directory entries, renames
// and removals, page-cache bytes, pending size changes.
//
// The receiver is dead afterwards: every method returns ErrCrashed, so a
// component still holding it fails loudly instead of writing into the
// past. Use CrashWith or CrashStates (which leave the receiver alive) or
// Clone to take several crash images of one state.
func (fs *FS) Crash(r *sim.Rand) *FS {
	if fs.crashed {
		panic("sim/disk: Crash of a file system that has already crashed")
	}
	choice := CrashChoice{Files: map[string]FileCrash{}}
	for _, s := range fs.CrashSpace() {
		var fc FileCrash
		if r.Float64() < fs.crash.KeepProbability {
			fc.Keep = 1 + r.IntN(s.KeepMax)
		}
		if fc.Keep < s.Sectors && r.Float64() < fs.crash.GarbageProbability {
			fc.Garbage, fc.GarbageSeed = true, r.Uint64()
		}
		choice.Files[s.Path] = fc
	}
	next := fs.crashWith(choice, fs.durableWalk())
	fs.crashed = true
	return next
}

// CrashWith returns the crash image fixed by c, leaving the receiver
// alive. It fails with ErrInvalid if c names a path that is not a durable
// file with unsynced writes, or a choice outside its FileCrashSpace.
func (fs *FS) CrashWith(c CrashChoice) (*FS, error) {
	if fs.crashed {
		return nil, pathError("crash", "/", ErrCrashed)
	}
	spaces := map[string]FileCrashSpace{}
	for _, s := range fs.CrashSpace() {
		spaces[s.Path] = s
	}
	paths := make([]string, 0, len(c.Files))
	for p := range c.Files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		fc, s := c.Files[p], spaces[p]
		if s.Path == "" || fc.Keep < 0 || fc.Keep > s.KeepMax || (fc.Garbage && fc.Keep >= s.Sectors) {
			return nil, pathError("crash", p, fmt.Errorf("%w: choice %+v outside %+v", ErrInvalid, fc, s))
		}
	}
	return fs.crashWith(c, fs.durableWalk()), nil
}

// crashWith builds the post-crash file system from the durable walk.
func (fs *FS) crashWith(c CrashChoice, walk []durableEntry) *FS {
	next := &FS{sectorBytes: fs.sectorBytes, capacityBytes: fs.capacityBytes,
		crash: fs.crash, root: newDirNode(), bugs: fs.bugs}
	clones := map[*node]*node{fs.root: next.root}
	for _, e := range walk {
		parent := clones[e.parent]
		child, ok := clones[e.node]
		if !ok {
			child = fs.crashNode(e.node, c.Files[e.path])
			clones[e.node] = child
			if child.file != nil {
				next.usedBytes += child.file.data.len()
				child.parent, child.name = parent, e.name
				child.durableParent, child.durableName = parent, e.name
			}
		}
		parent.dir.entries[e.name] = child
		parent.dir.synced[e.name] = child
	}
	return next
}

// crashNode returns the post-crash copy of one node.
func (fs *FS) crashNode(n *node, fc FileCrash) *node {
	if n.dir != nil {
		return newDirNode()
	}
	f := n.file
	var g *garbageFill
	if fc.Garbage {
		g = &garbageFill{r: rand.New(rand.NewPCG(fc.GarbageSeed, garbageStreamKey)), whole: fs.crash.GarbageWholeSector}
	}
	img := f.apply(f.durable.share(), f.units(fs.sectorBytes), fc.Keep, g)
	return &node{file: &fileData{
		data:    img,
		durable: img.share(),
		latent:  copyLatent(f.latent),
	}}
}

func copyLatent(m map[int64]struct{}) map[int64]struct{} {
	if len(m) == 0 {
		return nil
	}
	out := make(map[int64]struct{}, len(m))
	for s := range m { // order-free copy
		out[s] = struct{}{}
	}
	return out
}

// CrashChoices enumerates the crash choices of the current state, at most
// limit of them, in mixed-radix order over CrashSpace (the first file's
// outcome varies fastest; the first choice is the clean crash). Each file
// ranges over Keep 0..KeepMax, then Garbage after Keep 0..Sectors-1 with a
// fixed seed per path. complete reports whether every choice was listed.
func (fs *FS) CrashChoices(limit int) (choices []CrashChoice, complete bool) {
	spaces := fs.CrashSpace()
	digits := make([]int, len(spaces))
	for len(choices) < limit {
		c := CrashChoice{Files: make(map[string]FileCrash, len(spaces))}
		for i, s := range spaces {
			fc := FileCrash{Keep: digits[i]}
			if digits[i] > s.KeepMax {
				fc = FileCrash{Keep: digits[i] - s.KeepMax - 1, Garbage: true, GarbageSeed: sim.StreamKey(s.Path)}
			}
			c.Files[s.Path] = fc
		}
		choices = append(choices, c)
		i := 0 // increment the counter
		for ; i < len(spaces); i++ {
			digits[i]++
			if digits[i] < spaces[i].Outcomes() {
				break
			}
			digits[i] = 0
		}
		if i == len(spaces) {
			return choices, true
		}
	}
	return choices, false
}

// CrashStates returns the crash images of CrashChoices(limit), in order,
// and whether they are all of them. The receiver stays alive.
func (fs *FS) CrashStates(limit int) ([]*FS, bool) {
	choices, complete := fs.CrashChoices(limit)
	walk := fs.durableWalk()
	out := make([]*FS, len(choices))
	for i, c := range choices {
		out[i] = fs.crashWith(c, walk)
	}
	return out, complete
}
