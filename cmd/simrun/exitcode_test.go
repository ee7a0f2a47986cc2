package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"testing"

	"github.com/redosim/redosim/results"
)

// TestExitCodeClasses: each class of error maps to its documented exit
// code, through any number of %w wraps, and an error of no known class is
// an internal failure (3), not bad usage. Method: a table of errors built
// the way the commands build them.
func TestExitCodeClasses(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("report: %w", err) }
	path := func(op string, errno error) error { return &fs.PathError{Op: op, Path: "/x", Err: errno} }
	cases := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, exitOK},
		{"help", errHelp, exitOK},
		{"violation", &violationError{msg: "1 of the worlds violated an invariant"}, exitViolation},
		{"corruption", fmt.Errorf("%w in /d: bad frame", errCorrupt), exitViolation},
		{"usage", wrap(usagef("-seeds 0: want at least 1")), exitUsage},
		{"no results", wrap(fmt.Errorf("%w: /d", results.ErrNoResults)), exitUsage},
		{"invalid results", wrap(fmt.Errorf("%w: world x appears twice", results.ErrInvalid)), exitUsage},
		{"missing path", wrap(path("open", syscall.ENOENT)), exitUsage},
		{"out is a file", wrap(path("mkdir", syscall.ENOTDIR)), exitUsage},
		{"not writable", wrap(path("open", syscall.EACCES)), exitUsage},
		{"disk full", wrap(path("write", syscall.ENOSPC)), exitInternal},
		{"I/O error", wrap(path("write", syscall.EIO)), exitInternal},
		{"world error", fmt.Errorf("world smoke/default seed 1: %w", errors.New("sim: loop exceeded its step bound")), exitInternal},
	}
	for _, c := range cases {
		var stderr bytes.Buffer
		if got := exitCode(c.err, &stderr); got != c.want {
			t.Errorf("%s: exitCode(%v) = %d, want %d", c.name, c.err, got, c.want)
		}
		if c.want == exitInternal && !strings.Contains(stderr.String(), "internal failure") {
			t.Errorf("%s: stderr %q does not say internal failure", c.name, stderr.String())
		}
	}
}

// TestUsageListsExitCodes: the usage texts document every exit code.
func TestUsageListsExitCodes(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"redo", "-h"}} {
		r := run1(t, exitOK, args...)
		r.stderrHas(t, "Exit codes:", "  0  ", "  1  ", "  2  ", "  3  internal failure")
	}
}
