package ticdc

import (
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/redosim/redosim/engine/codec"
	"github.com/tinylib/msgp/msgp"
)

// dec reads msgpack off b; the first failure is kept in err and every
// later read returns zero values, so callers check once.
type dec struct {
	b   []byte
	err error
}

func (d *dec) fail(what string, err error) {
	if d.err == nil {
		d.err = fmt.Errorf("%s: %w", what, err)
	}
}

// isNil consumes a nil and reports whether there was one.
func (d *dec) isNil() bool {
	if d.err != nil || !msgp.IsNil(d.b) {
		return false
	}
	d.b = d.b[1:]
	return true
}

// mapKeys calls f for each key of a map (nil reads as an empty map);
// f must consume the value.
func (d *dec) mapKeys(what string, f func(key string)) {
	if d.err != nil || d.isNil() {
		return
	}
	n, rest, err := msgp.ReadMapHeaderBytes(d.b)
	if err != nil {
		d.fail(what, err)
		return
	}
	d.b = rest
	for range n {
		k, rest, err := msgp.ReadMapKeyZC(d.b)
		if err != nil {
			d.fail(what, err)
			return
		}
		d.b = rest
		f(string(k))
		if d.err != nil {
			return
		}
	}
}

// array returns an array's length (nil reads as 0); the caller reads the
// elements. The length is bounded by the bytes left.
func (d *dec) array(what string) int {
	if d.err != nil || d.isNil() {
		return 0
	}
	n, rest, err := msgp.ReadArrayHeaderBytes(d.b)
	if err != nil {
		d.fail(what, err)
		return 0
	}
	if int(n) > len(rest) {
		d.fail(what, fmt.Errorf("%d elements in %d bytes", n, len(rest)))
		return 0
	}
	d.b = rest
	return int(n)
}

func (d *dec) skip(what string) {
	if d.err != nil {
		return
	}
	rest, err := msgp.Skip(d.b)
	if err != nil {
		d.fail(what, err)
		return
	}
	d.b = rest
}

func (d *dec) uint64(what string) uint64 {
	if d.err != nil {
		return 0
	}
	v, rest, err := msgp.ReadUint64Bytes(d.b)
	if err != nil {
		d.fail(what, err)
		return 0
	}
	d.b = rest
	return v
}

func (d *dec) int64(what string) int64 {
	if d.err != nil {
		return 0
	}
	v, rest, err := msgp.ReadInt64Bytes(d.b)
	if err != nil {
		d.fail(what, err)
		return 0
	}
	d.b = rest
	return v
}

func (d *dec) str(what string) string {
	if d.err != nil {
		return ""
	}
	v, rest, err := msgp.ReadStringBytes(d.b)
	if err != nil {
		d.fail(what, err)
		return ""
	}
	d.b = rest
	return v
}

func (d *dec) boolean(what string) bool {
	if d.err != nil {
		return false
	}
	v, rest, err := msgp.ReadBoolBytes(d.b)
	if err != nil {
		d.fail(what, err)
		return false
	}
	d.b = rest
	return v
}

func (d *dec) any(what string) any {
	if d.err != nil {
		return nil
	}
	v, rest, err := msgp.ReadIntfBytes(d.b)
	if err != nil {
		d.fail(what, err)
		return nil
	}
	d.b = rest
	return v
}

// value is a RedoColumnValue.
type value struct {
	v          any
	emptyBytes bool
	flag       uint64
}

// dml is a decoded RedoDMLEvent.
type dml struct {
	startTs, commitTs uint64
	tableID           int64
	index             [][]int
	values, preValues []value
}

// DecodePayload decodes a TiCDC payload (prefix and msgpack RedoLog) into
// rec, returning why it does not decode, or "". The payload must be
// consumed whole. rec is overwritten; nothing in it aliases payload.
func DecodePayload(payload []byte, rec *codec.Record) string {
	if len(payload) < prefixBytes || payload[0] != 0xff || payload[1] != 0xff {
		return "no FF FF version prefix (a version-1 payload or not TiCDC's)"
	}
	if v := binary.BigEndian.Uint16(payload[2:]); v != PayloadVersion {
		return fmt.Sprintf("unsupported payload version %d", v)
	}
	d := &dec{b: payload[prefixBytes:]}
	var row *dml
	var ddl *codec.DDL
	typ := int64(0)
	d.mapKeys("redo log", func(k string) {
		switch k {
		case "row":
			if !d.isNil() {
				row = d.dmlEvent()
			}
		case "ddl":
			if !d.isNil() {
				ddl = d.ddlEvent()
			}
		case "type":
			typ = d.int64("type")
		default:
			d.skip(k)
		}
	})
	switch {
	case d.err != nil:
		return d.err.Error()
	case len(d.b) != 0:
		return fmt.Sprintf("%d trailing bytes after the redo log", len(d.b))
	case typ == logTypeRow && row != nil:
		*rec = codec.Record{Type: codec.TypeRow}
		if reason := row.toRow(&rec.Row); reason != "" {
			return reason
		}
	case typ == logTypeDDL && ddl != nil:
		*rec = codec.Record{Type: codec.TypeDDL, DDL: *ddl}
	default:
		return fmt.Sprintf("redo log of type %d without its event", typ)
	}
	return ""
}

func (d *dec) tableID(what string) int64 {
	var id int64
	d.mapKeys(what, func(k string) {
		if k == "tbl-id" {
			id = d.int64(k)
		} else {
			d.skip(k)
		}
	})
	return id
}

// columns checks a [RedoColumn] array (the column meta, which rows do not
// keep) and skips it.
func (d *dec) columns(what string) {
	for range d.array(what) {
		if !d.isNil() {
			d.mapKeys(what, func(k string) { d.skip(k) })
		}
	}
}

func (d *dec) values(what string) []value {
	n := d.array(what)
	var out []value
	for range n {
		var v value
		d.mapKeys(what, func(k string) {
			switch k {
			case "column":
				v.v = d.any(k)
			case "value-is-empty-bytes":
				v.emptyBytes = d.boolean(k)
			case "flag":
				v.flag = d.uint64(k)
			default:
				d.skip(k)
			}
		})
		out = append(out, v)
	}
	return out
}

func (d *dec) dmlEvent() *dml {
	e := &dml{}
	d.mapKeys("row event", func(k string) {
		switch k {
		case "row":
			d.mapKeys("row", func(k string) {
				switch k {
				case "start-ts":
					e.startTs = d.uint64(k)
				case "commit-ts":
					e.commitTs = d.uint64(k)
				case "table":
					e.tableID = d.tableID(k)
				case "columns", "pre-columns":
					d.columns(k)
				case "index-columns":
					for range d.array(k) {
						var idx []int
						for range d.array(k) {
							idx = append(idx, int(d.int64(k)))
						}
						e.index = append(e.index, idx)
					}
				default:
					d.skip(k)
				}
			})
		case "columns":
			e.values = d.values(k)
		case "pre-columns":
			e.preValues = d.values(k)
		default:
			d.skip(k)
		}
	})
	return e
}

func (d *dec) influenced(what string) []int64 {
	var ids []int64
	d.mapKeys(what, func(k string) {
		if k != "tables" {
			d.skip(k)
			return
		}
		for range d.array(k) {
			ids = append(ids, d.int64(k))
		}
	})
	return ids
}

func (d *dec) ddlEvent() *codec.DDL {
	out := &codec.DDL{}
	action := byte(0)
	table := int64(0)
	d.mapKeys("ddl event", func(k string) {
		switch k {
		case "ddl":
			d.mapKeys("ddl", func(k string) {
				switch k {
				case "start-ts":
					out.StartTs = d.uint64(k)
				case "commit-ts":
					out.CommitTs = d.uint64(k)
				case "query":
					out.Query = d.str(k)
				case "block-tables":
					out.Blocked = d.influenced(k)
				case "need-dropped-tables":
					out.Dropped = d.influenced(k)
				default:
					d.skip(k)
				}
			})
		case "type":
			action = byte(d.uint64(k))
		case "table-name":
			table = d.tableID(k)
		default:
			d.skip(k)
		}
	})
	switch action {
	case actionCreateTable:
		out.Kind, out.Added = codec.DDLCreate, []int64{table}
	case actionDropTable:
		out.Kind = codec.DDLDrop
		if len(out.Dropped) == 0 {
			out.Dropped = []int64{table}
		}
	case actionTruncateTable:
		out.Kind = codec.DDLTruncate
	default:
		out.Kind = codec.DDLAddColumn // a schema change that only blocks its tables
	}
	if out.Kind != codec.DDLCreate && out.Kind != codec.DDLDrop && len(out.Blocked) == 0 {
		out.Blocked = []int64{table}
	}
	return out
}

// toRow turns a decoded DML event into a row; it returns why it cannot.
func (e *dml) toRow(r *codec.Row) string {
	r.StartTs, r.CommitTs, r.TableID = e.startTs, e.commitTs, e.tableID
	vals := e.values
	switch {
	case len(e.values) > 0 && len(e.preValues) > 0:
		r.Op = codec.OpUpdate
	case len(e.values) > 0:
		r.Op = codec.OpInsert
	case len(e.preValues) > 0:
		r.Op, vals = codec.OpDelete, e.preValues
	default:
		return "row event with neither columns nor pre-columns"
	}
	isKey := make([]bool, len(vals))
	if len(e.index) > 0 && len(e.index[0]) > 0 {
		for _, i := range e.index[0] {
			if i < 0 || i >= len(vals) {
				return fmt.Sprintf("index column %d of %d columns", i, len(vals))
			}
			isKey[i] = true
		}
	} else {
		for i, v := range vals {
			isKey[i] = v.flag&(flagHandleKey|flagPrimaryKey) != 0
		}
	}
	var keyVals []value
	r.Key, r.Columns = nil, nil
	for i, v := range vals {
		if isKey[i] {
			keyVals = append(keyVals, v)
			continue
		}
		if r.Op != codec.OpDelete {
			r.Columns = append(r.Columns, valueBytes(v))
		}
	}
	if len(keyVals) == 1 {
		switch k := keyVals[0].v.(type) {
		case []byte:
			r.Key = append([]byte{}, k...)
			return ""
		case string:
			r.Key = []byte(k)
			return ""
		}
	}
	r.Key = []byte{}
	for _, v := range keyVals {
		b, err := msgp.AppendIntf(r.Key, v.v)
		if err != nil {
			return fmt.Sprintf("key column: %v", err)
		}
		r.Key = b
	}
	return ""
}

// valueBytes turns a column value into the bytes a codec row holds.
func valueBytes(v value) []byte {
	switch x := v.v.(type) {
	case nil:
		if v.emptyBytes {
			return []byte{}
		}
		return nil
	case []byte:
		return append([]byte{}, x...)
	case string:
		return []byte(x)
	case int64:
		return strconv.AppendInt(nil, x, 10)
	case uint64:
		return strconv.AppendUint(nil, x, 10)
	case bool:
		if x {
			return []byte("1")
		}
		return []byte("0")
	case float64:
		return strconv.AppendFloat(nil, x, 'g', -1, 64)
	case float32:
		return strconv.AppendFloat(nil, float64(x), 'g', -1, 32)
	}
	return fmt.Appendf(nil, "%v", v.v)
}
