package osdriver

import (
	"os"
	"path/filepath"
	"syscall"
)

// syscalls is the driver's seam to the OS for a log's ops: the calls whose
// order makes records durable (write, fdatasync, rename, directory fsync).
// osSyscalls makes them, evaluating the driver's failpoints first
// (failpoints.go); tests wrap it to record the order (export_test.go).
// Names are relative to the log directory.
//
// A write that stores fewer bytes than asked returns an error (os.File's
// WriteAt retries a short pwrite until it errs): the chain fails like any
// failed write, no record of it is acknowledged, and the bytes that did
// reach the file are a torn tail that recovery truncates.
type syscalls interface {
	create(dir, name string) (*os.File, error)
	open(dir, name string) (*os.File, error)
	writeAt(name string, f *os.File, b []byte, off int64) error
	truncate(name string, f *os.File, size int64) error
	fdatasync(name string, f *os.File) error
	rename(dir, from, to string) error
	syncDir(dir string) error
	remove(dir, name string) error
}

// osSyscalls calls the OS.
type osSyscalls struct{}

func (osSyscalls) create(dir, name string) (*os.File, error) {
	return os.OpenFile(filepath.Join(dir, name), os.O_CREATE|os.O_TRUNC|os.O_RDWR, 0o644)
}

func (osSyscalls) open(dir, name string) (*os.File, error) {
	return os.OpenFile(filepath.Join(dir, name), os.O_RDWR, 0)
}

func (osSyscalls) writeAt(_ string, f *os.File, b []byte, off int64) error {
	return writeAtInjected(f, b, off)
}

func (osSyscalls) truncate(_ string, f *os.File, size int64) error {
	if st, err := f.Stat(); err == nil && st.Size() == size {
		return nil
	}
	return f.Truncate(size)
}

func (osSyscalls) fdatasync(_ string, f *os.File) error {
	if err := pointFdatasync.inject("fdatasync", f.Name()); err != nil {
		return err
	}
	return syscall.Fdatasync(int(f.Fd()))
}

func (osSyscalls) rename(dir, from, to string) error {
	return os.Rename(filepath.Join(dir, from), filepath.Join(dir, to))
}

func (osSyscalls) syncDir(dir string) error { return syncDir(dir) }

func (osSyscalls) remove(dir, name string) error { return os.Remove(filepath.Join(dir, name)) }
