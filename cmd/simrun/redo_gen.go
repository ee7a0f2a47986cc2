package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/osdriver"
	"github.com/redosim/redosim/engine/ticdc"
)

// redoGenerator writes a real redo log with concurrent appenders.
type redoGenerator struct {
	dir      string
	rows     int
	tables   int
	rowBytes int
	writers  int
	lz4      bool // compress each sealed file after the engine closes
	cfg      core.Config
}

func (g redoGenerator) run(stdout io.Writer) error {
	drv, _, err := osdriver.Open(g.dir, g.cfg, osdriver.Options{})
	if err != nil {
		return fmt.Errorf("redo gen: %w", err)
	}
	const baseTs = uint64(1) << 40
	var next atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < g.writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(g.rows) {
					return
				}
				ts := baseTs + uint64(i)*2
				row := codec.SizedRow(codec.Row{TableID: 1 + i%int64(g.tables), Key: []byte(fmt.Sprintf("k%09d", i)),
					Op: codec.OpInsert, StartTs: ts - 1, CommitTs: ts}, codec.RowShape{FrameBytes: g.rowBytes, Columns: 4})
				if _, err := drv.AppendRow(&row); err != nil {
					once.Do(func() { firstErr = err })
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if firstErr != nil {
		drv.Close()
		return fmt.Errorf("redo gen: %w", firstErr)
	}
	// The checkpoint sits just below the first row: every row written is
	// above it, so applying the log replays all of them.
	drv.UpdateMeta(baseTs-1, baseTs+uint64(g.rows)*2)
	if err := drv.Close(); err != nil {
		return fmt.Errorf("redo gen: close: %w", err)
	}
	if g.lz4 {
		if err := compressSealed(g.dir); err != nil {
			return fmt.Errorf("redo gen: %w", err)
		}
	}
	io, eng := drv.Stats()
	fmt.Fprintf(stdout, "wrote %d rows to %s in %s: %.0f rows/s, %d syncs (%.1f rows per sync), %d files sealed\n",
		g.rows, g.dir, elapsed.Round(time.Millisecond), float64(g.rows)/elapsed.Seconds(), io.Syncs,
		float64(g.rows)/max(float64(io.Syncs), 1), eng.Row.FilesSealed)
	return nil
}

// compressSealed replaces each sealed log file in dir by one LZ4 frame of
// its bytes (TiCDC's compression = "lz4" compresses whole files): written
// under a name no reader takes for a log, synced, renamed over the file,
// the directory synced.
func compressSealed(dir string) error {
	names, err := osdriver.DirStorage(dir).List()
	if err != nil {
		return err
	}
	for _, n := range names {
		if fn, ok := core.ParseFileName(n); !ok || fn.Tmp {
			continue
		}
		path := filepath.Join(dir, n)
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		packed, err := ticdc.Compress(data)
		if err != nil {
			return err
		}
		tmp := path + ".lz4-tmp"
		f, err := os.Create(tmp)
		if err != nil {
			return err
		}
		_, err = f.Write(packed)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Rename(tmp, path)
		}
		if err != nil {
			return fmt.Errorf("compress %s: %w", n, err)
		}
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
