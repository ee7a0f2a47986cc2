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
	"github.com/redosim/redosim/engine/osdriver"
)

// errCorrupt marks corruption found by redo verify or apply: exit 1.
var errCorrupt = errors.New("corruption found")

const redoUsage = `Usage:
  simrun redo gen -dir D [-rows N] [-tables T] [-policy P] [-row-bytes B] [-writers W]
                 [-format redosim|ticdc] [-compression none|lz4] [-failpoints 'NAME=TERM;...']
                                 write a real redo log with the engine's OS driver
                                 (-failpoints, or GO_FAILPOINTS, injects disk faults in
                                 failpoint's terms: simrun -list-faults lists the points)
  simrun redo inspect D [-records]   files, meta, record counts and ts ranges
  simrun redo verify D               check every frame, meta, LSN range and the meta's promises (exit 1 on damage)
  simrun redo apply D [-workers N] [-allow-loss]
                                     apply the log to an in-memory downstream; print its digest
                                     (a damaged log is refused unless -allow-loss)
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
	format := fs.String("format", "redosim", "log format: redosim (checksummed, LSN-checked) or ticdc (TiCDC's redo format)")
	compression := fs.String("compression", "none", "ticdc format only: none or lz4 (each sealed file one LZ4 frame, as TiCDC's compression = \"lz4\")")
	failpoints := fs.String("failpoints", "", "inject disk faults: 'NAME=TERM[;NAME=TERM...]' in GO_FAILPOINTS' syntax, e.g. "+
		osdriver.FailpointFdatasync+"=return(\"EIO\") (simrun -list-faults lists the points and values)")
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
	fmtv, err := core.ParseFormat(*format)
	if err != nil {
		return usagef("redo gen: -format: %v", err)
	}
	if *compression != "none" && (*compression != "lz4" || fmtv != core.FormatTiCDC) {
		return usagef("redo gen: -compression %q: want none, or lz4 with -format ticdc", *compression)
	}
	// GO_FAILPOINTS was enabled by failpoint when the process started (a
	// term it cannot parse already ended it); check the names and values
	// here, as for the flag, which overrides it point by point.
	if _, err := osdriver.ParseFailpoints(os.Getenv("GO_FAILPOINTS")); err != nil {
		return usagef("redo gen: GO_FAILPOINTS: %v", err)
	}
	disable, err := osdriver.EnableFailpoints(*failpoints)
	if err != nil {
		return usagef("redo gen: -failpoints: %v", err)
	}
	defer disable()
	for _, env := range []string{os.Getenv("GO_FAILPOINTS"), *failpoints} {
		if env != "" {
			fmt.Fprintf(stderr, "redo gen: failpoints on: %s\n", env)
		}
	}
	gen := redoGenerator{dir: *dir, rows: *rows, tables: *tables, rowBytes: *rowBytes, writers: *writers, lz4: *compression == "lz4",
		cfg: core.Config{CaptureID: "gen", Changefeed: "redo", Policy: pol, MaxLogBytes: maxBytes, Format: fmtv}}
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
	a := scan.audit
	ok, bad := scan.metaCounts()
	fmt.Fprintf(stdout, "directory %s\nmeta: checkpoint-ts %d, resolved-ts %d (%d meta files, %d unreadable)\n",
		dir, a.Meta.CheckpointTs, a.Meta.ResolvedTs, ok, bad)
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "file\ttype\trecords\tbytes\tvalid\tstart-lsn\tend-lsn\tmin-commit-ts\tmax-commit-ts\tstate")
	for _, f := range a.Files {
		state := string(f.State)
		if f.Format != core.FormatRedosim.String() {
			state += " (" + f.Format + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%s\n", f.Name, f.FileName.Type, f.Scan.Records, f.Size,
			f.Scan.ValidBytes, f.Scan.StartLSN, f.Scan.EndLSN, f.Scan.MinTs, f.Scan.MaxTs, state)
	}
	tw.Flush()
	if *records {
		if err := dumpRecords(dir, stdout); err != nil {
			return err
		}
	}
	if err := a.Err("inspect"); err != nil {
		return fmt.Errorf("%w: %v", errCorrupt, err)
	}
	return nil
}

// dumpRecords prints every valid record of every log file.
func dumpRecords(dir string, stdout io.Writer) error {
	_, err := core.AuditStorage(osdriver.DirStorage(dir), core.AuditOptions{
		OnRecord: func(_ *core.Audit, f *core.FileAudit, r *codec.Record) {
			switch r.Type {
			case codec.TypeRow:
				fmt.Fprintf(stdout, "%s row table=%d key=%x op=%s start-ts=%d commit-ts=%d columns=%d\n",
					f.Name, r.Row.TableID, r.Row.Key, r.Row.Op, r.Row.StartTs, r.Row.CommitTs, len(r.Row.Columns))
			case codec.TypeDDL:
				fmt.Fprintf(stdout, "%s ddl %s commit-ts=%d blocked=%v added=%v dropped=%v\n",
					f.Name, r.DDL.Kind, r.DDL.CommitTs, r.DDL.Blocked, r.DDL.Added, r.DDL.Dropped)
			}
		}})
	return err
}

// redoVerify checks every frame, meta, LSN range and the meta's promises:
// exit 0 clean (a torn tail of an open file is reported, not an error), 1
// damage or no readable meta, 2 unusable input.
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
	a := scan.audit
	total := 0
	for _, f := range a.Files {
		total += f.Scan.Records
		switch f.State {
		case core.FileTorn:
			fmt.Fprintf(stdout, "%s: torn tail after %d valid bytes (%d bytes of an open file cut by a crash, nothing valid after them; not corruption)\n",
				f.Name, f.Scan.ValidBytes, f.Size-f.Scan.ValidBytes)
		case core.FileEmpty, core.FileNoFrame:
			fmt.Fprintf(stdout, "%s: open file with no record (%s): a crash before its first write landed\n", f.Name, f.State)
		}
	}
	for _, m := range a.Metas {
		if m.Tmp {
			fmt.Fprintf(stdout, "%s: unfinished meta write (never renamed into place; not part of the meta)\n", m.Name)
		}
	}
	var problems []string
	for _, d := range a.Damages {
		problems = append(problems, d.String())
	}
	if !a.MetaFound {
		problems = append(problems, "no readable meta file: the log's checkpoint and resolved ts are unknown")
	}
	if len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintf(stdout, "CORRUPT: %s\n", p)
		}
		return fmt.Errorf("%w in %s: %d problems:\n  %s", errCorrupt, dir, len(problems), strings.Join(problems, "\n  "))
	}
	ticdcFiles := 0
	for _, f := range a.Files {
		if f.Format != core.FormatRedosim.String() {
			ticdcFiles++
		}
	}
	if ticdcFiles > 0 {
		fmt.Fprintf(stdout, "ok: %d files, %d records, every frame decodes (%d files in TiCDC's format: no checksum and no LSNs, so damage that still decodes and a missing file cannot be seen in them)\n",
			len(a.Files), total, ticdcFiles)
		return nil
	}
	fmt.Fprintf(stdout, "ok: %d files, %d records, every checksum holds, LSNs contiguous, the meta's promises kept\n", len(a.Files), total)
	return nil
}
