package disk

import (
	"errors"
	"fmt"
	iofs "io/fs"
)

// diskError is a sentinel of this package. Its message carries the package
// prefix; when it is wrapped in a PathError the prefix is printed once, in
// front of the operation. class, when set, is a standard library error the
// sentinel also matches under errors.Is (io/fs.ErrNotExist and friends).
type diskError struct {
	msg   string
	class error
}

// Error returns the message with the package prefix.
func (e *diskError) Error() string { return "sim/disk: " + e.msg }

// Is reports whether target is the standard error this sentinel stands for.
func (e *diskError) Is(target error) bool { return e.class != nil && target == e.class }

var (
	// ErrNotExist is returned for a path that does not exist; errors.Is
	// also matches io/fs.ErrNotExist.
	ErrNotExist error = &diskError{msg: "file does not exist", class: iofs.ErrNotExist}
	// ErrExist is returned when a path exists and must not; errors.Is also
	// matches io/fs.ErrExist.
	ErrExist error = &diskError{msg: "file already exists", class: iofs.ErrExist}
	// ErrInvalid is returned for a bad argument (negative offset, empty
	// path, removing the root); errors.Is also matches io/fs.ErrInvalid.
	ErrInvalid error = &diskError{msg: "invalid argument", class: iofs.ErrInvalid}
	// ErrNoSpace is ENOSPC: a write would grow the files beyond the
	// capacity, or the sim/disk/enospc fault point fired.
	ErrNoSpace error = &diskError{msg: "no space left on device"}
	// ErrIO is EIO from fsync/fdatasync: writeback of the file's dirty
	// pages failed and they were dropped (see InjectWritebackError).
	ErrIO error = &diskError{msg: "input/output error"}
	// ErrReadError is a latent sector error: a read touched a sector the
	// medium cannot return (see AddLatentReadError).
	ErrReadError error = &diskError{msg: "unrecoverable read error"}
	// ErrCrashed is returned by every method of an FS after Crash was
	// called on it: stale handles to a crashed file system fail loudly.
	ErrCrashed error = &diskError{msg: "file system has crashed"}
	// ErrIsDir is returned when a file operation names a directory.
	ErrIsDir error = &diskError{msg: "is a directory"}
	// ErrNotDir is returned when a directory operation or a path
	// component names a file.
	ErrNotDir error = &diskError{msg: "not a directory"}
	// ErrNotEmpty is returned by Remove of a directory that has entries.
	ErrNotEmpty error = &diskError{msg: "directory not empty"}
)

// PathError records a failed operation with the path (and offset) it
// concerned, e.g. "sim/disk: write /foo.log at 4096: no space left on
// device". Err is one of the package's sentinels; test it with errors.Is.
type PathError struct {
	// Op is the operation: "write", "append", "read", "sync", "rename"...
	Op string
	// Path is the cleaned path the operation named.
	Path string
	// NewPath is the target of a rename, else empty.
	NewPath string
	// Off is the byte offset of a read or write, or -1 when none applies.
	Off int64
	// Err is the cause.
	Err error
}

// Error formats the error with the package prefix once.
func (e *PathError) Error() string {
	msg := e.Err.Error()
	var d *diskError
	if errors.As(e.Err, &d) && d == e.Err {
		msg = d.msg
	}
	target := e.Path
	if e.NewPath != "" {
		target += " to " + e.NewPath
	}
	if e.Off >= 0 {
		return fmt.Sprintf("sim/disk: %s %s at %d: %s", e.Op, target, e.Off, msg)
	}
	return fmt.Sprintf("sim/disk: %s %s: %s", e.Op, target, msg)
}

// Unwrap returns the cause.
func (e *PathError) Unwrap() error { return e.Err }

func pathError(op, path string, err error) error {
	return &PathError{Op: op, Path: path, Off: -1, Err: err}
}

func offsetError(op, path string, off int64, err error) error {
	return &PathError{Op: op, Path: path, Off: off, Err: err}
}

// errorCode maps an error to a small number for trace digests: 0 for nil,
// the sentinel's position for a sentinel, 255 for anything else.
func errorCode(err error) uint64 {
	if err == nil {
		return 0
	}
	for i, s := range []error{ErrNotExist, ErrExist, ErrInvalid, ErrNoSpace, ErrIO,
		ErrReadError, ErrCrashed, ErrIsDir, ErrNotDir, ErrNotEmpty} {
		if errors.Is(err, s) {
			return uint64(i + 1)
		}
	}
	return 255
}
