package core_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/commands"
	"github.com/leanovate/gopter/gen"

	"github.com/redosim/redosim/engine/core"
	"github.com/redosim/redosim/sim"
)

// cmd is one step of a generated sequence. Arg is the step's size (rows
// to append, milliseconds to run); shrinking halves it.
type cmd struct {
	Kind string
	Arg  int
}

func (c cmd) String() string {
	if c.Arg > 0 {
		return fmt.Sprintf("%s(%d)", c.Kind, c.Arg)
	}
	return c.Kind
}

func (c cmd) Run(sut commands.SystemUnderTest) commands.Result {
	cw := sut.(*world)
	switch c.Kind {
	case "Append":
		cw.appendRows(c.Arg)
	case "Run":
		cw.run(sim.Duration(c.Arg) * sim.Millisecond)
	case "Flush":
		if cw.drv != nil {
			cw.drv.Flush()
		}
	case "UpdateMeta":
		cw.updateMeta()
	case "FsyncError":
		cw.injectFsyncError()
	case "DiskFull":
		cw.fillDisk()
	case "Crash":
		cw.crash(true)
	case "Restart":
		cw.crash(false)
	}
	cw.checkOpenFiles()
	return append([]string(nil), cw.problems...)
}

func (cmd) NextState(s commands.State) commands.State { return s }
func (cmd) PreCondition(commands.State) bool          { return true }
func (c cmd) PostCondition(_ commands.State, r commands.Result) *gopter.PropResult {
	if problems := r.([]string); len(problems) > 0 {
		return gopter.NewPropResult(false, strings.Join(problems, "; "))
	}
	return gopter.NewPropResult(true, "")
}

// shrinkCmd halves a command's argument down to 1.
func shrinkCmd(v interface{}) gopter.Shrink {
	c := v.(cmd)
	arg := c.Arg
	return func() (interface{}, bool) {
		if arg <= 1 {
			return nil, false
		}
		arg /= 2
		return cmd{Kind: c.Kind, Arg: arg}, true
	}
}

func sized(kind string, lo, hi int) gopter.Gen {
	return gen.IntRange(lo, hi).Map(func(n int) commands.Command { return cmd{Kind: kind, Arg: n} }).
		WithShrinker(shrinkCmd)
}

func plain(kind string) gopter.Gen {
	return gen.Const(commands.Command(cmd{Kind: kind})).WithShrinker(gopter.NoShrinker)
}

func commandGen(faults bool) gopter.Gen {
	gens := []gen.WeightedGen{
		{Weight: 6, Gen: sized("Append", 1, 40)},
		{Weight: 5, Gen: sized("Run", 1, 200)},
		{Weight: 1, Gen: plain("Flush")},
		{Weight: 2, Gen: plain("UpdateMeta")},
		{Weight: 2, Gen: plain("Crash")},
		{Weight: 1, Gen: plain("Restart")},
	}
	if faults {
		gens = append(gens, gen.WeightedGen{Weight: 1, Gen: plain("FsyncError")},
			gen.WeightedGen{Weight: 1, Gen: plain("DiskFull")})
	}
	return gen.Weighted(gens)
}

func setupGen(policies []core.Policy, object bool) gopter.Gen {
	return gopter.CombineGens(
		gen.IntRange(0, len(policies)-1),
		gen.Bool(),
		gen.OneConstOf(int64(4096), int64(16384), int64(1<<20)),
		gen.UInt64Range(1, 1<<20),
	).Map(func(v []interface{}) setup {
		return setup{Policy: policies[v[0].(int)], Object: object && v[1].(bool),
			MaxLogBytes: v[2].(int64), Seed: v[3].(uint64)}
	})
}

// pipelinedSetupGen draws setups whose file-backend flushes are split into
// write and sync chains, with one to three syncs in flight, and rows large
// enough (4 KiB) in some, so batches write ahead of a busy sync.
func pipelinedSetupGen(policies []core.Policy) gopter.Gen {
	return gopter.CombineGens(setupGen(policies, false), gen.IntRange(1, 3), gen.OneConstOf(0, 4096)).Map(func(v []interface{}) setup {
		s := v[0].(setup)
		s.SyncChainsMax, s.RowBytes = v[1].(int), v[2].(int)
		return s
	})
}

func engineCommands(policies []core.Policy, object, faults bool, plant func(*core.Engine)) *commands.ProtoCommands {
	return &commands.ProtoCommands{
		NewSystemUnderTestFunc: func(s commands.State) commands.SystemUnderTest {
			return newWorld(s.(setup), plant)
		},
		InitialStateGen: setupGen(policies, object),
		GenCommandFunc:  func(commands.State) gopter.Gen { return commandGen(faults) },
	}
}

// checkEngine runs the property and returns whether it held and gopter's
// report.
func checkEngine(seed int64, tests int, props *commands.ProtoCommands) (bool, string) {
	params := gopter.DefaultTestParametersWithSeed(seed)
	params.MinSuccessfulTests = tests
	params.MaxSize = 30
	params.Workers = 1
	p := gopter.NewProperties(params)
	p.Property("engine durability", commands.Prop(props))
	var out strings.Builder
	ok := p.Run(gopter.NewFormatedReporter(true, 100, &out))
	return ok, out.String()
}

var durablePolicies = []core.Policy{core.PolicyCommit, core.PolicyInterval}

// TestEngineDurability: under the durable policies, on disk and object
// store, with fsync errors and full disks, every acknowledged row survives
// every crash and recovery invents nothing.
func TestEngineDurability(t *testing.T) {
	ok, report := checkEngine(20261121, 1000, engineCommands(durablePolicies, true, true, nil))
	if !ok {
		t.Fatal(report)
	}
}

// TestEngineDurabilityPipelined: the same property with flushes split
// into write chains and overlapping sync chains (Config.SyncChainsMax),
// as the OS driver runs them.
func TestEngineDurabilityPipelined(t *testing.T) {
	props := engineCommands(durablePolicies, false, true, nil)
	props.InitialStateGen = pipelinedSetupGen(durablePolicies)
	ok, report := checkEngine(20261122, 1000, props)
	if !ok {
		t.Fatal(report)
	}
}

// TestPipelinedDurabilityCatchesPlantedBugs: the planted writers are
// caught in pipelined mode too.
func TestPipelinedDurabilityCatchesPlantedBugs(t *testing.T) {
	for name, plant := range map[string]func(*core.Engine){"ack before sync": core.PlantAckBeforeSync, "skipped dir sync": core.PlantSkipDirSync} {
		props := engineCommands([]core.Policy{core.PolicyCommit}, false, false, plant)
		props.InitialStateGen = pipelinedSetupGen([]core.Policy{core.PolicyCommit})
		if ok, _ := checkEngine(11, 200, props); ok {
			t.Errorf("the durability property did not catch the planted bug %q in pipelined mode", name)
		}
	}
}

// TestEngineNonDurablePoliciesInventNothing: os and none promise nothing
// across a machine crash, but recovery still returns only written rows.
func TestEngineNonDurablePoliciesInventNothing(t *testing.T) {
	ok, report := checkEngine(7, 60, engineCommands([]core.Policy{core.PolicyOS, core.PolicyNone}, false, false, nil))
	if !ok {
		t.Fatal(report)
	}
}

// TestDurabilityCatchesAckBeforeSync plants a writer that acknowledges
// before the covering sync; the property must find a lost row and shrink
// it to a short sequence.
func TestDurabilityCatchesAckBeforeSync(t *testing.T) {
	ok, report := checkEngine(3, 200, engineCommands([]core.Policy{core.PolicyCommit}, false, false, core.PlantAckBeforeSync))
	if ok {
		t.Fatal("the durability property did not catch a writer acknowledging before its sync")
	}
	if !strings.Contains(report, "acknowledged rows lost") {
		t.Fatalf("failure is not the lost-row check:\n%s", report)
	}
	t.Logf("caught, as expected:\n%s", report)
}

// TestDurabilityCatchesSkippedDirSync plants a writer that never syncs the
// directory after creating a file: a crash may drop the file whole.
func TestDurabilityCatchesSkippedDirSync(t *testing.T) {
	ok, report := checkEngine(5, 200, engineCommands([]core.Policy{core.PolicyCommit}, false, false, core.PlantSkipDirSync))
	if ok {
		t.Fatal("the durability property did not catch a writer skipping the directory sync")
	}
	t.Logf("caught, as expected:\n%s", report)
}
