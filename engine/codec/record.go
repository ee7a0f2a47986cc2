package codec

// Op is the kind of a row change. Its numeric order is the apply order of
// changes within one transaction: delete < update < insert (TiCDC's reader
// heap order), so an update that moves a key never collides with itself.
type Op uint8

// Row change operations. Wire format: never change the values.
const (
	OpDelete Op = 1
	OpUpdate Op = 2
	OpInsert Op = 3
)

// String returns the lower-case name of the op.
func (o Op) String() string {
	switch o {
	case OpDelete:
		return "delete"
	case OpUpdate:
		return "update"
	case OpInsert:
		return "insert"
	}
	return "op?"
}

// DDLKind is the kind of a schema change.
type DDLKind uint8

// DDL kinds. Wire format: never change the values.
const (
	DDLCreate    DDLKind = 1 // create table: adds the tables in Added
	DDLDrop      DDLKind = 2 // drop table: drops the tables in Dropped
	DDLTruncate  DDLKind = 3 // truncate table: empties the tables in Blocked
	DDLAddColumn DDLKind = 4 // alter table add column: blocks the tables in Blocked
)

// String returns the lower-case name of the DDL kind.
func (k DDLKind) String() string {
	switch k {
	case DDLCreate:
		return "create"
	case DDLDrop:
		return "drop"
	case DDLTruncate:
		return "truncate"
	case DDLAddColumn:
		return "add-column"
	}
	return "ddl?"
}

// Row is one row change of a transaction, as the redo log stores it.
type Row struct {
	// TableID is the physical table the row belongs to.
	TableID int64
	// Key is the primary key, opaque bytes.
	Key []byte
	// Op says whether the row is inserted, updated or deleted.
	Op Op
	// Columns are the new column values (empty for a delete).
	Columns [][]byte
	// StartTs and CommitTs are the transaction's TSO timestamps.
	StartTs  uint64
	CommitTs uint64
}

// DDL is one schema change, as the redo log stores it.
type DDL struct {
	// StartTs and CommitTs are the DDL job's TSO timestamps.
	StartTs  uint64
	CommitTs uint64
	// Kind says what the DDL does.
	Kind DDLKind
	// Blocked lists the tables the DDL blocks (must be quiet before it runs).
	Blocked []int64
	// Added lists the tables the DDL creates.
	Added []int64
	// Dropped lists the tables the DDL removes.
	Dropped []int64
	// Query is the SQL text, for humans.
	Query string
}

// RecordType tells a row record from a DDL record.
type RecordType uint8

// Record types. Wire format: never change the values.
const (
	TypeRow    RecordType = 1
	TypeDDL    RecordType = 2
	TypeHeader RecordType = 3
)

// Header is the first record of every log file: where the file starts in
// its log stream, so recovery restores the LSN even after older files were
// collected, and the greatest commit ts before it, so a reader can tell a
// range GC may have collected from one it may not. Body: startLSN 8B LE,
// then maxTsBefore 8B LE only when it is not 0 (one encoding per header).
type Header struct {
	// StartLSN is the stream position of the file's first data record.
	StartLSN uint64
	// MaxTsBefore is the greatest commit ts of any record earlier in the
	// stream (0 when none): if it is below the checkpoint, nothing before
	// the file is needed for apply.
	MaxTsBefore uint64
}

// Record is one decoded log record: a Row when Type is TypeRow, a DDL when
// Type is TypeDDL, a Header when Type is TypeHeader. The other fields are
// zero.
type Record struct {
	Type   RecordType
	Row    Row
	DDL    DDL
	Header Header
}

// CommitTs returns the commit timestamp of whichever change the record holds.
// A header has no commit timestamp and returns 0.
func (r *Record) CommitTs() uint64 {
	switch r.Type {
	case TypeDDL:
		return r.DDL.CommitTs
	case TypeHeader:
		return 0
	}
	return r.Row.CommitTs
}
