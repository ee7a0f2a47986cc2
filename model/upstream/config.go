package upstream

import (
	"errors"
	"fmt"
	"math"

	"github.com/redosim/redosim/model/tso"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/dist"
)

// ErrBadConfig classes an error as a Config that New rejected; the message
// names the field. Test with errors.Is.
var ErrBadConfig = errors.New("model/upstream: bad config")

// Bounds of Config.
const (
	// TablesMax bounds Config.Tables (and so the live tables: creates stop
	// at twice Config.Tables).
	TablesMax = 1 << 20
	// KeysPerTableMax bounds Config.KeysPerTable: keys are uint32 inside.
	KeysPerTableMax = math.MaxUint32
	// TxnRowsMaxMax bounds Config.TxnRowsMax.
	TxnRowsMaxMax = 1 << 20
	// DefaultResolvedInterval is the resolved-ts cadence when
	// Config.ResolvedInterval is zero (TiKV's ~1 s).
	DefaultResolvedInterval = sim.Second
	// RowBytesMaxMax bounds Config.RowBytesMax (TiDB's entry limit is 6 MiB
	// at most; 64 MiB leaves room for odd experiments).
	RowBytesMaxMax = 64 << 20
)

// Defaults of Config.
const (
	defaultTables         = 64
	defaultRowsPerSecond  = 1000
	defaultSkew           = 0.8
	defaultHotShare       = 0.5
	defaultCrossTableProb = 0.1
	defaultKeysPerTable   = 10000
	defaultUpdateShare    = 0.3
	defaultDeleteShare    = 0.1
	defaultDDLPerMinute   = 0.2
	defaultTxnRowsMax     = 4096
	defaultRowBytesMax    = 1 << 20
)

// Config configures an Upstream. Every zero value is a documented default,
// so Config{} is a 64-table, 1000 rows/s OLTP-like cluster. Fields that
// default to something non-zero take a negative value to mean zero.
type Config struct {
	// Tables is the number of tables at the start, ids 1..Tables.
	// Default (zero) 64; at most TablesMax.
	Tables int
	// RowsPerSecond is the total offered row-change rate, in rows per
	// second of virtual time. Default (zero) 1000; must not be negative.
	RowsPerSecond float64
	// Skew is the Zipf exponent s over the live tables, ranked by id, so
	// table 1 is the hottest. Default (zero) 0.8; negative means 0
	// (uniform).
	Skew float64
	// HotTables are tables (ids in 1..Tables, no repeats) that receive
	// HotShare of the rows on top of the Zipf spread. Default none.
	HotTables []int64
	// HotShare is the share of transactions, in [0, 1], whose tables are
	// drawn uniformly from the live HotTables. Default (zero) 0.5 when
	// HotTables is set, else 0; negative means 0.
	HotShare float64
	// TxnRows is the distribution of rows per transaction (rounded, then
	// clamped to [1, TxnRowsMax]). Default lognormal(4,0.7): median 4,
	// mean about 5.1.
	TxnRows dist.Dist
	// TxnRowsMax bounds the rows of one transaction. Default (zero) 4096;
	// at most TxnRowsMaxMax.
	TxnRowsMax int
	// RowBytes is the distribution of a row change's encoded size in bytes
	// (its whole redo frame, see codec.RecordFrameSize), clamped to
	// RowBytesMax. Deletes carry no columns and stay at the smallest frame.
	// Default lognormal(300,0.2): about 300 B, sysbench-like.
	RowBytes dist.Dist
	// RowBytesMax bounds one row's encoded size in bytes. Default (zero)
	// 1 MiB; at most RowBytesMaxMax.
	RowBytesMax int
	// CrossTableProb is the probability, in [0, 1], that a transaction
	// spans 2 or 3 tables (one commitTs across them). Default (zero) 0.1;
	// negative means 0.
	CrossTableProb float64
	// KeysPerTable is the key space of each table: keys 0..KeysPerTable-1,
	// encoded as 8-byte big-endian integers. Default (zero) 10000; at most
	// KeysPerTableMax.
	KeysPerTable int
	// UpdateShare and DeleteShare are the shares of row changes that update
	// or delete an existing key; the rest insert a fresh one. Each is in
	// [0, 1] and their sum at most 1. Defaults (zero) 0.3 and 0.1;
	// negative means 0.
	UpdateShare, DeleteShare float64
	// DDLPerMinute is the rate of DDL jobs per minute of virtual time, drawn
	// as a Poisson process; kinds are create, drop, truncate and add-column
	// with equal odds. Default (zero) 0.2; negative means none.
	DDLPerMinute float64
	// ResolvedInterval is the cadence at which the resolved ts advances
	// (TiKV's cdc.min-ts-interval). Default (zero) 1 s; at least 1 ms.
	ResolvedInterval sim.Duration
	// ResolvedPhase places the first resolved-ts advance that long after
	// Start (then one ResolvedInterval apart). Default 0: one interval
	// after Start. At most ResolvedInterval.
	ResolvedPhase sim.Duration
	// StartPhysicalMs is the TSO physical clock, in ms since the Unix epoch,
	// at virtual time zero. Default (zero) tso.DefaultStartPhysicalMs
	// (2026-01-01T00:00:00Z).
	StartPhysicalMs int64

	// bug plants a bug in the upstream; tests only.
	bug plantedBug
}

// plantedBug names a deliberate bug a test plants to show a checker fails.
type plantedBug uint8

const (
	bugNone plantedBug = iota
	// bugCommitAtResolved commits transactions at the last announced
	// resolved ts instead of a fresh TSO.
	bugCommitAtResolved
)

// validate fills in defaults and rejects contradictions; errors wrap
// ErrBadConfig and name the field.
func (c *Config) validate() error {
	if err := c.validateCounts(); err != nil {
		return err
	}
	if err := c.validateShares(); err != nil {
		return err
	}
	if err := c.validateHot(); err != nil {
		return err
	}
	return c.validateTiming()
}

func (c *Config) validateCounts() error {
	fill := func(name string, v *int, def, hi int) error {
		if *v == 0 {
			*v = def
		}
		if *v < 0 || *v > hi {
			return fmt.Errorf("%w: %s %d outside [1, %d]", ErrBadConfig, name, *v, hi)
		}
		return nil
	}
	for _, f := range []struct {
		name    string
		v       *int
		def, hi int
	}{
		{"Tables", &c.Tables, defaultTables, TablesMax},
		{"KeysPerTable", &c.KeysPerTable, defaultKeysPerTable, KeysPerTableMax},
		{"TxnRowsMax", &c.TxnRowsMax, defaultTxnRowsMax, TxnRowsMaxMax},
		{"RowBytesMax", &c.RowBytesMax, defaultRowBytesMax, RowBytesMaxMax},
	} {
		if err := fill(f.name, f.v, f.def, f.hi); err != nil {
			return err
		}
	}
	if c.TxnRows == nil {
		c.TxnRows = dist.LogNormal{Median: 4, Sigma: 0.7}
	}
	if c.RowBytes == nil {
		c.RowBytes = dist.LogNormal{Median: 300, Sigma: 0.2}
	}
	return nil
}

// validateShares fills the probabilities and rates: zero is the default,
// negative is zero.
func (c *Config) validateShares() error {
	hotDefault := 0.0
	if len(c.HotTables) > 0 {
		hotDefault = defaultHotShare
	}
	for _, f := range []struct {
		name string
		v    *float64
		def  float64
		hi   float64
	}{
		{"Skew", &c.Skew, defaultSkew, math.Inf(1)},
		{"HotShare", &c.HotShare, hotDefault, 1},
		{"CrossTableProb", &c.CrossTableProb, defaultCrossTableProb, 1},
		{"UpdateShare", &c.UpdateShare, defaultUpdateShare, 1},
		{"DeleteShare", &c.DeleteShare, defaultDeleteShare, 1},
		{"DDLPerMinute", &c.DDLPerMinute, defaultDDLPerMinute, math.Inf(1)},
	} {
		switch {
		case math.IsNaN(*f.v) || math.IsInf(*f.v, 0):
			return fmt.Errorf("%w: %s is %v", ErrBadConfig, f.name, *f.v)
		case *f.v == 0:
			*f.v = f.def
		case *f.v < 0:
			*f.v = 0
		}
		if *f.v > f.hi {
			return fmt.Errorf("%w: %s %v above %v", ErrBadConfig, f.name, *f.v, f.hi)
		}
	}
	if s := c.UpdateShare + c.DeleteShare; s > 1 {
		return fmt.Errorf("%w: UpdateShare + DeleteShare = %v above 1", ErrBadConfig, s)
	}
	switch {
	case math.IsNaN(c.RowsPerSecond) || math.IsInf(c.RowsPerSecond, 0) || c.RowsPerSecond < 0:
		return fmt.Errorf("%w: RowsPerSecond %v is not a finite non-negative rate", ErrBadConfig, c.RowsPerSecond)
	case c.RowsPerSecond == 0:
		c.RowsPerSecond = defaultRowsPerSecond
	}
	return nil
}

func (c *Config) validateHot() error {
	seen := make(map[int64]bool, len(c.HotTables))
	for i, id := range c.HotTables {
		if id < 1 || id > int64(c.Tables) {
			return fmt.Errorf("%w: HotTables[%d] = %d outside tables 1..%d", ErrBadConfig, i, id, c.Tables)
		}
		if seen[id] {
			return fmt.Errorf("%w: HotTables[%d] = %d repeats", ErrBadConfig, i, id)
		}
		seen[id] = true
	}
	c.HotTables = append([]int64(nil), c.HotTables...)
	return nil
}

func (c *Config) validateTiming() error {
	switch {
	case c.ResolvedInterval == 0:
		c.ResolvedInterval = DefaultResolvedInterval
	case c.ResolvedInterval < sim.Millisecond:
		return fmt.Errorf("%w: ResolvedInterval %v below 1ms (the TSO resolution)", ErrBadConfig, c.ResolvedInterval)
	}
	if c.ResolvedPhase < 0 || c.ResolvedPhase > c.ResolvedInterval {
		return fmt.Errorf("%w: ResolvedPhase %v outside [0, ResolvedInterval %v]", ErrBadConfig, c.ResolvedPhase, c.ResolvedInterval)
	}
	switch {
	case c.StartPhysicalMs == 0:
		c.StartPhysicalMs = tso.DefaultStartPhysicalMs
	case c.StartPhysicalMs < 0 || c.StartPhysicalMs > tso.PhysicalMaxMs/2:
		return fmt.Errorf("%w: StartPhysicalMs %d outside [1, %d]", ErrBadConfig, c.StartPhysicalMs, int64(tso.PhysicalMaxMs/2))
	}
	return nil
}
