package apply

import (
	"bytes"
	"fmt"
)

// Bounds of Config.
const (
	// WorkersMax bounds Config.Workers.
	WorkersMax = 256
	// PartitionsMax bounds HotTable.Partitions and the sub-partitions that
	// HotTable.Splits make.
	PartitionsMax = 4096
	// QueueLenMax bounds Config.QueueLen.
	QueueLenMax = 1 << 20
)

// Defaults of Config.
const (
	defaultWorkers  = 4
	defaultQueueLen = 1024
	defaultBatchLen = 64
)

// Config configures parallel replay: how NewPlan partitions a log and how
// the executors queue it. The zero value is usable: 4 workers, no hot
// tables, doomed rows discarded.
type Config struct {
	// Workers is the number of worker queues. Default (zero) 4; at most
	// WorkersMax.
	Workers int
	// Hot lists the tables whose rows are split over several sub-partitions
	// by key, so that one busy table keeps more than one worker busy.
	// Default none: every table is one partition.
	Hot []HotTable
	// KeepDoomedRows makes the plan apply rows that a later drop or truncate
	// of their table erases anyway. Default false: such rows are discarded
	// (openGauss' invalid pages).
	KeepDoomedRows bool
	// QueueLen bounds each worker's queue, in records: the reader waits when
	// the queue of the worker it dispatches to is full. Default (zero)
	// 1024; at most QueueLenMax.
	QueueLen int
	// BatchLen is how many records RunParallel hands a worker at once, to
	// keep channel traffic off the per-row path. Default (zero) 64; at most
	// QueueLen.
	BatchLen int
	// Placement says how partitions are mapped to workers. Default (zero)
	// PlaceBalanced.
	Placement Placement

	// bug plants a dispatcher bug; tests only.
	bug plantedBug
}

// HotTable marks one table as hot and says how to split it by key.
type HotTable struct {
	// TableID is the table.
	TableID int64
	// Partitions is the number of sub-partitions by key hash (FNV-1a of
	// the key, modulo Partitions), used when Splits is empty. Default
	// (zero) Config.Workers; at most PartitionsMax. With Splits it must be
	// zero or len(Splits)+1.
	Partitions int
	// Splits are explicit split points, strictly increasing in bytes.Compare
	// order: sub-partition i holds the keys k with Splits[i-1] <= k <
	// Splits[i]. Default none: split by hash.
	Splits [][]byte
}

// Placement says how NewPlan maps partitions (a table, or one key
// sub-partition of a hot table) to workers. Either way a partition stays on
// one worker for the whole plan.
type Placement uint8

// Placements.
const (
	// PlaceBalanced counts each partition's rows in the pre-scan and places
	// partitions largest first on the least loaded worker (LPT scheduling).
	// It needs the whole log up front.
	PlaceBalanced Placement = iota
	// PlaceHash puts partition p of table t on worker (hash(t) + p) mod
	// Workers, as openGauss hashes relfilenodes. It needs no pre-scan, but
	// with few tables the hash piles several onto one worker.
	PlaceHash
)

// plantedBug selects a deliberately wrong dispatcher, so that tests can show
// that the equivalence property catches it.
type plantedBug uint8

const (
	bugNone plantedBug = iota
	// bugDDLNotBarrier queues a DDL on worker 0 like a row, instead of
	// waiting for every worker to drain first.
	bugDDLNotBarrier
	// bugKeySpray deals a hot table's rows to its sub-partitions round
	// robin, so one key's changes land on several workers.
	bugKeySpray
)

// validate fills in defaults and rejects contradictions.
func (c *Config) validate() error {
	if c.Workers == 0 {
		c.Workers = defaultWorkers
	}
	if c.QueueLen == 0 {
		c.QueueLen = defaultQueueLen
	}
	if c.BatchLen == 0 {
		c.BatchLen = min(defaultBatchLen, c.QueueLen)
	}
	switch {
	case c.Workers < 1 || c.Workers > WorkersMax:
		return fmt.Errorf("%w: workers %d outside [1, %d]", ErrBadConfig, c.Workers, WorkersMax)
	case c.QueueLen < 1 || c.QueueLen > QueueLenMax:
		return fmt.Errorf("%w: queue len %d outside [1, %d]", ErrBadConfig, c.QueueLen, QueueLenMax)
	case c.BatchLen < 1 || c.BatchLen > c.QueueLen:
		return fmt.Errorf("%w: batch len %d outside [1, queue len %d]", ErrBadConfig, c.BatchLen, c.QueueLen)
	case c.Placement > PlaceHash:
		return fmt.Errorf("%w: placement %d unknown", ErrBadConfig, c.Placement)
	}
	hot := make([]HotTable, len(c.Hot))
	seen := make(map[int64]bool, len(c.Hot))
	for i, h := range c.Hot {
		if seen[h.TableID] {
			return fmt.Errorf("%w: hot table %d listed twice", ErrBadConfig, h.TableID)
		}
		seen[h.TableID] = true
		if err := h.validate(c.Workers); err != nil {
			return err
		}
		hot[i] = h
	}
	c.Hot = hot
	return nil
}

// validate fills in the number of partitions and checks the split points.
func (h *HotTable) validate(workers int) error {
	if len(h.Splits) == 0 {
		if h.Partitions == 0 {
			h.Partitions = workers
		}
		if h.Partitions < 1 || h.Partitions > PartitionsMax {
			return fmt.Errorf("%w: hot table %d: partitions %d outside [1, %d]",
				ErrBadConfig, h.TableID, h.Partitions, PartitionsMax)
		}
		return nil
	}
	if len(h.Splits)+1 > PartitionsMax {
		return fmt.Errorf("%w: hot table %d: %d split points, at most %d",
			ErrBadConfig, h.TableID, len(h.Splits), PartitionsMax-1)
	}
	if h.Partitions != 0 && h.Partitions != len(h.Splits)+1 {
		return fmt.Errorf("%w: hot table %d: partitions %d but %d split points",
			ErrBadConfig, h.TableID, h.Partitions, len(h.Splits))
	}
	for i := 1; i < len(h.Splits); i++ {
		if bytes.Compare(h.Splits[i-1], h.Splits[i]) >= 0 {
			return fmt.Errorf("%w: hot table %d: split points %d and %d not increasing",
				ErrBadConfig, h.TableID, i-1, i)
		}
	}
	h.Partitions = len(h.Splits) + 1
	return nil
}
