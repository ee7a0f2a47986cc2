package fault

import (
	"reflect"
	"strings"
	"testing"

	"github.com/redosim/redosim/sim"
)

var swarmKinds = []SwarmKind{
	{Name: "sim/disk/fsyncEIO", Values: []string{"EIO"}},
	{Name: "sim/net/drop", EntriesMax: 3},
	{Name: "engine/writer/beforeFsync"},
	{Name: "node.crash", Targets: []string{"n1", "n2", "n3"}, EntriesMax: 2},
	{Name: "net.partition", Targets: []string{"n1|n2,n3", "n1,n2|n3"}, Span: true},
}

func TestSwarmDeterministicAndValid(t *testing.T) {
	draw := func(seed uint64) Plan {
		p, err := Swarm(sim.NewStreams(seed).Get("swarm"), swarmKinds, sim.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	on := make(map[string]int)
	distinct := make(map[string]bool)
	const seeds = 400
	for seed := range uint64(seeds) {
		p := draw(seed)
		if !reflect.DeepEqual(p, draw(seed)) {
			t.Fatalf("seed %d drew two plans", seed)
		}
		if err := p.Validate(nil); err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		q, err := Parse(p.String())
		if err != nil || !reflect.DeepEqual(p, q) {
			t.Fatalf("seed %d: plan %q does not round-trip: %v", seed, p, err)
		}
		distinct[p.String()] = true
		seen := make(map[string]bool)
		for _, e := range p.Entries() {
			seen[e.Name] = true
			checkSwarmEntry(t, e)
		}
		for name := range seen {
			on[name]++
		}
	}
	for _, k := range swarmKinds {
		if n := on[k.Name]; n < seeds*35/100 || n > seeds*65/100 {
			t.Errorf("kind %s on in %d of %d seeds, want about half", k.Name, n, seeds)
		}
	}
	if len(distinct) < seeds*9/10 {
		t.Errorf("only %d distinct plans in %d seeds", len(distinct), seeds)
	}
}

func checkSwarmEntry(t *testing.T, e Entry) {
	t.Helper()
	if e.From < 0 || e.From >= sim.Instant(sim.Minute) || e.From%sim.Instant(sim.Millisecond) != 0 {
		t.Fatalf("entry %s: From outside [0, 1m) or not whole ms", e)
	}
	switch e.Name {
	case "node.crash":
		if e.Mode != AtTime || e.Target == "" {
			t.Fatalf("crash entry %s, want a targeted instant", e)
		}
	case "net.partition":
		if e.Mode != InWindow || e.Until <= e.From {
			t.Fatalf("partition entry %s, want a span", e)
		}
	case "sim/disk/fsyncEIO":
		if e.Value != "EIO" {
			t.Fatalf("entry %s lacks its value", e)
		}
	}
}

func TestSwarmErrors(t *testing.T) {
	r := sim.NewStreams(1).Get("swarm")
	if _, err := Swarm(r, swarmKinds, sim.Microsecond); err == nil || !strings.Contains(err.Error(), "horizon") {
		t.Fatalf("err = %v", err)
	}
	bad := []SwarmKind{{Name: "sim/disk/fsyncEIO", Targets: []string{"n1"}}}
	var err error
	for range 20 { // the kind is on with p=1/2
		if _, err = Swarm(r, bad, sim.Second); err != nil {
			break
		}
	}
	if err == nil || !strings.Contains(err.Error(), "takes no target") {
		t.Fatalf("err = %v", err)
	}
}
