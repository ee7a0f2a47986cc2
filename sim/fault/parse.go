package fault

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redosim/redosim/sim"
)

// Parse reads a plan written in the syntax below, the syntax Plan.String
// prints; Parse(p.String()) equals p for every valid plan p. Errors name the
// entry (1-based) and the bad token.
//
//	plan     = "" | entry { ";" entry }          spaces around entries are ignored
//	entry    = name [ ":" target ] trigger [ "=" value ]
//	name     = point | action
//	point    = segment "/" segment { "/" segment }   e.g. sim/disk/fsyncEIO
//	action   = segment (no "/")                      e.g. node.crash
//	trigger  = "@" time                              once, at the first evaluation at or after time
//	         | "@" time ".." [ time ] [ "*" prob ]   each evaluation in [from, until), with probability prob
//	         | "#" count [ ".." [ count ] ] [ "*" prob ]  the count-th (through count-th) evaluation
//	time     = a Go duration since the world started: 0s, 2s, 1m30s, 150ms
//	prob     = a float in (0, 1], e.g. 0.1 or 1e-05; omitted means 1
//	count    = 1, 2, ... (evaluations of this point in this world)
//	segment  = letters, digits and _ . -
//	target   = letters, digits and _ . - , |    (actions only), e.g. n2, n1,n2|n3
//	value    = letters, digits and _ . - , | : + /
//
// Actions take only "@time" (happens at time) and "@from..until" (a span,
// e.g. a partition healed at until; open when until is omitted), and no
// probability. Example:
//
//	sim/disk/fsyncEIO@2s=EIO;sim/net/drop@1m..1m30s*0.1;node.crash:n2@3m;engine/writer/beforeFsync#3
func Parse(s string) (Plan, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Plan{}, nil
	}
	parts := strings.Split(s, ";")
	entries := make([]Entry, 0, len(parts))
	for i, part := range parts {
		tok := strings.TrimSpace(part)
		e, err := parseEntry(tok)
		if err == nil {
			e, err = e.normalize()
		}
		if err != nil {
			return Plan{}, fmt.Errorf("sim/fault: plan entry %d %q: %w", i+1, tok, err)
		}
		entries = append(entries, e)
	}
	return Plan{entries: entries}, nil
}

func parseEntry(tok string) (Entry, error) {
	if tok == "" {
		return Entry{}, errors.New("empty entry")
	}
	head, value, hasValue := strings.Cut(tok, "=")
	if hasValue && value == "" {
		return Entry{}, errors.New(`empty value after "="`)
	}
	at := strings.IndexAny(head, "@#")
	if at < 0 {
		return Entry{}, errors.New("no trigger: want name@time, name@from..until[*prob] or name#count")
	}
	name, target, hasTarget := strings.Cut(head[:at], ":")
	if hasTarget && target == "" {
		return Entry{}, errors.New(`empty target after ":"`)
	}
	e := Entry{Name: name, Target: target, Value: value}
	spec, probText, hasProb := strings.Cut(head[at+1:], "*")
	var err error
	if head[at] == '@' {
		err = parseTimes(spec, &e)
	} else {
		err = parseCounts(spec, &e)
	}
	if err != nil {
		return e, err
	}
	if hasProb {
		if e.Mode == AtTime {
			return e, fmt.Errorf("one-shot @%s takes no probability %q", spec, probText)
		}
		p, err := strconv.ParseFloat(probText, 64)
		if err != nil || !(p > 0 && p <= 1) {
			return e, fmt.Errorf("bad probability %q: want a number in (0, 1]", probText)
		}
		e.Prob = p
	}
	return e, nil
}

func parseTimes(spec string, e *Entry) error {
	fromText, untilText, isRange := strings.Cut(spec, "..")
	from, err := parseInstant(fromText)
	if err != nil {
		return err
	}
	e.From, e.Mode = from, AtTime
	if !isRange {
		return nil
	}
	e.Mode = InWindow
	if untilText == "" {
		return nil // open window
	}
	until, err := parseInstant(untilText)
	if err != nil {
		return err
	}
	if until <= from {
		return fmt.Errorf("window end %q is not after its start %q", untilText, fromText)
	}
	e.Until = until
	return nil
}

func parseInstant(text string) (sim.Instant, error) {
	d, err := time.ParseDuration(text)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("bad time %q: want a duration >= 0 such as 2s or 1m30s", text)
	}
	return sim.Instant(d), nil
}

func parseCounts(spec string, e *Entry) error {
	firstText, lastText, isRange := strings.Cut(spec, "..")
	first, err := parseCount(firstText)
	if err != nil {
		return err
	}
	e.Mode, e.Nth, e.NthLast = AtCount, first, first
	if !isRange {
		return nil
	}
	e.NthLast = 0 // open range
	if lastText == "" {
		return nil
	}
	last, err := parseCount(lastText)
	if err != nil {
		return err
	}
	if last < first {
		return fmt.Errorf("count range end %q is before its start %q", lastText, firstText)
	}
	e.NthLast = last
	return nil
}

func parseCount(text string) (uint64, error) {
	n, err := strconv.ParseUint(text, 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("bad count %q: want a positive integer", text)
	}
	return n, nil
}
