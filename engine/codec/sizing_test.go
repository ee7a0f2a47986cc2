package codec

import "testing"

func TestSizedRow(t *testing.T) {
	base := Row{TableID: 12, Key: []byte("order-000042"), Op: OpInsert, StartTs: 1 << 62, CommitTs: 1<<62 + 9}
	for _, tc := range []struct {
		frameBytes, columns, want int
	}{
		{300, 4, 304},   // rounded up to a multiple of 8
		{304, 4, 304},   // exact
		{128, 1, 128},   // one column
		{4096, 8, 4096}, // prefixes grow to 2 bytes
		{150, 3, 152},   // a column crosses the 127/128-byte prefix step
		{40, 4, 56},     // below the smallest frame: the smallest frame (44-byte payload)
		{1 << 20, 2, 1 << 20},
	} {
		row := SizedRow(base, RowShape{FrameBytes: tc.frameBytes, Columns: tc.columns})
		r := rowRecord(row)
		if got := RecordFrameSize(&r); got != tc.want || len(row.Columns) != tc.columns {
			t.Errorf("SizedRow(%d bytes, %d columns): frame %d bytes, %d columns want %d bytes",
				tc.frameBytes, tc.columns, got, len(row.Columns), tc.want)
		}
		if got := len(EncodeRecord(nil, &r)); got != tc.want {
			t.Errorf("SizedRow(%d bytes, %d columns): encoded %d bytes want %d", tc.frameBytes, tc.columns, got, tc.want)
		}
	}
}

func TestSizedRowColumnsDoNotShareCapacity(t *testing.T) {
	row := SizedRow(Row{Op: OpInsert}, RowShape{FrameBytes: 400, Columns: 3})
	for i, c := range row.Columns {
		if len(c) == 0 || cap(c) != len(c) {
			t.Fatalf("column %d: len %d cap %d want a non-empty value with no spare capacity", i, len(c), cap(c))
		}
	}
	if got := SizedRow(Row{Op: OpInsert, Columns: [][]byte{[]byte("old")}}, RowShape{FrameBytes: 100}); len(got.Columns) != 0 {
		t.Fatalf("SizedRow with 0 columns kept %d columns", len(got.Columns))
	}
}
