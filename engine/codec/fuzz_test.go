package codec

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the fuzz seed corpus in testdata/fuzz")

// FuzzWalker walks arbitrary bytes: it must not panic, must end in exactly
// one of the three outcomes, and every clean record must re-encode to its
// frame's exact bytes.
func FuzzWalker(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, sectorBytes := range []int{DefaultSectorBytes, 64} {
			checkWalk(t, data, sectorBytes)
		}
	})
}

func checkWalk(t *testing.T, data []byte, sectorBytes int) {
	w := NewWalker("fuzz.log", data, sectorBytes)
	records := 0
	for w.Next() {
		if w.Offset()+int64(len(w.Frame())) != w.ValidBytes() {
			t.Fatalf("record at %d: frame of %d bytes ends at %d", w.Offset(), len(w.Frame()), w.ValidBytes())
		}
		if got := EncodeRecord(nil, w.Record()); !bytes.Equal(got, w.Frame()) {
			t.Fatalf("record at %d re-encodes to %x want %x", w.Offset(), got, w.Frame())
		}
		records++
	}
	valid := w.ValidBytes()
	switch {
	case w.Err() != nil:
		if !errors.Is(w.Err(), ErrCorrupt) || w.Torn() || valid >= int64(len(data)) {
			t.Fatalf("corrupt walk: err %v, torn %v, valid %d of %d", w.Err(), w.Torn(), valid, len(data))
		}
	case w.Torn():
		if !errors.Is(w.TornCause(), ErrTornTail) || valid >= int64(len(data)) {
			t.Fatalf("torn walk: cause %v, valid %d of %d", w.TornCause(), valid, len(data))
		}
	case valid != int64(len(data)):
		t.Fatalf("clean walk ended at %d of %d", valid, len(data))
	}
	if w.Next() {
		t.Fatalf("Next returned true after the end")
	}
	// The valid prefix alone walks clean to the same records.
	p := NewWalker("fuzz.log", data[:valid], sectorBytes)
	n := 0
	for p.Next() {
		n++
	}
	if p.Err() != nil || p.Torn() || n != records {
		t.Fatalf("valid prefix of %d bytes: %d records (want %d), err %v, torn %v", valid, n, records, p.Err(), p.Torn())
	}
}

// FuzzDecodeRecord decodes arbitrary payloads, into a fresh record and into
// one still holding an earlier record: both agree, and a payload that
// decodes re-encodes to the same frame.
func FuzzDecodeRecord(f *testing.F) {
	warm := testRecords(3)
	f.Fuzz(func(t *testing.T, payload []byte) {
		var fresh Record
		errFresh := DecodeRecord(payload, &fresh)
		for i := range warm {
			reused := warm[i].Clone()
			errReused := DecodeRecord(payload, &reused)
			if (errFresh == nil) != (errReused == nil) {
				t.Fatalf("fresh decode error %v, reused decode error %v", errFresh, errReused)
			}
			if errFresh == nil && !sameRecord(&fresh, &reused) {
				t.Fatalf("fresh decode %+v, reused decode %+v", fresh, reused)
			}
		}
		if errFresh != nil {
			if !errors.Is(errFresh, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", errFresh)
			}
			return
		}
		if got, want := EncodeRecord(nil, &fresh), AppendFrame(nil, payload); !bytes.Equal(got, want) {
			t.Fatalf("re-encoded %x want %x", got, want)
		}
	})
}

// FuzzDecodeMeta decodes arbitrary bytes as a meta: a meta that decodes
// re-encodes to the same bytes.
func FuzzDecodeMeta(f *testing.F) {
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := DecodeMeta(b)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		if got := EncodeMeta(nil, m); !bytes.Equal(got, b) {
			t.Fatalf("re-encoded %x want %x", got, b)
		}
	})
}

// fuzzSeeds returns the seed corpus of each fuzz target, built from valid
// encodings and from a few damaged ones.
func fuzzSeeds() map[string]map[string][]byte {
	recs := testRecords(4)
	clean, offsets := encodeLog(recs)
	flipped := bytes.Clone(clean)
	flipped[offsets[1]+40] ^= 0x08
	golden := []Record{
		rowRecord(Row{TableID: 42, Key: []byte("k1"), Op: OpInsert, Columns: [][]byte{[]byte("v"), nil, {}}, StartTs: 100, CommitTs: 101}),
		ddlRecord(DDL{StartTs: 200, CommitTs: 201, Kind: DDLCreate, Added: []int64{7}, Query: "create table t"}),
	}
	goldenLog, _ := encodeLog(golden)
	meta := EncodeMeta(nil, Meta{CheckpointTs: 100, ResolvedTs: 200, Version: MetaVersion})
	badMeta := bytes.Clone(meta)
	badMeta[20] ^= 1
	return map[string]map[string][]byte{
		"FuzzWalker": {
			"clean":       clean,
			"torn":        clean[:len(clean)-50],
			"zero-tail":   append(bytes.Clone(clean), make([]byte, 64)...),
			"flip-middle": flipped,
			"golden":      goldenLog,
			"empty":       {},
		},
		"FuzzDecodeRecord": {
			"row":       payloadOf(EncodeRecord(nil, &golden[0])),
			"ddl":       payloadOf(EncodeRecord(nil, &golden[1])),
			"sized-row": payloadOf(clean),
			"ddl-alter": payloadOf(EncodeRecord(nil, &recs[3])),
		},
		"FuzzDecodeMeta": {
			"meta":     meta,
			"bad-crc":  badMeta,
			"too-long": append(bytes.Clone(meta), 0),
		},
	}
}

// TestFuzzCorpus keeps testdata/fuzz in step with fuzzSeeds; run with
// -rewrite to regenerate it, and read the diff before committing.
func TestFuzzCorpus(t *testing.T) {
	for target, seeds := range fuzzSeeds() {
		for name, data := range seeds {
			path := filepath.Join("testdata", "fuzz", target, name)
			want := fmt.Appendf(nil, "go test fuzz v1\n[]byte(%q)\n", data)
			if *rewrite {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			got, err := os.ReadFile(path)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s is missing or stale (err %v); run go test ./engine/codec -run TestFuzzCorpus -rewrite", path, err)
			}
		}
	}
}
