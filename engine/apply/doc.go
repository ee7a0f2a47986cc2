// Package apply replays a redo log into a downstream state, serially or in
// parallel, and proves that the two agree.
//
// The downstream is a State: table id -> primary key -> row, where each row
// remembers the version (commitTs, startTs, op) of the change that last wrote
// it. With the default StateConfig a change that is not newer than the stored
// version is skipped (InnoDB's page-LSN check), deletes leave tombstones and
// truncate/drop leave a per-table watermark, so applying a log twice, or
// applying it again after a crash in the middle, gives the same state as
// applying it once.
//
// Records must come in apply order (see SortForApply): rows by (commitTs,
// startTs, delete<update<insert) and every DDL after all rows of its tables
// with commitTs <= its commitTs, as TiCDC's redo applier feeds them.
//
// Serial applies records one by one. Parallel replay follows openGauss: a
// Plan, a pure function of the log and a Config, hands every row to a worker
// queue chosen by its table (and, for hot tables, by a key-range or key-hash
// sub-partition), marks every DDL as a barrier that waits for all workers to
// drain and then runs alone, and discards rows that a later drop or truncate
// of their table erases anyway (openGauss' invalid pages). Partitions are
// placed on workers by the row counts of the same pre-scan, or by hash (see
// Placement). Two executors run a Plan: RunParallel with one goroutine per
// worker (for benchmarks), and RunVirtual, which has no goroutines and
// computes in virtual time, from a per-row cost model, when each worker
// finishes each record, giving a deterministic makespan. Both must end in
// the state Serial reaches.
//
// A versioned state forgives changes of one key that arrive out of order
// (it keeps the newest version it has seen), so the equivalence tests also
// replay into a blind state (StateConfig.Blind), which keeps whatever
// arrives last, like a MySQL downstream without version columns; there a
// dispatcher that reorders a key shows.
//
// Usage:
//
//	recs, err := apply.SortForApply(records)
//	plan, err := apply.NewPlan(recs, apply.Config{Workers: 8,
//		Hot: []apply.HotTable{{TableID: 42}}})
//	st, err := apply.NewState(apply.StateConfig{})
//	stats, err := apply.RunParallel(st, plan)
//	// or, inside a simulated world:
//	res, err := apply.RunVirtual(st, plan, apply.VirtualConfig{})
//	fmt.Println(res.MakespanNs, st.Digest())
//
// See Example for a complete, compiled example.
package apply
