package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/osdriver"
)

// printBandwidth compares raw sequential writes (1 MiB writes, one sync
// at the end) with the engine under the os policy writing 1 MiB records
// (no preallocation: a log that does not sync gains nothing from it),
// alternating the two rep by rep.
func printBandwidth(base string, reps int) {
	const total = 512 << 20
	var raw, eng, ratio []float64
	var per []string
	for rep := 0; rep < reps; rep++ {
		syscall.Sync()
		r, err := rawSequential(filepath.Join(base, fmt.Sprintf("raw%d", rep)), total)
		if err != nil {
			fatal(err)
		}
		e, err := engineSequential(filepath.Join(base, fmt.Sprintf("os%d", rep)), total)
		if err != nil {
			fatal(err)
		}
		raw, eng, ratio = append(raw, r), append(eng, e), append(ratio, e/r)
		per = append(per, fmt.Sprintf("%.0f%%", 100*e/r))
	}
	fmt.Printf("\nsequential 512 MiB: raw %.0f MB/s, engine os policy (1 MiB records) %.0f MB/s (medians of %d)\n",
		median(raw), median(eng), reps)
	fmt.Printf("engine/raw: median %.0f %%  (per rep: %s)\n", 100*median(ratio), strings.Join(per, " "))
}

func rawSequential(path string, total int) (float64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	defer os.Remove(path)
	buf := make([]byte, 1<<20)
	start := time.Now()
	for off := 0; off < total; off += len(buf) {
		if _, err := f.Write(buf); err != nil {
			return 0, err
		}
	}
	if err := f.Sync(); err != nil {
		return 0, err
	}
	mbs := float64(total) / time.Since(start).Seconds() / 1e6
	return mbs, f.Close()
}

func engineSequential(dir string, total int) (float64, error) {
	cfg := core.Config{Policy: core.PolicyOS, MaxLogBytes: 256 << 20, SyncChainsMax: defaultVariant.syncChains}
	drv, _, err := osdriver.Open(dir, cfg, osdriver.Options{})
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	row := codec.SizedRow(codec.Row{TableID: 1, Key: []byte("k"), Op: codec.OpInsert}, codec.RowShape{FrameBytes: 1 << 20, Columns: 1})
	start := time.Now()
	for n := 0; n < total; n += 1 << 20 {
		row.CommitTs += 2
		if _, err := drv.AppendRow(&row); err != nil {
			return 0, err
		}
	}
	if err := drv.Close(); err != nil {
		return 0, err
	}
	return float64(total) / time.Since(start).Seconds() / 1e6, nil
}
