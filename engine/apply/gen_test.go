package apply

import (
	"fmt"
	"math/rand/v2"
	"reflect"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"

	"github.com/redosim/redosim/engine/codec"
)

// rowRec builds a row record; cols default to a value naming the change.
func rowRec(table int64, key string, op codec.Op, commitTs uint64) codec.Record {
	r := codec.Row{TableID: table, Key: []byte(key), Op: op, StartTs: commitTs - 1, CommitTs: commitTs}
	if op != codec.OpDelete {
		r.Columns = [][]byte{[]byte(fmt.Sprintf("%s@%d", key, commitTs))}
	}
	return codec.Record{Type: codec.TypeRow, Row: r}
}

// ddlRec builds a DDL record acting on tables.
func ddlRec(kind codec.DDLKind, commitTs uint64, tables ...int64) codec.Record {
	d := codec.DDL{StartTs: commitTs - 1, CommitTs: commitTs, Kind: kind, Query: kind.String()}
	switch kind {
	case codec.DDLCreate:
		d.Added = tables
	case codec.DDLDrop:
		d.Blocked, d.Dropped = tables, tables
	default:
		d.Blocked = tables
	}
	return codec.Record{Type: codec.TypeDDL, DDL: d}
}

// opSpec is one generated step of a random log; buildLog interprets it.
// Its fields are small integers so that gopter shrinks them toward 0.
type opSpec struct {
	Kind  uint8 // 0-9 insert, 10-15 update, 16-19 delete, 20 create, 21 drop, 22 truncate, 23 add-column
	Table uint8 // 0-3 the hot table 1, 4-7 tables 2-5
	Key   uint8 // 0-15
	Txn   uint8 // 0 stays in the current transaction, 1-2 start a new one
}

// genSpec generates random logs as []opSpec. gen.Struct and gen.SliceOf
// keep their shrinkers (unlike gen.Map), so a failure shrinks to a short
// log of small values.
func genSpec() gopter.Gen {
	return gen.SliceOf(gen.Struct(reflect.TypeOf(opSpec{}), map[string]gopter.Gen{
		"Kind":  gen.UInt8Range(0, 23),
		"Table": gen.UInt8Range(0, 7),
		"Key":   gen.UInt8Range(0, 15),
		"Txn":   gen.UInt8Range(0, 2),
	}))
}

const hotTable = 1

func specTable(t uint8) int64 {
	if t < 4 {
		return hotTable
	}
	return int64(t) - 2
}

// buildLog turns a spec into a valid log in apply order. Tables 1-5 exist
// before the log. An op that would break a table's life is turned into one
// that keeps it: a row or DDL on a dropped table creates it instead, and a
// create of a live table becomes an add-column.
func buildLog(spec []opSpec) []codec.Record {
	var recs []codec.Record
	dropped := map[int64]bool{}
	ts := uint64(100)
	newTxn := true
	for _, s := range spec {
		table := specTable(s.Table)
		if s.Kind < 20 && !dropped[table] {
			if newTxn || s.Txn > 0 {
				ts += 2
			}
			newTxn = false
			op := codec.OpInsert
			if s.Kind >= 16 {
				op = codec.OpDelete
			} else if s.Kind >= 10 {
				op = codec.OpUpdate
			}
			recs = append(recs, rowRec(table, fmt.Sprintf("k%02d", s.Key), op, ts))
			continue
		}
		ts += 2
		newTxn = true
		kind := codec.DDLKind(s.Kind - 19)
		switch {
		case s.Kind < 20 || dropped[table]:
			kind = codec.DDLCreate
		case kind == codec.DDLCreate:
			kind = codec.DDLAddColumn
		}
		dropped[table] = kind == codec.DDLDrop
		recs = append(recs, ddlRec(kind, ts, table))
	}
	sorted, err := SortForApply(recs)
	if err != nil {
		panic(err) // the generator only makes rows and DDLs
	}
	return sorted
}

// hotConfig returns the hot-table setting for split mode 0 (off), 1 (hash)
// or 2 (explicit split points).
func hotConfig(split int) []HotTable {
	switch split {
	case 1:
		return []HotTable{{TableID: hotTable, Partitions: 5}}
	case 2:
		return []HotTable{{TableID: hotTable, Splits: [][]byte{[]byte("k04"), []byte("k08"), []byte("k12")}}}
	}
	return nil
}

// variedCost is a row cost model whose values differ by key and commitTs,
// so that workers finish in many different interleavings.
func variedCost(r *codec.Row) int64 {
	return 1_000 + int64((fnv64a(r.Key)+r.CommitTs)%7)*3_000
}

// workloadConfig shapes a benchmark log.
type workloadConfig struct {
	rows      int     // row records
	tables    int     // tables 1..tables
	hotShare  float64 // share of rows in table 1; the rest spread evenly
	keys      int     // keys per table
	txnRows   int     // rows per transaction
	ddlEvery  int     // an add-column every ddlEvery rows; 0 none
	seed      uint64  // the generator's seed
	colsBytes int     // bytes of column value per row
}

// workload returns a benchmark log in apply order, drawn from a seeded PCG.
func workload(c workloadConfig) []codec.Record {
	rng := rand.New(rand.NewPCG(c.seed, 0x9e3779b97f4a7c15))
	val := make([]byte, c.colsBytes)
	recs := make([]codec.Record, 0, c.rows+c.rows/max(c.ddlEvery, 1)+1)
	ts := uint64(1000)
	for i := 0; i < c.rows; i++ {
		if i%c.txnRows == 0 {
			ts += 2
		}
		if c.ddlEvery > 0 && i > 0 && i%c.ddlEvery == 0 {
			ts += 2
			recs = append(recs, ddlRec(codec.DDLAddColumn, ts, int64(1+rng.IntN(c.tables))))
			ts += 2
		}
		table := int64(1)
		if rng.Float64() >= c.hotShare {
			table = int64(1 + rng.IntN(c.tables))
		}
		op := []codec.Op{codec.OpInsert, codec.OpUpdate, codec.OpUpdate, codec.OpDelete}[rng.IntN(4)]
		r := codec.Row{TableID: table, Key: fmt.Appendf(nil, "key%06d", rng.IntN(c.keys)), Op: op,
			StartTs: ts - 1, CommitTs: ts}
		if op != codec.OpDelete {
			r.Columns = [][]byte{val}
		}
		recs = append(recs, codec.Record{Type: codec.TypeRow, Row: r})
	}
	sorted, err := SortForApply(recs)
	if err != nil {
		panic(err)
	}
	return sorted
}
