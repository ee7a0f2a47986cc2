package eventservice

import "github.com/redosim/redosim/model/upstream"

// Source is what the event service needs of the upstream: TiCDC's event
// store (per-table scans and the resolved ts) and its notifications.
// *upstream.Upstream implements it; tests may pass a small fake.
//
// Ownership and ordering: the service registers its callbacks once, in New,
// and they are never removed; a service whose node crashed ignores them.
// Scan yields a table's events in (afterTs, upToTs] by (commitTs, startTs)
// and stops when fn returns false. Everything runs on the world's one
// goroutine.
type Source interface {
	// Scan calls fn with table's events in (afterTs, upToTs], in order,
	// until fn returns false.
	Scan(table int64, afterTs, upToTs uint64, fn func(ev upstream.Event) bool)
	// HasData reports whether table has an event in (afterTs, upToTs].
	HasData(table int64, afterTs, upToTs uint64) bool
	// ResolvedTs is the upstream resolved ts: nothing more will commit at or
	// below it.
	ResolvedTs() uint64
	// OnResolved registers fn for every resolved-ts advance.
	OnResolved(fn func(ts uint64))
	// OnDDL registers fn for every committed DDL (the schema store's view:
	// which tables have a DDL pending at which commit ts).
	OnDDL(fn func(ev upstream.DDLEvent))
}

var _ Source = (*upstream.Upstream)(nil)
