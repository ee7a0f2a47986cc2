// Package ticdc reads and writes TiCDC's redo log format (pkg/redo in
// tiflow and ticdc), so the engine can read a real TiCDC redo directory
// and write one TiCDC's reader and `redo apply` accept. The codec is
// written here from the format's description; it uses tinylib/msgp's
// runtime (the library TiCDC's generated code uses) for the msgpack
// primitives, and pierrec/lz4 for compressed files.
//
// # Frames
//
// The framing is engine/codec's (TiCDC's): an 8-byte little-endian length
// field with the pad in its top byte, the payload, zero padding to 8
// bytes. There is no checksum: a payload is valid when it decodes whole.
//
// # Payload
//
//	0xFF 0xFF | version (uint16, big-endian, 2) | msgpack RedoLog
//
// RedoLog is a msgpack map (tinylib/msgp's struct encoding: a map with the
// field tags as string keys, nil pointers as nil):
//
//	RedoLog           {row: RedoDMLEvent|nil, ddl: RedoDDLEvent|nil, type: int (1 row, 2 ddl)}
//	RedoDMLEvent      {row: DMLEventInRedoLog, columns: [RedoColumnValue], pre-columns: [RedoColumnValue]}
//	DMLEventInRedoLog {start-ts, commit-ts: uint, table: TableName, columns: [RedoColumn],
//	                   pre-columns: [RedoColumn], index-columns: [[int]]}
//	TableName         {db-name, tbl-name: str, tbl-id: int, is-partition: bool}
//	RedoColumn        {name: str, type: uint8 (MySQL type), charset, collation: str}
//	RedoColumnValue   {column: any, value-is-empty-bytes: bool, flag: uint (column flags)}
//	RedoDDLEvent      {ddl: DDLEventInRedoLog, type: uint8 (TiDB action), table-name: TableName,
//	                   table-schema-store: nil}
//	DDLEventInRedoLog {start-ts, commit-ts: uint, query: str, block-tables: InfluencedTables|nil,
//	                   need-dropped-tables: InfluencedTables|nil}
//	InfluencedTables  {influence-type: int (2 normal), tables: [int], schema: int}
//
// An insert carries columns only, a delete pre-columns only, an update
// both. Decoding skips keys it does not know and accepts any key order,
// as msgp's generated decoders do.
//
// # Mapping to engine/codec records
//
// A row's key is its handle-key columns (index-columns[0], else the
// columns flagged handle key or primary key): a single binary or string
// value is the key's bytes, anything else the concatenated msgpack
// encodings of the values, each in its smallest form. The other columns, in order, are the row's
// Columns: bytes as they are, strings as bytes, numbers in decimal, NULL
// as nil. Writing, a row becomes table "t<id>" of schema "redosim": a
// varbinary key column "k" (handle and primary key), then blob columns
// "c1".."cN"; an update's pre-columns are the key and NULLs. DDL kinds map
// to TiDB actions: create 3, drop 4, add column 5, truncate 11; a created
// table is the DDL's table-name, a dropped one need-dropped-tables, the
// blocked ones block-tables. Any other action reads as a schema change
// that only blocks its tables (codec.DDLAddColumn).
//
// # Meta
//
// LogMeta, not framed: the msgpack map {checkpointTs: uint, resolvedTs:
// uint, version: int (1)}.
//
// # Compression
//
// A file may be one LZ4 frame over the whole (TiCDC's compression = "lz4",
// detected by the LZ4 magic); Decompress undoes it before the walk.
package ticdc
