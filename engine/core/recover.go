package core

import (
	"errors"
	"fmt"
	"sort"

	"github.com/redosim/redosim/engine/codec"
)

// Storage is what recovery and readers read: the files of one log
// directory, or the objects under one prefix. Names are relative.
type Storage interface {
	// List returns every name, sorted.
	List() ([]string, error)
	// ReadFile returns a whole file or object.
	ReadFile(name string) ([]byte, error)
}

// FileReport says what recovery found in one log file.
type FileReport struct {
	Name       string
	Type       string
	Records    int
	ValidBytes int64
	TornBytes  int64  // bytes past the valid prefix, truncated
	SealedAs   string // the sealed name, when recovery sealed a .tmp file
	Removed    bool   // an empty or headerless file, removed
	MinTs      uint64
	MaxTs      uint64
	StartLSN   LSN
	EndLSN     LSN
}

// RecoveryReport says what Recover found and what it will repair.
type RecoveryReport struct {
	Meta           Meta
	MetaFiles      []string
	MetaUnreadable []string // meta files that failed their checksum (torn by a crash)
	Files          []FileReport
	RepairOps      int
}

// ErrNoHeader marks a log file whose first valid record is not a header.
var ErrNoHeader = errors.New("engine/core: log file does not start with a header")

// Recover rebuilds an engine from storage after a crash or a clean stop.
// It takes the maximum meta over all meta files, walks every log file to
// its longest valid prefix, and plans the repairs: each .tmp file is
// rewritten from its valid prefix, truncated, synced, renamed to its sealed
// name and the directory synced; empty files are removed. Rewriting rather
// than just truncating makes the prefix durable even if an earlier fsync
// failed and the page cache holds bytes the disk never got (fsyncgate).
// The repairs are the engine's first chain; nothing else is issued until it
// completes. Corruption inside a valid region is an error that names the
// file and offset (errors.Is(err, codec.ErrCorrupt)).
func Recover(cfg Config, st Storage, sectorBytes int) (*Engine, *RecoveryReport, error) {
	e, err := New(cfg)
	if err != nil {
		return nil, nil, err
	}
	names, err := st.List()
	if err != nil {
		return nil, nil, fmt.Errorf("engine/core: recover: list: %w", err)
	}
	sort.Strings(names)
	e.uuids.seedFrom(names)
	rep := &RecoveryReport{}
	ops, err := e.recoverMeta(st, names, rep)
	if err != nil {
		return nil, nil, err
	}
	for _, name := range names {
		fn, ok := ParseFileName(name)
		if !ok || fn.CaptureID != e.cfg.CaptureID || fn.Changefeed != e.cfg.Changefeed {
			continue
		}
		fr, fops, err := e.recoverFile(st, name, fn, sectorBytes)
		if err != nil {
			return nil, nil, err
		}
		rep.Files = append(rep.Files, fr)
		ops = append(ops, fops...)
	}
	// Everything recovered is durable once the repair chain has run, and
	// the repair chain runs before anything else.
	for _, s := range []*streamLog{e.row, e.ddl} {
		s.writtenLSN, s.syncedLSN, s.ackedLSN = s.nextLSN, s.nextLSN, s.nextLSN
	}
	if len(ops) > 0 && e.cfg.Backend == BackendFile {
		ops = append(ops, Op{Kind: OpSyncDir})
	}
	if len(ops) > 0 {
		e.nextChain++
		e.pending = append(e.pending, Chain{ID: e.nextChain, Stream: streamRepair, Ops: ops})
	}
	rep.RepairOps = len(ops)
	return e, rep, nil
}

// streamRepair names the recovery chain.
const streamRepair = "repair"

// recoverMeta takes the maximum over the meta files and returns repair ops
// that make every readable meta durable: after a process crash the page
// cache may show a meta whose sync never happened, and adopting it as
// flushed would let a later power loss take the resolved ts back. Each is
// rewritten from what was read and synced (rewritten, not only synced, so
// pages an earlier failed fsync dropped as clean are written again).
func (e *Engine) recoverMeta(st Storage, names []string, rep *RecoveryReport) ([]Op, error) {
	var ops []Op
	for _, name := range names {
		if !IsMetaName(name) || e.cfg.MetaReader {
			continue
		}
		data, err := st.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("engine/core: recover: read meta %s: %w", name, err)
		}
		e.meta.files = append(e.meta.files, name)
		m, err := codec.DecodeMeta(data)
		if err != nil {
			rep.MetaUnreadable = append(rep.MetaUnreadable, name)
			continue
		}
		if e.cfg.Backend == BackendFile {
			ops = append(ops, Op{Kind: OpWrite, Path: name, Data: data}, Op{Kind: OpSync, Path: name})
		}
		rep.MetaFiles = append(rep.MetaFiles, name)
		rep.Meta.CheckpointTs = max(rep.Meta.CheckpointTs, m.CheckpointTs)
		rep.Meta.ResolvedTs = max(rep.Meta.ResolvedTs, m.ResolvedTs)
	}
	e.meta.unflushed = rep.Meta
	if len(ops) == 0 {
		e.meta.flushed = rep.Meta // objects are durable once listed
	} else {
		e.meta.recovered = rep.Meta // flushed only once the repair syncs it
	}
	return ops, nil
}

// recoverFile walks one log file and returns its report and repair ops.
func (e *Engine) recoverFile(st Storage, name string, fn FileName, sectorBytes int) (FileReport, []Op, error) {
	fr := FileReport{Name: name, Type: fn.Type}
	data, err := st.ReadFile(name)
	if err != nil {
		return fr, nil, fmt.Errorf("engine/core: recover: read %s: %w", name, err)
	}
	scan, err := ScanFile(name, data, sectorBytes)
	if err != nil {
		return fr, nil, err
	}
	if scan.Torn && e.cfg.Backend == BackendObject {
		return fr, nil, fmt.Errorf("engine/core: recover: object %s ends in a torn record at offset %d, but uploads are atomic: %w",
			name, scan.ValidBytes, codec.ErrCorrupt)
	}
	fr.Records, fr.ValidBytes, fr.TornBytes = scan.Records, scan.ValidBytes, int64(len(data))-scan.ValidBytes
	fr.MinTs, fr.MaxTs, fr.StartLSN, fr.EndLSN = scan.MinTs, scan.MaxTs, scan.StartLSN, scan.EndLSN
	s := e.row
	if fn.Type == TypeDDL {
		s = e.ddl
	}
	if scan.HasHeader {
		s.nextLSN = max(s.nextLSN, scan.EndLSN)
	}
	if scan.Records == 0 {
		fr.Removed = true
		if e.cfg.Backend == BackendObject {
			return fr, []Op{{Kind: OpDelete, Path: name}}, nil
		}
		return fr, []Op{{Kind: OpRemove, Path: name}}, nil
	}
	if !fn.Tmp && fr.TornBytes == 0 {
		s.sealed = append(s.sealed, sealedFile{name: name, maxTs: fn.Ts})
		return fr, nil, nil
	}
	// Rewrite the valid prefix so it is durable whatever an earlier failed
	// fsync left in the cache, cut the torn tail, and seal.
	valid := data[:scan.ValidBytes]
	ops := []Op{
		{Kind: OpWrite, Path: name, Data: valid},
		{Kind: OpTruncate, Path: name, Offset: scan.ValidBytes},
		{Kind: OpSync, Path: name},
	}
	final := name
	if fn.Tmp {
		sealed := fn
		sealed.Tmp, sealed.Ts = false, scan.MaxTs
		final = sealed.String()
		ops = append(ops, Op{Kind: OpRename, Path: name, NewPath: final})
		fr.SealedAs = final
	}
	s.sealed = append(s.sealed, sealedFile{name: final, maxTs: max(scan.MaxTs, fnTs(fn))})
	return fr, ops, nil
}

// fnTs is the ts a sealed name carries; for an open file it is only the
// first commitTs, so it does not bound the contents.
func fnTs(fn FileName) uint64 {
	if fn.Tmp {
		return 0
	}
	return fn.Ts
}

// Scan is what ScanFile finds in one log file.
type Scan struct {
	Records    int // data records (header excluded)
	ValidBytes int64
	Torn       bool // the file ends in a torn record (ValidBytes < len)
	HasHeader  bool
	StartLSN   LSN
	EndLSN     LSN
	MinTs      uint64
	MaxTs      uint64
}

// ScanFile walks a whole log file: its header, its records, and where its
// valid prefix ends. It returns an error wrapping codec.ErrCorrupt for
// corruption inside the valid region, and ErrNoHeader when the first record
// is not a header. A torn tail is not an error.
func ScanFile(name string, data []byte, sectorBytes int) (Scan, error) {
	var sc Scan
	w := codec.NewWalker(name, data, sectorBytes)
	first := true
	var frameBytes int64
	for w.Next() {
		rec := w.Record()
		if first {
			first = false
			if rec.Type != codec.TypeHeader {
				return sc, fmt.Errorf("%w: %s", ErrNoHeader, name)
			}
			sc.HasHeader = true
			sc.StartLSN = LSN(rec.Header.StartLSN)
			sc.ValidBytes = w.ValidBytes()
			continue
		}
		if rec.Type == codec.TypeHeader {
			return sc, fmt.Errorf("engine/core: %s: second header at offset %d: %w", name, w.Offset(), codec.ErrCorrupt)
		}
		ts := rec.CommitTs()
		if sc.Records == 0 || ts < sc.MinTs {
			sc.MinTs = ts
		}
		sc.MaxTs = max(sc.MaxTs, ts)
		sc.Records++
		frameBytes += w.ValidBytes() - sc.ValidBytes
		sc.ValidBytes = w.ValidBytes()
	}
	if err := w.Err(); err != nil {
		return sc, err
	}
	sc.Torn = w.Torn()
	sc.ValidBytes = w.ValidBytes()
	sc.EndLSN = sc.StartLSN + LSN(frameBytes)
	return sc, nil
}
