package osdriver

import (
	"os"
	"strings"
	"sync"
)

// SyscallLog records the driver's calls to the OS, in order, as
// "write <name>", "fdatasync <name>", "truncate <name>", "create <name>",
// "rename <from> <to>", "fsyncdir", "remove <name>".
type SyscallLog struct {
	osSyscalls
	mu    sync.Mutex
	calls []string
	// SkipFdatasync is a planted bug: fdatasync does nothing but reports
	// success (a lying fsync).
	SkipFdatasync bool
}

// RecordSyscalls makes a driver opened with opts record its OS calls.
func RecordSyscalls(opts *Options) *SyscallLog {
	l := &SyscallLog{}
	opts.sys = l
	return l
}

// Calls returns the calls so far.
func (l *SyscallLog) Calls() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.calls...)
}

func (l *SyscallLog) note(parts ...string) {
	l.mu.Lock()
	l.calls = append(l.calls, strings.Join(parts, " "))
	l.mu.Unlock()
}

func (l *SyscallLog) create(dir, name string) (*os.File, error) {
	l.note("create", name)
	return l.osSyscalls.create(dir, name)
}

func (l *SyscallLog) writeAt(name string, f *os.File, b []byte, off int64) error {
	l.note("write", name)
	return l.osSyscalls.writeAt(name, f, b, off)
}

func (l *SyscallLog) truncate(name string, f *os.File, size int64) error {
	l.note("truncate", name)
	return l.osSyscalls.truncate(name, f, size)
}

func (l *SyscallLog) fdatasync(name string, f *os.File) error {
	if l.SkipFdatasync {
		return nil
	}
	l.note("fdatasync", name)
	return l.osSyscalls.fdatasync(name, f)
}

func (l *SyscallLog) rename(dir, from, to string) error {
	l.note("rename", from, to)
	return l.osSyscalls.rename(dir, from, to)
}

func (l *SyscallLog) syncDir(dir string) error {
	l.note("fsyncdir")
	return l.osSyscalls.syncDir(dir)
}

func (l *SyscallLog) remove(dir, name string) error {
	l.note("remove", name)
	return l.osSyscalls.remove(dir, name)
}
