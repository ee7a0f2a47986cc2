package core

import (
	"errors"
	"fmt"
	"sort"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/ticdc"
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
	State      FileState
	Records    int
	ValidBytes int64
	TornBytes  int64  // bytes past the valid prefix of an open file, truncated
	SealedAs   string // the sealed name, when recovery sealed a .tmp file
	Removed    bool   // an open file with no record (zeros or a header only), removed
	MinTs      uint64
	MaxTs      uint64
	StartLSN   LSN
	EndLSN     LSN
}

// RecoveryReport says what Recover found and what it will repair.
type RecoveryReport struct {
	Meta      Meta
	MetaFiles []string
	// MetaUnfinished lists .mtmp files: meta writes a crash cut before
	// their rename. They were never part of the meta; recovery removes them.
	MetaUnfinished []string
	Files          []FileReport
	// Ignored lists files with this capture's names that recovery leaves
	// alone: another format (a TiCDC redo file), or an open file with no
	// valid frame at all.
	Ignored   []string
	RepairOps int
}

// ErrNoHeader marks a log file whose first valid record is not a header.
var ErrNoHeader = errors.New("engine/core: log file does not start with a header")

// Recover rebuilds an engine from storage after a crash or a clean stop.
// It audits the directory first (AuditStorage: this capture's log files
// and, for the meta owner, the changefeed's metas) and refuses to open,
// changing nothing, on any damage: a bad frame in a sealed file, corruption
// inside an open one, an unreadable meta, a gap in the LSNs, a log shorter
// than its meta promises. The error is a *DamageError (errors.Is
// codec.ErrCorrupt) naming each file, offset and the records at stake.
//
// Otherwise it takes the maximum meta, and plans the repairs of what a
// crash provably left: each .tmp log file is rewritten from its valid
// prefix, its torn tail (nothing valid after it) truncated, synced,
// renamed to its sealed name and the directory synced; open files holding
// no record (zeros, or a header only) and unfinished .mtmp files are
// removed. Rewriting rather than just truncating makes the prefix durable
// even if an earlier fsync failed and the page cache holds bytes the disk
// never got (fsyncgate). Files of other captures, changefeeds or formats
// are never touched. The repairs are the engine's first chain; nothing
// else is issued until it completes.
func Recover(cfg Config, st Storage, sectorBytes int) (*Engine, *RecoveryReport, error) {
	e, err := New(cfg)
	if err != nil {
		return nil, nil, err
	}
	names, err := st.List()
	if err != nil {
		return nil, nil, fmt.Errorf("engine/core: recover: list: %w", err)
	}
	e.uuids.seedFrom(names)
	audit, err := AuditStorage(st, AuditOptions{CaptureID: e.cfg.CaptureID, Changefeed: e.cfg.Changefeed,
		SectorBytes: sectorBytes, Format: e.cfg.Format})
	if err != nil {
		return nil, nil, fmt.Errorf("engine/core: recover: %w", err)
	}
	if e.cfg.MetaReader {
		// A capture that does not own the meta reads it only for the
		// checkpoint (which gaps GC explains); the meta is its owner's.
		kept := audit.Damages[:0]
		for _, d := range audit.Damages {
			if _, isMeta := ParseMetaName(d.File); !isMeta {
				kept = append(kept, d)
			}
		}
		audit.Damages = kept
	}
	if err := audit.Err("recover " + e.cfg.CaptureID + "/" + e.cfg.Changefeed); err != nil {
		return nil, nil, err
	}
	if e.cfg.Backend == BackendObject {
		for _, f := range audit.Files {
			if f.State == FileTorn {
				return nil, nil, fmt.Errorf("engine/core: recover: object %s ends in a torn record at offset %d, but uploads are atomic: %w",
					f.Name, f.Scan.ValidBytes, codec.ErrCorrupt)
			}
		}
	}
	rep := &RecoveryReport{}
	ops := e.recoverMeta(st, audit, rep)
	var sealed []FileReport
	for i := range audit.Files {
		fr, fops, err := e.recoverFile(st, &audit.Files[i], rep)
		if err != nil {
			return nil, nil, err
		}
		ops = append(ops, fops...)
		if fr.Name != "" {
			rep.Files = append(rep.Files, fr)
			if !fr.Removed {
				sealed = append(sealed, fr)
			}
		}
	}
	// GC walks each stream's sealed files oldest first (LSN order).
	sort.SliceStable(sealed, func(i, j int) bool { return sealed[i].StartLSN < sealed[j].StartLSN })
	for _, fr := range sealed {
		s := e.stream(fr.Type)
		name := fr.Name
		if fr.SealedAs != "" {
			name = fr.SealedAs
		}
		fn, _ := ParseFileName(fr.Name)
		s.sealed = append(s.sealed, sealedFile{name: name, maxTs: max(fr.MaxTs, fnTs(fn))})
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

// stream returns the stream of a log type.
func (e *Engine) stream(typ string) *streamLog {
	if typ == TypeDDL {
		return e.ddl
	}
	return e.row
}

// recoverMeta takes the maximum over the audited metas and returns repair
// ops that make every one durable: after a process crash the page cache
// may show a meta whose sync never happened, and adopting it as flushed
// would let a later power loss take the resolved ts back. Each is
// rewritten from what was read and synced (rewritten, not only synced, so
// pages an earlier failed fsync dropped as clean are written again). This
// capture's unfinished .mtmp files are removed. Metas of other
// captures of the changefeed are deleted, as TiCDC's initMeta does, only
// after the next meta is durable (they join the meta stream's old files).
func (e *Engine) recoverMeta(st Storage, audit *Audit, rep *RecoveryReport) []Op {
	var ops []Op
	if e.cfg.MetaReader {
		return nil
	}
	for _, m := range audit.Metas {
		if m.Tmp {
			if mn, _ := ParseMetaName(m.Name); mn.CaptureID == e.cfg.CaptureID {
				rep.MetaUnfinished = append(rep.MetaUnfinished, m.Name)
				ops = append(ops, e.removeOp(m.Name))
			}
			continue
		}
		e.meta.files = append(e.meta.files, m.Name)
		rep.MetaFiles = append(rep.MetaFiles, m.Name)
		rep.Meta.CheckpointTs = max(rep.Meta.CheckpointTs, m.Meta.CheckpointTs)
		rep.Meta.ResolvedTs = max(rep.Meta.ResolvedTs, m.Meta.ResolvedTs)
		if e.cfg.Backend == BackendFile {
			data := codec.EncodeMeta(nil, m.Meta)
			if e.cfg.Format == FormatTiCDC {
				data = ticdc.AppendMeta(nil, m.Meta)
			}
			ops = append(ops, Op{Kind: OpWrite, Path: m.Name, Data: data}, Op{Kind: OpSync, Path: m.Name})
		}
	}
	e.meta.unflushed = rep.Meta
	if len(ops) == 0 {
		e.meta.flushed = rep.Meta // objects are durable once listed
	} else {
		e.meta.recovered = rep.Meta // flushed only once the repair syncs it
	}
	return ops
}

// removeOp removes a file or deletes an object.
func (e *Engine) removeOp(name string) Op {
	if e.cfg.Backend == BackendObject {
		return Op{Kind: OpDelete, Path: name}
	}
	return Op{Kind: OpRemove, Path: name}
}

// recoverFile turns one audited log file into its report and repair ops;
// a file left alone gives an empty report.
func (e *Engine) recoverFile(st Storage, f *FileAudit, rep *RecoveryReport) (FileReport, []Op, error) {
	if f.State == FileNoFrame || f.State == FileOther {
		// Another format (TiCDC's and this engine's share names), or
		// bytes with no valid frame: not provably this engine's.
		rep.Ignored = append(rep.Ignored, f.Name)
		return FileReport{}, nil, nil
	}
	sc := f.Scan
	fr := FileReport{Name: f.Name, Type: f.FileName.Type, State: f.State, Records: sc.Records, ValidBytes: sc.ValidBytes,
		MinTs: sc.MinTs, MaxTs: sc.MaxTs, StartLSN: sc.StartLSN, EndLSN: sc.EndLSN}
	if f.State == FileTorn {
		fr.TornBytes = f.Size - sc.ValidBytes
	}
	s := e.stream(fr.Type)
	s.maxTs = max(s.maxTs, sc.MaxTs, sc.MaxTsBefore)
	switch {
	case sc.HasHeader:
		s.nextLSN = max(s.nextLSN, sc.EndLSN)
	case e.cfg.Format == FormatTiCDC:
		// No headers: the LSN only has to grow past what is there.
		s.nextLSN += LSN(sc.ValidBytes)
	}
	if f.FileName.Tmp && sc.Records == 0 {
		// Zeros or a header only: a file a crash left before any record
		// landed. It holds nothing; removing it loses nothing.
		fr.Removed = true
		return fr, []Op{e.removeOp(f.Name)}, nil
	}
	if !f.FileName.Tmp {
		return fr, nil, nil
	}
	// Rewrite the valid prefix so it is durable whatever an earlier failed
	// fsync left in the cache, cut the torn tail, and seal.
	data, err := st.ReadFile(f.Name)
	if err != nil {
		return fr, nil, fmt.Errorf("engine/core: recover: read %s: %w", f.Name, err)
	}
	if int64(len(data)) < sc.ValidBytes {
		return fr, nil, fmt.Errorf("engine/core: recover: %s shrank to %d bytes while recovery read it", f.Name, len(data))
	}
	ops := []Op{
		{Kind: OpWrite, Path: f.Name, Data: data[:sc.ValidBytes]},
		{Kind: OpTruncate, Path: f.Name, Offset: sc.ValidBytes},
		{Kind: OpSync, Path: f.Name},
	}
	sealed := f.FileName
	sealed.Tmp, sealed.Ts = false, sc.MaxTs
	fr.SealedAs = sealed.String()
	ops = append(ops, Op{Kind: OpRename, Path: f.Name, NewPath: fr.SealedAs})
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
	// MaxTsBefore is the header's greatest commit ts earlier in the stream.
	MaxTsBefore uint64
	EndLSN      LSN
	MinTs       uint64
	MaxTs       uint64
}

// ScanFile walks a whole log file: its header, its records, and where its
// valid prefix ends. A sealed name (.log) is walked as sealed: any bad
// frame is corruption; an open one (.log.tmp) may end in a torn tail,
// which is not an error. It returns an error wrapping codec.ErrCorrupt for
// corruption, and ErrNoHeader when the first record is not a header.
func ScanFile(name string, data []byte, sectorBytes int) (Scan, error) {
	fn, ok := ParseFileName(name)
	sc, _, err := scanLog(name, data, ok && !fn.Tmp, sectorBytes, nil)
	return sc, err
}

// scanLog walks a log file; onRec, when set, sees each data record. It
// returns the walker, for what a corruption puts at stake.
func scanLog(name string, data []byte, sealed bool, sectorBytes int, onRec func(*codec.Record)) (Scan, *codec.Walker, error) {
	var sc Scan
	w := codec.NewWalker(name, data, sectorBytes)
	if sealed {
		w = codec.NewSealedWalker(name, data, sectorBytes)
	}
	first := true
	var frameBytes int64
	for w.Next() {
		rec := w.Record()
		if first {
			first = false
			if rec.Type != codec.TypeHeader {
				return sc, nil, fmt.Errorf("%w: %s", ErrNoHeader, name)
			}
			sc.HasHeader = true
			sc.StartLSN, sc.MaxTsBefore = LSN(rec.Header.StartLSN), rec.Header.MaxTsBefore
			sc.ValidBytes = w.ValidBytes()
			continue
		}
		if rec.Type == codec.TypeHeader {
			return sc, nil, fmt.Errorf("engine/core: %s: second header at offset %d: %w", name, w.Offset(), codec.ErrCorrupt)
		}
		if onRec != nil {
			onRec(rec)
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
	sc.EndLSN = sc.StartLSN + LSN(frameBytes)
	if err := w.Err(); err != nil {
		return sc, w, err
	}
	sc.Torn = w.Torn()
	sc.ValidBytes = w.ValidBytes()
	return sc, w, nil
}
