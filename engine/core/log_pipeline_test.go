package core_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
)

// Pipelined flushes driven by hand, without a driver: each test issues
// chains with Ready and completes them with Advance in a chosen order.

// pipe is an engine under test and the chains it has issued.
type pipe struct {
	t   *testing.T
	e   *core.Engine
	ts  uint64
	out []core.Chain
}

func newPipe(t *testing.T, cfg core.Config) *pipe {
	cfg.Policy, cfg.NameSeed = core.PolicyCommit, 1
	e, err := core.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &pipe{t: t, e: e}
}

func (p *pipe) append() core.LSN {
	p.ts += 10
	row := makeRow(p.ts)
	lsn, err := p.e.AppendRow(0, &row)
	if err != nil {
		p.t.Fatal(err)
	}
	return lsn
}

// ready issues what the engine has ready and returns each chain's shape.
func (p *pipe) ready() []string {
	var shapes []string
	for _, c := range p.e.Ready() {
		p.out = append(p.out, c)
		var kinds []string
		for _, op := range c.Ops {
			kinds = append(kinds, op.Kind.String())
		}
		shapes = append(shapes, fmt.Sprintf("%d:%s", c.ID, strings.Join(kinds, ",")))
	}
	return shapes
}

func (p *pipe) expect(want ...string) {
	p.t.Helper()
	if got := p.ready(); fmt.Sprint(got) != fmt.Sprint(want) {
		p.t.Fatalf("ready chains %v, want %v", got, want)
	}
}

func (p *pipe) advance(id uint64, err error) {
	p.t.Helper()
	if aerr := p.e.Advance(id, err); aerr != nil {
		p.t.Fatal(aerr)
	}
}

// TestPipelinedAckWaitsForEarlierSync: two flush chains overlap; the
// later one completes first, but its sync may have run before the earlier
// chain's write, so nothing past the earlier batch is acknowledged until
// the earlier chain completes too.
func TestPipelinedAckWaitsForEarlierSync(t *testing.T) {
	p := newPipe(t, core.Config{SyncChainsMax: 2})
	first := p.append()
	p.expect("1:create,write,sync,syncdir")
	second := p.append()
	p.expect() // the file's create is in flight
	p.advance(1, nil)
	p.expect("2:write,sync")
	third := p.append()
	p.expect("3:write,sync") // a second sync slot: the flushes overlap
	p.append()
	p.expect() // both slots busy, too little for a write-ahead
	p.advance(3, nil)
	if acked := p.e.RowAckedLSN(); acked != first {
		t.Fatalf("acked %d after the later sync only, want %d", acked, first)
	}
	p.expect("4:write,sync")
	p.advance(2, nil)
	if acked := p.e.RowAckedLSN(); acked != third {
		t.Fatalf("acked %d after both syncs, want %d (second row ends at %d)", acked, third, second)
	}
}

// TestPipelinedWritesAheadOfTheSync: with one sync slot, records wait for
// the sync in flight until writeAheadBytes (32 KiB) gather; then a write
// chain hands them to the OS during the sync, and the next chain's sync
// covers them: a flush chain if records wait, else a sync chain.
func TestPipelinedWritesAheadOfTheSync(t *testing.T) {
	for _, more := range []bool{true, false} {
		p := newPipe(t, core.Config{SyncChainsMax: 1})
		p.append()
		p.expect("1:create,write,sync,syncdir")
		p.advance(1, nil)
		second := p.append()
		p.expect("2:write,sync")
		p.append()
		p.expect() // 200 bytes wait for the sync
		var last core.LSN
		for i := 0; i < 32<<10/200; i++ {
			last = p.append()
		}
		p.expect("3:write")
		p.advance(3, nil)
		if more {
			last = p.append()
			p.expect()
		}
		p.advance(2, nil)
		if acked := p.e.RowAckedLSN(); acked != second {
			t.Fatalf("acked %d, want %d", acked, second)
		}
		if more {
			p.expect("4:write,sync")
		} else {
			p.expect("4:sync")
		}
		p.advance(4, nil)
		if acked := p.e.RowAckedLSN(); acked != last {
			t.Fatalf("acked %d, want %d", acked, last)
		}
	}
}

// TestPipelinedSealWaitsForSyncs: a chain that seals a file waits until
// no chain is in flight, since a write or sync may still use the file.
func TestPipelinedSealWaitsForSyncs(t *testing.T) {
	p := newPipe(t, core.Config{SyncChainsMax: 2, MaxLogBytes: 4096})
	p.append()
	p.expect("1:create,write,sync,syncdir")
	p.advance(1, nil)
	p.append()
	p.expect("2:write,sync")
	for p.e.Stats().Row.FilesCreated < 2 {
		p.append() // until a record no longer fits: rotation
	}
	p.expect() // the seal waits for chain 2
	p.advance(2, nil)
	shapes := p.ready()
	if len(shapes) != 1 || !strings.Contains(shapes[0], "truncate,sync,rename,syncdir,create,write,sync,syncdir") {
		t.Fatalf("after chain 2, ready chains %v, want one that seals and starts the next file", shapes)
	}
}

// TestPipelinedFailedSyncAcksNothingLater: once a chain fails, a later
// chain's success acknowledges nothing (fsyncgate).
func TestPipelinedFailedSyncAcksNothingLater(t *testing.T) {
	p := newPipe(t, core.Config{SyncChainsMax: 2})
	first := p.append()
	p.expect("1:create,write,sync,syncdir")
	p.advance(1, nil)
	p.append()
	p.expect("2:write,sync")
	p.append()
	p.expect("3:write,sync")
	eio := errors.New("eio")
	p.advance(2, eio)
	p.advance(3, nil)
	if acked := p.e.RowAckedLSN(); acked != first {
		t.Fatalf("acked %d after a failed sync, want %d", acked, first)
	}
	if err := p.e.Err(); !errors.Is(err, eio) {
		t.Fatalf("engine error %v, want the sync's", err)
	}
	p.expect()
}

// TestPipelinedBytesMatchPlainFlushes: the same appends, flushed plain or
// pipelined, write the same bytes at the same offsets of the same files.
func TestPipelinedBytesMatchPlainFlushes(t *testing.T) {
	files := func(syncChains int) map[string][]byte {
		p := newPipe(t, core.Config{SyncChainsMax: syncChains, MaxLogBytes: 8192})
		out := map[string][]byte{}
		for i := 0; i < 200; i++ {
			p.append()
			for _, c := range p.e.Ready() {
				for _, op := range c.Ops {
					switch op.Kind {
					case core.OpWrite:
						b := out[op.Path]
						for int64(len(b)) < op.Offset+int64(len(op.Data)) {
							b = append(b, 0)
						}
						copy(b[op.Offset:], op.Data)
						out[op.Path] = b
					case core.OpTruncate:
						out[op.Path] = out[op.Path][:op.Offset]
					case core.OpRename:
						out[op.NewPath] = out[op.Path]
						delete(out, op.Path)
					}
				}
				p.advance(c.ID, nil)
			}
		}
		return out
	}
	plain, piped := files(0), files(2)
	if len(plain) < 3 || len(plain) != len(piped) {
		t.Fatalf("%d files plain, %d pipelined; want the same, at least 3", len(plain), len(piped))
	}
	for name, b := range plain {
		if string(piped[name]) != string(b) {
			t.Fatalf("%s differs between plain and pipelined flushes", name)
		}
		if _, err := core.ScanFile(name, b, codec.DefaultSectorBytes); err != nil {
			t.Fatal(err)
		}
	}
}
