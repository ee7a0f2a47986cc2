package apply

import "errors"

// ErrOrder classes an error as a log that is not in apply order: a row whose
// version goes back within its table, a DDL whose commitTs goes back, or a row
// on the wrong side of a DDL of its table. Test with errors.Is.
var ErrOrder = errors.New("engine/apply: log not in apply order")

// ErrLifecycle classes an error as a change that does not fit the life of its
// table: a row for a dropped table, a DDL on a dropped table, or a create of a
// table the log already uses. Test with errors.Is.
var ErrLifecycle = errors.New("engine/apply: table lifecycle violated")

// ErrBadRecord classes an error as a malformed record: unknown record type,
// op or DDL kind, or a DDL that names no table. Test with errors.Is.
var ErrBadRecord = errors.New("engine/apply: malformed record")

// ErrBadConfig classes an error as a Config, StateConfig or VirtualConfig
// that validate rejected. Test with errors.Is.
var ErrBadConfig = errors.New("engine/apply: bad config")

// ErrBadPlan classes an error as a Plan an executor refuses to run, such as a
// DDL that is not a barrier under RunParallel. Test with errors.Is.
var ErrBadPlan = errors.New("engine/apply: bad plan")
