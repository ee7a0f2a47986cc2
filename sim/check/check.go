// Package check records invariant checks as a world runs: each checker has
// a name and a one-line statement of what it guards, and counts the
// violations it saw, keeping the first with its virtual time. Checks are
// evaluated as events happen, not only at the end, so the first violation
// points at the moment things went wrong.
//
// Usage:
//
//	set := check.NewSet(w)
//	mono := set.Add("monotonic", "checkpoint ts never goes back")
//	if ts < last { mono.Failf("checkpoint %d < %d", ts, last) }
//	set.Held() // false after any violation
package check

import (
	"fmt"

	"github.com/redosim/redosim/sim"
)

// Violation is one broken invariant at a virtual time.
type Violation struct {
	At     sim.Instant
	Detail string
}

// Checker is one named invariant.
type Checker struct {
	set        *Set
	name       string
	doc        string
	evaluated  uint64
	violations int
	first      *Violation
}

// Set holds a world's checkers in the order they were added.
type Set struct {
	w        *sim.World
	checkers []*Checker
	// OnViolation, when set, is called at every violation (a runner may
	// stop the world at the first one).
	OnViolation func(c *Checker, v Violation)
}

// NewSet returns an empty set for w.
func NewSet(w *sim.World) *Set { return &Set{w: w} }

// Add registers a checker. Names are unique within a set; adding a name
// twice returns the existing checker.
func (s *Set) Add(name, doc string) *Checker {
	for _, c := range s.checkers {
		if c.name == name {
			return c
		}
	}
	c := &Checker{set: s, name: name, doc: doc}
	s.checkers = append(s.checkers, c)
	return c
}

// Get returns the checker named name, or nil.
func (s *Set) Get(name string) *Checker {
	for _, c := range s.checkers {
		if c.name == name {
			return c
		}
	}
	return nil
}

// Checkers returns the checkers in the order added.
func (s *Set) Checkers() []*Checker { return s.checkers }

// Held reports whether no checker saw a violation.
func (s *Set) Held() bool {
	for _, c := range s.checkers {
		if c.violations > 0 {
			return false
		}
	}
	return true
}

// FirstViolation returns the earliest violation over all checkers, and its
// checker; nil when every invariant held.
func (s *Set) FirstViolation() (*Checker, *Violation) {
	var bc *Checker
	for _, c := range s.checkers {
		if c.first != nil && (bc == nil || c.first.At < bc.first.At) {
			bc = c
		}
	}
	if bc == nil {
		return nil, nil
	}
	return bc, bc.first
}

// Name returns the checker's name.
func (c *Checker) Name() string { return c.name }

// Doc returns what the checker guards.
func (c *Checker) Doc() string { return c.doc }

// Violations returns how many violations the checker saw.
func (c *Checker) Violations() int { return c.violations }

// Evaluated returns how many times the checker was evaluated (Pass or
// Failf), so a test can tell a checker that held from one never run.
func (c *Checker) Evaluated() uint64 { return c.evaluated }

// First returns the first violation, or nil.
func (c *Checker) First() *Violation { return c.first }

// Pass records one evaluation that held.
func (c *Checker) Pass() { c.evaluated++ }

// Check records an evaluation: a violation with the formatted detail when
// ok is false.
func (c *Checker) Check(ok bool, format string, args ...any) {
	if ok {
		c.evaluated++
		return
	}
	c.Failf(format, args...)
}

// Failf records a violation now, with a formatted detail. The violation is
// also recorded in the world's trace.
func (c *Checker) Failf(format string, args ...any) {
	c.evaluated++
	c.violations++
	v := Violation{At: c.set.w.Now(), Detail: fmt.Sprintf(format, args...)}
	if c.first == nil {
		c.first = &v
	}
	c.set.w.Record("violation", c.name, sim.DigestBytes([]byte(v.Detail)))
	if c.set.OnViolation != nil {
		c.set.OnViolation(c, v)
	}
}
