package objstore

import (
	"errors"
	"strings"

	"github.com/redosim/redosim/sim"
)

// Error classes of the store. Test with errors.Is; the errors a request
// returns name the operation and the key, e.g.
// "sim/objstore: get redo/x.log: not found".
var (
	// ErrNotFound is returned by a GET of a key that holds no object.
	ErrNotFound = errors.New("sim/objstore: not found")
	// ErrPutFailed is returned by a PUT that failed with an injected
	// internal error (HTTP 500); nothing was written.
	ErrPutFailed = errors.New("sim/objstore: put failed (internal error)")
	// ErrThrottled is the class of every *ThrottleError (HTTP 503 SlowDown).
	ErrThrottled = errors.New("sim/objstore: throttled")
)

const errPrefix = "sim/objstore: "

// ThrottleError is returned by a throttled request. The caller should wait
// RetryAfter before retrying. errors.Is(err, ErrThrottled) holds.
type ThrottleError struct {
	// Op is the request kind: "put", "get", "list" or "delete".
	Op string
	// Key is the object key (the prefix for a LIST).
	Key string
	// RetryAfter is the wait the service asks for.
	RetryAfter sim.Duration
}

// Error returns e.g. "sim/objstore: put redo/x.log: throttled, retry after 1s".
func (e *ThrottleError) Error() string {
	return errPrefix + e.Op + " " + e.Key + ": throttled, retry after " + e.RetryAfter.String()
}

// Unwrap returns ErrThrottled, the class of the error.
func (e *ThrottleError) Unwrap() error { return ErrThrottled }

// opError names the operation and key of a failed request and wraps its
// class, printing the class without repeating the package prefix.
type opError struct {
	op, key string
	err     error
}

func (e *opError) Error() string {
	return errPrefix + e.op + " " + e.key + ": " + strings.TrimPrefix(e.err.Error(), errPrefix)
}

func (e *opError) Unwrap() error { return e.err }
