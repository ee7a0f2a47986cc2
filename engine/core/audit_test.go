package core_test

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
)

// memStorage is a core.Storage over a map.
type memStorage map[string][]byte

func (m memStorage) List() ([]string, error) {
	var names []string
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names, nil
}

func (m memStorage) ReadFile(name string) ([]byte, error) {
	b, ok := m[name]
	if !ok {
		return nil, fmt.Errorf("no file %s", name)
	}
	return b, nil
}

// TestAuditChecksTheMetaAgainstTheLog: a meta whose resolved ts is below
// its checkpoint, and one promising more LSN than the log holds, are
// damage; a log the meta's promise matches is clean.
func TestAuditChecksTheMetaAgainstTheLog(t *testing.T) {
	hdr := codec.EncodeRecord(nil, &codec.Record{Type: codec.TypeHeader})
	row := codec.Record{Type: codec.TypeRow, Row: makeRow(100)}
	data := codec.EncodeRecord(hdr, &row)
	end := uint64(codec.RecordFrameSize(&row))
	meta := func(m codec.Meta) []byte { m.Version = codec.MetaVersion; return codec.EncodeMeta(nil, m) }
	for _, c := range []struct {
		name string
		meta codec.Meta
		want string
	}{
		{"clean", codec.Meta{CheckpointTs: 50, ResolvedTs: 100, RowLSN: end}, ""},
		{"resolved below checkpoint", codec.Meta{CheckpointTs: 100, ResolvedTs: 50, RowLSN: end}, "below its checkpoint"},
		{"log shorter than promised", codec.Meta{CheckpointTs: 50, ResolvedTs: 100, RowLSN: end + 8}, fmt.Sprintf("LSN range [%d, %d) is missing", end, end+8)},
		{"ddl log missing", codec.Meta{CheckpointTs: 50, ResolvedTs: 100, DDLLSN: 40}, "the ddl log of capture c has no file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			st := memStorage{"c_cf_row_100_u.log": data, "c_cf_meta_m.meta": meta(c.meta)}
			a, err := core.AuditStorage(st, core.AuditOptions{})
			if err != nil {
				t.Fatal(err)
			}
			err = a.Err("audit")
			if c.want == "" {
				if err != nil || !a.MetaFound {
					t.Fatalf("clean log: %v (meta found %v)", err, a.MetaFound)
				}
				return
			}
			if !errors.Is(err, codec.ErrCorrupt) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

// TestGapBelowTheCheckpointIsGC: a gap behind files whose records (as the
// next file's header says) all lie below the checkpoint is what GC, or an
// upload landing after a restart, leaves: not damage. The same gap with
// a record at or above the checkpoint before it is.
func TestGapBelowTheCheckpointIsGC(t *testing.T) {
	file := func(start, maxTsBefore uint64, ts ...uint64) []byte {
		data := codec.EncodeRecord(nil, &codec.Record{Type: codec.TypeHeader, Header: codec.Header{StartLSN: start, MaxTsBefore: maxTsBefore}})
		for _, x := range ts {
			row := codec.Record{Type: codec.TypeRow, Row: makeRow(x)}
			data = codec.EncodeRecord(data, &row)
		}
		return data
	}
	meta := codec.EncodeMeta(nil, codec.Meta{CheckpointTs: 100, ResolvedTs: 2000, Version: codec.MetaVersion})
	for _, c := range []struct {
		name        string
		maxTsBefore uint64
		damage      bool
	}{{"all below", 99, false}, {"one at the checkpoint", 100, true}, {"one above", 500, true}} {
		st := memStorage{
			"c_cf_row_60_orphan.log": file(1000, 40, 50, 60),
			"c_cf_row_900_next.log":  file(9000, c.maxTsBefore, 900),
			"c_cf_meta_m.meta":       meta,
		}
		a, err := core.AuditStorage(st, core.AuditOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got := a.Err("audit") != nil; got != c.damage {
			t.Errorf("%s: damage %v, want %v (%v)", c.name, got, c.damage, a.Err("audit"))
		}
	}
}
