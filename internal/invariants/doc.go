// Package invariants holds the project's assertions: checks of contracts
// that only a bug can break (an LSN watermark that goes back, a chain
// completed twice), as opposed to errors, which report the world (bytes
// from disk, I/O failures, bad flags) and are never asserted.
//
// The package comes in build-tag twins. With the tag `invariants`
// (on_invariants.go) Enabled is true and the checks run; without it
// (off_invariants.go) Enabled is the constant false and every check
// guarded by it is compiled out, so a production build pays nothing. The
// Makefile exports GOFLAGS=-tags=invariants, so `make test`, `make sim`,
// `make build` and CI (.ci/run calls make) run with the checks on; a plain
// `go build` or `go test ./...` compiles them out, and tests that need a
// check to fire skip there.
//
// A check is written with the condition that breaks the rule, guarded by
// Enabled so that neither the condition nor the message's arguments are
// evaluated when the checks are off, and its message quotes the rule:
//
//	if invariants.Enabled && l.syncedLSN > l.writtenLSN {
//		invariants.Failf("engine/core: synced <= written: synced %d > written %d", l.syncedLSN, l.writtenLSN)
//	}
//
// One condition per check, so the message names it. Failf panics with a
// *Violation, which is marked ErrBug (errors.Is); a test that plants a
// violation recovers it with Catch. Checks read state and never change
// it, so turning them on changes no trace hash.
package invariants
