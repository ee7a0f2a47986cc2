package disk

import (
	"path"
	"sort"
	"strings"
)

// FSConfig configures NewFS. The zero value is a 512-byte-sector file
// system without a capacity bound and with the default crash behaviour.
type FSConfig struct {
	// SectorBytes is the unit of atomic writeback and of crash tearing, in
	// bytes. 0 means 512. It must not be negative.
	SectorBytes int
	// CapacityBytes bounds the sum of all files' sizes; a write that would
	// pass it fails with ErrNoSpace. 0 means unlimited.
	CapacityBytes int64
	// Crash tunes the random choices of Crash. The zero value means
	// DefaultCrashConfig.
	Crash CrashConfig
}

// FS is a synchronous, in-memory, crashable POSIX-like file system with no
// notion of time. Each file has volatile page-cache contents (what readers
// see) over a durable image (what survives a crash); each directory has
// volatile entries over synced entries. Paths are slash-separated and
// rooted at "/": a relative path such as "redo/0001.log" means
// "/redo/0001.log", and every path is cleaned (path.Clean) first.
//
// An FS is not safe for concurrent use; one world owns it. See the package
// documentation for the crash and fault model.
type FS struct {
	sectorBytes   int64
	capacityBytes int64
	usedBytes     int64
	crash         CrashConfig
	root          *node
	crashed       bool
	bugs          plantedBugs
}

// plantedBugs are test-only knobs that break the model on purpose, so a
// test can show that the crash property notices. Production code never
// sets them.
type plantedBugs struct {
	// crashKeepsUnsyncedEntries makes Crash walk the volatile directory
	// entries instead of the synced ones.
	crashKeepsUnsyncedEntries bool
	// writebackErrorSilent makes the fsync that should report an injected
	// writeback error report success (the pages are still dropped).
	writebackErrorSilent bool
}

// node is a file or a directory; exactly one of dir and file is set.
//
// A file has at most one name (no hard links). Its volatile link
// (parent, name) is where the page cache shows it, parent nil once removed;
// its durable link (durableParent, durableName) is the synced entry that
// names it, durableParent nil when none does. Invariant: a file is named by
// at most one synced entry, and that entry is its durable link; this is what
// makes rename atomic across a crash. Directories do not move, so their
// links are unused.
type node struct {
	dir           *dirData
	file          *fileData
	parent        *node
	name          string
	durableParent *node
	durableName   string
}

// dirData holds a directory's entries as the page cache sees them and as
// they were at its last SyncDir.
type dirData struct {
	entries map[string]*node
	synced  map[string]*node
}

// NewFS returns an empty file system holding only the root directory "/",
// which is durable.
func NewFS(cfg FSConfig) *FS {
	if cfg.SectorBytes < 0 {
		panic("sim/disk: FSConfig.SectorBytes must not be negative")
	}
	if cfg.SectorBytes == 0 {
		cfg.SectorBytes = 512
	}
	return &FS{
		sectorBytes:   int64(cfg.SectorBytes),
		capacityBytes: cfg.CapacityBytes,
		crash:         cfg.Crash.withDefaults(),
		root:          newDirNode(),
	}
}

func newDirNode() *node {
	return &node{dir: &dirData{entries: map[string]*node{}, synced: map[string]*node{}}}
}

// SectorBytes returns the sector size in bytes.
func (fs *FS) SectorBytes() int { return int(fs.sectorBytes) }

// UsedBytes returns the sum of all files' (page-cache) sizes, the quantity
// the capacity bounds.
func (fs *FS) UsedBytes() int64 { return fs.usedBytes }

// cleanPath returns the canonical rooted form of p.
func cleanPath(p string) (string, bool) {
	if p == "" {
		return "", false
	}
	if p[0] == '/' {
		return path.Clean(p), true // no allocation when p is already clean
	}
	return path.Clean("/" + p), true
}

// walk resolves a cleaned path through the volatile entries.
func (fs *FS) walk(p string) (*node, error) {
	n := fs.root
	for rest := p[1:]; rest != ""; {
		name := rest
		if i := strings.IndexByte(rest, '/'); i >= 0 {
			name, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		if n.dir == nil {
			return nil, ErrNotDir
		}
		child, ok := n.dir.entries[name]
		if !ok {
			return nil, ErrNotExist
		}
		n = child
	}
	return n, nil
}

// parent resolves the directory holding a cleaned path and the last name.
func (fs *FS) parent(p string) (*node, string, error) {
	if p == "/" {
		return nil, "", ErrInvalid
	}
	dir, name := path.Split(p)
	d, err := fs.walk(path.Clean(dir))
	if err != nil {
		return nil, "", err
	}
	if d.dir == nil {
		return nil, "", ErrNotDir
	}
	return d, name, nil
}

// begin checks the FS is alive and cleans p; every public method starts
// with it.
func (fs *FS) begin(op, p string) (string, error) {
	if fs.crashed {
		return p, pathError(op, p, ErrCrashed)
	}
	c, ok := cleanPath(p)
	if !ok {
		return p, pathError(op, p, ErrInvalid)
	}
	return c, nil
}

// lookupFile resolves a cleaned path that must name a file.
func (fs *FS) lookupFile(p string) (*fileData, error) {
	n, err := fs.walk(p)
	if err != nil {
		return nil, err
	}
	if n.file == nil {
		return nil, ErrIsDir
	}
	return n.file, nil
}

// MkdirAll creates dir and any missing parents. New directories, like new
// files, are durable only once their parent directory is synced.
func (fs *FS) MkdirAll(dir string) error {
	p, err := fs.begin("mkdir", dir)
	if err != nil {
		return err
	}
	n := fs.root
	if p == "/" {
		return nil
	}
	for _, name := range strings.Split(p[1:], "/") {
		child, ok := n.dir.entries[name]
		if !ok {
			child = newDirNode()
			n.dir.entries[name] = child
		}
		if child.dir == nil {
			return pathError("mkdir", p, ErrNotDir)
		}
		n = child
	}
	return nil
}

// Create creates an empty file, or truncates an existing one to size 0
// (like open with O_CREAT|O_TRUNC). A new directory entry is durable only
// after SyncDir of the parent; a truncation only after Sync of the file.
func (fs *FS) Create(p string) error {
	p, err := fs.begin("create", p)
	if err != nil {
		return err
	}
	d, name, err := fs.parent(p)
	if err != nil {
		return pathError("create", p, err)
	}
	if n, ok := d.dir.entries[name]; ok {
		if n.file == nil {
			return pathError("create", p, ErrIsDir)
		}
		fs.usedBytes -= n.file.data.len()
		n.file.truncate(0)
		return nil
	}
	d.dir.entries[name] = &node{file: &fileData{}, parent: d, name: name}
	return nil
}

// Rename moves the file oldPath to newPath atomically, replacing a file at
// newPath. Directories cannot be renamed. The rename is durable once the
// directory is synced; between two directories, once either is synced
// (the rename is one journal transaction). After a crash exactly one of
// the old and the new name holds the file.
func (fs *FS) Rename(oldPath, newPath string) error {
	op, err := fs.begin("rename", oldPath)
	if err != nil {
		return err
	}
	np, ok := cleanPath(newPath)
	if !ok {
		return &PathError{Op: "rename", Path: op, NewPath: newPath, Off: -1, Err: ErrInvalid}
	}
	if err := fs.rename(op, np); err != nil {
		return &PathError{Op: "rename", Path: op, NewPath: np, Off: -1, Err: err}
	}
	return nil
}

func (fs *FS) rename(op, np string) error {
	from, fromName, err := fs.parent(op)
	if err != nil {
		return err
	}
	file, ok := from.dir.entries[fromName]
	if !ok {
		return ErrNotExist
	}
	if file.file == nil {
		return ErrIsDir
	}
	to, toName, err := fs.parent(np)
	if err != nil {
		return err
	}
	if op == np {
		return nil
	}
	if old, ok := to.dir.entries[toName]; ok {
		if old.file == nil {
			return ErrIsDir
		}
		fs.usedBytes -= old.file.data.len()
		old.parent = nil
	}
	delete(from.dir.entries, fromName)
	to.dir.entries[toName] = file
	file.parent, file.name = to, toName
	return nil
}

// Remove removes a file or an empty directory. The removal is durable only
// after SyncDir of the parent; until then a crash brings the file back
// with its durable contents.
func (fs *FS) Remove(p string) error {
	p, err := fs.begin("remove", p)
	if err != nil {
		return err
	}
	d, name, err := fs.parent(p)
	if err != nil {
		return pathError("remove", p, err)
	}
	n, ok := d.dir.entries[name]
	if !ok {
		return pathError("remove", p, ErrNotExist)
	}
	if n.dir != nil && len(n.dir.entries) > 0 {
		return pathError("remove", p, ErrNotEmpty)
	}
	if n.file != nil {
		fs.usedBytes -= n.file.data.len()
	}
	n.parent = nil
	delete(d.dir.entries, name)
	return nil
}

// List returns the sorted names in dir as the page cache sees them.
func (fs *FS) List(dir string) ([]string, error) {
	p, err := fs.begin("list", dir)
	if err != nil {
		return nil, err
	}
	n, err := fs.walk(p)
	if err != nil {
		return nil, pathError("list", p, err)
	}
	if n.dir == nil {
		return nil, pathError("list", p, ErrNotDir)
	}
	return sortedNames(n.dir.entries), nil
}

func sortedNames(m map[string]*node) []string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// SyncDir makes dir's current entries durable (fsync of a directory):
// files created, renamed into or removed from it since its last sync, and
// the other half of every rename between it and another directory (the
// source directory's entry goes when the target is synced and vice versa).
// It does not sync any file's data.
func (fs *FS) SyncDir(dir string) error {
	h, err := fs.open("syncdir", dir)
	if err != nil {
		return err
	}
	return fs.syncDirHandle(h)
}

func (fs *FS) syncDirHandle(h handle) error {
	if fs.crashed {
		return pathError("syncdir", h.path, ErrCrashed)
	}
	if h.node.dir == nil {
		return pathError("syncdir", h.path, ErrNotDir)
	}
	fs.syncDir(h.node)
	return nil
}

func (fs *FS) syncDir(n *node) {
	old := n.dir.synced
	next := make(map[string]*node, len(n.dir.entries))
	for _, name := range sortedNames(n.dir.entries) {
		f := n.dir.entries[name]
		next[name] = f
		if f.file == nil {
			continue
		}
		// The file's old synced entry, elsewhere, goes in the same
		// transaction: a rename moves, it never copies.
		if p := f.durableParent; p != nil && p != n && p.dir.synced[f.durableName] == f {
			delete(p.dir.synced, f.durableName)
		}
		f.durableParent, f.durableName = n, name
	}
	n.dir.synced = next
	var displaced []*node
	for _, name := range sortedNames(old) {
		g := old[name]
		if g.file != nil && next[name] != g && g.durableParent == n && g.durableName == name {
			displaced = append(displaced, g)
		}
	}
	displace(displaced)
}

// displace handles files whose synced entry a SyncDir just dropped. A file
// that was renamed into another directory is installed there, so the
// rename commits as a whole; a file installed over another file's synced
// entry displaces that one in turn; a removed file loses its last name.
// Each file is installed at most once (at its own volatile link), so the
// worklist ends after at most as many steps as there are files.
func displace(work []*node) {
	installed := map[*node]bool{}
	for len(work) > 0 {
		g := work[0]
		work = work[1:]
		g.durableParent, g.durableName = nil, ""
		p := g.parent
		if p == nil {
			continue
		}
		if installed[g] {
			panic("sim/disk: a file was installed twice while committing renames: two files share a volatile name")
		}
		installed[g] = true
		if h := p.dir.synced[g.name]; h != nil && h != g && h.file != nil &&
			h.durableParent == p && h.durableName == g.name {
			work = append(work, h)
		}
		p.dir.synced[g.name] = g
		g.durableParent, g.durableName = p, g.name
	}
}

// Exists reports whether p names a file or directory in the page cache's
// view. It is false on a crashed FS.
func (fs *FS) Exists(p string) bool {
	p, err := fs.begin("stat", p)
	if err != nil {
		return false
	}
	_, err = fs.walk(p)
	return err == nil
}

// IsDir reports whether p names a directory.
func (fs *FS) IsDir(p string) bool {
	p, err := fs.begin("stat", p)
	if err != nil {
		return false
	}
	n, err := fs.walk(p)
	return err == nil && n.dir != nil
}
