// Package vtime holds the two types of virtual time, Instant and Duration,
// with their units. It is a leaf: it imports only the standard library
// (package time, for printing and parsing), so a sans-I/O core such as
// engine/core can take time as an input without importing the simulation
// kernel. Package sim re-exports both types as aliases (sim.Instant is
// vtime.Instant), so the two names are interchangeable.
//
// Usage:
//
//	deadline := now.Add(200 * vtime.Millisecond)
//	if deadline.Sub(now) > vtime.Second { ... }
package vtime

import (
	"fmt"
	"time"
)

// Instant is a point in virtual time: nanoseconds since the world started.
// It never comes from a wall clock inside a world.
type Instant int64

// Duration is a span of virtual time in nanoseconds. It converts to
// time.Duration for printing only.
type Duration int64

// Common durations, in the manner of package time.
const (
	Nanosecond  Duration = 1
	Microsecond          = 1000 * Nanosecond
	Millisecond          = 1000 * Microsecond
	Second               = 1000 * Millisecond
	Minute               = 60 * Second
	Hour                 = 60 * Minute
)

// Add returns the instant d after t.
func (t Instant) Add(d Duration) Instant { return t + Instant(d) }

// Sub returns the duration t-u.
func (t Instant) Sub(u Instant) Duration { return Duration(t - u) }

// Seconds returns t as floating-point seconds since the world started.
func (t Instant) Seconds() float64 { return float64(t) / float64(Second) }

// String formats t as the duration since the world started, e.g. "t+1m2.5s".
func (t Instant) String() string { return "t+" + time.Duration(t).String() }

// Seconds returns d as floating-point seconds.
func (d Duration) Seconds() float64 { return float64(d) / float64(Second) }

// Milliseconds returns d as floating-point milliseconds.
func (d Duration) Milliseconds() float64 { return float64(d) / float64(Millisecond) }

// String formats d like time.Duration.
func (d Duration) String() string { return time.Duration(d).String() }

// ParseDuration parses a duration string such as "300ms" or "10m" (the
// syntax of time.ParseDuration) into a virtual Duration.
func ParseDuration(s string) (Duration, error) {
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("sim/vtime: parse duration %q: %w", s, err)
	}
	return Duration(d), nil
}
