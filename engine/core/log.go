package core

import (
	"fmt"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/sim"
)

// LSN is a byte position in a log stream: the sum of the frame sizes of
// every record appended before. File headers are not counted, so an LSN does
// not depend on where files rotate.
type LSN uint64

// fileState is one log file (or object) from creation to sealing.
type fileState struct {
	name         FileName // the open name (Tmp) with Ts = first commitTs
	startLSN     LSN
	sizeBytes    int64 // bytes assigned to the file, header included
	writtenBytes int64 // bytes handed to write ops issued so far
	minTs, maxTs uint64
	records      int
	created      bool // a create op has been issued
	dirDurable   bool // its directory entry survives a crash
	sealing      bool // rotation decided: seal once its data is written
}

// finalName is the sealed name: the file's max commitTs, no .tmp.
func (f *fileState) finalName() string {
	n := f.name
	n.Tmp = false
	n.Ts = f.maxTs
	return n.String()
}

// sealedFile is a sealed log file known to the log, for GC.
type sealedFile struct {
	name  string
	maxTs uint64
}

// segment is encoded data waiting to be written to one file.
type segment struct {
	file   *fileState
	data   []byte
	endLSN LSN
}

// streamLog is the writer state machine of one log stream (rows or DDLs).
// It buffers encoded records in segments (one per file), decides rotation,
// and builds the chain of ops that writes, syncs and seals them. At most one
// chain is in flight; appends during it are batched into the next one, which
// is group commit.
type streamLog struct {
	typ     string
	cfg     *Config
	policy  Policy
	uuids   *uuidSource
	nextLSN LSN // end of the last append
	// writtenLSN, syncedLSN and ackedLSN only grow: written to the OS,
	// durable, acknowledged under the policy.
	writtenLSN, syncedLSN, ackedLSN LSN
	segs                            []*segment
	cur                             *fileState
	sealed                          []sealedFile
	scratch                         []byte
	rowsPending                     int
	flushWanted                     bool
	nextFlushAt                     sim.Instant
	inflight                        *pendingChain
	failed                          error
	stats                           StreamStats
	// segCapHint is the size the last flushed segment reached: new
	// segments start with that capacity instead of growing from empty.
	segCapHint int
	// Planted bugs, set only by tests (export_test.go).
	plantAckBeforeSync bool
	plantSkipDirSync   bool
}

// pendingChain remembers what a chain in flight will have achieved.
type pendingChain struct {
	id       uint64
	endLSN   LSN
	syncedTo LSN
	sealed   []sealedFile
	dirSync  *fileState
	repair   bool
}

// StreamStats counts what one stream has done.
type StreamStats struct {
	Appends      uint64 // records appended
	AppendBytes  uint64 // frame bytes appended
	Chains       uint64 // flush chains issued
	Writes       uint64 // write ops issued
	Syncs        uint64 // file syncs issued
	Puts         uint64 // object uploads issued
	FilesCreated uint64 // files or objects started
	FilesSealed  uint64 // files renamed or objects uploaded whole
	FilesRemoved uint64 // files removed by GC
	SealedBytes  []int64
}

func newStreamLog(typ string, cfg *Config, policy Policy, uuids *uuidSource) *streamLog {
	return &streamLog{typ: typ, cfg: cfg, policy: policy, uuids: uuids}
}

// append encodes rec into the stream and returns the LSN at its end.
func (l *streamLog) append(now sim.Instant, rec *codec.Record) (LSN, error) {
	if l.failed != nil {
		return 0, l.failed
	}
	l.scratch = codec.EncodeRecord(l.scratch[:0], rec)
	frame := l.scratch
	if int64(len(frame))+headerBytesMax > l.cfg.MaxLogBytes {
		return 0, fmt.Errorf("engine/core: %s record of %d bytes exceeds max log size %d", l.typ, len(frame), l.cfg.MaxLogBytes)
	}
	if l.cur != nil && l.cur.records > 0 && l.cur.sizeBytes+int64(len(frame)) > l.cfg.MaxLogBytes {
		l.cur.sealing = true
		l.flushWanted = true
		if len(l.segs) == 0 || l.segs[len(l.segs)-1].file != l.cur {
			// Its data already went out: an empty segment carries the seal.
			l.segs = append(l.segs, &segment{file: l.cur, endLSN: l.nextLSN})
		}
		l.cur = nil
	}
	if l.cur == nil {
		l.openFile(rec.CommitTs())
	}
	if len(l.segs) == 0 || l.segs[len(l.segs)-1].file != l.cur {
		// The open file's earlier data went out with a chain: a new segment
		// continues it.
		l.segs = append(l.segs, &segment{file: l.cur, endLSN: l.nextLSN, data: make([]byte, 0, l.segCapHint)})
	}
	seg := l.segs[len(l.segs)-1]
	seg.data = append(seg.data, frame...)
	f := l.cur
	f.sizeBytes += int64(len(frame))
	f.records++
	ts := rec.CommitTs()
	if f.records == 1 || ts < f.minTs {
		f.minTs = ts
	}
	f.maxTs = max(f.maxTs, ts)
	l.nextLSN += LSN(len(frame))
	seg.endLSN = l.nextLSN
	l.stats.Appends++
	l.stats.AppendBytes += uint64(len(frame))
	l.rowsPending++
	switch l.policy {
	case PolicyCommit, PolicyOS:
		l.flushWanted = true
	case PolicyNone:
		l.ackedLSN = l.nextLSN
	case PolicyInterval:
		if l.cfg.FlushRows > 0 && l.rowsPending > l.cfg.FlushRows {
			l.flushWanted = true
		}
	}
	return l.nextLSN, nil
}

// headerBytesMax bounds the encoded size of a file header frame.
const headerBytesMax = 64

// openFile starts a new file whose first record has commitTs ts, and a
// segment for it that begins with the file header.
func (l *streamLog) openFile(ts uint64) {
	f := &fileState{
		name: FileName{CaptureID: l.cfg.CaptureID, Changefeed: l.cfg.Changefeed,
			Type: l.typ, Ts: ts, UUID: l.uuids.next(), Tmp: true},
		startLSN: l.nextLSN,
	}
	hdr := codec.Record{Type: codec.TypeHeader, Header: codec.Header{StartLSN: uint64(l.nextLSN)}}
	data := codec.EncodeRecord(nil, &hdr)
	f.sizeBytes = int64(len(data))
	l.cur = f
	l.segs = append(l.segs, &segment{file: f, data: data, endLSN: l.nextLSN})
	l.stats.FilesCreated++
}

// tick marks a flush due when the flush interval has passed.
func (l *streamLog) tick(now sim.Instant) {
	if l.policy != PolicyInterval && l.policy != PolicyNone {
		return
	}
	if now >= l.nextFlushAt {
		l.flushWanted = true
		l.nextFlushAt = now.Add(l.cfg.FlushInterval)
	}
}

// deadline returns when the stream next wants a tick.
func (l *streamLog) deadline() (sim.Instant, bool) {
	if l.policy != PolicyInterval && l.policy != PolicyNone {
		return 0, false
	}
	return l.nextFlushAt, true
}
