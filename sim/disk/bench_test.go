package disk

import (
	"fmt"
	"testing"

	"github.com/redosim/redosim/sim"
)

// BenchmarkFSAppendSync measures the in-memory cost of one Append plus
// Sync on a growing file (no virtual time involved).
func BenchmarkFSAppendSync(b *testing.B) {
	for _, size := range []int{128, 4096} {
		b.Run(fmt.Sprintf("rec=%dB", size), func(b *testing.B) {
			fs := NewFS(FSConfig{})
			must(b, fs.Create("/wal"))
			rec := pattern(1, size)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				if fs.UsedBytes() > 64<<20 { // keep the file bounded
					must(b, fs.Truncate("/wal", 0))
					must(b, fs.Sync("/wal"))
				}
				if _, err := fs.Append("/wal", rec); err != nil {
					b.Fatal(err)
				}
				if err := fs.Sync("/wal"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDiskAppendSync measures the cost of one timed Append plus
// SyncData round trip through the loop (local-vm profile).
func BenchmarkDiskAppendSync(b *testing.B) {
	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
	d := New(w, Config{})
	must(b, d.FS().Create("/wal"))
	rec := pattern(1, 128)
	b.ReportAllocs()
	for b.Loop() {
		if d.FS().UsedBytes() > 64<<20 {
			must(b, d.FS().Truncate("/wal", 0))
		}
		d.Append("/wal", rec, func(int64, error) {})
		d.SyncData("/wal", func(error) {})
		if err := w.Loop.Run(); err != nil {
			b.Fatal(err)
		}
	}
}
