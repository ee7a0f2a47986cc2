package core_test

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/internal/script"
	"github.com/redosim/redosim/sim/vtime"
)

// TestScripts runs the script tests in testdata/*.txt (format: package
// internal/script). The harness plays the driver: it prints the chains
// Ready hands out, performs their ops on a model file system when the
// script completes them, and crashes and recovers the engine on that
// model's image. Regenerate the golden output with
//
//	go test ./engine/core -run TestScripts -rewrite
//
// Commands (arguments in brackets are optional):
//
//	new [policy= backend= format= max-log= flush-interval= flush-rows=
//	    meta-interval= sync-chains= seed= capture= changefeed= meta-reader]
//	                   a fresh engine over empty storage; prints the config
//	append row|ddl ts= [n=1] [bytes=100]
//	                   n rows (frames of bytes bytes, default 128) or one DDL committed at ts
//	tick [by=0s]       advance the clock by a duration and Tick the engine
//	flush | seal       Flush / Seal
//	ready              print the chains Ready hands out, and keep them in flight
//	complete [id=] [err=EIO] [at=N|kind]
//	                   perform a chain's ops (every chain in flight, oldest
//	                   first, without id) and Advance it; with err, the op at
//	                   index N (or the first of that kind; default 0) fails
//	                   and the ops before it are performed
//	acks               the row log's watermarks, the DDL log's acked LSN, how
//	                   many appends are acknowledged, and Err
//	meta [checkpoint= resolved=] [flush]
//	                   UpdateMeta / FlushMeta, then FlushedMeta and friends
//	storage            the model file system: each name, its size, what of
//	                   it is synced, whether its directory entry is
//	crash [power]      drop the chains in flight and the engine; with power
//	                   the machine loses power too: only synced data under
//	                   synced names survives
//	recover [sector=512] [new's arguments]
//	                   core.Recover on the image; prints the report
//
// UUIDs in file names print as u1, u2, ... in order of first appearance.
func TestScripts(t *testing.T) {
	script.RunGlob(t, "testdata/*.txt", func(t *testing.T) script.Commands {
		return newScriptHarness().commands()
	})
}

// scriptHarness is one script's engine, clock, chains and storage.
type scriptHarness struct {
	cfg      core.Config
	e        *core.Engine
	now      vtime.Instant
	inflight []core.Chain // issued by Ready, not completed, in issue order
	fs       *memFS
	appends  []scriptAppend
	nextKey  int
	uuids    map[string]string
}

// scriptAppend is one append the script made, for acks.
type scriptAppend struct {
	typ string
	lsn core.LSN
}

func newScriptHarness() *scriptHarness {
	return &scriptHarness{fs: newMemFS(), uuids: map[string]string{}}
}

func (h *scriptHarness) commands() script.Commands {
	cmds := script.Commands{
		"new": h.cmdNew, "append": h.cmdAppend, "tick": h.cmdTick, "flush": h.cmdFlush, "seal": h.cmdSeal,
		"ready": h.cmdReady, "complete": h.cmdComplete, "acks": h.cmdAcks, "meta": h.cmdMeta,
		"storage": h.cmdStorage, "crash": h.cmdCrash, "recover": h.cmdRecover,
	}
	for name, f := range cmds {
		needsEngine := name != "new" && name != "recover" && name != "storage" && name != "crash"
		cmds[name] = func(c *script.Cmd) (string, error) {
			if needsEngine && h.e == nil {
				return "", errors.New("no engine: new or recover first")
			}
			out, err := f(c)
			return h.alias(out), err
		}
	}
	return cmds
}

var uuidRe = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}`)

// alias replaces each UUID with u1, u2, ... in order of first appearance.
func (h *scriptHarness) alias(s string) string {
	return uuidRe.ReplaceAllStringFunc(s, func(id string) string {
		a, ok := h.uuids[id]
		if !ok {
			a = fmt.Sprintf("u%d", len(h.uuids)+1)
			h.uuids[id] = a
		}
		return a
	})
}

var configKeys = []string{"policy", "backend", "format", "max-log", "flush-interval", "flush-rows",
	"meta-interval", "sync-chains", "seed", "capture", "changefeed", "meta-reader"}

// parseConfig reads new's arguments over base.
func parseConfig(c *script.Cmd, base core.Config) (core.Config, error) {
	cfg := base
	var err error
	if v, ok := c.Get("policy"); ok {
		if cfg.Policy, err = core.ParsePolicy(v); err != nil {
			return cfg, err
		}
	}
	if v, ok := c.Get("format"); ok {
		if cfg.Format, err = core.ParseFormat(v); err != nil {
			return cfg, err
		}
	}
	switch v := c.Str("backend", ""); v {
	case "":
	case "file":
		cfg.Backend = core.BackendFile
	case "object":
		cfg.Backend = core.BackendObject
	default:
		return cfg, fmt.Errorf("backend %q: file or object", v)
	}
	for key, d := range map[string]*vtime.Duration{"flush-interval": &cfg.FlushInterval, "meta-interval": &cfg.MetaFlushInterval} {
		if v, ok := c.Get(key); ok {
			if *d, err = vtime.ParseDuration(v); err != nil {
				return cfg, err
			}
		}
	}
	if cfg.MaxLogBytes, err = c.Int("max-log", cfg.MaxLogBytes); err != nil {
		return cfg, err
	}
	n, err := c.Int("flush-rows", int64(cfg.FlushRows))
	if err != nil {
		return cfg, err
	}
	cfg.FlushRows = int(n)
	if n, err = c.Int("sync-chains", int64(cfg.SyncChainsMax)); err != nil {
		return cfg, err
	}
	cfg.SyncChainsMax = int(n)
	if cfg.NameSeed, err = c.Uint("seed", cfg.NameSeed); err != nil {
		return cfg, err
	}
	cfg.CaptureID = c.Str("capture", cfg.CaptureID)
	cfg.Changefeed = c.Str("changefeed", cfg.Changefeed)
	cfg.MetaReader = cfg.MetaReader || c.Has("meta-reader")
	return cfg, nil
}

func (h *scriptHarness) cmdNew(c *script.Cmd) (string, error) {
	if err := c.Only(configKeys...); err != nil {
		return "", err
	}
	cfg, err := parseConfig(c, core.Config{CaptureID: "c", Changefeed: "cf", NameSeed: 1})
	if err != nil {
		return "", err
	}
	e, err := core.New(cfg)
	if err != nil {
		return "error: " + err.Error(), nil
	}
	*h = scriptHarness{cfg: cfg, e: e, fs: newMemFS(), uuids: h.uuids}
	return describeConfig(e.Config()), nil
}

func describeConfig(c core.Config) string {
	return fmt.Sprintf("policy=%v backend=%v format=%v max-log=%d flush-interval=%v flush-rows=%d meta-interval=%v sync-chains=%d",
		c.Policy, c.Backend, c.Format, c.MaxLogBytes, c.FlushInterval, c.FlushRows, c.MetaFlushInterval, c.SyncChainsMax)
}

func (h *scriptHarness) cmdAppend(c *script.Cmd) (string, error) {
	if err := c.Only("row", "ddl", "ts", "n", "bytes"); err != nil {
		return "", err
	}
	ts, err := c.Uint("ts", 0)
	if err != nil || ts == 0 {
		return "", fmt.Errorf("append needs ts=<commit ts> above 0 (%v)", err)
	}
	n, err := c.Int("n", 1)
	if err != nil {
		return "", err
	}
	frame, err := c.Int("bytes", 128)
	if err != nil {
		return "", err
	}
	var out strings.Builder
	switch {
	case c.Has("row") == c.Has("ddl"):
		return "", errors.New("append row or append ddl")
	case c.Has("ddl"):
		ddl := codec.DDL{StartTs: ts - 1, CommitTs: ts, Kind: codec.DDLCreate, Added: []int64{int64(ts)}, Query: "create table t"}
		lsn, err := h.e.AppendDDL(h.now, &ddl)
		h.printAppend(&out, core.TypeDDL, ts, lsn, err)
	default:
		var first, last core.LSN
		for i := range n {
			h.nextKey++
			row := codec.SizedRow(codec.Row{TableID: 1, Key: []byte(fmt.Sprintf("k%d", h.nextKey)), Op: codec.OpInsert,
				StartTs: ts - 1, CommitTs: ts}, codec.RowShape{FrameBytes: int(frame), Columns: 1})
			lsn, err := h.e.AppendRow(h.now, &row)
			if n <= appendLinesMax || err != nil {
				h.printAppend(&out, core.TypeRow, ts, lsn, err)
				continue
			}
			h.appends = append(h.appends, scriptAppend{typ: core.TypeRow, lsn: lsn})
			if i == 0 {
				first = lsn
			}
			last = lsn
		}
		if n > appendLinesMax && last > 0 {
			fmt.Fprintf(&out, "row ts=%d n=%d lsn=%d..%d\n", ts, n, first, last)
		}
	}
	return out.String(), nil
}

// appendLinesMax is how many rows append prints one a line; more print
// as one line with the first and the last end LSN.
const appendLinesMax = 4

func (h *scriptHarness) printAppend(out *strings.Builder, typ string, ts uint64, lsn core.LSN, err error) {
	if err != nil {
		fmt.Fprintf(out, "%s ts=%d: error: %v\n", typ, ts, err)
		return
	}
	h.appends = append(h.appends, scriptAppend{typ: typ, lsn: lsn})
	fmt.Fprintf(out, "%s ts=%d lsn=%d\n", typ, ts, lsn)
}

func (h *scriptHarness) cmdTick(c *script.Cmd) (string, error) {
	if err := c.Only("by"); err != nil {
		return "", err
	}
	by, err := vtime.ParseDuration(c.Str("by", "0s"))
	if err != nil {
		return "", err
	}
	h.now = h.now.Add(by)
	h.e.Tick(h.now)
	return fmt.Sprintf("now=%v next-deadline=%v", h.now, h.e.NextDeadline()), nil
}

func (h *scriptHarness) cmdFlush(c *script.Cmd) (string, error) {
	h.e.Flush()
	return "", c.Only()
}

func (h *scriptHarness) cmdSeal(c *script.Cmd) (string, error) {
	h.e.Seal()
	return fmt.Sprintf("sealed=%v", h.e.Sealed()), c.Only()
}

func (h *scriptHarness) cmdReady(c *script.Cmd) (string, error) {
	if err := c.Only(); err != nil {
		return "", err
	}
	chains := h.e.Ready()
	if len(chains) == 0 {
		return "(no chains)", nil
	}
	var out strings.Builder
	for _, ch := range chains {
		h.inflight = append(h.inflight, ch)
		fmt.Fprintf(&out, "chain %d %s\n", ch.ID, ch.Stream)
		for i, op := range ch.Ops {
			fmt.Fprintf(&out, "  %d %s\n", i, describeOp(op))
		}
	}
	return out.String(), nil
}

// describeOp prints an op's kind, path, offset and length; a meta write
// shows the meta it carries.
func describeOp(op core.Op) string {
	switch op.Kind {
	case core.OpWrite:
		return fmt.Sprintf("write %s off=%d len=%d%s", op.Path, op.Offset, len(op.Data), describeMeta(op))
	case core.OpPut:
		return fmt.Sprintf("put %s len=%d%s", op.Path, len(op.Data), describeMeta(op))
	case core.OpTruncate:
		return fmt.Sprintf("truncate %s size=%d", op.Path, op.Offset)
	case core.OpRename:
		return fmt.Sprintf("rename %s -> %s", op.Path, op.NewPath)
	case core.OpSyncDir:
		return "syncdir"
	}
	return op.Kind.String() + " " + op.Path
}

func (h *scriptHarness) cmdComplete(c *script.Cmd) (string, error) {
	if err := c.Only("id", "err", "at"); err != nil {
		return "", err
	}
	if len(h.inflight) == 0 && !c.Has("id") {
		return "(no chains in flight)", nil
	}
	targets := append([]core.Chain(nil), h.inflight...)
	if c.Has("id") {
		id, err := c.Uint("id", 0)
		if err != nil {
			return "", err
		}
		targets = nil
		for _, ch := range h.inflight {
			if ch.ID == id {
				targets = append(targets, ch)
			}
		}
		if len(targets) == 0 {
			return "", fmt.Errorf("chain %d is not in flight", id)
		}
	}
	var out strings.Builder
	for _, ch := range targets {
		failAt := len(ch.Ops) // no failure
		var injected error
		if v, ok := c.Get("err"); ok {
			injected = errors.New(v)
			at, err := opIndex(ch, c.Str("at", "0"))
			if err != nil {
				return "", err
			}
			failAt = at
		}
		var chainErr error
		for i, op := range ch.Ops {
			if i == failAt {
				chainErr = fmt.Errorf("%s: %w", describeOp(op), injected)
				break
			}
			if err := h.fs.apply(op); err != nil {
				chainErr = fmt.Errorf("%s: %w", describeOp(op), err)
				break
			}
		}
		h.dropInflight(ch.ID)
		if err := h.e.Advance(ch.ID, chainErr); err != nil {
			return "", err
		}
		if chainErr != nil {
			fmt.Fprintf(&out, "chain %d %s failed: %v\n", ch.ID, ch.Stream, chainErr)
		} else {
			fmt.Fprintf(&out, "chain %d %s done\n", ch.ID, ch.Stream)
		}
	}
	return out.String(), nil
}

// describeMeta decodes the meta a write or put of a meta file carries
// (redosim format only), or returns "".
func describeMeta(op core.Op) string {
	if _, ok := core.ParseMetaName(op.Path); !ok {
		return ""
	}
	m, err := codec.DecodeMeta(op.Data)
	if err != nil {
		return ""
	}
	return fmt.Sprintf(" {checkpoint=%d resolved=%d row-lsn=%d ddl-lsn=%d}", m.CheckpointTs, m.ResolvedTs, m.RowLSN, m.DDLLSN)
}

// opIndex reads at=: an op index, or the first op of a kind.
func opIndex(ch core.Chain, at string) (int, error) {
	if n, err := strconv.Atoi(at); err == nil {
		if n < 0 || n >= len(ch.Ops) {
			return 0, fmt.Errorf("at=%d: chain %d has %d ops", n, ch.ID, len(ch.Ops))
		}
		return n, nil
	}
	for i, op := range ch.Ops {
		if op.Kind.String() == at {
			return i, nil
		}
	}
	return 0, fmt.Errorf("at=%s: chain %d has no such op", at, ch.ID)
}

func (h *scriptHarness) dropInflight(id uint64) {
	for i, ch := range h.inflight {
		if ch.ID == id {
			h.inflight = append(h.inflight[:i], h.inflight[i+1:]...)
			return
		}
	}
}

func (h *scriptHarness) cmdAcks(c *script.Cmd) (string, error) {
	if err := c.Only(); err != nil {
		return "", err
	}
	e := h.e
	var rows, rowsAcked, ddls, ddlsAcked int
	for _, a := range h.appends {
		if a.typ == core.TypeRow {
			rows++
			if a.lsn <= e.RowAckedLSN() {
				rowsAcked++
			}
		} else {
			ddls++
			if a.lsn <= e.DDLAckedLSN() {
				ddlsAcked++
			}
		}
	}
	out := fmt.Sprintf("row appended=%d written=%d durable=%d acked=%d (%d of %d appends)\nddl acked=%d (%d of %d appends)",
		e.RowAppendedLSN(), e.RowWrittenLSN(), e.RowDurableLSN(), e.RowAckedLSN(), rowsAcked, rows,
		e.DDLAckedLSN(), ddlsAcked, ddls)
	if err := e.Err(); err != nil {
		out += "\nerr: " + strings.ReplaceAll(err.Error(), "\n", "; ")
	}
	return out, nil
}

func (h *scriptHarness) cmdMeta(c *script.Cmd) (string, error) {
	if err := c.Only("checkpoint", "resolved", "flush"); err != nil {
		return "", err
	}
	if c.Has("checkpoint") || c.Has("resolved") {
		ck, err := c.Uint("checkpoint", 0)
		if err != nil {
			return "", err
		}
		rs, err := c.Uint("resolved", 0)
		if err != nil {
			return "", err
		}
		h.e.UpdateMeta(ck, rs)
	}
	if c.Has("flush") {
		h.e.FlushMeta()
	}
	m := h.e.FlushedMeta()
	return fmt.Sprintf("flushed checkpoint=%d resolved=%d pending=%v recovering=%v",
		m.CheckpointTs, m.ResolvedTs, h.e.MetaPending(), h.e.Recovering()), nil
}

func (h *scriptHarness) cmdStorage(c *script.Cmd) (string, error) {
	if err := c.Only(); err != nil {
		return "", err
	}
	return h.fs.describe(), nil
}

func (h *scriptHarness) cmdCrash(c *script.Cmd) (string, error) {
	if err := c.Only("power"); err != nil {
		return "", err
	}
	var out strings.Builder
	if len(h.inflight) == 0 {
		out.WriteString("no chains in flight\n")
	}
	for _, ch := range h.inflight {
		fmt.Fprintf(&out, "dropped chain %d %s\n", ch.ID, ch.Stream)
	}
	h.inflight, h.e, h.appends = nil, nil, nil
	if c.Has("power") {
		h.fs.powerLoss()
	}
	out.WriteString(h.fs.describe())
	return out.String(), nil
}

func (h *scriptHarness) cmdRecover(c *script.Cmd) (string, error) {
	if err := c.Only(append([]string{"sector"}, configKeys...)...); err != nil {
		return "", err
	}
	if h.e != nil {
		return "", errors.New("the engine is running: crash first")
	}
	sector, err := c.Int("sector", 512)
	if err != nil {
		return "", err
	}
	base := h.cfg
	if base.CaptureID == "" {
		base = core.Config{CaptureID: "c", Changefeed: "cf", NameSeed: 1}
	}
	cfg, err := parseConfig(c, base)
	if err != nil {
		return "", err
	}
	h.cfg = cfg
	e, rep, err := core.Recover(cfg, h.fs, int(sector))
	if err != nil {
		return "error: " + strings.ReplaceAll(err.Error(), "\n", "\n  "), nil
	}
	h.e = e
	return describeReport(rep), nil
}

func describeReport(r *core.RecoveryReport) string {
	var b strings.Builder
	fmt.Fprintf(&b, "meta checkpoint=%d resolved=%d\n", r.Meta.CheckpointTs, r.Meta.ResolvedTs)
	for _, m := range r.MetaFiles {
		fmt.Fprintf(&b, "meta file %s\n", m)
	}
	for _, m := range r.MetaUnfinished {
		fmt.Fprintf(&b, "unfinished meta %s\n", m)
	}
	for _, f := range r.Files {
		fmt.Fprintf(&b, "file %s: %s records=%d valid=%d lsn=[%d,%d)", f.Name, f.State, f.Records, f.ValidBytes, f.StartLSN, f.EndLSN)
		if f.TornBytes > 0 {
			fmt.Fprintf(&b, " torn=%d", f.TornBytes)
		}
		if f.SealedAs != "" {
			fmt.Fprintf(&b, " -> %s", f.SealedAs)
		}
		if f.Removed {
			b.WriteString(" removed")
		}
		b.WriteString("\n")
	}
	for _, n := range r.Ignored {
		fmt.Fprintf(&b, "ignored %s\n", n)
	}
	fmt.Fprintf(&b, "repair ops=%d", r.RepairOps)
	return b.String()
}

// memFS is the harness's model of a directory on a disk with a page
// cache: the names the process sees and, apart, the names as the last
// directory sync left them; each file's data and, apart, what of it the
// last file sync made durable. A power loss keeps only the latter. Objects
// (put, delete) are durable at once.
type memFS struct {
	names   map[string]*inode
	durable map[string]*inode
}

type inode struct {
	data, synced []byte
}

func newMemFS() *memFS {
	return &memFS{names: map[string]*inode{}, durable: map[string]*inode{}}
}

// apply performs one op.
func (fs *memFS) apply(op core.Op) error {
	ino := fs.names[op.Path]
	needsFile := op.Kind == core.OpWrite || op.Kind == core.OpTruncate || op.Kind == core.OpSync ||
		op.Kind == core.OpRename || op.Kind == core.OpRemove
	if needsFile && ino == nil {
		return fmt.Errorf("no such file %s", op.Path)
	}
	switch op.Kind {
	case core.OpCreate:
		if ino == nil {
			fs.names[op.Path] = &inode{}
		} else {
			ino.data = ino.data[:0]
		}
	case core.OpWrite:
		end := op.Offset + int64(len(op.Data))
		if int64(len(ino.data)) < end {
			ino.data = append(ino.data, make([]byte, end-int64(len(ino.data)))...)
		}
		copy(ino.data[op.Offset:], op.Data)
	case core.OpTruncate:
		if int64(len(ino.data)) > op.Offset {
			ino.data = ino.data[:op.Offset]
		} else {
			ino.data = append(ino.data, make([]byte, op.Offset-int64(len(ino.data)))...)
		}
	case core.OpSync:
		ino.synced = bytes.Clone(ino.data)
	case core.OpRename:
		fs.names[op.NewPath] = ino
		delete(fs.names, op.Path)
	case core.OpSyncDir:
		fs.durable = make(map[string]*inode, len(fs.names))
		for n, i := range fs.names {
			fs.durable[n] = i
		}
	case core.OpRemove:
		delete(fs.names, op.Path)
	case core.OpPut:
		ino := &inode{data: bytes.Clone(op.Data), synced: bytes.Clone(op.Data)}
		fs.names[op.Path], fs.durable[op.Path] = ino, ino
	case core.OpDelete:
		delete(fs.names, op.Path)
		delete(fs.durable, op.Path)
	default:
		return fmt.Errorf("unknown op %v", op.Kind)
	}
	return nil
}

// powerLoss keeps what was durable: synced data under synced names.
func (fs *memFS) powerLoss() {
	kept := map[*inode]*inode{}
	names := make(map[string]*inode, len(fs.durable))
	for n, i := range fs.durable {
		if kept[i] == nil {
			kept[i] = &inode{data: bytes.Clone(i.synced), synced: bytes.Clone(i.synced)}
		}
		names[n] = kept[i]
	}
	fs.names = names
	fs.durable = make(map[string]*inode, len(names))
	for n, i := range names {
		fs.durable[n] = i
	}
}

// describe lists every name, sorted: its size, how much of it a sync made
// durable, and whether its directory entry is durable; then the names a
// power loss would bring back.
func (fs *memFS) describe() string {
	if len(fs.names) == 0 && len(fs.durable) == 0 {
		return "(no files)"
	}
	var lines []string
	for n, i := range fs.names {
		line := fmt.Sprintf("%s size=%d synced=%d", n, len(i.data), len(i.synced))
		if !bytes.HasPrefix(i.data, i.synced) {
			line += " (synced bytes differ)"
		}
		if fs.durable[n] != i {
			line += " entry=volatile"
		}
		lines = append(lines, line)
	}
	for n, i := range fs.durable {
		if fs.names[n] != i {
			lines = append(lines, fmt.Sprintf("%s removed, but its entry is durable", n))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// List implements core.Storage over the names the process sees.
func (fs *memFS) List() ([]string, error) {
	names := make([]string, 0, len(fs.names))
	for n := range fs.names {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

// ReadFile implements core.Storage.
func (fs *memFS) ReadFile(name string) ([]byte, error) {
	i, ok := fs.names[name]
	if !ok {
		return nil, fmt.Errorf("no such file %s", name)
	}
	return bytes.Clone(i.data), nil
}

// TestScriptsRejectMalformed: a script missing its "----" line, or
// naming a command the harness does not know, is refused before anything
// runs, with the file and the line.
func TestScriptsRejectMalformed(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"new\n----\n\nappend row ts=1\nready\n----\n", `bad.txt:4: command "append" is not followed by a ---- line`},
		{"new\n----\n\n# no such command\nfsync-everything\n----\n", `bad.txt:5: fsync-everything: unknown command`},
	} {
		s, err := script.Parse("bad.txt", []byte(c.text))
		if err == nil {
			_, err = s.Exec(newScriptHarness().commands(), false)
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("error %v, want one containing %q", err, c.want)
		}
	}
}
