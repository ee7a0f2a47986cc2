package ticdc

import (
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/redosim/redosim/engine/codec"
	"github.com/tinylib/msgp/msgp"
)

// Payload constants. Wire format: never change.
const (
	// PayloadVersion is the codec version after the FF FF prefix.
	PayloadVersion = 2
	// prefixBytes is FF FF and the big-endian version.
	prefixBytes = 4

	logTypeRow = 1
	logTypeDDL = 2

	// MySQL column types written for the key and the value columns.
	mysqlTypeBlob      = 0xfc
	mysqlTypeVarString = 0xfd

	// Column flags (TiCDC's ColumnFlagType).
	flagBinary     = 1 << 0
	flagHandleKey  = 1 << 1
	flagPrimaryKey = 1 << 3
	flagNullable   = 1 << 6

	// TiDB DDL action types.
	actionCreateTable   = 3
	actionDropTable     = 4
	actionAddColumn     = 5
	actionTruncateTable = 11

	influenceNormal = 2

	// Schema is the schema name rows and DDLs are written under.
	Schema = "redosim"
)

// AppendPayload appends the TiCDC payload of rec (a row or a DDL) to dst.
// It panics on a header record, which TiCDC's format does not have.
func AppendPayload(dst []byte, rec *codec.Record) []byte {
	dst = append(dst, 0xff, 0xff)
	dst = binary.BigEndian.AppendUint16(dst, PayloadVersion)
	dst = msgp.AppendMapHeader(dst, 3)
	switch rec.Type {
	case codec.TypeRow:
		dst = msgp.AppendString(dst, "row")
		dst = appendRow(dst, &rec.Row)
		dst = msgp.AppendString(dst, "ddl")
		dst = msgp.AppendNil(dst)
		dst = msgp.AppendString(dst, "type")
		return msgp.AppendInt(dst, logTypeRow)
	case codec.TypeDDL:
		dst = msgp.AppendString(dst, "row")
		dst = msgp.AppendNil(dst)
		dst = msgp.AppendString(dst, "ddl")
		dst = appendDDL(dst, &rec.DDL)
		dst = msgp.AppendString(dst, "type")
		return msgp.AppendInt(dst, logTypeDDL)
	}
	panic(fmt.Sprintf("engine/ticdc: a %d record has no TiCDC payload", rec.Type))
}

// tableName appends a TableName map.
func appendTableName(dst []byte, id int64) []byte {
	dst = msgp.AppendMapHeader(dst, 4)
	dst = msgp.AppendString(dst, "db-name")
	dst = msgp.AppendString(dst, Schema)
	dst = msgp.AppendString(dst, "tbl-name")
	dst = msgp.AppendString(dst, "t"+strconv.FormatInt(id, 10))
	dst = msgp.AppendString(dst, "tbl-id")
	dst = msgp.AppendInt64(dst, id)
	dst = msgp.AppendString(dst, "is-partition")
	return msgp.AppendBool(dst, false)
}

func appendColumnMeta(dst []byte, name string, typ byte) []byte {
	dst = msgp.AppendMapHeader(dst, 4)
	dst = msgp.AppendString(dst, "name")
	dst = msgp.AppendString(dst, name)
	dst = msgp.AppendString(dst, "type")
	dst = msgp.AppendByte(dst, typ)
	dst = msgp.AppendString(dst, "charset")
	dst = msgp.AppendString(dst, "binary")
	dst = msgp.AppendString(dst, "collation")
	return msgp.AppendString(dst, "binary")
}

// appendColumnMetas appends the key column and n value columns.
func appendColumnMetas(dst []byte, n int) []byte {
	dst = msgp.AppendArrayHeader(dst, uint32(n+1))
	dst = appendColumnMeta(dst, "k", mysqlTypeVarString)
	for i := range n {
		dst = appendColumnMeta(dst, "c"+strconv.Itoa(i+1), mysqlTypeBlob)
	}
	return dst
}

func appendValue(dst []byte, v []byte, flag uint64) []byte {
	dst = msgp.AppendMapHeader(dst, 3)
	dst = msgp.AppendString(dst, "column")
	if v == nil {
		dst = msgp.AppendNil(dst)
	} else {
		dst = msgp.AppendBytes(dst, v)
	}
	dst = msgp.AppendString(dst, "value-is-empty-bytes")
	dst = msgp.AppendBool(dst, v != nil && len(v) == 0)
	dst = msgp.AppendString(dst, "flag")
	return msgp.AppendUint64(dst, flag)
}

// appendValues appends the key's value and then cols (NULLs when nulls).
func appendValues(dst []byte, key []byte, cols [][]byte, nulls bool) []byte {
	dst = msgp.AppendArrayHeader(dst, uint32(len(cols)+1))
	if key == nil {
		key = []byte{}
	}
	dst = appendValue(dst, key, flagBinary|flagHandleKey|flagPrimaryKey)
	for _, c := range cols {
		if nulls {
			c = nil
		}
		dst = appendValue(dst, c, flagBinary|flagNullable)
	}
	return dst
}

func appendRow(dst []byte, r *codec.Row) []byte {
	insert := r.Op == codec.OpInsert || r.Op == codec.OpUpdate
	pre := r.Op == codec.OpDelete || r.Op == codec.OpUpdate
	dst = msgp.AppendMapHeader(dst, 3)
	dst = msgp.AppendString(dst, "row")
	dst = msgp.AppendMapHeader(dst, 6)
	dst = msgp.AppendString(dst, "start-ts")
	dst = msgp.AppendUint64(dst, r.StartTs)
	dst = msgp.AppendString(dst, "commit-ts")
	dst = msgp.AppendUint64(dst, r.CommitTs)
	dst = msgp.AppendString(dst, "table")
	dst = appendTableName(dst, r.TableID)
	for _, side := range []struct {
		key string
		on  bool
	}{{"columns", insert}, {"pre-columns", pre}} {
		dst = msgp.AppendString(dst, side.key)
		if side.on {
			dst = appendColumnMetas(dst, len(r.Columns))
		} else {
			dst = msgp.AppendNil(dst)
		}
	}
	dst = msgp.AppendString(dst, "index-columns")
	dst = msgp.AppendArrayHeader(dst, 1)
	dst = msgp.AppendArrayHeader(dst, 1)
	dst = msgp.AppendInt(dst, 0)
	dst = msgp.AppendString(dst, "columns")
	if insert {
		dst = appendValues(dst, r.Key, r.Columns, false)
	} else {
		dst = msgp.AppendNil(dst)
	}
	dst = msgp.AppendString(dst, "pre-columns")
	if pre {
		// A delete keeps its values; an update's old values are not in
		// the log, so they are NULL behind the key.
		dst = appendValues(dst, r.Key, r.Columns, r.Op == codec.OpUpdate)
	} else {
		dst = msgp.AppendNil(dst)
	}
	return dst
}

// ddlTable is the table a DDL's table-name names.
func ddlTable(d *codec.DDL) int64 {
	for _, ids := range [][]int64{d.Added, d.Dropped, d.Blocked} {
		if len(ids) > 0 {
			return ids[0]
		}
	}
	return 0
}

func appendInfluenced(dst []byte, ids []int64) []byte {
	if len(ids) == 0 {
		return msgp.AppendNil(dst)
	}
	dst = msgp.AppendMapHeader(dst, 3)
	dst = msgp.AppendString(dst, "influence-type")
	dst = msgp.AppendInt(dst, influenceNormal)
	dst = msgp.AppendString(dst, "tables")
	dst = msgp.AppendArrayHeader(dst, uint32(len(ids)))
	for _, id := range ids {
		dst = msgp.AppendInt64(dst, id)
	}
	dst = msgp.AppendString(dst, "schema")
	return msgp.AppendInt64(dst, 0)
}

var kindActions = map[codec.DDLKind]byte{
	codec.DDLCreate: actionCreateTable, codec.DDLDrop: actionDropTable,
	codec.DDLAddColumn: actionAddColumn, codec.DDLTruncate: actionTruncateTable,
}

func appendDDL(dst []byte, d *codec.DDL) []byte {
	dst = msgp.AppendMapHeader(dst, 4)
	dst = msgp.AppendString(dst, "ddl")
	dst = msgp.AppendMapHeader(dst, 5)
	dst = msgp.AppendString(dst, "start-ts")
	dst = msgp.AppendUint64(dst, d.StartTs)
	dst = msgp.AppendString(dst, "commit-ts")
	dst = msgp.AppendUint64(dst, d.CommitTs)
	dst = msgp.AppendString(dst, "query")
	dst = msgp.AppendString(dst, d.Query)
	dst = msgp.AppendString(dst, "block-tables")
	dst = appendInfluenced(dst, d.Blocked)
	dst = msgp.AppendString(dst, "need-dropped-tables")
	dst = appendInfluenced(dst, d.Dropped)
	dst = msgp.AppendString(dst, "type")
	dst = msgp.AppendByte(dst, kindActions[d.Kind])
	dst = msgp.AppendString(dst, "table-name")
	dst = appendTableName(dst, ddlTable(d))
	dst = msgp.AppendString(dst, "table-schema-store")
	return msgp.AppendNil(dst)
}
