// Package reader reads a redo log back for apply, after TiCDC's redo
// reader (pkg/redo/reader): the meta is the maximum over every meta file;
// a log file is opened when its type matches and it is open (.log.tmp) or
// its name's max commitTs is above the checkpoint; each file is sorted and
// the files are merged k ways by (commitTs, startTs, delete < update <
// insert). Rows come in (checkpointTs, resolvedTs], DDLs in [checkpointTs,
// resolvedTs], as two ordered streams.
//
// A torn tail ends a file's valid prefix and is not an error; corruption
// inside a valid region is (errors.Is(err, codec.ErrCorrupt)), naming the
// file and offset.
//
// Usage:
//
//	log, err := reader.Read(osdriver.DirStorage("/var/redo"), reader.Options{})
//	for _, rec := range log.Rows { ... }
package reader

import (
	"container/heap"
	"errors"
	"fmt"
	"slices"
	"sort"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
)

// ErrNoMeta is returned when storage holds no readable meta file: it is not
// a redo directory, or nothing was ever flushed.
var ErrNoMeta = errors.New("engine/reader: no readable meta file")

// Options select what to read. The zero value reads everything the meta
// covers, with 512-byte sectors.
type Options struct {
	// SectorBytes is the sector size for torn-write detection. Default 512.
	SectorBytes int
	// Changefeed, when set, reads only that changefeed's files.
	Changefeed string
}

// FileInfo describes one log file the reader opened.
type FileInfo struct {
	Name     string
	Type     string
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
	// Skipped lists log files not opened because every record in them is
	// at or below the checkpoint.
	Skipped []string
	// MetaUnreadable lists meta files that failed their checksum.
	MetaUnreadable []string
}

// Read reads the log in st.
func Read(st core.Storage, opts Options) (*Log, error) {
	if opts.SectorBytes == 0 {
		opts.SectorBytes = 512
	}
	names, err := st.List()
	if err != nil {
		return nil, fmt.Errorf("engine/reader: list: %w", err)
	}
	sort.Strings(names)
	log := &Log{}
	if err := readMeta(st, names, log); err != nil {
		return nil, err
	}
	var rowRuns, ddlRuns [][]codec.Record
	for _, name := range names {
		fn, ok := core.ParseFileName(name)
		if !ok || (opts.Changefeed != "" && fn.Changefeed != opts.Changefeed) {
			continue
		}
		if !fn.Tmp && fn.Ts <= log.Meta.CheckpointTs && !(fn.Type == core.TypeDDL && fn.Ts == log.Meta.CheckpointTs) {
			log.Skipped = append(log.Skipped, name)
			continue
		}
		run, info, err := readFile(st, name, fn.Type, log.Meta, opts.SectorBytes)
		if err != nil {
			return nil, err
		}
		log.Files = append(log.Files, info)
		if fn.Type == core.TypeDDL {
			ddlRuns = append(ddlRuns, run)
		} else {
			rowRuns = append(rowRuns, run)
		}
	}
	log.Rows = merge(rowRuns)
	log.DDLs = dedupeDDLs(merge(ddlRuns))
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

func readMeta(st core.Storage, names []string, log *Log) error {
	found := false
	for _, name := range names {
		if !core.IsMetaName(name) {
			continue
		}
		data, err := st.ReadFile(name)
		if err != nil {
			return fmt.Errorf("engine/reader: read meta %s: %w", name, err)
		}
		m, err := codec.DecodeMeta(data)
		if err != nil {
			log.MetaUnreadable = append(log.MetaUnreadable, name)
			continue
		}
		found = true
		log.Meta.CheckpointTs = max(log.Meta.CheckpointTs, m.CheckpointTs)
		log.Meta.ResolvedTs = max(log.Meta.ResolvedTs, m.ResolvedTs)
	}
	if !found {
		return ErrNoMeta
	}
	if log.Meta.ResolvedTs < log.Meta.CheckpointTs {
		return fmt.Errorf("engine/reader: meta resolved ts %d is below checkpoint ts %d", log.Meta.ResolvedTs, log.Meta.CheckpointTs)
	}
	return nil
}

// readFile walks one file and returns its records in range, sorted.
func readFile(st core.Storage, name, typ string, m core.Meta, sectorBytes int) ([]codec.Record, FileInfo, error) {
	info := FileInfo{Name: name, Type: typ}
	data, err := st.ReadFile(name)
	if err != nil {
		return nil, info, fmt.Errorf("engine/reader: read %s: %w", name, err)
	}
	info.Bytes = int64(len(data))
	// About one record per 256 bytes (a row frame is 300 B on average):
	// growing a run of 200-byte records by doubling cost more than reading.
	run := make([]codec.Record, 0, len(data)/256+1)
	w := codec.NewWalker(name, data, sectorBytes)
	for w.Next() {
		rec := w.Record()
		if rec.Type == codec.TypeHeader {
			continue
		}
		ts := rec.CommitTs()
		if info.Records == 0 || ts < info.MinTs {
			info.MinTs = ts
		}
		info.MaxTs = max(info.MaxTs, ts)
		info.Records++
		if inRange(rec, m) {
			run = append(run, rec.Clone())
		}
	}
	if err := w.Err(); err != nil {
		return nil, info, err
	}
	info.Valid, info.Torn, info.Selected = w.ValidBytes(), w.Torn(), len(run)
	return sortStable(run), info, nil
}

// sortStable returns run ordered by Less, ties in file order. A file is
// usually almost sorted and its records are large, so the order is found
// on small keys (with the index as the last key, an unstable sort is
// stable) and the records are moved once.
func sortStable(run []codec.Record) []codec.Record {
	if slices.IsSortedFunc(run, func(a, b codec.Record) int { return cmpLess(&a, &b) }) {
		return run
	}
	type key struct {
		commitTs, startTs uint64
		rank              uint8 // rows by op; every other record ranks 0 and ties
		idx               int
	}
	keys := make([]key, len(run))
	for i := range run {
		k := key{commitTs: run[i].CommitTs(), idx: i}
		if run[i].Type == codec.TypeRow {
			k.startTs, k.rank = run[i].Row.StartTs, uint8(run[i].Row.Op)+1
		}
		keys[i] = k
	}
	slices.SortFunc(keys, func(a, b key) int {
		if a.commitTs != b.commitTs {
			return cmpU64(a.commitTs, b.commitTs)
		}
		if a.rank != 0 && b.rank != 0 { // both rows: Less orders by startTs, op
			if a.startTs != b.startTs {
				return cmpU64(a.startTs, b.startTs)
			}
			if a.rank != b.rank {
				return int(a.rank) - int(b.rank)
			}
		}
		return a.idx - b.idx
	})
	out := make([]codec.Record, len(run))
	for i, k := range keys {
		out[i] = run[k.idx]
	}
	return out
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpLess is Less as a three-way comparison.
func cmpLess(a, b *codec.Record) int {
	switch {
	case Less(a, b):
		return -1
	case Less(b, a):
		return 1
	}
	return 0
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

// merge k-way merges sorted runs; ties keep run order, so the result does
// not depend on anything but the inputs. O(n log k).
func merge(runs [][]codec.Record) []codec.Record {
	total := 0
	h := &runHeap{}
	for i, r := range runs {
		total += len(r)
		if len(r) > 0 {
			h.items = append(h.items, runHead{run: i})
		}
	}
	h.runs = runs
	heap.Init(h)
	out := make([]codec.Record, 0, total)
	for h.Len() > 0 {
		top := &h.items[0]
		out = append(out, runs[top.run][top.pos])
		top.pos++
		if top.pos == len(runs[top.run]) {
			heap.Pop(h)
		} else {
			heap.Fix(h, 0)
		}
	}
	return out
}

type runHead struct{ run, pos int }

type runHeap struct {
	runs  [][]codec.Record
	items []runHead
}

func (h *runHeap) Len() int { return len(h.items) }
func (h *runHeap) Less(i, j int) bool {
	a, b := &h.runs[h.items[i].run][h.items[i].pos], &h.runs[h.items[j].run][h.items[j].pos]
	if Less(a, b) {
		return true
	}
	if Less(b, a) {
		return false
	}
	return h.items[i].run < h.items[j].run
}
func (h *runHeap) Swap(i, j int) { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *runHeap) Push(x any)    { h.items = append(h.items, x.(runHead)) }
func (h *runHeap) Pop() any {
	last := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return last
}
