package codec

import (
	"bytes"
	"errors"

	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"
)

// propertySeed fixes the generated inputs, so a failure replays exactly.
const propertySeed = 20260820

func propertyParams() *gopter.TestParameters {
	p := gopter.DefaultTestParametersWithSeed(propertySeed)
	p.Workers = 1
	p.MinSuccessfulTests = 300
	return p
}

func genBytes() gopter.Gen { return gen.SliceOf(gen.UInt8()) }

func genRowRecord() gopter.Gen {
	column := gen.OneGenOf(gen.Const([]byte(nil)), genBytes())
	return gopter.CombineGens(gen.Int64(), genBytes(), gen.UInt8Range(1, 3),
		gen.SliceOf(column), gen.UInt64(), gen.UInt64(),
	).Map(func(v []any) Record {
		return rowRecord(Row{TableID: v[0].(int64), Key: v[1].([]byte), Op: Op(v[2].(uint8)),
			Columns: v[3].([][]byte), StartTs: v[4].(uint64), CommitTs: v[5].(uint64)})
	})
}

func genDDLRecord() gopter.Gen {
	ids := gen.SliceOf(gen.Int64())
	return gopter.CombineGens(gen.UInt64(), gen.UInt64(), gen.UInt8Range(1, 4),
		ids, ids, ids, gen.AnyString(),
	).Map(func(v []any) Record {
		return ddlRecord(DDL{StartTs: v[0].(uint64), CommitTs: v[1].(uint64), Kind: DDLKind(v[2].(uint8)),
			Blocked: v[3].([]int64), Added: v[4].([]int64), Dropped: v[5].([]int64), Query: v[6].(string)})
	})
}

func genRecord() gopter.Gen { return gen.OneGenOf(genRowRecord(), genDDLRecord()) }

func TestPropertyRecordRoundTrip(t *testing.T) {
	props := gopter.NewProperties(propertyParams())
	props.Property("decode(encode(r)) == r and re-encodes to the same frame", prop.ForAll(
		func(r Record) bool {
			frame := EncodeRecord([]byte{0xff}, &r)[1:]
			if len(frame) != RecordFrameSize(&r) {
				return false
			}
			var back Record
			if err := DecodeRecord(payloadOf(frame), &back); err != nil || !sameRecord(&back, &r) {
				return false
			}
			return bytes.Equal(EncodeRecord(nil, &back), frame)
		}, genRecord()))
	props.TestingRun(t)
}

func TestPropertyWalkerReadsWhatWasWritten(t *testing.T) {
	params := propertyParams()
	params.MaxSize = 30 // logs of up to 30 records of up to 30 columns: generation dominates the cost
	props := gopter.NewProperties(params)
	props.Property("a log walks clean, and every cut of it is clean or torn, never corrupt", prop.ForAll(
		func(recs []Record, cutPermille int) bool {
			data, offsets := encodeLog(recs)
			full := walk("p.log", data, 64)
			if full.err != nil || full.torn || full.valid != int64(len(data)) || len(full.recs) != len(recs) {
				return false
			}
			for i := range recs {
				if !sameRecord(&full.recs[i], &recs[i]) || full.offsets[i] != int64(offsets[i]) {
					return false
				}
			}
			cut := len(data) * cutPermille / 1000
			part := walk("p.log", data[:cut], 64)
			kept := 0 // frames wholly inside the cut
			for kept < len(offsets) && offsets[kept]+RecordFrameSize(&recs[kept]) <= cut {
				kept++
			}
			wantTorn := kept < len(offsets) && offsets[kept] < cut
			return part.err == nil && part.torn == wantTorn && len(part.recs) == kept
		}, gen.SliceOf(genRecord()), gen.IntRange(0, 1000)))
	props.TestingRun(t)
}

func TestPropertyMetaRoundTrip(t *testing.T) {
	props := gopter.NewProperties(propertyParams())
	props.Property("DecodeMeta(EncodeMeta(m)) == m; any flipped bit is caught", prop.ForAll(
		func(ckpt, resolved uint64, version uint32, bit int) bool {
			m := Meta{CheckpointTs: ckpt, ResolvedTs: resolved, Version: version, RowLSN: ckpt ^ resolved, DDLLSN: resolved / 3}
			b := EncodeMeta(nil, m)
			got, err := DecodeMeta(b)
			if err != nil || got != m || len(b) != MetaBytes {
				return false
			}
			b[bit/8] ^= 1 << (bit % 8)
			_, err = DecodeMeta(b)
			return errors.Is(err, ErrCorrupt)
		}, gen.UInt64(), gen.UInt64(), gen.UInt32(), gen.IntRange(0, 8*MetaBytes-1)))
	props.TestingRun(t)
}

func TestPropertySizedRow(t *testing.T) {
	props := gopter.NewProperties(propertyParams())
	props.Property("SizedRow hits the asked frame size rounded up to 8", prop.ForAll(
		func(frameBytes, columns int, key []byte) bool {
			base := Row{TableID: 7, Key: key, Op: OpUpdate, StartTs: 1 << 60, CommitTs: 1<<60 + 1}
			row := SizedRow(base, RowShape{FrameBytes: frameBytes, Columns: columns})
			r := rowRecord(row)
			minRow := SizedRow(base, RowShape{Columns: columns})
			minFrame := RecordFrameSize(&Record{Type: TypeRow, Row: minRow})
			want := minFrame
			if columns > 0 {
				want = max(FrameSize(frameBytes)-LengthFieldBytes, minFrame)
			}
			return RecordFrameSize(&r) == want && len(row.Columns) == columns
		}, gen.IntRange(0, 20_000), gen.IntRange(0, 12), genBytes()))
	props.TestingRun(t)
}
