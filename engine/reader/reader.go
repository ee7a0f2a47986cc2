// Package reader reads a redo log back for apply, after TiCDC's redo
// reader (pkg/redo/reader): the meta is the maximum over every meta file;
// each file is sorted and the files are merged k ways by (commitTs,
// startTs, delete < update < insert). Rows come in (checkpointTs,
// resolvedTs], DDLs in [checkpointTs, resolvedTs], as two ordered streams.
//
// Both formats are read: this engine's and TiCDC's (engine/ticdc: msgpack
// payloads, LogMeta, V1/V2 names, LZ4-compressed files), told apart by
// their bytes. Before anything is handed out the directory is audited
// (core.AuditStorage): every file is walked, those at or below the
// checkpoint too, since LSN continuity spans them. Any damage (a bad frame
// in a sealed file, corruption inside an open one, an unreadable meta, a
// gap in the LSNs, a log shorter than its meta promises) is an error, a
// *core.DamageError wrapping codec.ErrCorrupt, naming file, offset and
// records at stake, unless Options.AllowLoss asks for what is left; a torn
// tail of an open file is not damage.
//
// Usage:
//
//	log, err := reader.Read(osdriver.DirStorage("/var/redo"), reader.Options{})
//	for _, rec := range log.Rows { ... }
package reader

import (
	"errors"
	"fmt"
	"slices"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
)

// ErrNoMeta is returned when storage holds no readable meta file: it is not
// a redo directory, or nothing was ever flushed.
var ErrNoMeta = errors.New("engine/reader: no readable meta file")

// Options select what to read. The zero value reads everything the meta
// covers, with 512-byte sectors, and refuses a damaged log.
type Options struct {
	// SectorBytes is the sector size for torn-write detection. Default 512.
	SectorBytes int
	// Changefeed, when set, reads only that changefeed's files.
	Changefeed string
	// AllowLoss reads a damaged log anyway: each file up to its damage, the
	// damage listed in Log.Damages. The log then may lack acknowledged
	// records; say so to whoever applies it.
	AllowLoss bool
}

// FileInfo describes one log file the reader opened.
type FileInfo struct {
	Name     string
	Type     string
	State    core.FileState
	Records  int   // valid records in the file
	Selected int   // records inside the meta's range
	Bytes    int64 // file size
	Valid    int64 // valid prefix
	Torn     bool
	MinTs    uint64
	MaxTs    uint64
}

// Log is what Read returns: the meta, the selected records in apply order,
// and what each file held.
type Log struct {
	Meta  core.Meta
	Rows  []codec.Record
	DDLs  []codec.Record
	Files []FileInfo
	// Skipped lists log files whose records are all at or below the
	// checkpoint: walked for the audit, none selected.
	Skipped []string
	// Ignored lists open files with no valid frame at all.
	Ignored []string
	// Damages is what the audit found; non-empty only with AllowLoss.
	Damages []core.Damage
}

// Read reads the log in st.
func Read(st core.Storage, opts Options) (*Log, error) {
	if opts.SectorBytes == 0 {
		opts.SectorBytes = 512
	}
	log := &Log{}
	// The records in range, rows and DDLs apart, in file order (AuditStorage
	// scans the files in the order of audit.Files), and how many each file
	// gave.
	var rows, ddls []codec.Record
	selected := map[string]int{}
	var cl cloner
	var meta core.Meta
	audit, err := core.AuditStorage(st, core.AuditOptions{Changefeed: opts.Changefeed, SectorBytes: opts.SectorBytes,
		OnRecord: func(a *core.Audit, f *core.FileAudit, rec *codec.Record) {
			if !inRange(rec, a.Meta) {
				return
			}
			if f.FileName.Type == core.TypeDDL {
				ddls = append(ddls, cl.clone(rec))
			} else {
				rows = append(rows, cl.clone(rec))
			}
			selected[f.Name]++
		}})
	if err != nil {
		return nil, fmt.Errorf("engine/reader: %w", err)
	}
	if !audit.MetaFound {
		if len(audit.Damages) > 0 { // the metas are there but damaged
			return nil, fmt.Errorf("%w: %w", ErrNoMeta, audit.Err("read"))
		}
		return nil, ErrNoMeta
	}
	if err := audit.Err("read"); err != nil && !opts.AllowLoss {
		return nil, err
	}
	log.Damages = audit.Damages
	meta = audit.Meta
	log.Meta = meta
	for i := range audit.Files {
		f := &audit.Files[i]
		if f.State == core.FileNoFrame {
			log.Ignored = append(log.Ignored, f.Name)
			continue
		}
		n := selected[f.Name]
		info := FileInfo{Name: f.Name, Type: f.FileName.Type, State: f.State, Records: f.Scan.Records, Selected: n,
			Bytes: f.Size, Valid: f.Scan.ValidBytes, Torn: f.Scan.Torn, MinTs: f.Scan.MinTs, MaxTs: f.Scan.MaxTs}
		if n == 0 && f.Scan.Records > 0 && f.Scan.MaxTs <= meta.CheckpointTs {
			log.Skipped = append(log.Skipped, f.Name)
		}
		log.Files = append(log.Files, info)
	}
	log.Rows = sortStable(rows)
	log.DDLs = dedupeDDLs(sortStable(ddls))
	return log, nil
}

// dedupeDDLs drops repeated DDLs: redo is written at least once, and a
// capture restarted below its last durable DDL writes it again. A DDL's
// commit ts identifies it, so after the merge repeats are adjacent.
func dedupeDDLs(ddls []codec.Record) []codec.Record {
	out := ddls[:0]
	for i := range ddls {
		if n := len(out); n > 0 && sameDDL(&out[n-1].DDL, &ddls[i].DDL) {
			continue
		}
		out = append(out, ddls[i])
	}
	return out
}

func sameDDL(a, b *codec.DDL) bool {
	return a.CommitTs == b.CommitTs && a.StartTs == b.StartTs && a.Kind == b.Kind && a.Query == b.Query &&
		slices.Equal(a.Blocked, b.Blocked) && slices.Equal(a.Added, b.Added) && slices.Equal(a.Dropped, b.Dropped)
}

// inRange: rows in (checkpoint, resolved], DDLs in [checkpoint, resolved].
func inRange(rec *codec.Record, m core.Meta) bool {
	ts := rec.CommitTs()
	if ts > m.ResolvedTs {
		return false
	}
	if rec.Type == codec.TypeDDL {
		return ts >= m.CheckpointTs
	}
	return ts > m.CheckpointTs
}

// Less is the apply order: commitTs, then startTs, then delete < update <
// insert for rows; commitTs for DDLs.
func Less(a, b *codec.Record) bool {
	if a.CommitTs() != b.CommitTs() {
		return a.CommitTs() < b.CommitTs()
	}
	if a.Type == codec.TypeRow && b.Type == codec.TypeRow {
		if a.Row.StartTs != b.Row.StartTs {
			return a.Row.StartTs < b.Row.StartTs
		}
		return a.Row.Op < b.Row.Op
	}
	return false
}
