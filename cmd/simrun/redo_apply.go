package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"time"

	"github.com/redosim/redosim/engine/apply"
	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/osdriver"
	"github.com/redosim/redosim/engine/reader"
)

// redoApply applies the log (rows in (checkpoint, resolved], DDLs in
// [checkpoint, resolved]) to an empty in-memory downstream and prints the
// state's digest, so two applies (serial, parallel) can be compared.
func redoApply(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("apply", flag.ContinueOnError)
	fs.SetOutput(stderr)
	workers := fs.Int("workers", 0, "parallel workers (0: serial)")
	allowLoss := fs.Bool("allow-loss", false, "apply a damaged log up to its damage (acknowledged rows may be missing)")
	dir, err := parseDirArgs(fs, args)
	if err != nil {
		return err
	}
	if *workers < 0 || *workers > apply.WorkersMax {
		return usagef("redo apply: -workers %d: want 0 (serial) to %d", *workers, apply.WorkersMax)
	}
	log, err := reader.Read(osdriver.DirStorage(dir), reader.Options{AllowLoss: *allowLoss})
	switch {
	case errors.Is(err, codec.ErrCorrupt):
		return fmt.Errorf("%w: %v (redo apply -allow-loss applies what is left)", errCorrupt, err)
	case errors.Is(err, reader.ErrNoMeta) && hasLogFiles(dir):
		return fmt.Errorf("%w: %s holds redo log files but %v: their range is unknown, nothing applied", errCorrupt, dir, err)
	case errors.Is(err, reader.ErrNoMeta):
		return usagef("redo apply: %s: %v", dir, err)
	case err != nil:
		return err
	}
	recs, err := apply.SortForApply(append(append([]codec.Record(nil), log.Rows...), log.DDLs...))
	if err != nil {
		return err
	}
	st, err := apply.NewState(apply.StateConfig{})
	if err != nil {
		return err
	}
	start := time.Now()
	var stats apply.Stats
	mode := "serial"
	if *workers == 0 {
		stats, err = apply.ApplySerial(st, recs)
	} else {
		mode = fmt.Sprintf("parallel, %d workers", *workers)
		var plan *apply.Plan
		if plan, err = apply.NewPlan(recs, apply.Config{Workers: *workers}); err == nil {
			stats, err = apply.RunParallel(st, plan)
		}
	}
	if err != nil {
		return fmt.Errorf("redo apply: %w", err)
	}
	fmt.Fprintf(stdout, "applied %d rows and %d DDLs (%s) in %s: checkpoint-ts %d, resolved-ts %d\n",
		stats.RowsApplied, stats.DDLsApplied, mode, time.Since(start).Round(time.Millisecond),
		log.Meta.CheckpointTs, log.Meta.ResolvedTs)
	fmt.Fprintf(stdout, "rows in downstream: %d\nstate digest: %016x\n", st.RowCount(), st.Digest())
	if len(log.Damages) > 0 {
		return lossReport(stdout, log, recs)
	}
	return nil
}

// lossReport says how far an -allow-loss apply got: the last commit ts
// applied against the meta's resolved ts, and each damage skipped. The
// apply still exits 1: the downstream may lack acknowledged rows.
func lossReport(stdout io.Writer, log *reader.Log, recs []codec.Record) error {
	var top uint64
	for i := range recs {
		top = max(top, recs[i].CommitTs())
	}
	fmt.Fprintf(stdout, "INCOMPLETE: applied up to commit-ts %d of resolved-ts %d; %d damaged places skipped:\n", top, log.Meta.ResolvedTs, len(log.Damages))
	for _, d := range log.Damages {
		fmt.Fprintf(stdout, "  %s\n", d)
	}
	return fmt.Errorf("%w: applied a damaged log with -allow-loss: up to commit-ts %d of resolved-ts %d, %d damaged places",
		errCorrupt, top, log.Meta.ResolvedTs, len(log.Damages))
}

// hasLogFiles reports whether dir holds a file named as a redo log.
func hasLogFiles(dir string) bool {
	names, _ := osdriver.DirStorage(dir).List()
	for _, n := range names {
		if _, ok := core.ParseFileName(n); ok {
			return true
		}
	}
	return false
}
