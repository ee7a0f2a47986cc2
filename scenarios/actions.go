package scenarios

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/redosim/redosim/model/cluster"
	"github.com/redosim/redosim/sim"
	"github.com/redosim/redosim/sim/disk"
	"github.com/redosim/redosim/sim/fault"
	"github.com/redosim/redosim/sim/netsim"
)

// Scheduled fault actions beyond sim/fault's own (node.crash,
// node.restart, net.partition).
const (
	// ActionDiskCrash is a power loss: every node and the shared redo disk
	// crash together (unsynced data lost or torn) and the nodes restart a
	// second later (target unused).
	ActionDiskCrash = "disk.crash"
)

// scheduleActions puts the plan's scheduled actions on the loop:
// node.crash:nK@t (with @t..u, a restart at u), node.restart:nK@t,
// net.partition:"n1,n2|n3"@t..u (healed at u), disk.crash@t. Each is also
// recorded as a fault for the report.
func scheduleActions(env *Env, cl *cluster.Cluster) error {
	for _, e := range env.Plan.Actions() {
		var err error
		switch e.Name {
		case "node.crash", "node.restart":
			err = scheduleNode(env, cl, e)
		case "net.partition":
			err = schedulePartition(env, cl, e)
		case ActionDiskCrash:
			err = scheduleDiskCrash(env, cl, e)
		default:
			err = fmt.Errorf("action %s is not supported by changefeed worlds", e.Name)
		}
		if err != nil {
			return fmt.Errorf("%w: -faults: %s: %w", ErrConfig, e, err)
		}
	}
	return nil
}

func nodeIndex(cl *cluster.Cluster, id string) (int, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(id, "n"))
	if err != nil || !strings.HasPrefix(id, "n") || n < 1 || n > cl.Nodes() {
		return 0, fmt.Errorf("target %q: want a node n1..n%d", id, cl.Nodes())
	}
	return n - 1, nil
}

func scheduleNode(env *Env, cl *cluster.Cluster, e fault.Entry) error {
	i, err := nodeIndex(cl, e.Target)
	if err != nil {
		return err
	}
	nd := cl.Node(i)
	if e.Name == "node.restart" {
		env.W.Loop.At(e.From, nd.Restart)
		env.Fault("node.restart", e.Target, e.From, e.From, "")
		return nil
	}
	env.W.Loop.At(e.From, nd.Crash)
	until := e.From
	if e.Until > e.From {
		until = e.Until
		env.W.Loop.At(e.Until, nd.Restart)
	}
	env.Fault("node.crash", e.Target, e.From, until, "")
	return nil
}

func schedulePartition(env *Env, cl *cluster.Cluster, e fault.Entry) error {
	a, b, ok := strings.Cut(e.Target, "|")
	if !ok {
		return fmt.Errorf("target %q: want two groups, e.g. n1,n2|n3", e.Target)
	}
	var groups [2][]netsim.NodeID
	for gi, g := range []string{a, b} {
		for _, id := range strings.Split(g, ",") {
			if _, err := nodeIndex(cl, id); err != nil {
				return err
			}
			groups[gi] = append(groups[gi], netsim.NodeID(id))
		}
	}
	net := cl.Network()
	env.W.Loop.At(e.From, func() { net.Partition(groups[0], groups[1]) })
	until := sim.Instant(env.Duration)
	if e.Until > e.From {
		until = e.Until
		env.W.Loop.At(e.Until, net.Heal)
	}
	env.Fault("net.partition", e.Target, e.From, until, "")
	return nil
}

func scheduleDiskCrash(env *Env, cl *cluster.Cluster, e fault.Entry) error {
	dk := cl.RedoTarget().Disk
	if dk == nil {
		return fmt.Errorf("the world has no redo disk (redo off, or on object storage)")
	}
	env.W.Loop.At(e.From, func() { cl.CrashStorage() })
	env.Fault(ActionDiskCrash, "redo-disk", e.From, e.From, "")
	return nil
}

// FaultEffectEnd is when plan entry e's effect is over: its window's end
// or its instant, plus what outlasts it (a disk stall's added delay, a
// power loss's restart a second later). Planted bugs and mutants, armed
// for the whole run, are no faults: their end is 0.
func FaultEffectEnd(e fault.Entry) sim.Duration {
	if strings.HasPrefix(e.Name, "bug/") || strings.HasPrefix(e.Name, "mutant/") {
		return 0
	}
	end := sim.Duration(e.From)
	if e.Mode == fault.InWindow {
		end = max(end, sim.Duration(e.Until))
	}
	switch e.Name {
	case disk.FaultStall:
		if d, err := sim.ParseDuration(e.Value); err == nil {
			end += d
		}
	case ActionDiskCrash:
		end += sim.Second
	}
	return end
}

// FaultsOverAt is when the last effect of plan's faults is over (0: no
// fault): from then on the world is quiet and liveness is judged.
func FaultsOverAt(plan fault.Plan) sim.Duration {
	var end sim.Duration
	for _, e := range plan.Entries() {
		end = max(end, FaultEffectEnd(e))
	}
	return end
}
