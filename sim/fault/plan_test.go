package fault

import (
	"reflect"
	"strings"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/redosim/redosim/sim"
)

func TestParseExample(t *testing.T) {
	const s = "sim/disk/fsyncEIO@2s;sim/net/drop@1m0s..1m30s*0.1;node.crash:n2@3m0s;engine/writer/beforeFsync#3"
	p, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Name: "sim/disk/fsyncEIO", Mode: AtTime, From: sim.Instant(2 * sim.Second), Prob: 1},
		{Name: "sim/net/drop", Mode: InWindow, From: sim.Instant(sim.Minute), Until: sim.Instant(90 * sim.Second), Prob: 0.1},
		{Name: "node.crash", Target: "n2", Mode: AtTime, From: sim.Instant(3 * sim.Minute), Prob: 1},
		{Name: "engine/writer/beforeFsync", Mode: AtCount, Nth: 3, NthLast: 3, Prob: 1},
	}
	if got := p.Entries(); !reflect.DeepEqual(got, want) {
		t.Fatalf("entries\n got %+v\nwant %+v", got, want)
	}
	if p.String() != s {
		t.Fatalf("String() = %q, want %q", p.String(), s)
	}
	if err := p.Validate(nil); err != nil {
		t.Fatal(err)
	}
}

// TestParseCanonical lists accepted spellings and the canonical form each
// prints as; the canonical form must parse to the same plan.
func TestParseCanonical(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"   ", ""},
		{"sim/disk/fsyncEIO@2s=EIO", "sim/disk/fsyncEIO@2s=EIO"},
		{" sim/disk/stall@90s=2s ; node.crash:n1@0s ", "sim/disk/stall@1m30s=2s;node.crash:n1@0s"},
		{"sim/net/drop@1m..", "sim/net/drop@1m0s.."},
		{"sim/net/drop@1m..*0.5", "sim/net/drop@1m0s..*0.5"},
		{"sim/net/drop@0s..1ms*1", "sim/net/drop@0s..1ms"},
		{"sim/net/drop@0s..1ms*0.00001", "sim/net/drop@0s..1ms*1e-05"},
		{"engine/writer/beforeFsync#3..3", "engine/writer/beforeFsync#3"},
		{"engine/writer/beforeFsync#3..5*0.25=EIO", "engine/writer/beforeFsync#3..5*0.25=EIO"},
		{"engine/writer/beforeFsync#10..", "engine/writer/beforeFsync#10.."},
		{"net.partition:n1,n2|n3@1m..2m", "net.partition:n1,n2|n3@1m0s..2m0s"},
		{"sim/objstore/slow@1.5s=20", "sim/objstore/slow@1.5s=20"},
		{"sim/disk/fsyncEIO@1.000000001s", "sim/disk/fsyncEIO@1.000000001s"},
	} {
		p, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got := p.String(); got != tc.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tc.in, got, tc.want)
		}
		q, err := Parse(p.String())
		if err != nil || !reflect.DeepEqual(p, q) {
			t.Errorf("Parse(%q) does not round-trip: %v %+v vs %+v", p.String(), err, p, q)
		}
	}
}

// TestParseErrors checks that every error names the entry and the bad
// token.
func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"sim/disk/fsyncEIO", `entry 1 "sim/disk/fsyncEIO": no trigger`},
		{"a/b@1s;;c/d@2s", `entry 2 "": empty entry`},
		{"a/b@1s;", `entry 2 "": empty entry`},
		{"sim/net/drop@1m..x", `bad time "x"`},
		{"sim/net/drop@-1s", `bad time "-1s"`},
		{"sim/net/drop@2m..1m", `window end "1m" is not after its start "2m"`},
		{"sim/net/drop@1m..1m", `window end "1m" is not after its start "1m"`},
		{"sim/net/drop@1m..2m*1.5", `bad probability "1.5"`},
		{"sim/net/drop@1m..2m*0", `bad probability "0"`},
		{"sim/net/drop@1m..2m*x", `bad probability "x"`},
		{"sim/net/drop@1m*0.5", `one-shot @1m takes no probability "0.5"`},
		{"e/w/f#0", `bad count "0"`},
		{"e/w/f#5..2", `count range end "2" is before its start "5"`},
		{"e/w/f#x", `bad count "x"`},
		{"e/w/f#1=", `empty value after "="`},
		{"e/w/f#1=a b", `value "a b" has a forbidden byte ' '`},
		{"e/w/f:n1#1", `fault point e/w/f takes no target`},
		{"node.crash:@1s", `empty target`},
		{"node.crash#3", `action node.crash cannot use #count`},
		{"net.partition:a|b@1s..2s*0.5", `action net.partition cannot have a probability`},
		{"a//b@1s", `empty path segment`},
		{"a b/c@1s", `name "a b/c" has a forbidden byte ' '`},
		{"@1s", `empty name`},
	} {
		_, err := Parse(tc.in)
		if err == nil {
			t.Errorf("Parse(%q): no error, want %q", tc.in, tc.want)
			continue
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "sim/fault: plan entry ") || !strings.Contains(msg, tc.want) {
			t.Errorf("Parse(%q) error %q, want it to contain %q", tc.in, msg, tc.want)
		}
	}
}

func TestNewPlanRejects(t *testing.T) {
	_, err := NewPlan(Entry{Name: "a/b", Mode: AtTime, From: 1, Nth: 3})
	if err == nil || !strings.Contains(err.Error(), "count fields Nth=3") {
		t.Fatalf("err = %v", err)
	}
	_, err = NewPlan(Entry{Name: "a/b", Mode: AtCount, Nth: 1, From: 5})
	if err == nil || !strings.Contains(err.Error(), "time fields From=5ns") {
		t.Fatalf("err = %v", err)
	}
	if _, err := NewPlan(Entry{Name: "a/b"}); err == nil || !strings.Contains(err.Error(), "unknown mode") {
		t.Fatalf("err = %v", err)
	}
}

func TestPlanPointsAndActions(t *testing.T) {
	p, err := Parse("b/x@1s;node.restart:n1@5s;a/y#1;net.partition:n1|n2@1s..4s;b/x#2;node.crash:n1@1s")
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Points(); !reflect.DeepEqual(got, []string{"a/y", "b/x"}) {
		t.Fatalf("Points = %v", got)
	}
	var got []string
	for _, a := range p.Actions() {
		got = append(got, a.String())
	}
	want := []string{"net.partition:n1|n2@1s..4s", "node.crash:n1@1s", "node.restart:n1@5s"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Actions = %v, want %v (by time, ties in plan order)", got, want)
	}
}

// genEntry generates valid entries of every shape, for the round-trip
// property.
func genEntry() gopter.Gen {
	return gopter.CombineGens(
		gen.OneConstOf("sim/disk/fsyncEIO", "engine/writer/beforeFsync", "x/y_z.1-2/w", "node.crash", "net.partition"),
		gen.IntRange(0, 2),
		gen.Int64Range(0, int64(2*sim.Hour)),
		gen.Int64Range(0, int64(sim.Hour)),
		gen.UInt64Range(1, 1<<40),
		gen.UInt64Range(0, 1000),
		gen.Float64Range(0, 1),
		gen.OneConstOf("", "EIO", "2s", "1.5", "n1:x", "a|b,c/+-_"),
		gen.OneConstOf("", "n1", "n1,n2|n3"),
	).Map(func(v []any) Entry {
		e := Entry{Name: v[0].(string), Value: v[7].(string), Prob: v[6].(float64)}
		e.From = sim.Instant(v[2].(int64))
		mode := v[1].(int)
		if e.IsAction() {
			e.Target, e.Prob, mode = v[8].(string), 0, mode%2
		}
		switch mode {
		case 0:
			e.Mode, e.Prob = AtTime, 0
		case 1:
			e.Mode = InWindow
			if span := v[3].(int64); span > 0 {
				e.Until = e.From + sim.Instant(span)
			}
		case 2:
			e.Mode, e.Nth, e.From = AtCount, v[4].(uint64), 0
			if span := v[5].(uint64); span < 1000 {
				e.NthLast = e.Nth + span
			}
		}
		return e
	})
}

// TestPlanRoundTripProperty: for generated plans p, Parse(p.String())
// equals p and prints the same string.
func TestPlanRoundTripProperty(t *testing.T) {
	params := gopter.DefaultTestParametersWithSeed(20261121)
	params.MinSuccessfulTests = 500
	props := gopter.NewProperties(params)
	props.Property("Parse(String()) == plan", prop.ForAll(func(entries []Entry) bool {
		p, err := NewPlan(entries...)
		if err != nil {
			t.Logf("NewPlan: %v", err)
			return false
		}
		q, err := Parse(p.String())
		return err == nil && reflect.DeepEqual(p, q) && q.String() == p.String()
	}, gen.SliceOf(genEntry())))
	props.TestingRun(t)
}
