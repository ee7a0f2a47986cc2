package apply

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"sync"

	"github.com/redosim/redosim/engine/codec"
)

// RowSpinMax bounds StateConfig.RowSpin.
const RowSpinMax = 1 << 24

// stripeCount is how many independently locked maps hold one table's rows,
// so that the workers of a hot table rarely wait for each other.
const stripeCount = 1 << stripeBits

// StateConfig configures a State. Its zero value is the idempotent default.
type StateConfig struct {
	// Blind makes the state apply every change as it arrives, as a MySQL
	// downstream written with REPLACE and DELETE does: no version check, no
	// truncate watermark, no DDL dedup, and truncate and drop remove every
	// row. A blind state is order-sensitive and not idempotent; it is what
	// lets a final-state comparison see a dispatcher that reorders one key's
	// changes (a versioned state forgives that). Default false: versioned.
	Blind bool
	// RowSpin is CPU work done for every row before it is applied, in rounds
	// of a 64-bit mixer (one to two ns each), standing in for a downstream's
	// CPU cost in benchmarks. Default 0: none. At most RowSpinMax.
	RowSpin int
	// NoDigest skips the upkeep of Digest's row summary (a hash of every
	// row as it changes), for a state that is only queried row by row
	// (Get, Version). Digest panics on such a state. Default false.
	NoDigest bool
	// VersionsOnly keeps each key's version and liveness but not its column
	// values, for a state that is only asked Version, HasDDL and RowCount
	// (an oracle): it then holds no reference to the callers' column bytes,
	// so their memory can go once they drop it. Get returns no columns.
	// Default false: columns kept.
	VersionsOnly bool
}

func (c *StateConfig) validate() error {
	if c.RowSpin < 0 || c.RowSpin > RowSpinMax {
		return fmt.Errorf("%w: row spin %d outside [0, %d]", ErrBadConfig, c.RowSpin, RowSpinMax)
	}
	return nil
}

// version orders the changes of one key: (commitTs, startTs, op). The op is
// part of it because an update that moves a key is split into a delete and
// an insert of the same transaction, and both must apply.
type version struct {
	commitTs uint64
	startTs  uint64
	op       codec.Op
}

func rowVersion(r *codec.Row) version {
	return version{commitTs: r.CommitTs, startTs: r.StartTs, op: r.Op}
}

func (v version) less(w version) bool {
	if v.commitTs != w.commitTs {
		return v.commitTs < w.commitTs
	}
	if v.startTs != w.startTs {
		return v.startTs < w.startTs
	}
	return v.op < w.op
}

// entry is what a key holds: a live row or a tombstone, with the version of
// the change that wrote it.
type entry struct {
	cols [][]byte
	ver  version
}

// deleted reports whether the entry is a tombstone: written by a delete.
func (e entry) deleted() bool { return e.ver.op == codec.OpDelete }

// stripe is one locked share of a table's rows; padded to a cache line so
// that workers on neighbouring stripes do not share one.
type stripe struct {
	mu   sync.Mutex
	rows rowMap
	spin uint64
	// rowSum is the wrapping sum of liveHash over the stripe's live rows
	// and live their count: Digest's order-free summary, kept as rows
	// change so a digest costs O(tables), not a sort of every row.
	rowSum uint64
	live   int
	_      [24]byte
}

// liveHash hashes one live row (key, commitTs, columns) for rowSum: FNV-1a
// over the key and lengths, CRC-32C (hardware) over column bytes, then a
// finaliser, so sums of different row sets rarely collide.
func liveHash(key []byte, e entry) uint64 {
	h := fnv64a(key)
	h = (h ^ e.ver.commitTs) * 1099511628211
	h = (h ^ uint64(len(e.cols))) * 1099511628211
	for _, c := range e.cols {
		h = (h ^ uint64(len(c))<<32 ^ uint64(crc32.Checksum(c, castagnoli))) * 1099511628211
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h
}

// setRow replaces the entry of key in the stripe, keeping rowSum and live
// unless noDigest.
func (sp *stripe) setRow(key []byte, e entry, noDigest bool) {
	if noDigest {
		sp.rows.set(key, e)
		return
	}
	if old, ok := sp.rows.get(key); ok && !old.deleted() {
		sp.rowSum -= liveHash(key, old)
		sp.live--
	}
	sp.rows.set(key, e)
	if !e.deleted() {
		sp.rowSum += liveHash(key, e)
		sp.live++
	}
}

// dropRow removes key from the stripe, keeping rowSum and live unless
// noDigest.
func (sp *stripe) dropRow(key []byte, noDigest bool) {
	if old, ok := sp.rows.get(key); ok && !old.deleted() && !noDigest {
		sp.rowSum -= liveHash(key, old)
		sp.live--
	}
	sp.rows.remove(key)
}

// table is one downstream table. dropped and clearedTs change only while no
// worker runs (at barriers), so workers read them without a lock.
type table struct {
	dropped   bool
	clearedTs uint64 // rows with commitTs <= clearedTs were truncated or dropped
	stripes   [stripeCount]stripe
}

// ddlID identifies a DDL for the idempotence check.
type ddlID struct {
	commitTs uint64
	startTs  uint64
	kind     codec.DDLKind
	tables   string
}

func makeDDLID(d *codec.DDL) ddlID {
	b := make([]byte, 0, 8*(len(d.Blocked)+len(d.Added)+len(d.Dropped))+3)
	for _, list := range [][]int64{d.Blocked, d.Added, d.Dropped} {
		for _, id := range list {
			b = binary.LittleEndian.AppendUint64(b, uint64(id))
		}
		b = append(b, '|')
	}
	return ddlID{commitTs: d.CommitTs, startTs: d.StartTs, kind: d.Kind, tables: string(b)}
}

// State is the downstream: table id -> primary key -> row, the DDLs applied
// so far in order, and which tables are dropped. A State is not safe for
// concurrent use; RunParallel alone applies rows to it from several
// goroutines, under its own discipline. The state keeps Row.Columns and the
// DDL query by reference: do not modify them after applying.
type State struct {
	cfg     StateConfig
	tables  map[int64]*table
	ddls    []codec.DDL
	ddlSeen map[ddlID]struct{}
}

// NewState returns an empty downstream state.
func NewState(cfg StateConfig) (*State, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	return &State{
		cfg:     cfg,
		tables:  make(map[int64]*table),
		ddlSeen: make(map[ddlID]struct{}),
	}, nil
}

// Config returns the configuration the state was made with.
func (s *State) Config() StateConfig { return s.cfg }

// table returns the table with the given id, adding an empty one (a table
// that existed before the log began) if the state has not seen it.
func (s *State) table(id int64) *table {
	t := s.tables[id]
	if t == nil {
		t = &table{}
		s.tables[id] = t
	}
	return t
}

// register adds every table in ids, so that applyRowShared never has to
// write the table map.
func (s *State) register(ids []int64) {
	for _, id := range ids {
		s.table(id)
	}
}

// Apply applies one record, a row or a DDL.
func (s *State) Apply(rec *codec.Record) error {
	_, err := s.applyRecord(rec)
	return err
}

// ApplyRow applies one row change. With the default config a change that is
// not newer than the key's stored version, or not newer than the table's
// last truncate or drop, is skipped without error.
func (s *State) ApplyRow(r *codec.Row) error {
	_, err := s.applyRow(s.table(r.TableID), r)
	return err
}

// ApplyDDL applies one DDL. With the default config a DDL the state has
// already applied is skipped without error.
func (s *State) ApplyDDL(d *codec.DDL) error {
	_, err := s.applyDDL(d)
	return err
}

// applyRecord applies rec and reports whether it changed the state.
func (s *State) applyRecord(rec *codec.Record) (bool, error) {
	switch rec.Type {
	case codec.TypeRow:
		return s.applyRow(s.table(rec.Row.TableID), &rec.Row)
	case codec.TypeDDL:
		return s.applyDDL(&rec.DDL)
	}
	return false, fmt.Errorf("%w: record type %d", ErrBadRecord, rec.Type)
}

// applyRowShared applies a row of a registered table; several goroutines may
// call it at once for rows of different keys while no DDL runs.
func (s *State) applyRowShared(r *codec.Row) (bool, error) {
	t := s.tables[r.TableID]
	if t == nil {
		return false, fmt.Errorf("%w: row of table %d: table not registered", ErrBadPlan, r.TableID)
	}
	return s.applyRow(t, r)
}

// applyRow applies r to t and reports whether it changed the state.
func (s *State) applyRow(t *table, r *codec.Row) (bool, error) {
	if r.Op < codec.OpDelete || r.Op > codec.OpInsert {
		return false, fmt.Errorf("%w: row of table %d has op %d", ErrBadRecord, r.TableID, r.Op)
	}
	h := spinRow(r, s.cfg.RowSpin)
	if !s.cfg.Blind && r.CommitTs <= t.clearedTs {
		return false, nil // truncated or dropped later: a replay of old work
	}
	if t.dropped {
		return false, fmt.Errorf("%w: row of table %d at commitTs %d: table dropped",
			ErrLifecycle, r.TableID, r.CommitTs)
	}
	ver := rowVersion(r)
	sp := &t.stripes[stripeOf(r.Key)]
	sp.mu.Lock()
	defer sp.mu.Unlock()
	sp.spin ^= h
	if old, ok := sp.rows.get(r.Key); ok && !s.cfg.Blind && !old.ver.less(ver) {
		return false, nil // the page-LSN check: this change is already in
	}
	e := entry{ver: ver}
	if !e.deleted() && !s.cfg.VersionsOnly {
		e.cols = r.Columns
	}
	sp.setRow(r.Key, e, s.cfg.NoDigest)
	return true, nil
}

// spinRow burns rounds of CPU on r and returns a value that depends on all
// of them, so the compiler cannot drop the loop.
func spinRow(r *codec.Row, rounds int) uint64 {
	h := r.CommitTs ^ uint64(len(r.Key))
	for i := 0; i < rounds; i++ {
		h ^= h >> 33
		h *= 0xff51afd7ed558ccd
	}
	return h
}

// castagnoli is the CRC-32C table (hardware-accelerated on amd64 and arm64).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// stripeOf picks the stripe of a key: an eight-byte key's low bits (so a
// stripe's word keys fit its dense array, see rowMap), else FNV-1a's.
func stripeOf(key []byte) int {
	if k, ok := shortKey(key); ok {
		return int(k & (stripeCount - 1))
	}
	return int(fnv64a(key) & (stripeCount - 1))
}

// fnv64a is FNV-1a over b, without the allocation of hash/fnv.
func fnv64a(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}
