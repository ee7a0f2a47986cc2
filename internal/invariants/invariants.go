package invariants

import (
	"errors"
	"fmt"
)

// ErrBug marks a broken contract: a *Violation is ErrBug under errors.Is.
var ErrBug = errors.New("internal/invariants: bug")

// Violation is the panic value of Failf: the broken rule and its values.
type Violation struct {
	// Msg is the formatted message; it starts with the rule it quotes.
	Msg string
}

// Error returns the message.
func (v *Violation) Error() string { return "invariant violated: " + v.Msg }

// Unwrap returns ErrBug, so errors.Is(v, ErrBug) holds.
func (v *Violation) Unwrap() error { return ErrBug }

// Failf panics with a *Violation whose message is format applied to args.
// Callers guard it with Enabled (see the package doc); it panics whether
// or not the tag is set, so an unguarded call is an unconditional
// assertion.
func Failf(format string, args ...any) {
	panic(&Violation{Msg: fmt.Sprintf(format, args...)})
}

// Catch runs fn and returns the *Violation it panicked with, or nil if it
// returned normally. Any other panic goes on. For tests that plant a
// violation.
func Catch(fn func()) (v *Violation) {
	defer func() {
		if r := recover(); r != nil {
			var ok bool
			if v, ok = r.(*Violation); !ok {
				panic(r)
			}
		}
	}()
	fn()
	return nil
}
