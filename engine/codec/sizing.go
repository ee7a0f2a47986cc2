package codec

// RowShape asks SizedRow for a row of a given encoded size.
type RowShape struct {
	// FrameBytes is the wanted size in bytes of the row's whole frame
	// (length field, payload and padding), as RecordFrameSize reports it.
	// It is rounded up to a multiple of 8; a size below the smallest frame
	// the row's other fields allow gives that smallest frame.
	FrameBytes int
	// Columns is the number of column values, which share the bytes as
	// evenly as the varint length prefixes allow. 0 or less means no
	// columns, and then the size is the smallest frame.
	Columns int
}

// SizedRow returns a copy of base whose Columns are replaced by
// shape.Columns non-NULL filler values sized so that the row's record frame
// is exactly shape.FrameBytes rounded up to a multiple of 8 (or the smallest
// possible frame, see RowShape). The filler is a fixed byte pattern, so the
// result is deterministic; the columns share one allocation but not
// capacity. base.Op must be valid. Cost: O(FrameBytes).
func SizedRow(base Row, shape RowShape) Row {
	row := base
	n := max(shape.Columns, 0)
	row.Columns = make([][]byte, n)
	for i := range row.Columns {
		row.Columns[i] = []byte{}
	}
	target := max(shape.FrameBytes, 0)
	wantPayload := target + padBytes(target) - LengthFieldBytes
	extra := wantPayload - (PayloadHeaderBytes + rowBodySize(&row))
	if n == 0 || extra <= 0 {
		return row
	}
	lens := make([]int, n)
	total := 0
	for i := range lens {
		share := extra / (n - i)
		lens[i] = columnLenFor(share)
		extra -= columnCost(lens[i])
		total += lens[i]
	}
	buf := make([]byte, total)
	for i := range buf {
		buf[i] = 'a' + byte(i%26)
	}
	for i, l := range lens {
		row.Columns[i], buf = buf[:l:l], buf[l:]
	}
	return row
}

// columnCost is the number of bytes a column value of l bytes adds to a
// row body over an empty value: l plus the growth of its length prefix.
func columnCost(l int) int {
	return l + uvarintLen(uint64(l)+1) - 1
}

// columnLenFor returns the longest column value whose cost is at most
// budget. Prefix sizes grow by one byte at a time, so the result costs
// budget or budget-1, and the missing byte carries to the next column.
func columnLenFor(budget int) int {
	l := max(budget, 0)
	for l > 0 && columnCost(l) > budget {
		l--
	}
	return l
}
