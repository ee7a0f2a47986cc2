package core

import (
	"fmt"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/ticdc"
	"github.com/redosim/redosim/sim/vtime"
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
	createDone   bool // the chain that creates it completed (pipelined streams)
	dirDurable   bool // its directory entry survives a crash
	sealing      bool // rotation decided: seal once its data is written
	dirSyncing   bool // a chain in flight syncs its directory entry
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
	// maxTs is the greatest commit ts appended (or recovered) so far: the
	// MaxTsBefore of the next file's header.
	maxTs uint64
	// writtenLSN, syncedLSN and ackedLSN only grow: written to the OS,
	// durable, acknowledged under the policy.
	writtenLSN, syncedLSN, ackedLSN LSN
	segs                            []*segment
	cur                             *fileState
	sealed                          []sealedFile
	rowsPending                     int
	flushWanted                     bool
	nextFlushAt                     vtime.Instant
	ticked                          bool // the first tick placed nextFlushAt at its phase
	inflight                        *pendingChain
	failed                          error
	stats                           StreamStats
	// segCapHint is the size the last flushed segment reached: new
	// segments start with that capacity instead of growing from empty.
	segCapHint int
	// freeBufs holds segment buffers of completed chains for new segments
	// to reuse, at most segBufsMax of them.
	freeBufs     [][]byte
	pendingBytes int // bytes in segs, not yet in a chain
	// Pipelined flushes (Config.SyncChainsMax, log_pipeline.go): the
	// chains in flight that write and those that sync, each in issue
	// order; the file the completed writes end in; the LSN the issued
	// syncs cover.
	writing    []*pendingChain
	syncing    []*pendingChain
	syncFile   *fileState
	syncIssued LSN
	// payload is the scratch a TiCDC-format record is encoded into first:
	// its frame size depends on the encoding.
	payload []byte
	// Planted bugs, set only by tests (export_test.go).
	plantAckBeforeSync bool
	plantSkipDirSync   bool
}

// pendingChain remembers what a chain in flight will have achieved.
type pendingChain struct {
	id   uint64
	bufs [][]byte // segment buffers the chain's ops carry, reused after it
	// For pipelined streams: the file its last segment is in, the files
	// it creates, whether it writes and whether it syncs (sealed or open
	// files), and which of the two completed.
	lastFile            *fileState
	created             []*fileState
	writes, sync        bool
	writeDone, syncDone bool
	endLSN              LSN
	syncedTo            LSN
	sealed              []sealedFile
	dirSync             *fileState
	repair              bool
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
func (l *streamLog) append(now vtime.Instant, rec *codec.Record) (LSN, error) {
	if l.failed != nil {
		return 0, l.failed
	}
	frameBytes := l.frameSize(rec)
	if int64(frameBytes)+headerBytesMax > l.cfg.MaxLogBytes {
		return 0, fmt.Errorf("engine/core: %s record of %d bytes exceeds max log size %d", l.typ, frameBytes, l.cfg.MaxLogBytes)
	}
	if l.cur != nil && l.cur.records > 0 && l.cur.sizeBytes+int64(frameBytes) > l.cfg.MaxLogBytes {
		l.seal() // rotation
	}
	if l.cur == nil {
		l.openFile(rec.CommitTs())
	}
	if len(l.segs) == 0 || l.segs[len(l.segs)-1].file != l.cur {
		// The open file's earlier data went out with a chain: a new segment
		// continues it.
		l.segs = append(l.segs, &segment{file: l.cur, endLSN: l.nextLSN, data: l.segBuf()})
	}
	seg := l.segs[len(l.segs)-1]
	// Encode straight into the segment: no scratch copy.
	seg.data = l.encode(seg.data, rec)
	l.pendingBytes += frameBytes
	f := l.cur
	f.sizeBytes += int64(frameBytes)
	f.records++
	ts := rec.CommitTs()
	if f.records == 1 || ts < f.minTs {
		f.minTs = ts
	}
	f.maxTs = max(f.maxTs, ts)
	l.maxTs = max(l.maxTs, ts)
	l.nextLSN += LSN(frameBytes)
	seg.endLSN = l.nextLSN
	l.stats.Appends++
	l.stats.AppendBytes += uint64(frameBytes)
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
	l.checkWatermarks()
	return l.nextLSN, nil
}

// headerBytesMax bounds the encoded size of a file header frame.
const headerBytesMax = 64

// segBufsMax bounds the segment buffers kept for reuse: a flush chain
// carries one per file it touches, so two or three cover a rotation.
const segBufsMax = 4

// segBuf returns an empty buffer for a new segment: one a completed chain
// gave back, or a new one sized like the recent flushes.
func (l *streamLog) segBuf() []byte {
	if n := len(l.freeBufs); n > 0 {
		b := l.freeBufs[n-1]
		l.freeBufs[n-1] = nil
		l.freeBufs = l.freeBufs[:n-1]
		return b[:0]
	}
	return make([]byte, 0, l.segCapHint)
}

// recycle keeps the buffers of a completed chain for reuse. Op.Data is
// the core's only until its chain completes, so they are free now.
func (l *streamLog) recycle(bufs [][]byte) {
	for _, b := range bufs {
		if len(l.freeBufs) < segBufsMax && cap(b) > 0 {
			l.freeBufs = append(l.freeBufs, b[:0])
		}
	}
}

// openFile starts a new file whose first record has commitTs ts, and a
// segment for it that begins with the file header.
func (l *streamLog) openFile(ts uint64) {
	f := &fileState{
		name: FileName{CaptureID: l.cfg.CaptureID, Keyspace: l.cfg.logKeyspace(), Changefeed: l.cfg.Changefeed,
			Type: l.typ, Ts: ts, UUID: l.uuids.next(), Tmp: true},
		startLSN: l.nextLSN,
	}
	data := l.segBuf()
	if l.cfg.Format != FormatTiCDC { // TiCDC's files have no header
		hdr := codec.Record{Type: codec.TypeHeader, Header: codec.Header{StartLSN: uint64(l.nextLSN), MaxTsBefore: l.maxTs}}
		data = codec.EncodeRecord(data, &hdr)
	}
	f.sizeBytes = int64(len(data))
	l.cur = f
	l.segs = append(l.segs, &segment{file: f, data: data, endLSN: l.nextLSN})
	l.stats.FilesCreated++
}

// tick marks a flush due when the flush interval has passed.
func (l *streamLog) tick(now vtime.Instant) {
	if l.policy != PolicyInterval && l.policy != PolicyNone {
		return
	}
	if !l.ticked {
		l.ticked = true
		if l.cfg.FlushPhase > 0 {
			l.nextFlushAt = now.Add(l.cfg.FlushPhase)
			return
		}
	}
	if now >= l.nextFlushAt {
		l.flushWanted = true
		l.nextFlushAt = now.Add(l.cfg.FlushInterval)
	}
}

// deadline returns when the stream next wants a tick.
func (l *streamLog) deadline() (vtime.Instant, bool) {
	if l.policy != PolicyInterval && l.policy != PolicyNone {
		return 0, false
	}
	return l.nextFlushAt, true
}

// frameSize returns the size of rec's frame in the log's format; for
// FormatTiCDC it encodes rec's payload into the scratch, which encode then
// frames.
func (l *streamLog) frameSize(rec *codec.Record) int {
	if l.cfg.Format == FormatTiCDC {
		l.payload = ticdc.AppendPayload(l.payload[:0], rec)
		return codec.FrameSize(len(l.payload))
	}
	return codec.RecordFrameSize(rec)
}

// encode appends rec's frame to dst; frameSize(rec) must come first.
func (l *streamLog) encode(dst []byte, rec *codec.Record) []byte {
	if l.cfg.Format == FormatTiCDC {
		return codec.AppendFrame(dst, l.payload)
	}
	return codec.EncodeRecord(dst, rec)
}
