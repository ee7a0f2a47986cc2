package eventservice

import (
	"fmt"
	"testing"

	"github.com/leanovate/gopter"
	"github.com/leanovate/gopter/gen"
	"github.com/leanovate/gopter/prop"

	"github.com/redosim/redosim/model/msg"
	"github.com/redosim/redosim/model/scanwindow"
	"github.com/redosim/redosim/model/upstream"
	"github.com/redosim/redosim/sim"
)

// propertySeed fixes the generated worlds, so a failure replays exactly.
const propertySeed = 20260821

// propWorld is one generated world: workload, service config, memory
// reports and lifecycle events.
type propWorld struct {
	Seed          uint64
	Tables        int
	RowsPerSecond int
	DDLPerMinute  int
	SyncPointSec  int64
	SkipAtStart   bool
	Algorithm     scanwindow.Algorithm
	CCVersion     int
	AvailBytes    int64
	DispBytes     int64
	Starve        bool // table 1's main dispatcher gets 0 dispatcher memory
	Usage         float64
	ResetAtSec    int // 0: none
	RemoveAtSec   int // 0: none
	IdleBeyond    bool
	Continue      bool
	Workers       int
	QueueMax      int
	RateKiBPerSec int64
	RunSec        int
}

func (p propWorld) String() string {
	type plain propWorld // no String method: no recursion
	return fmt.Sprintf("%+v", plain(p))
}

var (
	availChoices = []int64{2 << 10, 8 << 10, 64 << 10, 300 << 20, GiB}
	dispChoices  = []int64{512, 2 << 10, 64 << 10, GiB}
	algChoices   = []scanwindow.Algorithm{scanwindow.AlgorithmNone, scanwindow.Algorithm4030, scanwindow.Algorithm4950}
	spChoices    = []int64{0, 1, 2, 5}
	rateChoices  = []int64{0, 64, 1024}
	queueChoices = []int{1, 2, 8, 8192}
)

func genPropWorld() gopter.Gen {
	return gopter.CombineGens(
		gen.UInt64(), gen.IntRange(1, 4), gen.IntRange(50, 3000), gen.IntRange(0, 30),
		gen.IntRange(0, len(spChoices)-1), gen.Bool(), gen.IntRange(0, len(algChoices)-1), gen.IntRange(1, 2),
		gen.IntRange(0, len(availChoices)-1), gen.IntRange(0, len(dispChoices)-1), gen.Bool(), gen.Float64Range(0, 1),
		gen.IntRange(0, 15), gen.IntRange(0, 15), gen.Bool(), gen.Bool(),
		gen.IntRange(1, 8), gen.IntRange(0, len(queueChoices)-1), gen.IntRange(0, len(rateChoices)-1), gen.IntRange(8, 20),
	).Map(func(v []any) propWorld {
		return propWorld{
			Seed: v[0].(uint64), Tables: v[1].(int), RowsPerSecond: v[2].(int), DDLPerMinute: v[3].(int),
			SyncPointSec: spChoices[v[4].(int)], SkipAtStart: v[5].(bool), Algorithm: algChoices[v[6].(int)], CCVersion: v[7].(int),
			AvailBytes: availChoices[v[8].(int)], DispBytes: dispChoices[v[9].(int)], Starve: v[10].(bool), Usage: v[11].(float64),
			ResetAtSec: v[12].(int), RemoveAtSec: v[13].(int), IdleBeyond: v[14].(bool), Continue: v[15].(bool),
			Workers: v[16].(int), QueueMax: queueChoices[v[17].(int)], RateKiBPerSec: rateChoices[v[18].(int)] << 10, RunSec: v[19].(int),
		}
	})
}

// build runs the world and returns the harness after the run.
func (p propWorld) build(t testing.TB) *harness {
	ddl := float64(p.DDLPerMinute)
	if ddl == 0 {
		ddl = -1
	}
	cfg := Config{
		Window:                   scanwindow.Config{Algorithm: p.Algorithm},
		CongestionControlVersion: p.CCVersion,
		IdleBeyondWindow:         p.IdleBeyond,
		ContinueWindowLimited:    p.Continue,
		ScanWorkers:              p.Workers,
		ScanQueueMax:             p.QueueMax,
		RateLimitBytesPerSec:     p.RateKiBPerSec,
		RateLimitBurstBytes:      p.RateKiBPerSec,
	}
	h, up := workloadWorldWith(t, p.Seed, upstream.Config{Tables: p.Tables, RowsPerSecond: float64(p.RowsPerSecond), DDLPerMinute: ddl},
		cfg, p.SyncPointSec, p.SkipAtStart)
	h.report = func(sim.Instant) *msg.CongestionControl {
		cc := h.plainReport(p.AvailBytes, p.DispBytes, p.Usage)
		for i := range cc.DispatcherAvailable {
			if p.Starve && cc.DispatcherAvailable[i].Dispatcher == mainT1 {
				cc.DispatcherAvailable[i].Bytes = 0
			}
		}
		return cc
	}
	if p.ResetAtSec > 0 {
		h.w.Loop.At(sim.Instant(sim.Duration(p.ResetAtSec)*sim.Second), func() {
			h.reset(redoT1, up.Clock().At(sim.Instant(sim.Duration(p.ResetAtSec)*sim.Second/2)))
		})
	}
	if p.RemoveAtSec > 0 {
		h.w.Loop.At(sim.Instant(sim.Duration(p.RemoveAtSec)*sim.Second), func() {
			h.remove(msg.DispatcherID{Table: msg.TableTrigger, Mode: msg.ModeRedo})
		})
	}
	h.run(sim.Duration(p.RunSec) * sim.Second)
	return h
}

// TestPropertyInvariants runs generated worlds and requires every checker
// (invariants 1, 2, 16, 17, the rate limiter, completeness) to pass.
//
// Reference: ticdc-mechanisms.md Invariants 1, 2, 16, 17.
func TestPropertyInvariants(t *testing.T) {
	params := gopter.DefaultTestParametersWithSeed(propertySeed)
	params.Workers = 1
	params.MinSuccessfulTests = 40
	if testing.Short() {
		params.MinSuccessfulTests = 10
	}
	props := gopter.NewProperties(params)
	props.Property("every stream and scan decision keeps the invariants", prop.ForAll(
		func(p propWorld) (bool, error) {
			h := p.build(t)
			if errs := h.errors(); len(errs) > 0 {
				return false, fmt.Errorf("%d errors, first: %s", len(errs), errs[0])
			}
			return true, nil
		},
		genPropWorld(),
	))
	props.TestingRun(t)
}
