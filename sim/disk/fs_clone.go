package disk

import (
	"path"

	"github.com/redosim/redosim/sim"
)

// Clone returns an independent deep copy of the file system, volatile and
// durable state alike, pending faults included. Cloning before Crash lets
// a test crash one state several ways.
func (fs *FS) Clone() *FS {
	next := &FS{sectorBytes: fs.sectorBytes, capacityBytes: fs.capacityBytes,
		usedBytes: fs.usedBytes, crash: fs.crash, crashed: fs.crashed, bugs: fs.bugs}
	c := cloner{clones: map[*node]*node{}}
	next.root = c.get(fs.root)
	for len(c.work) > 0 { // each node is queued once, when first met
		n := c.work[0]
		c.work = c.work[1:]
		c.fill(n)
	}
	return next
}

// cloner copies a node graph with a worklist instead of recursion.
type cloner struct {
	clones map[*node]*node
	work   []*node
}

func (c *cloner) get(n *node) *node {
	if n == nil {
		return nil
	}
	if m, ok := c.clones[n]; ok {
		return m
	}
	m := &node{name: n.name, durableName: n.durableName}
	if n.dir != nil {
		m.dir = &dirData{entries: map[string]*node{}, synced: map[string]*node{}}
	} else {
		f := n.file
		m.file = &fileData{
			data:         f.data.share(),
			durable:      f.durable.share(),
			dirty:        f.dirty.clone(),
			sizeDirty:    f.sizeDirty,
			writebackErr: f.writebackErr,
			latent:       copyLatent(f.latent),
		}
	}
	c.clones[n] = m
	c.work = append(c.work, n)
	return m
}

// fill copies n's references into its clone, queueing new nodes.
func (c *cloner) fill(n *node) {
	m := c.clones[n]
	m.parent = c.get(n.parent)
	m.durableParent = c.get(n.durableParent)
	if n.dir == nil {
		return
	}
	for _, name := range sortedNames(n.dir.entries) {
		m.dir.entries[name] = c.get(n.dir.entries[name])
	}
	for _, name := range sortedNames(n.dir.synced) {
		m.dir.synced[name] = c.get(n.dir.synced[name])
	}
}

// Digest hashes the file system's observable state: every path of the
// page cache's view with its contents, and every path of the durable view
// with its durable image. Two file systems with equal digests look the
// same now and after a clean crash (CrashWith of the zero choice). O(total
// bytes).
func (fs *FS) Digest() uint64 {
	h := []uint64{uint64(fs.sectorBytes)}
	type item struct {
		path string
		dir  *node
	}
	queue := []item{{"/", fs.root}}
	for len(queue) > 0 { // bounded: directories form a tree
		it := queue[0]
		queue = queue[1:]
		for _, name := range sortedNames(it.dir.dir.entries) {
			c := it.dir.dir.entries[name]
			p := path.Join(it.path, name)
			h = append(h, sim.DigestBytes([]byte(p)))
			if c.dir != nil {
				queue = append(queue, item{p, c})
				continue
			}
			h = append(h, c.file.data.digest())
		}
	}
	for _, e := range fs.durableWalk() {
		h = append(h, 1, sim.DigestBytes([]byte(e.path)))
		if e.node.file != nil {
			h = append(h, e.node.file.durable.digest())
		}
	}
	return sim.Digest(h...)
}
