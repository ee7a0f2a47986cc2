package upstream

import (
	"math"
	"runtime"
	"testing"

	"github.com/redosim/redosim/sim"
)

// BenchmarkWorld runs a default world (64 tables, 1000 rows/s, DDLs on) for
// ten minutes of virtual time per op, to know what the upstream costs inside
// bigger worlds. It reports loop events, transactions and rows generated
// per second of wall time; SetBytes is the encoded row bytes of one run.
func BenchmarkWorld(b *testing.B) {
	b.Run("minutes=10/rowsPerSecond=1000", func(b *testing.B) {
		b.ReportAllocs()
		var steps, txns, rows int64
		for i := 0; i < b.N; i++ {
			w := sim.NewWorld(sim.WorldConfig{Seed: uint64(i) + 1})
			u, err := New(w, Config{})
			if err != nil {
				b.Fatal(err)
			}
			u.Start()
			if err := w.Loop.RunUntil(sim.Instant(10 * sim.Minute)); err != nil {
				b.Fatal(err)
			}
			steps += int64(w.Loop.Steps())
			txns += u.Stats().Txns
			rows += u.Stats().Rows
			b.SetBytes(u.Stats().Bytes)
		}
		sec := b.Elapsed().Seconds()
		b.ReportMetric(float64(steps)/sec, "events/s")
		b.ReportMetric(float64(txns)/sec, "txns/s")
		b.ReportMetric(float64(rows)/sec, "rows/s")
	})
}

// BenchmarkScan scans a whole ten-minute default world table by table, as
// an event service catching up from the start would.
func BenchmarkScan(b *testing.B) {
	u, _ := run(b, 1, Config{}, 10*sim.Minute)
	b.ReportAllocs()
	b.ResetTimer()
	var events int64
	for i := 0; i < b.N; i++ {
		for _, id := range u.Tables() {
			u.Scan(id, 0, math.MaxUint64, func(Event) bool { events++; return true })
		}
	}
	b.ReportMetric(float64(events)/b.Elapsed().Seconds(), "events/s")
}

// retainedPer100kRows runs a default world for d and returns the live heap
// it holds, in bytes per 100 000 committed rows.
func retainedPer100kRows(t testing.TB, d sim.Duration) (float64, Stats) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	u, _ := run(t, 1, Config{}, d)
	runtime.GC()
	runtime.ReadMemStats(&after)
	st := u.Stats()
	runtime.KeepAlive(u)
	return float64(after.HeapAlloc-before.HeapAlloc) / float64(st.Rows) * 1e5, st
}

// TestMemoryPerRow guards the memory layout (see the package doc): a row
// costs its 200-byte codec.Record plus well under 200 bytes more, however
// large its encoded size.
func TestMemoryPerRow(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a ten-minute world")
	}
	per100k, st := retainedPer100kRows(t, 10*sim.Minute)
	t.Logf("%.1f MB per 100k rows (%d rows, %.0f MB encoded)", per100k/1e6, st.Rows, float64(st.Bytes)/1e6)
	if per100k > 40e6 {
		t.Errorf("%.1f MB per 100k rows, want under 40", per100k/1e6)
	}
}
