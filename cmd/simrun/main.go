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
//
// Exit codes: 0 every invariant held; 1 an invariant was violated; 2 bad
// usage or configuration.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Exit codes.
const (
	exitOK        = 0
	exitViolation = 1
	exitUsage     = 2
)

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
	case len(args) > 0 && args[0] == "report":
		err = runReport(args[1:], stdout, stderr)
	default:
		err = runScenarios(args, stdout, stderr)
	}
	return exitCode(err, stderr)
}

func exitCode(err error, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	var ue *usageError
	var ve *violationError
	switch {
	case errors.Is(err, errHelp):
		return exitOK
	case errors.As(err, &ue):
		fmt.Fprintln(stderr, "simrun:", err)
		return exitUsage
	case errors.As(err, &ve):
		fmt.Fprintln(stderr, "simrun:", err)
		return exitViolation
	case errors.Is(err, errCorrupt):
		fmt.Fprintln(stderr, "simrun:", err)
		return exitViolation
	}
	fmt.Fprintln(stderr, "simrun:", err)
	return exitUsage
}

// errHelp ends a run that printed help.
var errHelp = errors.New("help")
