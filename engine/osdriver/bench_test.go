package osdriver_test

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/osdriver"
)

// BenchmarkCommit measures durable appends under the commit policy on the
// real disk (the test's temp dir): W goroutines append records of B bytes
// and each waits for its own acknowledgement, with plain flushes
// (syncChains=0) and pipelined ones (syncChains=1, the setting for real
// disks), both with preallocated files. One op is one commit, so ns/op is
// the inverse of the commit rate; p50-ns and p99-ns are the latency of one
// commit as its appender sees it. Compare settings with benchstat, on a
// quiet machine:
//
//	go test ./engine/osdriver -run - -bench Commit -count 6 | tee new.txt
func BenchmarkCommit(b *testing.B) {
	for _, syncChains := range []int{0, 1} {
		for _, recordBytes := range []int{128, 4096} {
			for _, writers := range []int{1, 8, 64} {
				name := fmt.Sprintf("syncChains=%d/writers=%d/recordBytes=%d", syncChains, writers, recordBytes)
				b.Run(name, func(b *testing.B) {
					cfg := core.Config{Policy: core.PolicyCommit, SyncChainsMax: syncChains, MaxLogBytes: 16 << 20}
					benchAppend(b, cfg, osdriver.Options{PreallocateBytes: 16 << 20}, writers, recordBytes)
				})
			}
		}
	}
}

// BenchmarkOSPolicy measures one appender of large records under the os
// policy (handed to the page cache, synced only at rotation), the case
// where the engine's bandwidth should approach raw sequential writes.
func BenchmarkOSPolicy(b *testing.B) {
	for _, recordBytes := range []int{64 << 10, 1 << 20} {
		b.Run(fmt.Sprintf("writers=1/recordBytes=%d", recordBytes), func(b *testing.B) {
			benchAppend(b, core.Config{Policy: core.PolicyOS, MaxLogBytes: 256 << 20}, osdriver.Options{}, 1, recordBytes)
		})
	}
}

func benchAppend(b *testing.B, cfg core.Config, opts osdriver.Options, writers, recordBytes int) {
	drv, _, err := osdriver.Open(b.TempDir(), cfg, opts)
	if err != nil {
		b.Fatal(err)
	}
	rows := make([]codec.Row, writers)
	for w := range rows {
		rows[w] = codec.SizedRow(codec.Row{TableID: 1, Key: fmt.Appendf(nil, "w%d", w), Op: codec.OpInsert},
			codec.RowShape{FrameBytes: recordBytes, Columns: 1})
	}
	b.SetBytes(int64(codec.RecordFrameSize(&codec.Record{Type: codec.TypeRow, Row: rows[0]})))
	b.ReportAllocs()
	lat := make([][]time.Duration, writers)
	var next, ts atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			row := &rows[w]
			for next.Add(1) <= int64(b.N) {
				t := uint64(ts.Add(2))
				row.StartTs, row.CommitTs = t-1, t
				start := time.Now()
				if _, err := drv.AppendRow(row); err != nil {
					b.Error(err)
					return
				}
				lat[w] = append(lat[w], time.Since(start))
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	all := slices.Concat(lat...)
	slices.Sort(all)
	if n := len(all); n > 0 {
		b.ReportMetric(float64(all[n/2]), "p50-ns")
		b.ReportMetric(float64(all[min(n-1, n*99/100)]), "p99-ns")
	}
	io, st := drv.Stats()
	if io.Syncs > 0 {
		b.ReportMetric(float64(st.Row.Appends)/float64(io.Syncs), "recs/sync")
	}
	if err := drv.Close(); err != nil {
		b.Fatal(err)
	}
}
