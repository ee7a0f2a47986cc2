package osdriver

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/redosim/redosim/engine/core"
)

// fileTable keeps the log's open files by name. Chains of different
// streams touch different files, so the table's lock covers only the map,
// never the I/O.
type fileTable struct {
	dir  string
	opts Options
	mu   sync.Mutex
	open map[string]*os.File
}

func newFileTable(dir string, opts Options) *fileTable {
	return &fileTable{dir: dir, opts: opts, open: make(map[string]*os.File)}
}

// chainStats is what one chain did, folded into Stats under the driver's lock.
type chainStats struct {
	syncs, writes, writeBytes uint64
	syncTime                  time.Duration
}

func (s *Stats) add(c chainStats) {
	s.Syncs += c.syncs
	s.SyncTime += c.syncTime
	s.Writes += c.writes
	s.WriteBytes += c.writeBytes
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
		return t.create(op.Path)
	case core.OpWrite:
		f, err := t.file(op.Path)
		if err != nil {
			return err
		}
		cs.writes++
		cs.writeBytes += uint64(len(op.Data))
		_, err = f.WriteAt(op.Data, op.Offset)
		return err
	case core.OpTruncate:
		f, err := t.file(op.Path)
		if err != nil {
			return err
		}
		if st, err := f.Stat(); err == nil && st.Size() == op.Offset {
			return nil
		}
		return f.Truncate(op.Offset)
	case core.OpSync:
		f, err := t.file(op.Path)
		if err != nil {
			return err
		}
		start := time.Now()
		err = syscall.Fdatasync(int(f.Fd()))
		cs.syncs++
		cs.syncTime += time.Since(start)
		return err
	case core.OpRename:
		return t.rename(op.Path, op.NewPath)
	case core.OpSyncDir:
		return syncDir(t.dir)
	case core.OpRemove:
		t.forget(op.Path)
		return os.Remove(filepath.Join(t.dir, op.Path))
	}
	return fmt.Errorf("%s is not a file op", op.Kind)
}

func (t *fileTable) create(name string) error {
	f, err := os.OpenFile(filepath.Join(t.dir, name), os.O_CREATE|os.O_TRUNC|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	if n := t.opts.PreallocateBytes; n > 0 && strings.HasSuffix(name, core.ExtTmp) {
		// Only log files: a meta file is read whole, zeros and all.
		if err := zeroFill(f, n); err != nil {
			f.Close()
			return err
		}
	}
	t.mu.Lock()
	if old := t.open[name]; old != nil {
		old.Close()
	}
	t.open[name] = f
	t.mu.Unlock()
	return nil
}

// zeroFill writes n zero bytes and syncs them, so later writes overwrite
// allocated blocks. Zeros read back as the end of the log.
func zeroFill(f *os.File, n int64) error {
	buf := make([]byte, 1<<20)
	for off := int64(0); off < n; off += int64(len(buf)) {
		chunk := buf[:min(int64(len(buf)), n-off)]
		if _, err := f.WriteAt(chunk, off); err != nil {
			return err
		}
	}
	return syscall.Fdatasync(int(f.Fd()))
}

// file returns the open file name, opening an existing one (recovery
// repairs files it did not create).
func (t *fileTable) file(name string) (*os.File, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if f := t.open[name]; f != nil {
		return f, nil
	}
	f, err := os.OpenFile(filepath.Join(t.dir, name), os.O_RDWR, 0)
	if err != nil {
		return nil, err
	}
	t.open[name] = f
	return f, nil
}

func (t *fileTable) rename(from, to string) error {
	if err := os.Rename(filepath.Join(t.dir, from), filepath.Join(t.dir, to)); err != nil {
		return err
	}
	t.forget(from) // a sealed file is never written again
	return nil
}

func (t *fileTable) forget(name string) {
	t.mu.Lock()
	if f := t.open[name]; f != nil {
		f.Close()
		delete(t.open, name)
	}
	t.mu.Unlock()
}

func (t *fileTable) closeAll() {
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
