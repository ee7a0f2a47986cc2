package core

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/ticdc"
)

// Damage is one place where a redo directory fails its checks: synced
// bytes that are not what was written, or synced records that are gone.
// Recovery refuses to open on any damage, readers refuse to read unless
// told to take what is left, and `simrun redo verify` exits 1 naming each.
type Damage struct {
	// File is the log or meta file the damage is in, or "a .. b" for a
	// range missing between two files.
	File string
	// Offset is the byte offset in File where the damage starts, or -1 when
	// it is not inside one file.
	Offset int64
	// Reason says which check failed.
	Reason string
	// Records is how many records at least are at stake (the damaged one
	// and every valid one found after it; frames the damage itself spans
	// cannot be counted), or -1 when not known (a missing range).
	Records int
	// Bytes is how many bytes are at stake.
	Bytes int64
}

// String describes the damage on one line.
func (d Damage) String() string {
	var b strings.Builder
	b.WriteString(d.File)
	if d.Offset >= 0 {
		fmt.Fprintf(&b, " at offset %d", d.Offset)
	}
	b.WriteString(": ")
	b.WriteString(d.Reason)
	switch {
	case d.Records >= 0:
		fmt.Fprintf(&b, " (at least %d records, %d bytes at stake)", d.Records, d.Bytes)
	case d.Bytes > 0:
		fmt.Fprintf(&b, " (%d bytes of records at stake)", d.Bytes)
	}
	return b.String()
}

// DamageError is the refusal to use a damaged directory: every damage
// found. It wraps codec.ErrCorrupt.
type DamageError struct {
	// Op is what was refused, e.g. "recover" or "read".
	Op      string
	Damages []Damage
}

// Error lists the damages, one a line after the first.
func (e *DamageError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "engine/core: %s: %d damaged places (synced redo data lost or corrupt; nothing was changed)", e.Op, len(e.Damages))
	for _, d := range e.Damages {
		b.WriteString("\n  ")
		b.WriteString(d.String())
	}
	return b.String()
}

// Unwrap returns codec.ErrCorrupt.
func (e *DamageError) Unwrap() error { return codec.ErrCorrupt }

// FileState is what an audit found a log file to be.
type FileState string

// The file states.
const (
	FileSealed  FileState = "sealed"         // a sealed file, every frame valid
	FileOpen    FileState = "open"           // an open (.tmp) file, every frame valid
	FileTorn    FileState = "torn tail"      // an open file ending in a torn record
	FileCorrupt FileState = "CORRUPT"        // a bad frame where no crash can explain it
	FileEmpty   FileState = "empty"          // an open file of zeros only: a create whose data never landed
	FileNoFrame FileState = "no valid frame" // an open file with bytes but no valid frame at all
	FileOther   FileState = "other format"   // not walked: the audit asked for one format only
)

// FileAudit is what an audit found in one log file.
type FileAudit struct {
	Name     string
	FileName FileName
	Size     int64
	State    FileState
	Scan     Scan
	// Format is the file's format: "redosim", "ticdc", or "ticdc+lz4" for
	// an LZ4-compressed TiCDC file (its Scan counts decompressed bytes).
	Format string
}

// MetaAudit is one meta file.
type MetaAudit struct {
	Name      string
	CaptureID string
	// Tmp marks a .mtmp: a meta write that never reached its rename.
	Tmp bool
	// Format is "redosim" or "ticdc" (a LogMeta).
	Format string
	Meta   codec.Meta
	// Err is why the meta does not decode, or nil.
	Err error
}

// AuditOptions select what an audit looks at.
type AuditOptions struct {
	// CaptureID and Changefeed, when set, restrict the log files walked;
	// Changefeed restricts the metas too.
	CaptureID, Changefeed string
	// SkipMetas leaves meta files out (a capture that does not own the
	// meta).
	SkipMetas bool
	// Format, when set, walks only files and metas of that format; the
	// others are listed as FileOther (files) or left out (metas), unchecked.
	Format Format
	// SectorBytes is the sector size for torn-write detection; 0 means
	// codec.DefaultSectorBytes.
	SectorBytes int
	// OnRecord, when set, is called with every valid data record of every
	// walked file, in file order; rec is valid only during the call. The
	// metas are read before any log file, so a.Meta is final by then.
	OnRecord func(a *Audit, f *FileAudit, rec *codec.Record)
}

// Audit is what AuditStorage found.
type Audit struct {
	Metas []MetaAudit
	// Meta is the maximum over the readable metas; MetaFound says whether
	// there was one.
	Meta      Meta
	MetaFound bool
	Files     []FileAudit
	Damages   []Damage
}

// Err returns a *DamageError for op when the audit found damage, else nil.
func (a *Audit) Err(op string) error {
	if len(a.Damages) == 0 {
		return nil
	}
	return &DamageError{Op: op, Damages: a.Damages}
}

// AuditStorage reads every meta and every selected log file in st and
// checks them: each frame (a sealed file may not have a single bad one;
// an open file only a torn tail with nothing valid after it), each meta's
// checksum and that its resolved ts is not below its checkpoint, LSN
// continuity across each capture's files of one type (every file starts
// where the one before ended: a gap is a missing file), and that each
// capture's logs reach the LSNs its metas promise. It changes nothing. The
// error is for listing and reading only; damage is in Audit.Damages.
func AuditStorage(st Storage, opts AuditOptions) (*Audit, error) {
	names, err := st.List()
	if err != nil {
		return nil, fmt.Errorf("engine/core: list: %w", err)
	}
	sort.Strings(names)
	a := &Audit{}
	for _, name := range names {
		mn, ok := ParseMetaName(name)
		if ok && !opts.SkipMetas && (opts.Changefeed == "" || mn.Changefeed == opts.Changefeed) {
			if err := a.readMeta(st, name, mn, opts.Format); err != nil {
				return nil, err
			}
		}
	}
	for _, name := range names {
		fn, ok := ParseFileName(name)
		if !ok || (opts.CaptureID != "" && fn.CaptureID != opts.CaptureID) ||
			(opts.Changefeed != "" && fn.Changefeed != opts.Changefeed) {
			continue
		}
		data, err := st.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("engine/core: read %s: %w", name, err)
		}
		a.Files = append(a.Files, FileAudit{Name: name, FileName: fn, Size: int64(len(data))})
		f := &a.Files[len(a.Files)-1]
		if format := dataFormat(data); opts.Format != 0 && format != opts.Format {
			f.State, f.Format = FileOther, format.String()
			continue
		}
		var onRec func(*codec.Record)
		if opts.OnRecord != nil {
			onRec = func(r *codec.Record) { opts.OnRecord(a, f, r) }
		}
		if d := auditFile(f, data, opts.SectorBytes, onRec); d != nil {
			a.Damages = append(a.Damages, *d)
		}
	}
	a.checkContinuity()
	a.checkMetaLSNs(opts.CaptureID)
	return a, nil
}

// readMeta decodes one meta file into the audit.
func (a *Audit) readMeta(st Storage, name string, mn MetaFileName, only Format) error {
	ma := MetaAudit{Name: name, CaptureID: mn.CaptureID, Tmp: mn.Tmp}
	if mn.Tmp {
		a.Metas = append(a.Metas, ma)
		return nil
	}
	data, err := st.ReadFile(name)
	if err != nil {
		return fmt.Errorf("engine/core: read meta %s: %w", name, err)
	}
	if only != 0 && (only == FormatTiCDC) != ticdc.IsMeta(data) {
		return nil // another format's meta
	}
	if ticdc.IsMeta(data) {
		ma.Format = FormatTiCDC.String()
		ma.Meta, ma.Err = ticdc.DecodeMeta(data)
	} else {
		ma.Format = FormatRedosim.String()
		ma.Meta, ma.Err = codec.DecodeMeta(data)
	}
	a.Metas = append(a.Metas, ma)
	switch {
	case ma.Err != nil:
		a.Damages = append(a.Damages, Damage{File: name, Offset: 0, Records: -1, Bytes: int64(len(data)),
			Reason: fmt.Sprintf("meta is unreadable (%v); a meta is synced before it is renamed into place, so no crash explains it", ma.Err)})
	case ma.Meta.ResolvedTs < ma.Meta.CheckpointTs:
		a.Damages = append(a.Damages, Damage{File: name, Offset: -1, Records: -1,
			Reason: fmt.Sprintf("meta resolved ts %d is below its checkpoint ts %d", ma.Meta.ResolvedTs, ma.Meta.CheckpointTs)})
	default:
		a.MetaFound = true
		a.Meta.CheckpointTs = max(a.Meta.CheckpointTs, ma.Meta.CheckpointTs)
		a.Meta.ResolvedTs = max(a.Meta.ResolvedTs, ma.Meta.ResolvedTs)
	}
	return nil
}

// dataFormat tells a log file's format by its bytes.
func dataFormat(data []byte) Format {
	if ticdc.Detect(data) {
		return FormatTiCDC
	}
	return FormatRedosim
}

// auditFile walks one log file into f and returns its damage, if any.
func auditFile(f *FileAudit, data []byte, sectorBytes int, onRec func(*codec.Record)) *Damage {
	sealed := !f.FileName.Tmp
	if dataFormat(data) == FormatTiCDC {
		return auditTiCDC(f, data, sealed, sectorBytes, onRec)
	}
	f.Format = FormatRedosim.String()
	sc, w, err := scanLog(f.Name, data, sealed, sectorBytes, onRec)
	f.Scan = sc
	if !sc.HasHeader {
		switch {
		case !sealed && codec.AllZero(data):
			f.State = FileEmpty
			return nil
		case !sealed && err == nil:
			f.State = FileNoFrame
			return nil
		}
		if err == nil || errors.Is(err, ErrNoHeader) {
			f.State = FileCorrupt
			reason := "the file does not start with a redo header record, and it is no known format"
			if sealed && len(data) == 0 {
				reason = "a sealed log file is empty"
			}
			return &Damage{File: f.Name, Offset: 0, Records: -1, Bytes: int64(len(data)), Reason: reason}
		}
	}
	return f.classify(err, w, sealed, len(data))
}

// auditTiCDC walks a TiCDC-format file: decompressed first when it is an
// LZ4 frame (written whole, so treated as sealed), then frames of msgpack
// payloads with no header.
func auditTiCDC(f *FileAudit, data []byte, sealed bool, sectorBytes int, onRec func(*codec.Record)) *Damage {
	f.Format = FormatTiCDC.String()
	var lz4Err error
	if ticdc.IsLZ4(data) {
		f.Format += "+lz4"
		data, lz4Err = ticdc.Decompress(data)
		sealed = true
	}
	w := codec.NewFormatWalker(f.Name, data, sectorBytes, sealed, ticdc.Format)
	sc := &f.Scan
	for w.Next() {
		rec := w.Record()
		if onRec != nil {
			onRec(rec)
		}
		ts := rec.CommitTs()
		if sc.Records == 0 || ts < sc.MinTs {
			sc.MinTs = ts
		}
		sc.MaxTs = max(sc.MaxTs, ts)
		sc.Records++
	}
	sc.ValidBytes, sc.Torn = w.ValidBytes(), w.Torn()
	if lz4Err != nil {
		f.State = FileCorrupt
		return &Damage{File: f.Name, Offset: -1, Records: -1, Reason: lz4Err.Error()}
	}
	return f.classify(w.Err(), w, sealed, len(data))
}

// classify sets f's state from the walk's outcome and returns the damage
// a corruption is.
func (f *FileAudit) classify(err error, w *codec.Walker, sealed bool, size int) *Damage {
	sc := f.Scan
	switch {
	case err != nil:
		f.State = FileCorrupt
		d := &Damage{File: f.Name, Offset: sc.ValidBytes, Reason: err.Error(), Records: -1, Bytes: int64(size) - sc.ValidBytes}
		var ce *codec.Error
		if errors.As(err, &ce) {
			d.Reason = ce.Reason
			if ce.Offset >= 0 {
				d.Offset = ce.Offset
			}
		}
		if w != nil {
			d.Records, d.Bytes = w.AtStake()
		}
		return d
	case sc.Torn:
		f.State = FileTorn
	case sealed:
		f.State = FileSealed
	default:
		f.State = FileOpen
	}
	return nil
}

// streamKey names one capture's log stream of one type.
func streamKey(fn FileName) string {
	return fn.CaptureID + "_" + fn.Changefeed + "_" + fn.Type
}

// hasLSNs reports whether the file's LSN range is known: it starts with a
// header and it is not corrupt.
func (f *FileAudit) hasLSNs() bool { return f.Scan.HasHeader && f.State != FileCorrupt }

// checkContinuity checks that each stream's files, in LSN order, leave no
// LSN range uncovered that may hold records at or above the checkpoint.
func (a *Audit) checkContinuity() {
	streams := map[string][]*FileAudit{}
	var keys []string
	for i := range a.Files {
		f := &a.Files[i]
		if !f.Scan.HasHeader {
			continue
		}
		k := streamKey(f.FileName)
		if streams[k] == nil {
			keys = append(keys, k)
		}
		streams[k] = append(streams[k], f)
	}
	sort.Strings(keys)
	for _, k := range keys {
		files := streams[k]
		sort.SliceStable(files, func(i, j int) bool { return files[i].Scan.StartLSN < files[j].Scan.StartLSN })
		// Files of a restarted capture may overlap an earlier life's (an
		// upload in flight at a crash lands after the restart): records
		// twice, none lost. Only a gap behind the reach so far is loss.
		reach, known := files[0].Scan.EndLSN, files[0].hasLSNs()
		for i := 1; i < len(files); i++ {
			f := files[i]
			// GC takes files below the checkpoint, oldest first, and a
			// restarted capture may leave an upload that landed after its
			// crash behind its new files: a gap before f loses nothing
			// when every record before f is below the checkpoint.
			collectable := a.MetaFound && f.Scan.MaxTsBefore < a.Meta.CheckpointTs
			if known && f.Scan.StartLSN > reach && !collectable {
				a.Damages = append(a.Damages, Damage{File: files[i-1].Name + " .. " + f.Name, Offset: -1, Records: -1,
					Bytes: int64(f.Scan.StartLSN - reach),
					Reason: fmt.Sprintf("LSN range [%d, %d) is missing: the files before end at LSN %d but %s starts at %d (a log file was deleted or cut)",
						reach, f.Scan.StartLSN, reach, f.Name, f.Scan.StartLSN)})
			}
			if !f.hasLSNs() {
				known = false // its end is not known; its damage is reported already
				continue
			}
			if !known || f.Scan.EndLSN > reach {
				reach = f.Scan.EndLSN
			}
			known = true
		}
	}
}

// checkMetaLSNs checks that each meta's capture's logs reach the LSNs the
// meta promises durable; only captures the audit walked (capture, or all
// when capture is "").
func (a *Audit) checkMetaLSNs(capture string) {
	for _, m := range a.Metas {
		if m.Tmp || m.Err != nil || (capture != "" && m.CaptureID != capture) {
			continue
		}
		mn, _ := ParseMetaName(m.Name)
		for _, s := range []struct {
			typ string
			lsn uint64
		}{{TypeRow, m.Meta.RowLSN}, {TypeDDL, m.Meta.DDLLSN}} {
			if s.lsn == 0 {
				continue
			}
			end, last, known := a.streamEnd(m.CaptureID, mn.Changefeed, s.typ)
			if known && uint64(end) < s.lsn {
				where := "has no file"
				if last != "" {
					where = fmt.Sprintf("ends at LSN %d in %s", end, last)
				}
				a.Damages = append(a.Damages, Damage{File: m.Name, Offset: -1, Records: -1, Bytes: int64(s.lsn - uint64(end)),
					Reason: fmt.Sprintf("the %s log of capture %s %s, but this meta (resolved ts %d) promises it durable up to LSN %d: LSN range [%d, %d) is missing",
						s.typ, m.CaptureID, where, m.Meta.ResolvedTs, s.lsn, end, s.lsn)})
			}
		}
	}
}

// streamEnd returns the end LSN of a stream and the file it ends in;
// known is false when one of its files is corrupt (the end is not known,
// and the corruption is reported already).
func (a *Audit) streamEnd(capture, changefeed, typ string) (end LSN, last string, known bool) {
	for i := range a.Files {
		f := &a.Files[i]
		if f.FileName.CaptureID != capture || f.FileName.Changefeed != changefeed || f.FileName.Type != typ {
			continue
		}
		if f.State == FileCorrupt {
			return 0, "", false
		}
		if f.Scan.HasHeader && (last == "" || f.Scan.EndLSN >= end) {
			end, last = f.Scan.EndLSN, f.Name
		}
	}
	return end, last, true
}
