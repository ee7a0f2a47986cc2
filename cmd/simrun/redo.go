package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
)

// errCorrupt marks corruption found by redo verify or apply: exit 1.
var errCorrupt = errors.New("corruption found")

const redoUsage = `Usage:
  simrun redo gen -dir D [-rows N] [-tables T] [-policy P] [-row-bytes B] [-writers W]
                                 write a real redo log with the engine's OS driver
  simrun redo inspect D [-records]   files, meta, record counts and ts ranges
  simrun redo verify D               check every frame and checksum (exit 1 on corruption)
  simrun redo apply D [-workers N]   apply the log to an in-memory downstream; print its digest
`

func runRedo(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
		fmt.Fprint(stderr, redoUsage, exitCodesDoc)
		if len(args) == 0 {
			return usagef("redo: give a command: gen, inspect, verify or apply")
		}
		return errHelp
	}
	switch args[0] {
	case "gen":
		return redoGen(args[1:], stdout, stderr)
	case "inspect":
		return redoInspect(args[1:], stdout, stderr)
	case "verify":
		return redoVerify(args[1:], stdout, stderr)
	case "apply":
		return redoApply(args[1:], stdout, stderr)
	}
	return usagef("redo: unknown command %q (gen, inspect, verify, apply)", args[0])
}

// parseDirArgs parses flags that may come before or after the directory.
func parseDirArgs(fs *flag.FlagSet, args []string) (string, error) {
	var dir string
	rest := args
	for len(rest) > 0 {
		if err := fs.Parse(rest); err != nil {
			if err == flag.ErrHelp {
				return "", errHelp
			}
			return "", usagef("redo %s: %v", fs.Name(), err)
		}
		rest = fs.Args()
		if len(rest) > 0 {
			if dir != "" {
				return "", usagef("redo %s: one directory, got %q and %q", fs.Name(), dir, rest[0])
			}
			dir, rest = rest[0], rest[1:]
		}
	}
	if dir == "" {
		return "", usagef("redo %s: give the redo directory", fs.Name())
	}
	st, err := os.Stat(dir)
	if err != nil {
		return "", usagef("redo %s: %v", fs.Name(), err)
	}
	if !st.IsDir() {
		return "", usagef("redo %s: %s is not a directory", fs.Name(), dir)
	}
	return dir, nil
}

func redoGen(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", "", "directory to write (created)")
	rows := fs.Int("rows", 100000, "rows to write")
	tables := fs.Int("tables", 8, "tables the rows spread over")
	policy := fs.String("policy", "commit", "flush policy: commit, interval, os, none")
	rowBytes := fs.Int("row-bytes", 256, "framed bytes per row")
	writers := fs.Int("writers", 8, "concurrent appenders")
	maxLog := fs.String("max-log-size", "64MiB", "rotate files at this size")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return errHelp
		}
		return usagef("redo gen: %v", err)
	}
	if *dir == "" || fs.NArg() > 0 {
		return usagef("redo gen: give -dir D (and only flags)")
	}
	pol, err := core.ParsePolicy(*policy)
	if err != nil {
		return usagef("redo gen: -policy: %v", err)
	}
	maxBytes, err := parseSize(*maxLog)
	if err != nil || *rows < 0 || *tables < 1 || *rowBytes < 64 || *writers < 1 {
		return usagef("redo gen: -rows >= 0, -tables >= 1, -row-bytes >= 64, -writers >= 1, -max-log-size a size")
	}
	gen := redoGenerator{dir: *dir, rows: *rows, tables: *tables, rowBytes: *rowBytes, writers: *writers,
		cfg: core.Config{CaptureID: "gen", Changefeed: "redo", Policy: pol, MaxLogBytes: maxBytes}}
	return gen.run(stdout)
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	for suf, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if strings.HasSuffix(s, suf) {
			s, mult = strings.TrimSuffix(s, suf), m
		}
	}
	var n int64
	if _, err := fmt.Sscan(s, &n); err != nil || n <= 0 {
		return 0, fmt.Errorf("bad size %q", s)
	}
	return n * mult, nil
}

// redoInspect prints files, meta, record counts and ts ranges.
func redoInspect(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("inspect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	records := fs.Bool("records", false, "dump every record")
	dir, err := parseDirArgs(fs, args)
	if err != nil {
		return err
	}
	scan, err := scanDir(dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "directory %s\nmeta: checkpoint-ts %d, resolved-ts %d (%d meta files, %d unreadable)\n",
		dir, scan.meta.CheckpointTs, scan.meta.ResolvedTs, scan.metaFiles, len(scan.metaBad))
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "file\ttype\trecords\tbytes\tvalid\tmin-commit-ts\tmax-commit-ts\tstate")
	for _, f := range scan.files {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", f.name, f.typ, f.records, f.bytes, f.valid, f.minTs, f.maxTs, f.state)
	}
	tw.Flush()
	if *records {
		return dumpRecords(dir, scan, stdout)
	}
	if scan.corrupt != nil {
		return fmt.Errorf("%w: %v", errCorrupt, scan.corrupt)
	}
	return nil
}

func dumpRecords(dir string, scan *dirScan, stdout io.Writer) error {
	for _, f := range scan.files {
		data, err := os.ReadFile(dir + "/" + f.name)
		if err != nil {
			return err
		}
		w := codec.NewWalker(f.name, data, 512)
		for w.Next() {
			r := w.Record()
			switch r.Type {
			case codec.TypeRow:
				fmt.Fprintf(stdout, "%s@%d row table=%d key=%x op=%s start-ts=%d commit-ts=%d columns=%d\n",
					f.name, w.Offset(), r.Row.TableID, r.Row.Key, r.Row.Op, r.Row.StartTs, r.Row.CommitTs, len(r.Row.Columns))
			case codec.TypeDDL:
				fmt.Fprintf(stdout, "%s@%d ddl %s commit-ts=%d blocked=%v added=%v dropped=%v\n",
					f.name, w.Offset(), r.DDL.Kind, r.DDL.CommitTs, r.DDL.Blocked, r.DDL.Added, r.DDL.Dropped)
			case codec.TypeHeader:
				fmt.Fprintf(stdout, "%s@%d header start-lsn=%d\n", f.name, w.Offset(), r.Header.StartLSN)
			}
		}
	}
	return nil
}

// redoVerify checks every frame: exit 0 clean (a torn tail is reported,
// not an error), 1 corruption, 2 unusable input.
func redoVerify(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir, err := parseDirArgs(fs, args)
	if err != nil {
		return err
	}
	scan, err := scanDir(dir)
	if err != nil {
		return err
	}
	total := 0
	for _, f := range scan.files {
		total += f.records
		if f.state == "torn tail" {
			fmt.Fprintf(stdout, "%s: torn tail after %d valid bytes (%d bytes cut by a crash; not corruption)\n", f.name, f.valid, f.bytes-f.valid)
		}
	}
	for _, m := range scan.metaBad {
		fmt.Fprintf(stdout, "%s: meta file fails its checksum (a crash while writing it; the other meta files stand)\n", m)
	}
	if scan.corrupt != nil {
		fmt.Fprintf(stdout, "CORRUPT: %v\n", scan.corrupt)
		return fmt.Errorf("%w in %s: %v", errCorrupt, dir, scan.corrupt)
	}
	fmt.Fprintf(stdout, "ok: %d files, %d records, every checksum holds\n", len(scan.files), total)
	return nil
}
