package ticdc_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/ticdc"
)

// FuzzDecodePayload decodes arbitrary bytes as a TiCDC payload: it never
// panics, and what decodes re-encodes to a payload that decodes to the
// same record.
func FuzzDecodePayload(f *testing.F) {
	for _, seed := range [][]byte{rowFixture, ddlFixture, ticdc.AppendPayload(nil, &codec.Record{Type: codec.TypeRow,
		Row: codec.Row{TableID: 3, Key: []byte("k"), Op: codec.OpUpdate, Columns: [][]byte{nil, {}}}})} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var rec codec.Record
		if reason := ticdc.DecodePayload(b, &rec); reason != "" {
			return
		}
		var again codec.Record
		if reason := ticdc.DecodePayload(ticdc.AppendPayload(nil, &rec), &again); reason != "" || !reflect.DeepEqual(again, rec) {
			t.Fatalf("re-encoded %+v decodes to %+v (%s)", rec, again, reason)
		}
	})
}

// FuzzWalkTiCDC walks arbitrary bytes as an open TiCDC file: it never
// panics and ends clean, torn or corrupt (ErrCorrupt), never two of them.
func FuzzWalkTiCDC(f *testing.F) {
	f.Add(codec.AppendFrame(codec.AppendFrame(nil, rowFixture), ddlFixture))
	f.Add(metaFixture)
	f.Fuzz(func(t *testing.T, b []byte) {
		w := codec.NewFormatWalker("f.log.tmp", b, 512, false, ticdc.Format)
		for w.Next() {
		}
		if err := w.Err(); err != nil && (w.Torn() || !errors.Is(err, codec.ErrCorrupt)) {
			t.Fatalf("err %v with torn %v", err, w.Torn())
		}
		if _, err := ticdc.DecodeMeta(b); err != nil && !errors.Is(err, codec.ErrCorrupt) {
			t.Fatalf("meta error %v does not wrap ErrCorrupt", err)
		}
	})
}
