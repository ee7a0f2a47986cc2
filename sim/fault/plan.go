package fault

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redosim/redosim/sim"
)

// Mode is how a plan entry decides when it applies.
type Mode uint8

const (
	// AtTime: a fault point fires once, at its first evaluation at or after
	// From; an action happens at From. Written "@2s".
	AtTime Mode = iota + 1
	// InWindow: a fault point fires at each evaluation in [From, Until)
	// with probability Prob; an action spans [From, Until). Until 0 means
	// no end. Written "@1m..1m30s*0.1", "@1m.." (open).
	InWindow
	// AtCount: a fault point fires at its Nth through NthLast evaluations
	// (1-based, inclusive; NthLast 0 means no end) with probability Prob.
	// Written "#3", "#3..5*0.5", "#10..". Not for actions.
	AtCount
)

// String returns the mode's Go name.
func (m Mode) String() string {
	switch m {
	case AtTime:
		return "AtTime"
	case InWindow:
		return "InWindow"
	case AtCount:
		return "AtCount"
	}
	return fmt.Sprintf("Mode(%d)", uint8(m))
}

// Entry is one item of a Plan: either a fault point, evaluated by code
// through sim.World.Fire, or a scheduled action that the scenario layer
// performs on the loop. Names with a '/' are fault points
// ("sim/disk/fsyncEIO"); names without are action kinds ("node.crash").
type Entry struct {
	// Name is the fault point or action kind.
	Name string
	// Target is the object of an action, e.g. "n2" or "n1,n2|n3"; empty for
	// fault points.
	Target string
	// Mode selects how From, Until, Nth, NthLast and Prob are read.
	Mode Mode
	// From is the instant of AtTime and the start of InWindow.
	From sim.Instant
	// Until ends an InWindow span (exclusive); 0 means no end.
	Until sim.Instant
	// Nth is the first evaluation of AtCount, counted from 1.
	Nth uint64
	// NthLast is the last evaluation of AtCount (inclusive); 0 means no end.
	NthLast uint64
	// Prob is the chance of firing at each evaluation in an InWindow or
	// AtCount range, in (0, 1]; 0 means 1. Draws come from the world's
	// stream "fault/<Name>".
	Prob float64
	// Value is handed to the code at the point when it fires (an errno
	// name, a factor, a duration); empty when the code needs none.
	Value string
}

// IsAction reports whether e is a scheduled action rather than a fault
// point.
func (e Entry) IsAction() bool { return !strings.Contains(e.Name, "/") }

// String returns the entry in plan syntax, e.g. "sim/net/drop@1m..1m30s*0.1".
func (e Entry) String() string {
	var b strings.Builder
	b.WriteString(e.Name)
	if e.Target != "" {
		b.WriteByte(':')
		b.WriteString(e.Target)
	}
	switch e.Mode {
	case AtTime:
		b.WriteString("@" + formatInstant(e.From))
	case InWindow:
		b.WriteString("@" + formatInstant(e.From) + "..")
		if e.Until != 0 {
			b.WriteString(formatInstant(e.Until))
		}
	case AtCount:
		b.WriteString("#" + strconv.FormatUint(e.Nth, 10))
		if e.NthLast != e.Nth {
			b.WriteString("..")
			if e.NthLast != 0 {
				b.WriteString(strconv.FormatUint(e.NthLast, 10))
			}
		}
	}
	if e.Prob != 0 && e.Prob != 1 {
		b.WriteString("*" + strconv.FormatFloat(e.Prob, 'g', -1, 64))
	}
	if e.Value != "" {
		b.WriteString("=" + e.Value)
	}
	return b.String()
}

// formatInstant prints t as time.Duration does ("1m30s"), which
// time.ParseDuration reads back exactly.
func formatInstant(t sim.Instant) string { return time.Duration(t).String() }

// normalize checks e and returns it in canonical form (Prob 0 becomes 1).
func (e Entry) normalize() (Entry, error) {
	if e.Prob == 0 {
		e.Prob = 1
	}
	if err := checkChars("name", e.Name, nameByte); err != nil {
		return e, err
	}
	if e.IsAction() {
		return e, e.checkAction()
	}
	if slices.Contains(strings.Split(e.Name, "/"), "") {
		return e, fmt.Errorf("fault point %q has an empty path segment", e.Name)
	}
	if e.Target != "" {
		return e, fmt.Errorf("fault point %s takes no target, got %q", e.Name, e.Target)
	}
	return e, e.checkTrigger()
}

func (e Entry) checkAction() error {
	if e.Target != "" {
		if err := checkChars("target", e.Target, targetByte); err != nil {
			return err
		}
	}
	if e.Mode == AtCount {
		return fmt.Errorf("action %s cannot use #count: it is scheduled, not evaluated", e.Name)
	}
	if e.Prob != 1 {
		return fmt.Errorf("action %s cannot have a probability", e.Name)
	}
	return e.checkTrigger()
}

func (e Entry) checkTrigger() error {
	if e.Value != "" {
		if err := checkChars("value", e.Value, valueByte); err != nil {
			return err
		}
	}
	if !(e.Prob > 0 && e.Prob <= 1) {
		return fmt.Errorf("probability %v outside (0, 1]", e.Prob)
	}
	switch e.Mode {
	case AtTime:
		if e.From < 0 || e.Until != 0 || e.Prob != 1 {
			return fmt.Errorf("@time needs From >= 0, no Until and no probability")
		}
	case InWindow:
		if e.From < 0 || (e.Until != 0 && e.Until <= e.From) {
			return fmt.Errorf("window %v..%v is empty or negative", formatInstant(e.From), formatInstant(e.Until))
		}
	case AtCount:
		if e.Nth == 0 || (e.NthLast != 0 && e.NthLast < e.Nth) {
			return fmt.Errorf("count range %d..%d is empty (counts start at 1)", e.Nth, e.NthLast)
		}
		if e.From != 0 || e.Until != 0 {
			return fmt.Errorf("time fields From=%v Until=%v set on a #count entry", formatInstant(e.From), formatInstant(e.Until))
		}
	default:
		return fmt.Errorf("unknown mode %v", e.Mode)
	}
	if e.Mode != AtCount && (e.Nth != 0 || e.NthLast != 0) {
		return fmt.Errorf("count fields Nth=%d NthLast=%d set on a %v entry", e.Nth, e.NthLast, e.Mode)
	}
	return nil
}

// checkChars reports the first byte of s that ok rejects, or s being empty.
func checkChars(what, s string, ok func(byte) bool) error {
	if s == "" {
		return fmt.Errorf("empty %s", what)
	}
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return fmt.Errorf("%s %q has a forbidden byte %q", what, s, s[i])
		}
	}
	return nil
}

func alnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

// nameByte admits letters, digits and _ . / -.
func nameByte(c byte) bool { return alnum(c) || strings.IndexByte("_./-", c) >= 0 }

// targetByte admits letters, digits and _ . - , | (groups of nodes).
func targetByte(c byte) bool { return alnum(c) || strings.IndexByte("_.-,|", c) >= 0 }

// valueByte admits letters, digits and _ . - , | : + /.
func valueByte(c byte) bool { return alnum(c) || strings.IndexByte("_.-,|:+/", c) >= 0 }

// Plan is a world's fault plan: fault-point entries, which an Injector
// evaluates, and scheduled actions, which the scenario layer performs. It
// prints as one string (String) that Parse reads back to an equal Plan, so
// the plan can appear in a replay command. The zero Plan is empty. A Plan
// is immutable once built.
type Plan struct {
	entries []Entry
}

// NewPlan returns a plan of entries, in order, after checking each one
// (Prob 0 is stored as 1). Entries for the same point are tried in order at
// each evaluation; the first that fires wins.
func NewPlan(entries ...Entry) (Plan, error) {
	if len(entries) == 0 {
		return Plan{}, nil
	}
	out := make([]Entry, len(entries))
	for i, e := range entries {
		n, err := e.normalize()
		if err != nil {
			return Plan{}, fmt.Errorf("sim/fault: plan entry %d %q: %w", i+1, e.String(), err)
		}
		out[i] = n
	}
	return Plan{entries: out}, nil
}

// Len returns the number of entries.
func (p Plan) Len() int { return len(p.entries) }

// Entries returns a copy of the entries, in plan order.
func (p Plan) Entries() []Entry { return slices.Clone(p.entries) }

// String returns the plan in its one-line syntax: entries joined by ';'.
func (p Plan) String() string {
	parts := make([]string, len(p.entries))
	for i, e := range p.entries {
		parts[i] = e.String()
	}
	return strings.Join(parts, ";")
}

// Points returns the distinct fault points the plan arms, sorted.
func (p Plan) Points() []string {
	var out []string
	for _, e := range p.entries {
		if !e.IsAction() {
			out = append(out, e.Name)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Actions returns the scheduled actions sorted by From; actions at the same
// instant keep their plan order. The scenario layer maps each to an
// operation (node.crash -> node.Crash at From; net.partition -> partition
// at From, heal at Until).
func (p Plan) Actions() []Entry {
	var out []Entry
	for _, e := range p.entries {
		if e.IsAction() {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b Entry) int { return cmp.Compare(a.From, b.From) })
	return out
}
