package osdriver_test

import (
	"testing"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/osdriver"
	"github.com/redosim/redosim/engine/reader"
)

// TestAppendDDLIsDurable: DDLs appended through the OS driver between rows
// are acknowledged only once durable, so after Close and a reopen the
// reader finds each of them, in order, next to every row.
func TestAppendDDLIsDurable(t *testing.T) {
	dir := t.TempDir()
	cfg := core.Config{Policy: core.PolicyCommit}
	drv, _, err := osdriver.Open(dir, cfg, osdriver.Options{})
	if err != nil {
		t.Fatal(err)
	}
	const n = 30
	var lsns []core.LSN
	for i := 0; i < n; i++ {
		r := row(i)
		if _, err := drv.AppendRow(&r); err != nil {
			t.Fatal(err)
		}
		if i%10 == 9 {
			ddl := codec.DDL{StartTs: r.CommitTs, CommitTs: r.CommitTs + 1, Kind: codec.DDLAddColumn,
				Blocked: []int64{r.TableID}, Query: "alter table t add column c int"}
			lsn, err := drv.AppendDDL(&ddl)
			if err != nil {
				t.Fatal(err)
			}
			lsns = append(lsns, lsn)
		}
	}
	drv.UpdateMeta(0, row(n).CommitTs)
	if err := drv.Close(); err != nil {
		t.Fatal(err)
	}
	if lsns[0] >= lsns[1] || lsns[1] >= lsns[2] {
		t.Fatalf("DDL LSNs %v, want increasing", lsns)
	}
	log, err := reader.Read(osdriver.DirStorage(dir), reader.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(log.Rows) != n || len(log.DDLs) != 3 {
		t.Fatalf("read %d rows and %d DDLs back, want %d and 3", len(log.Rows), len(log.DDLs), n)
	}
	for i, rec := range log.DDLs {
		if want := row(10*i+9).CommitTs + 1; rec.DDL.CommitTs != want || rec.DDL.Kind != codec.DDLAddColumn {
			t.Fatalf("DDL %d = %+v, want an add-column at commit ts %d", i, rec.DDL, want)
		}
	}
}
