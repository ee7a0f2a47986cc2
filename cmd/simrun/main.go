// Command simrun runs the redo simulation harness: named scenarios under a
// virtual clock, campaigns over seeds and variants, reports, and tools for
// real redo logs.
//
//	simrun -list                                  the scenarios
//	simrun -describe syncpoint                    parameters, variants, metrics, invariants
//	simrun -scenario syncpoint -seeds 5 -out out  run and write a report
//	simrun -replay repro.json                     replay a failing world exactly
//	simrun report -out DIR DIR...                 merge results into a new directory and report them
//	simrun redo gen|inspect|verify|apply ...      real redo logs on the OS file system
//	simrun bench-world                            the world benchmark ladder
//	simrun mutants [-slips a,b] [-worlds N]       the mutation harness: which checker catches each slip
//
// Exit codes: 0 every invariant held; 1 an invariant was violated (or redo
// verify found corruption); 2 bad usage, configuration or input; 3 an
// internal failure.
package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"

	"github.com/redosim/redosim/results"
)

// Exit codes.
const (
	exitOK        = 0
	exitViolation = 1
	exitUsage     = 2
	exitInternal  = 3
)

// exitCodesDoc ends every usage text.
const exitCodesDoc = `
Exit codes:
  0  success: every invariant held
  1  an invariant was violated (the replay command is printed), or redo verify/apply found corruption
  2  bad usage, configuration or input: the flag, key, file or directory is named
  3  internal failure: the harness itself failed (a world ended in error, output could not be
     written, a bug); the message says what failed
`

// usageError is a bad flag, argument or configuration: exit 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// violationError means a world broke an invariant: exit 1.
type violationError struct{ msg string }

func (e *violationError) Error() string { return e.msg }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit code.
func run(args []string, stdout, stderr io.Writer) int {
	var err error
	switch {
	case len(args) > 0 && args[0] == "redo":
		err = runRedo(args[1:], stdout, stderr)
	case len(args) > 0 && args[0] == "bench-world":
		err = runBenchWorld(args[1:], stdout, stderr)
	case len(args) > 0 && args[0] == "mutants":
		err = runMutants(args[1:], stdout, stderr)
	case len(args) > 0 && args[0] == "report":
		err = runReport(args[1:], stdout, stderr)
	default:
		err = runScenarios(args, stdout, stderr)
	}
	return exitCode(err, stderr)
}

// exitCode prints err and maps it to the exit code of its class; an error
// of no known class is an internal failure.
func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var ue *usageError
	var ve *violationError
	switch {
	case errors.Is(err, errHelp):
		return exitOK
	case errors.As(err, &ue), badInput(err):
		fmt.Fprintln(stderr, "simrun:", err)
		return exitUsage
	case errors.As(err, &ve):
		fmt.Fprintln(stderr, "simrun:", err)
		return exitViolation
	case errors.Is(err, errCorrupt):
		fmt.Fprintln(stderr, "simrun:", err)
		return exitViolation
	}
	fmt.Fprintln(stderr, "simrun: internal failure:", err)
	return exitInternal
}

// badInput reports whether err, though not a usageError, is about the
// input: results directories that cannot be read as one campaign, or a
// path named on the command line that does not exist, already exists, is
// not a directory, is one, or may not be used. Other I/O errors (no space,
// EIO) are internal failures.
func badInput(err error) bool {
	if errors.Is(err, results.ErrNoResults) || errors.Is(err, results.ErrInvalid) {
		return true
	}
	var pe *fs.PathError
	if !errors.As(err, &pe) {
		return false
	}
	return errors.Is(pe.Err, fs.ErrNotExist) || errors.Is(pe.Err, fs.ErrExist) || errors.Is(pe.Err, fs.ErrPermission) ||
		errors.Is(pe.Err, syscall.ENOTDIR) || errors.Is(pe.Err, syscall.EISDIR)
}

// errHelp ends a run that printed help.
var errHelp = errors.New("help")
