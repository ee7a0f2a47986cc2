// Package upstream simulates the upstream TiDB cluster of a TiCDC
// changefeed: a transactional workload over a set of tables, TSO commit
// timestamps, the resolved ts TiKV pushes, the per-table event store the
// event service scans, and the full committed history, which is the oracle
// the invariant checkers compare the downstream against.
//
// # Workload
//
// Transactions arrive on the world's loop: a transaction of n rows (n drawn
// from Config.TxnRows) arrives an exponential gap of mean
// n/Config.RowsPerSecond after the previous one, so the offered row rate is
// RowsPerSecond whatever the size distribution. A transaction touches one
// table, or 2-3 with Config.CrossTableProb, drawn by Zipf rank over the live
// tables (table 1 hottest) or from Config.HotTables. Each row deletes or
// updates a live key or inserts a key that is not live (never-used keys
// first); a transaction never touches a key twice. All of a transaction's
// rows share one StartTs and one CommitTs, which no other change has.
//
// DDLs (create, drop, truncate, add-column) arrive as a Poisson process and
// commit alone at their own commitTs, so at any commitTs the event order
// "DMLs, then the DDL" holds trivially. A create adds a table under a new
// id; a drop ends a table's rows; a truncate empties it; an add-column adds
// a small column to its later rows.
//
// Every Config.ResolvedInterval the resolved ts moves to the TSO clock's ts
// at that instant with logical 0. The clock (package tso) never hands out
// logical 0, so no change ever commits at or below a resolved ts already
// announced.
//
// # Streams
//
// Draws come from the world's streams "model/upstream/arrival" (gaps),
// ".../txn" (sizes, tables), ".../rows" (ops, keys), ".../values" (column
// values), ".../size" (row sizes) and ".../ddl" (DDL times, kinds,
// targets), so adding a purpose does not shift the others.
//
// # Memory
//
// The history is held in fixed chunks and Trim garbage-collects it below
// the changefeed checkpoint, as TiCDC's event store does, so a run keeps
// the changes a reader can still need, not every change ever made; a row
// is kept small: its codec.Row in the history (80 B, the dominant cost;
// a DDL holds a placeholder row there and is kept beside), an 8-byte key and an 8-byte value carved from shared 64 KiB blocks,
// its column list carved from shared blocks, and a padding column that is a
// slice of one shared read-only zero buffer. The padding gives the row its
// realistic encoded size (codec.RecordFrameSize reports Config.RowBytes)
// without storing those bytes. Per-table scan indexes cost 24 B per event.
// All of it is read-only for callers: never write into a row's bytes.
//
// Usage:
//
//	w := sim.NewWorld(sim.WorldConfig{Seed: 1})
//	up, err := upstream.New(w, upstream.Config{Tables: 8, RowsPerSecond: 500})
//	if err != nil { ... }
//	up.OnResolved(func(ts uint64) { ... })
//	up.Start()
//	w.Loop.RunUntil(sim.Instant(10 * sim.Second))
//	up.Scan(1, 0, up.ResolvedTs(), func(ev upstream.Event) bool { ...; return true })
//	oracle := up.HistoryUpTo(up.ResolvedTs())
package upstream
