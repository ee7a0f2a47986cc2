package sim

import "github.com/redosim/redosim/sim/vtime"

// Instant is a point in virtual time: nanoseconds since the world started.
// It is an alias of vtime.Instant, the leaf package that holds the time
// types for code that must not import the kernel.
type Instant = vtime.Instant

// Duration is a span of virtual time in nanoseconds, an alias of
// vtime.Duration.
type Duration = vtime.Duration

// Common durations, in the manner of package time (see package vtime).
const (
	Nanosecond  = vtime.Nanosecond
	Microsecond = vtime.Microsecond
	Millisecond = vtime.Millisecond
	Second      = vtime.Second
	Minute      = vtime.Minute
	Hour        = vtime.Hour
)

// ParseDuration parses a duration string such as "300ms" or "10m" (the
// syntax of time.ParseDuration) into a virtual Duration.
func ParseDuration(s string) (Duration, error) { return vtime.ParseDuration(s) }
