package osdriver

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/redosim/redosim/engine/core"
)

// fileTable keeps the log's open files by name. Chains of different
// streams touch different files, so the table's lock covers only the map,
// never the I/O.
type fileTable struct {
	dir    string
	sys    syscalls
	spares *spares // nil unless Options.PreallocateBytes is positive
	mu     sync.Mutex
	open   map[string]*os.File
	// logs tracks the open log files while spares are on, to decide when
	// to order the next spare.
	logs map[string]*logUse
}

// logUse is what an open log file has seen: bytes written and syncs.
type logUse struct {
	written, syncs int64
	decided        bool // the next spare was ordered or refused
}

// preallocSyncBytesMax is the largest average sync for which a spare pays.
// Writing a file's zeros first costs as much bandwidth as its log data;
// what it saves is a metadata commit per sync. A log whose syncs carry
// less (small records, few writers) is bound by sync latency and gains;
// one whose syncs carry more streams bandwidth and would lose, and one
// that does not sync (the os policy) saves nothing: both take plain files.
const preallocSyncBytesMax = 32 << 10

func newFileTable(dir string, sys syscalls) *fileTable {
	if sys == nil {
		sys = osSyscalls{}
	}
	return &fileTable{dir: dir, sys: sys, open: make(map[string]*os.File), logs: make(map[string]*logUse)}
}

// chainStats is what one chain did, folded into Stats under the driver's lock.
type chainStats struct {
	syncs, writes, writeBytes uint64
	syncTime, writeTime       time.Duration
	preallocated              uint64
}

func (s *Stats) add(c chainStats) {
	s.Syncs += c.syncs
	s.SyncTime += c.syncTime
	s.Writes += c.writes
	s.WriteBytes += c.writeBytes
	s.WriteTime += c.writeTime
	s.Preallocated += c.preallocated
}

// run performs a chain's ops in order and stops at the first error.
func (t *fileTable) run(c core.Chain, cs *chainStats) error {
	for _, op := range c.Ops {
		if err := t.do(op, cs); err != nil {
			return fmt.Errorf("engine/osdriver: %s: %w", op, err)
		}
	}
	return nil
}

func (t *fileTable) do(op core.Op, cs *chainStats) error {
	switch op.Kind {
	case core.OpCreate:
		return t.create(op.Path, cs)
	case core.OpWrite:
		f, err := t.file(op.Path)
		if err != nil {
			return err
		}
		start := time.Now()
		err = t.sys.writeAt(op.Path, f, op.Data, op.Offset)
		t.noteWrite(op.Path, int64(len(op.Data)), op.Offset+int64(len(op.Data)))
		cs.writes++
		cs.writeBytes += uint64(len(op.Data))
		cs.writeTime += time.Since(start)
		return err
	case core.OpTruncate:
		f, err := t.file(op.Path)
		if err != nil {
			return err
		}
		return t.sys.truncate(op.Path, f, op.Offset)
	case core.OpSync:
		f, err := t.file(op.Path)
		if err != nil {
			return err
		}
		start := time.Now()
		err = t.sys.fdatasync(op.Path, f)
		t.noteSync(op.Path)
		cs.syncs++
		cs.syncTime += time.Since(start)
		return err
	case core.OpRename:
		return t.rename(op.Path, op.NewPath)
	case core.OpSyncDir:
		return t.sys.syncDir(t.dir)
	case core.OpRemove:
		t.forget(op.Path)
		return t.sys.remove(t.dir, op.Path)
	}
	return fmt.Errorf("%s is not a file op", op.Kind)
}

// create creates name empty, or for a log file with spares on, renames a
// ready zero-filled spare to it (a meta file is read whole, zeros and all,
// so it never takes one).
func (t *fileTable) create(name string, cs *chainStats) error {
	path := filepath.Join(t.dir, name)
	var f *os.File
	ok := false
	if t.spares != nil && strings.HasSuffix(name, core.ExtTmp) {
		f, ok = t.spares.take(path)
	}
	if ok {
		cs.preallocated++
	}
	if !ok {
		var err error
		if f, err = t.sys.create(t.dir, name); err != nil {
			return err
		}
	}
	t.mu.Lock()
	if old := t.open[name]; old != nil {
		old.Close()
	}
	t.open[name] = f
	if t.spares != nil && strings.HasSuffix(name, core.ExtTmp) {
		t.logs[name] = &logUse{}
	}
	t.mu.Unlock()
	return nil
}

// noteWrite counts a write to a log file and, once the file is half the
// spare size, orders the next spare if its syncs have been small enough
// for one to pay (see preallocSyncBytesMax).
func (t *fileTable) noteWrite(name string, n, end int64) {
	if t.spares == nil {
		return
	}
	t.mu.Lock()
	u := t.logs[name]
	order := false
	if u != nil {
		u.written += n
		if !u.decided && end >= t.spares.bytes/2 {
			u.decided = true
			order = u.syncs > 0 && u.written/u.syncs <= preallocSyncBytesMax
		}
	}
	t.mu.Unlock()
	if order {
		t.spares.refill()
	}
}

// noteSync counts a sync of a log file.
func (t *fileTable) noteSync(name string) {
	if t.spares == nil {
		return
	}
	t.mu.Lock()
	if u := t.logs[name]; u != nil {
		u.syncs++
	}
	t.mu.Unlock()
}

// file returns the open file name, opening an existing one (recovery
// repairs files it did not create).
func (t *fileTable) file(name string) (*os.File, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if f := t.open[name]; f != nil {
		return f, nil
	}
	f, err := t.sys.open(t.dir, name)
	if err != nil {
		return nil, err
	}
	t.open[name] = f
	return f, nil
}

func (t *fileTable) rename(from, to string) error {
	if err := t.sys.rename(t.dir, from, to); err != nil {
		return err
	}
	t.forget(from) // a sealed file is never written again
	return nil
}

func (t *fileTable) forget(name string) {
	t.mu.Lock()
	delete(t.logs, name)
	if f := t.open[name]; f != nil {
		f.Close()
		delete(t.open, name)
	}
	t.mu.Unlock()
}

func (t *fileTable) closeAll() {
	if t.spares != nil {
		t.spares.close()
		t.spares = nil
	}
	t.mu.Lock()
	names := make([]string, 0, len(t.open))
	for n := range t.open {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		t.open[n].Close()
		delete(t.open, n)
	}
	t.mu.Unlock()
}

func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}

// DirStorage is a core.Storage over a real directory.
func DirStorage(dir string) core.Storage { return dirStorage(dir) }

type dirStorage string

func (d dirStorage) List() ([]string, error) {
	entries, err := os.ReadDir(string(d))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

func (d dirStorage) ReadFile(name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(string(d), name))
}
