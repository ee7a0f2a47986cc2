package main

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2/record"

	"github.com/redosim/redosim/engine/codec"
	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/engine/osdriver"
)

// drive runs writers goroutines calling commit until d has passed, timing
// each call.
func drive(writers int, d time.Duration, commit func(w int) error) (sample, error) {
	var stop atomic.Bool
	lat := make([][]time.Duration, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	start, cpu0 := time.Now(), cpuTime()
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				t := time.Now()
				if err := commit(w); err != nil {
					errs[w] = err
					return
				}
				lat[w] = append(lat[w], time.Since(t))
			}
		}()
	}
	time.Sleep(d)
	stop.Store(true)
	wg.Wait()
	s := sample{elapsed: time.Since(start), cpu: cpuTime() - cpu0}
	for w := range lat {
		if errs[w] != nil {
			return s, errs[w]
		}
		s.latencies = append(s.latencies, lat[w]...)
	}
	s.ops = len(s.latencies)
	return s, nil
}

// defaultVariant is the driver setting the benchmark runs unless told:
// the one the engine recommends for a real disk.
var defaultVariant = variant{syncChains: 1, prealloc: true}

// config returns the engine's configuration and the driver's options for
// v, under the commit policy.
func (v variant) config() (core.Config, osdriver.Options) {
	opts := osdriver.Options{}
	if v.prealloc {
		opts.PreallocateBytes = 64 << 20
	}
	return core.Config{Policy: core.PolicyCommit, SyncChainsMax: v.syncChains}, opts
}

// runRedo measures the engine's OS driver under the commit policy.
func runRedo(dir string, v variant, bytes, writers int, d time.Duration) (sample, error) {
	cfg, opts := v.config()
	drv, _, err := osdriver.Open(dir, cfg, opts)
	if err != nil {
		return sample{}, err
	}
	rows := make([]codec.Row, writers)
	var ts atomic.Uint64
	for w := range rows {
		rows[w] = codec.SizedRow(codec.Row{TableID: 1, Key: []byte(fmt.Sprintf("w%d", w)), Op: codec.OpInsert},
			codec.RowShape{FrameBytes: bytes, Columns: 1})
	}
	s, err := drive(writers, d, func(w int) error {
		t := ts.Add(2)
		rows[w].StartTs, rows[w].CommitTs = t-1, t
		_, err := drv.AppendRow(&rows[w])
		return err
	})
	io, _ := drv.Stats()
	s.syncs = int(io.Syncs)
	if *verbose {
		fmt.Printf("  redosim-%s %dB x%d: %d syncs, %v/sync, %d writes, %v/write, %.0f KiB/write, %d preallocated\n", v, bytes, writers, io.Syncs,
			io.SyncTime/time.Duration(max(io.Syncs, 1)), io.Writes, io.WriteTime/time.Duration(max(io.Writes, 1)),
			float64(io.WriteBytes)/1024/float64(max(io.Writes, 1)), io.Preallocated)
	}
	if cerr := drv.Close(); err == nil {
		err = cerr
	}
	return s, err
}

// syncCounter counts and times pebble's syncs (fsync, as pebble does on
// *os.File) and writes.
type syncCounter struct {
	*os.File
	syncs, syncNs            atomic.Int64
	writes, writeNs, written atomic.Int64
}

func (c *syncCounter) Sync() error {
	t := time.Now()
	err := c.File.Sync()
	c.syncs.Add(1)
	c.syncNs.Add(int64(time.Since(t)))
	return err
}

func (c *syncCounter) Write(p []byte) (int, error) {
	t := time.Now()
	n, err := c.File.Write(p)
	c.writes.Add(1)
	c.written.Add(int64(n))
	c.writeNs.Add(int64(time.Since(t)))
	return n, err
}

// runPebble measures pebble's LogWriter.SyncRecord, serialised by one
// mutex as pebble's commit pipeline does, waiting outside it.
func runPebble(dir string, bytes, writers int, d time.Duration) (sample, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return sample{}, err
	}
	f, err := os.Create(dir + "/000001.log")
	if err != nil {
		return sample{}, err
	}
	sf := &syncCounter{File: f}
	sem := make(chan struct{}, record.SyncConcurrency)
	lw := record.NewLogWriter(sf, 1, record.LogWriterConfig{QueueSemChan: sem, WriteWALSyncOffsets: func() bool { return false }})
	payload := make([]byte, bytes)
	var mu sync.Mutex
	s, err := drive(writers, d, func(int) error {
		var wg sync.WaitGroup
		var serr error
		wg.Add(1)
		sem <- struct{}{}
		mu.Lock()
		_, err := lw.SyncRecord(payload, &wg, &serr)
		mu.Unlock()
		if err != nil {
			return err
		}
		wg.Wait()
		return serr
	})
	s.syncs = int(sf.syncs.Load())
	if *verbose {
		n, w := max(sf.syncs.Load(), 1), max(sf.writes.Load(), 1)
		fmt.Printf("  pebble  %dB x%d: %d syncs, %v/sync, %d writes, %v/write, %.0f KiB/write\n", bytes, writers, n,
			time.Duration(sf.syncNs.Load()/n), w, time.Duration(sf.writeNs.Load()/w), float64(sf.written.Load())/1024/float64(w))
	}
	if cerr := lw.Close(); err == nil {
		err = cerr
	}
	f.Close()
	return s, err
}
